// mote._mote: the Python API's native half. Conversion runs modelc's own
// pipeline in process (ConvertInMemory, the code path of `modelc convert`);
// Runtime runs the verified bytes with the mote runtime, as a device does.
// The public, documented API is the Python package around it (mote/__init__.py);
// failures become the exception classes of mote/errors.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/files.h"
#include "common/npy.h"
#include "compare.h"
#include "convert.h"
#include "emit/header_writer.h"
#include "emit/report.h"
#include "inspect.h"
#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/quantize.h"

namespace py = pybind11;

namespace mote::python {
namespace {

// A runtime failure with the runtime's status and diagnostic, raised in Python
// as the matching mote.errors class.
struct RuntimeFailure {
  Status status;
  std::string message;
  int64_t value = 0, limit = 0;
};

struct DiagnosticCapture {
  std::string message;
  int64_t value = 0, limit = 0;
  DiagnosticCapture() { SetDiagnosticHandler(Collect, this); }
  ~DiagnosticCapture() { SetDiagnosticHandler(nullptr, nullptr); }
  static void Collect(const Diagnostic& d, void* context) {
    auto* self = static_cast<DiagnosticCapture*>(context);
    self->message = d.message;
    if (d.op_index >= 0) self->message += " (operator " + std::to_string(d.op_index) + ")";
    if (d.tensor_index >= 0) self->message += " (tensor " + std::to_string(d.tensor_index) + ")";
    self->value = d.value;
    self->limit = d.limit;
  }
};

[[noreturn]] void RaiseRuntime(Status status, const DiagnosticCapture& capture) {
  throw RuntimeFailure{status, capture.message, capture.value, capture.limit};
}

// The Status enumerator's name, as the C++ API spells it.
const char* StatusCode(Status s) {
  switch (s) {
    case Status::kOk:
      return "kOk";
    case Status::kCorruptFile:
      return "kCorruptFile";
    case Status::kIntegrityMismatch:
      return "kIntegrityMismatch";
    case Status::kVersionMismatch:
      return "kVersionMismatch";
    case Status::kUnsupportedOp:
      return "kUnsupportedOp";
    case Status::kArenaTooSmall:
      return "kArenaTooSmall";
    case Status::kInputShapeMismatch:
      return "kInputShapeMismatch";
    case Status::kInputTypeMismatch:
      return "kInputTypeMismatch";
    case Status::kBadAlignment:
      return "kBadAlignment";
    case Status::kInvalidArgument:
      return "kInvalidArgument";
    case Status::kTruncatedFile:
      return "kTruncatedFile";
    case Status::kNotInitialized:
      return "kNotInitialized";
    case Status::kSelfTestMismatch:
      return "kSelfTestMismatch";
  }
  return "kUnknown";
}

const char* DtypeOf(ElementType t) {
  switch (t) {
    case ElementType::kFloat32:
      return "float32";
    case ElementType::kInt8:
      return "int8";
    case ElementType::kInt16:
      return "int16";
    case ElementType::kInt32:
      return "int32";
    case ElementType::kInt64:
      return "int64";
    case ElementType::kUInt8:
      return "uint8";
  }
  return "?";
}

py::dict TensorInfo(const TensorView& v) {
  py::dict d;
  d["name"] = std::string(v.name);
  d["shape"] = std::vector<int64_t>(v.shape.begin(), v.shape.end());
  d["dtype"] = DtypeOf(v.type);
  d["scale"] = v.scale;
  d["zero_point"] = v.zero_point;
  return d;
}

tools::NpyArray ToNpy(const py::array& a) {
  if (a.dtype().kind() == 'i' || a.dtype().kind() == 'u') {  // indices (token ids) stay integers
    const py::array_t<int64_t, py::array::c_style | py::array::forcecast> i(a);
    tools::NpyArray n;
    n.dtype = "i8";
    n.shape.assign(i.shape(), i.shape() + i.ndim());
    n.data.resize(static_cast<size_t>(i.nbytes()));
    std::memcpy(n.data.data(), i.data(), n.data.size());
    return n;
  }
  const py::array_t<float, py::array::c_style | py::array::forcecast> f(a);
  tools::NpyArray n;
  n.dtype = "f4";
  n.shape.assign(f.shape(), f.shape() + f.ndim());
  n.data.resize(static_cast<size_t>(f.nbytes()));
  std::memcpy(n.data.data(), f.data(), n.data.size());
  return n;
}

// modelc's pipeline on bytes. Returns the file, the report (JSON text) and the
// model's name; modelc's exceptions propagate to the translator below.
py::dict Convert(const py::bytes& source, const std::string& source_name, const std::string& name,
                 const std::vector<py::array>& calibration, const std::string& precision,
                 int64_t selftest, std::optional<std::vector<std::string>> cores,
                 std::optional<int64_t> max_arena, std::optional<int64_t> max_flash,
                 std::optional<int64_t> max_macs,
                 const std::vector<std::pair<std::string, int64_t>>& max_stack,
                 const std::string& frontend,
                 const std::vector<std::string>& stream) {
  modelc::ConvertOptions o;
  o.frontend = frontend;
  o.model_path = source_name;
  o.name = name;
  o.precision = modelc::ParsePrecision(precision);
  o.selftest = selftest;
  if (cores) o.cores = *cores;
  o.max_arena = max_arena;
  o.max_flash = max_flash;
  o.max_macs = max_macs;
  o.max_stack = max_stack;
  for (const std::string& s : stream) o.streams.push_back(modelc::ParseStreamSpec(s));
  std::vector<tools::NpyArray> arrays;
  for (const py::array& a : calibration) arrays.push_back(ToNpy(a));
  const std::string bytes = source;
  modelc::ConvertResult r;
  {
    py::gil_scoped_release release;  // the conversion is pure C++
    r = modelc::ConvertInMemory(bytes, arrays, o);
  }
  py::dict out;
  out["bytes"] =
      py::bytes(reinterpret_cast<const char*>(r.emitted.bytes.data()), r.emitted.bytes.size());
  out["report"] = modelc::ReportJson(o, r);
  out["summary"] = modelc::ReportText(o, r);
  out["name"] = r.name;
  return out;
}

// The verified model, its arena and an interpreter bound to both.
class Runtime {
 public:
  Runtime(const py::bytes& bytes, std::optional<int64_t> arena_size) : buffer_(std::string(bytes)) {
    DiagnosticCapture capture;
    Result<Model> model = Model::Load({buffer_.data(), buffer_.size()});
    if (!model.ok()) RaiseRuntime(model.status(), capture);
    model_ = model.value();
    const size_t size = arena_size ? static_cast<size_t>(*arena_size) : model_.arena_size();
    arena_.assign(size + 16, 0);
    uint8_t* aligned = arena_.data() + (16 - reinterpret_cast<uintptr_t>(arena_.data()) % 16) % 16;
    Result<Interpreter> interp = Interpreter::Create(model_, {aligned, size});
    if (!interp.ok()) RaiseRuntime(interp.status(), capture);
    interp_ = interp.value();
  }

  int64_t arena_size() const { return model_.arena_size(); }
  std::string name() const { return model_.name(); }

  py::list inputs() const {
    py::list l;
    for (size_t i = 0; i < model_.num_inputs(); ++i) l.append(TensorInfo(model_.input(i)));
    return l;
  }
  py::list outputs() const {
    py::list l;
    for (size_t i = 0; i < model_.num_outputs(); ++i) l.append(TensorInfo(model_.output(i)));
    return l;
  }

  // Output `o`'s class names, if its labels are strings.
  std::optional<std::vector<std::string>> class_names(size_t o) const {
    if (model_.class_name(o, 0) == nullptr) return std::nullopt;
    std::vector<std::string> names;
    for (int64_t k = 0; const char* n = model_.class_name(o, k); ++k) names.push_back(n);
    return names;
  }

  // Runs `samples` samples: inputs[i] holds samples x input i's elements, in
  // float32 (quantized with the model's parameters) or the input's own type.
  // Returns per output samples x elements, raw bytes in the output's type.
  void ResetState() { interp_.ResetState(); }
  uint32_t state_size() const { return model_.state_size(); }

  std::vector<py::array> Run(const std::vector<py::array>& inputs, int64_t samples) {
    if (inputs.size() != interp_.num_inputs())
      throw std::invalid_argument("wrong number of inputs");
    std::vector<py::array> outs;
    std::vector<uint8_t*> out_ptr;
    for (size_t o = 0; o < interp_.num_outputs(); ++o) {
      const TensorView v = interp_.output(o);
      outs.emplace_back(
          py::dtype(DtypeOf(v.type)),
          std::vector<py::ssize_t>{samples, static_cast<py::ssize_t>(v.num_elements())});
      out_ptr.push_back(static_cast<uint8_t*>(outs.back().mutable_data()));
    }
    std::vector<const uint8_t*> in_ptr;
    std::vector<bool> in_float;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const TensorView v = interp_.input(i);
      const bool is_float = inputs[i].dtype().is(py::dtype::of<float>());
      const size_t item = is_float ? sizeof(float) : ElementSize(v.type);
      if (!is_float && !inputs[i].dtype().is(py::dtype(DtypeOf(v.type)))) {
        throw std::invalid_argument("input " + std::to_string(i) + ": give float32 or " +
                                    DtypeOf(v.type));
      }
      if (static_cast<size_t>(inputs[i].nbytes()) !=
          item * v.num_elements() * static_cast<size_t>(samples)) {
        throw std::invalid_argument("input " + std::to_string(i) + ": wrong number of elements");
      }
      in_ptr.push_back(static_cast<const uint8_t*>(inputs[i].data()));
      in_float.push_back(is_float);
    }
    py::gil_scoped_release release;
    for (int64_t s = 0; s < samples; ++s) {
      for (size_t i = 0; i < in_ptr.size(); ++i) {
        const TensorView v = interp_.input(i);
        const size_t n = v.num_elements();
        if (in_float[i]) {
          const float* x = reinterpret_cast<const float*>(in_ptr[i]) + s * n;
          (void)QuantizeInto({x, n}, v);
        } else {
          std::memcpy(v.data.data(), in_ptr[i] + s * v.data.size(), v.data.size());
        }
      }
      const Status st = interp_.Invoke();
      if (st != Status::kOk) {
        py::gil_scoped_acquire acquire;
        throw RuntimeFailure{st, "Invoke failed", 0, 0};
      }
      for (size_t o = 0; o < out_ptr.size(); ++o) {
        const TensorView v = interp_.output(o);
        std::memcpy(out_ptr[o] + s * v.data.size(), v.data.data(), v.data.size());
      }
    }
    return outs;
  }

  // Float values of raw output bytes (one output, samples x elements).
  py::array_t<float> Dequantize(size_t o, const py::array& raw) const {
    const TensorView info = interp_.output(o);
    const size_t bytes = info.data.size();
    const size_t n = info.num_elements();
    const size_t samples = bytes ? static_cast<size_t>(raw.nbytes()) / bytes : 0;
    py::array_t<float> out({static_cast<py::ssize_t>(samples), static_cast<py::ssize_t>(n)});
    for (size_t s = 0; s < samples; ++s) {
      TensorView v = info;
      v.data = {const_cast<uint8_t*>(static_cast<const uint8_t*>(raw.data())) + s * bytes, bytes};
      (void)DequantizeFrom(v, {out.mutable_data() + s * n, n});
    }
    return out;
  }

  py::bytes bytes() const {
    return py::bytes(reinterpret_cast<const char*>(buffer_.data()), buffer_.size());
  }

 private:
  tools::AlignedBuffer buffer_;
  Model model_;
  std::vector<uint8_t> arena_;
  Interpreter interp_;
};

// Raises mote.errors.<cls>(message, **fields).
void Raise(const char* cls, const std::string& message, const py::dict& fields) {
  const py::object type = py::module_::import("mote.errors").attr(cls);
  const py::object error = type(message, **fields);
  PyErr_SetObject(type.ptr(), error.ptr());
}

void Translate(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const modelc::BudgetError& e) {
    Raise("BudgetExceededError", e.what(),
          py::dict(py::arg("budget") = e.budget_name(), py::arg("actual") = e.actual(),
                   py::arg("limit") = e.budget()));
  } catch (const modelc::ConvertError& e) {
    const py::dict fields(py::arg("node") = e.node(), py::arg("op") = e.op(),
                          py::arg("reason") = e.reason());
    Raise(e.kind() == modelc::ErrorKind::kUnsupported ? "UnsupportedOpError" : "InvalidModelError",
          e.what(), fields);
  } catch (const tools::NpyError& e) {
    Raise("InvalidModelError", e.what(), py::dict());
  } catch (const RuntimeFailure& e) {
    const std::string message =
        std::string(StatusCode(e.status)) + " (" + StatusName(e.status) + "): " + e.message;
    switch (e.status) {
      case Status::kVersionMismatch:
        Raise("VersionMismatchError", message, py::dict(py::arg("status") = StatusCode(e.status)));
        break;
      case Status::kArenaTooSmall:
        Raise("ArenaTooSmallError", message,
              py::dict(py::arg("needed") = e.value, py::arg("given") = e.limit));
        break;
      case Status::kUnsupportedOp:
        Raise("UnsupportedInBuildError", message,
              py::dict(py::arg("status") = StatusCode(e.status)));
        break;
      default:
        Raise("CorruptModelError", message, py::dict(py::arg("status") = StatusCode(e.status)));
    }
  } catch (const std::runtime_error& e) {  // e.g. a file modelc cannot read
    Raise("MoteError", e.what(), py::dict());
  }
}

}  // namespace

PYBIND11_MODULE(_mote, m) {
  m.doc() = "mote's native half: modelc's conversion and the mote runtime (use the mote package).";
  // Local: other pybind11 modules in the process (torch) keep their own translation.
  py::register_local_exception_translator(Translate);
  m.def("convert", &Convert, py::arg("source"), py::arg("source_name"), py::arg("name"),
        py::arg("calibration"), py::arg("precision"), py::arg("selftest"), py::arg("cores"),
        py::arg("max_arena"), py::arg("max_flash"), py::arg("max_macs"), py::arg("max_stack"),
        py::arg("frontend") = "",
        py::arg("stream") = std::vector<std::string>{});
  m.def(
      "compare",
      [](const py::bytes& source, const std::string& source_name, const py::bytes& mote,
         const std::vector<py::array>& inputs, size_t max_samples) {
        std::vector<tools::NpyArray> arrays;
        for (const py::array& a : inputs) arrays.push_back(ToNpy(a));
        const std::string src = source, bytes = mote;
        modelc::Comparison c;
        {
          py::gil_scoped_release release;
          c = modelc::Compare(src, source_name, bytes, arrays, max_samples);
        }
        return py::make_tuple(modelc::ComparisonJson(c), modelc::ComparisonText(c));
      },
      py::arg("source"), py::arg("source_name"), py::arg("mote"), py::arg("inputs"),
      py::arg("max_samples"));
  m.def(
      "header",
      [](const py::bytes& bytes, const std::string& name, int64_t arena_size,
         const std::string& source) {
        const std::string b = bytes;
        return modelc::HeaderFor(name, std::vector<uint8_t>(b.begin(), b.end()), arena_size,
                                 source);
      },
      py::arg("bytes"), py::arg("name"), py::arg("arena_size"), py::arg("source"));
  m.def(
      "inspect",
      [](const py::bytes& bytes, const std::string& what, bool json) {
        try {
          return modelc::InspectBytes(bytes, what, json);
        } catch (const std::runtime_error& e) {
          throw RuntimeFailure{Status::kCorruptFile, e.what(), 0, 0};
        }
      },
      py::arg("bytes"), py::arg("what"), py::arg("json"));
  py::class_<Runtime>(m, "Runtime")
      .def(py::init<const py::bytes&, std::optional<int64_t>>(), py::arg("bytes"),
           py::arg("arena_size") = py::none())
      .def_property_readonly("arena_size", &Runtime::arena_size)
      .def_property_readonly("name", &Runtime::name)
      .def_property_readonly("inputs", &Runtime::inputs)
      .def_property_readonly("outputs", &Runtime::outputs)
      .def_property_readonly("bytes", &Runtime::bytes)
      .def("class_names", &Runtime::class_names)
      .def("run", &Runtime::Run, py::arg("inputs"), py::arg("samples"))
      .def("reset_state", &Runtime::ResetState)
      .def_property_readonly("state_size", &Runtime::state_size)
      .def("dequantize", &Runtime::Dequantize);
}

}  // namespace mote::python
