// ONNX conformance: runs the ONNX backend node tests (Debian's
// libonnx-testdata: <data>/<test>/model.onnx plus test_data_set_*/input_*.pb
// and output_*.pb) through modelc in float32 and the mote runtime, and
// compares the outputs with the expected ones.
//
//   onnx_conformance --data DIR [--skip FILE] [--filter SUBSTRING] [--also-ops OP,OP,...]
//                    [--no-fold] [--no-isolate]
//
// Each test is one of:
//   PASS         every output matches (|got - want| <= atol + rtol * |want|, NaN where NaN)
//   FAIL         a supported op gave a wrong result, or modelc/runtime failed otherwise
//   SKIP         would FAIL, but the skip file lists it with a reason
//   UNSUPPORTED  the model uses an op outside kSupportedOps, or modelc reports a
//                feature mote lacks (ConvertError of kind kUnsupported)
// The node tests feed weights as graph inputs; with folding (the default) a
// second variant "<test> [weights folded]" moves the inputs an op treats as
// parameters into initializers, from the test's only data set.
//
// The last line reads "N passed, M failed, K skipped, U unsupported"; the
// exit status is 1 if any test failed (or the data directory is missing).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/files.h"
#include "convert.h"
#include "import/onnx_importer.h"
#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/quantize.h"
#include "onnx/onnx-ml.pb.h"
#include "passes/passes.h"

namespace {

namespace fs = std::filesystem;

// The ONNX ops modelc supports on computed tensors. A test whose model uses
// any other op is UNSUPPORTED without being converted. Extend this list as
// modelc learns ops (--also-ops previews additions without editing it).
std::vector<std::string> kSupportedOps = {
    "Gemm",    "MatMul",    "Add",       "Sub",      "Relu",    "Clip",
    "Sigmoid", "Tanh",      "Softmax",   "Flatten",  "Reshape", "Squeeze",
    "Unsqueeze", "Identity", "Dropout", "BatchNormalization",
    "Conv",    "MaxPool",   "AveragePool", "GlobalAveragePool", "ReduceMean", "Mul",
    "Concat",  "Pad",       "Transpose", "HardSwish", "LeakyRelu",
    "Div",     "Pow",       "Sum",       "Gather",   "Shape",   "Cast",
    "ReduceSum", "ReduceLogSumExp", "ArgMax", "Less", "Constant", "GlobalMaxPool", "PRelu", "Max", "Min",
    // The unary family (tools/modelc/ops/unary.cc).
    "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Elu", "Selu", "Celu", "Softplus", "HardSigmoid",
    "Gelu", "Erf", "Softsign", "Mish", "ThresholdedRelu", "Floor", "Ceil", "Round", "Sign",
    // Data movement (tools/modelc/ops/data_movement.cc).
    "Slice", "Split", "GatherElements", "Expand", "Tile", "DepthToSpace", "SpaceToDepth",
    // Attention and normalization (ops/matmul.cc, ops/layer_norm.cc, ops/softmax.cc).
    "LayerNormalization", "LogSoftmax", "InstanceNormalization", "ReduceMax", "ReduceMin",
    "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum",
    // Recurrent layers (tools/modelc/ops/rnn.cc) and ConstantOfShape folded around them.
    "RNN", "GRU", "LSTM", "ConstantOfShape",
    // tools/modelc/ops/conv_transpose.cc, ops/resize.cc.
    "ConvTranspose", "Resize", "Upsample",
    // Pre-quantized ONNX (tools/modelc/ops/qdq.cc, passes/qdq.cc).
    "QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger",
    // Comparisons, logical ops, Where, casts and CumSum (ops/logic.cc, ops/cumsum.cc).
    "Equal", "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Not", "Where",
    "CastLike", "CumSum", "Hardmax", "TopK",
    // Signal ops (tools/modelc/ops/signal.cc); Range and Cos fold only (the windows' function bodies).
    "DFT", "STFT", "MelWeightMatrix", "HannWindow", "HammingWindow", "BlackmanWindow", "Range", "Cos",
    // tools/modelc/ops/einsum.cc.
    "Einsum", "Size", "ArgMin",
};

// Inputs (by position) that an op treats as weights or parameters: with
// folding, a graph input read only at such positions becomes an initializer.
const std::map<std::string, std::set<int>> kParameterInputs = {
    {"Gemm", {1, 2}},       // B, C
    {"MatMul", {1}},        // B
    {"Conv", {1, 2}},       // W, B
    {"BatchNormalization", {1, 2, 3, 4}},  // scale, B, mean, var
    {"Clip", {1, 2}},       // min, max
    {"Reshape", {1}},       // shape
    {"Unsqueeze", {1}},     // axes
    {"Squeeze", {1}},       // axes
    {"Pad", {1, 2, 3}},     // pads, constant_value, axes
    {"ReduceMean", {1}},    // axes (opset 18)
    {"ReduceSum", {1}},     // axes (opset 13)
    {"ReduceMax", {1}}, {"ReduceMin", {1}}, {"ReduceProd", {1}}, {"ReduceL1", {1}},
    {"ReduceL2", {1}}, {"ReduceSumSquare", {1}}, {"ReduceLogSumExp", {1}}, {"ReduceLogSum", {1}},
    {"PRelu", {1}},         // slope
    {"Slice", {1, 2, 3, 4}},  // starts, ends, axes, steps
    {"Split", {1}},           // split
    {"Gather", {1}},          // indices
    {"GatherElements", {1}},  // indices
    {"Expand", {1}},          // shape
    {"Tile", {1}},            // repeats
    {"LayerNormalization", {1, 2}},  // scale, B
    {"InstanceNormalization", {1, 2}},  // scale, B
    {"RNN", {1, 2, 3, 4}},  // W, R, B, sequence_lens
    {"GRU", {1, 2, 3, 4}},
    {"LSTM", {1, 2, 3, 4, 7}},  // and P
    {"ConvTranspose", {1, 2}},  // W, B
    {"Resize", {1, 2, 3}},  // roi, scales, sizes
    {"Upsample", {1}},      // scales
    {"QuantizeLinear", {1, 2}},    // scale, zero point
    {"DequantizeLinear", {1, 2}},  // scale, zero point
    {"QLinearConv", {1, 2, 3, 4, 5, 6, 7, 8}},  // all but x
    {"QLinearMatMul", {1, 2, 3, 4, 5, 6, 7}},   // all but a
    {"ConvInteger", {1, 2, 3}},    // w, zero points
    {"MatMulInteger", {1, 2, 3}},  // b, zero points
    {"CumSum", {1}},        // axis
    {"TopK", {1}},          // K
    {"DFT", {1, 2}},        // dft_length, axis (opset 20)
    {"STFT", {1, 2, 3}},    // frame_step, window, frame_length
    {"MelWeightMatrix", {0, 1, 2, 3, 4}},  // all: the output is a constant
    {"HannWindow", {0}}, {"HammingWindow", {0}}, {"BlackmanWindow", {0}},  // size
    {"Range", {0, 1, 2}},   // start, limit, delta
};

// ONNX backend test defaults.
constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-5;
// A test running longer than this is a failure (and would blow the suite's budget).
constexpr unsigned kTimeoutSeconds = 20;

constexpr const char* kFoldedSuffix = " [weights folded]";

enum class Outcome { kPass, kFail, kSkip, kUnsupported };
const char* OutcomeWord(Outcome o) {
  switch (o) {
    case Outcome::kPass: return "PASS";
    case Outcome::kFail: return "FAIL";
    case Outcome::kSkip: return "SKIP";
    case Outcome::kUnsupported: return "UNSUPPORTED";
  }
  return "?";
}

struct Result {
  Outcome outcome = Outcome::kPass;
  std::string reason;
};

struct TestCase {
  std::string name;
  onnx::ModelProto model;
  std::vector<onnx::TensorProto> inputs;   // one per graph input that is not an initializer
  std::vector<onnx::TensorProto> outputs;  // one per graph output
};

std::string OneLine(std::string s, size_t limit = 240) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() > limit) s = s.substr(0, limit) + "...";
  return s;
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  return s + "]";
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", v);
  return buf;
}

// ---------------------------------------------------------------------------
// Reading the test data

onnx::TensorProto ReadTensor(const fs::path& path) {
  onnx::TensorProto t;
  const std::string bytes = mote::tools::ReadFile(path.string());
  if (!t.ParseFromString(bytes)) throw std::runtime_error(path.string() + ": not a TensorProto");
  return t;
}

// `prefix`_0.pb, `prefix`_1.pb, ... in numeric order, stopping at the first gap.
std::vector<onnx::TensorProto> ReadNumbered(const fs::path& dir, const std::string& prefix) {
  std::vector<onnx::TensorProto> out;
  for (int k = 0;; ++k) {
    const fs::path p = dir / (prefix + "_" + std::to_string(k) + ".pb");
    if (!fs::exists(p)) break;
    out.push_back(ReadTensor(p));
  }
  return out;
}

template <typename T>
void AppendRaw(const std::string& raw, std::vector<double>* out) {
  const size_t n = raw.size() / sizeof(T);
  for (size_t k = 0; k < n; ++k) {
    T v;
    std::memcpy(&v, raw.data() + k * sizeof(T), sizeof(T));
    out->push_back(static_cast<double>(v));
  }
}

// Values of a numeric tensor as doubles; nullopt for types the harness does
// not compare (strings, float16, complex, ...).
std::optional<std::vector<double>> TensorValues(const onnx::TensorProto& t) {
  std::vector<double> v;
  const bool raw = t.has_raw_data();
  const std::string& r = t.raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (raw) AppendRaw<float>(r, &v); else v.assign(t.float_data().begin(), t.float_data().end());
      break;
    case onnx::TensorProto::DOUBLE:
      if (raw) AppendRaw<double>(r, &v); else v.assign(t.double_data().begin(), t.double_data().end());
      break;
    case onnx::TensorProto::INT64:
      if (raw) AppendRaw<int64_t>(r, &v); else v.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case onnx::TensorProto::UINT64:
      if (raw) AppendRaw<uint64_t>(r, &v); else v.assign(t.uint64_data().begin(), t.uint64_data().end());
      break;
    case onnx::TensorProto::UINT32:
      if (raw) AppendRaw<uint32_t>(r, &v); else v.assign(t.uint64_data().begin(), t.uint64_data().end());
      break;
    case onnx::TensorProto::INT32: case onnx::TensorProto::INT16: case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT16: case onnx::TensorProto::UINT8: case onnx::TensorProto::BOOL:
      if (!raw) {
        v.assign(t.int32_data().begin(), t.int32_data().end());
      } else if (t.data_type() == onnx::TensorProto::INT32) {
        AppendRaw<int32_t>(r, &v);
      } else if (t.data_type() == onnx::TensorProto::INT16) {
        AppendRaw<int16_t>(r, &v);
      } else if (t.data_type() == onnx::TensorProto::UINT16) {
        AppendRaw<uint16_t>(r, &v);
      } else if (t.data_type() == onnx::TensorProto::INT8) {
        AppendRaw<int8_t>(r, &v);
      } else {
        AppendRaw<uint8_t>(r, &v);
      }
      break;
    default:
      return std::nullopt;
  }
  return v;
}

std::vector<int64_t> TensorShape(const onnx::TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

// ---------------------------------------------------------------------------
// Looking at the model

void CollectOps(const onnx::GraphProto& g, std::set<std::string>* ops) {
  for (const auto& n : g.node()) {
    ops->insert(n.domain().empty() || n.domain() == "ai.onnx" ? n.op_type() : n.domain() + "." + n.op_type());
    for (const auto& a : n.attribute()) {
      if (a.has_g()) CollectOps(a.g(), ops);
      for (const auto& sub : a.graphs()) CollectOps(sub, ops);
    }
  }
}

bool IsSupportedOp(const std::string& op) {
  return std::find(kSupportedOps.begin(), kSupportedOps.end(), op) != kSupportedOps.end();
}

// Graph inputs that are not initializers: the ones the test data feeds.
std::vector<int> FedInputs(const onnx::GraphProto& g) {
  std::set<std::string> inits;
  for (const auto& t : g.initializer()) inits.insert(t.name());
  std::vector<int> fed;
  for (int k = 0; k < g.input_size(); ++k) {
    if (!inits.count(g.input(k).name())) fed.push_back(k);
  }
  return fed;
}

// True if every use of `name` in the graph is a parameter position of its op.
bool OnlyUsedAsParameter(const onnx::GraphProto& g, const std::string& name) {
  bool used = false;
  for (const auto& n : g.node()) {
    for (int k = 0; k < n.input_size(); ++k) {
      if (n.input(k) != name) continue;
      used = true;
      auto it = kParameterInputs.find(n.op_type());
      if (!n.domain().empty() || it == kParameterInputs.end() || !it->second.count(k)) return false;
    }
  }
  for (const auto& o : g.output()) {
    if (o.name() == name) return false;
  }
  return used;
}

// An integer scalar input is a size or a count (a window's length), not
// data: mote computes float tensors.
bool IsIntegerScalar(const onnx::TensorProto& t) {
  const int type = t.data_type();
  return t.dims_size() == 0 && (type == onnx::TensorProto::INT32 || type == onnx::TensorProto::INT64);
}

// The test with its parameter inputs moved into initializers; nullopt if
// there is nothing to fold. The first fed input is data unless every use of
// it is a parameter position (a window's size) or it is an integer scalar;
// folding every input leaves a model whose outputs are constants.
std::optional<TestCase> FoldWeights(const TestCase& tc) {
  const onnx::GraphProto& g = tc.model.graph();
  const std::vector<int> fed = FedInputs(g);
  if (fed.size() != tc.inputs.size()) return std::nullopt;
  std::set<size_t> fold;
  for (size_t k = 0; k < fed.size(); ++k) {
    if (OnlyUsedAsParameter(g, g.input(fed[k]).name()) || IsIntegerScalar(tc.inputs[k])) fold.insert(k);
  }
  if (fold.empty()) return std::nullopt;
  TestCase out;
  out.name = tc.name + kFoldedSuffix;
  out.model = tc.model;
  out.outputs = tc.outputs;
  onnx::GraphProto* og = out.model.mutable_graph();
  og->clear_input();
  std::set<int> folded_positions;
  for (size_t k : fold) folded_positions.insert(fed[k]);
  for (int k = 0; k < g.input_size(); ++k) {
    if (!folded_positions.count(k)) *og->add_input() = g.input(k);
  }
  for (size_t k = 0; k < fed.size(); ++k) {
    if (fold.count(k)) {
      onnx::TensorProto* init = og->add_initializer();
      *init = tc.inputs[k];
      init->set_name(g.input(fed[k]).name());
    } else {
      out.inputs.push_back(tc.inputs[k]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Converting and running one test (in a child process when isolated)

void CaptureDiagnostic(const mote::Diagnostic& d, void* context) {
  auto* message = static_cast<std::string*>(context);
  *message = std::string(d.message) + (d.op_index >= 0 ? " (operator " + std::to_string(d.op_index) + ")" : "") +
             (d.tensor_index >= 0 ? " (tensor " + std::to_string(d.tensor_index) + ")" : "");
}

// Shapes agree if equal, or equal but for one leading batch dimension of 1
// on one side (mote's batch convention).
bool ShapesAgree(const std::vector<int64_t>& got, const std::vector<int64_t>& want) {
  if (got == want) return true;
  auto strip = [](const std::vector<int64_t>& s) { return std::vector<int64_t>(s.begin() + 1, s.end()); };
  if (!got.empty() && got[0] == 1 && strip(got) == want) return true;
  if (!want.empty() && want[0] == 1 && strip(want) == got) return true;
  return false;
}

// Compares one output; empty string if it matches.
std::string CompareOutput(size_t index, const std::vector<int64_t>& got_shape, const std::vector<float>& got,
                          const std::vector<int64_t>& want_shape, const std::vector<double>& want) {
  const std::string what = "output " + std::to_string(index);
  if (got.size() != want.size() || !ShapesAgree(got_shape, want_shape)) {
    return what + " shape " + ShapeText(got_shape) + ", expected " + ShapeText(want_shape);
  }
  size_t bad = 0, first = 0;
  double worst = 0.0;
  for (size_t k = 0; k < want.size(); ++k) {
    const double g = got[k], w = want[k];
    bool ok;
    if (std::isnan(w) || std::isnan(g)) {
      ok = std::isnan(w) && std::isnan(g);
    } else if (std::isinf(w) || std::isinf(g)) {
      ok = g == w;
    } else {
      ok = std::fabs(g - w) <= kAtol + kRtol * std::fabs(w);
      worst = std::max(worst, std::fabs(g - w));
    }
    if (!ok && bad++ == 0) first = k;
  }
  if (bad == 0) return "";
  return what + " element " + std::to_string(first) + ": got " + Number(got[first]) + ", expected " +
         Number(want[first]) + " (" + std::to_string(bad) + " of " + std::to_string(want.size()) +
         " mismatched, max abs error " + Number(worst) + ")";
}

// A model with no input left (every input folded): modelc refuses to emit
// it (its outputs do not depend on inputs), so the test compares the
// constants modelc folds the outputs to.
Result CompareFoldedOutputs(const TestCase& tc) {
  using mote::modelc::ConvertError;
  using mote::modelc::ErrorKind;
  std::string mismatches;
  try {
    // The importer refuses a graph without inputs (as modelc convert should):
    // an unused one lets it import the graph to fold.
    onnx::ModelProto model = tc.model;
    onnx::ValueInfoProto* unused = model.mutable_graph()->add_input();
    unused->set_name("harness_unused_input");
    unused->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    unused->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(1);
    mote::modelc::Graph graph = mote::modelc::ImportOnnxBytes(model.SerializeAsString(), tc.name);
    mote::modelc::CheckSignalParameters(graph);
    mote::modelc::InferShapes(graph);
    mote::modelc::FoldConstants(graph);
    if (graph.outputs.size() != tc.outputs.size()) {
      return {Outcome::kFail, "the graph has " + std::to_string(graph.outputs.size()) + " outputs, the test expects " +
                                  std::to_string(tc.outputs.size())};
    }
    for (size_t o = 0; o < tc.outputs.size(); ++o) {
      const mote::modelc::Tensor& t = graph.tensors[graph.outputs[o]];
      if (!t.is_const()) return {Outcome::kFail, "output " + std::to_string(o) + " did not fold to a constant"};
      const auto want = TensorValues(tc.outputs[o]);
      if (!want) return {Outcome::kUnsupported, "output " + std::to_string(o) + " has a type the harness cannot compare"};
      std::vector<float> got(static_cast<size_t>(t.constant->size()));
      for (size_t k = 0; k < got.size(); ++k) got[k] = t.constant->AsFloat(static_cast<int64_t>(k));
      const std::string diff = CompareOutput(o, t.shape, got, TensorShape(tc.outputs[o]), *want);
      if (!diff.empty()) mismatches += (mismatches.empty() ? "" : "; ") + diff;
    }
  } catch (const ConvertError& e) {
    const bool unsupported = e.kind() == ErrorKind::kUnsupported;
    return {unsupported ? Outcome::kUnsupported : Outcome::kFail, std::string(unsupported ? "" : "modelc: ") + e.what()};
  } catch (const std::exception& e) {
    return {Outcome::kFail, std::string("modelc threw: ") + e.what()};
  }
  if (!mismatches.empty()) return {Outcome::kFail, mismatches};
  return {Outcome::kPass, ""};
}

Result ConvertAndRun(const TestCase& tc) {
  using mote::modelc::ConvertError;
  using mote::modelc::ErrorKind;
  if (tc.inputs.empty() && FedInputs(tc.model.graph()).empty()) return CompareFoldedOutputs(tc);
  std::vector<uint8_t> bytes;
  try {
    mote::modelc::Graph graph = mote::modelc::ImportOnnxBytes(tc.model.SerializeAsString(), tc.name);
    mote::modelc::ModelInfo info;
    info.name = tc.name.substr(0, 32);
    bytes = mote::modelc::Compile(std::move(graph), mote::modelc::Precision::kFloat32, {}, info).emitted.bytes;
  } catch (const ConvertError& e) {
    const bool unsupported = e.kind() == ErrorKind::kUnsupported;
    return {unsupported ? Outcome::kUnsupported : Outcome::kFail,
            std::string(unsupported ? "" : "modelc: ") + e.what()};
  } catch (const std::exception& e) {
    return {Outcome::kFail, std::string("modelc threw: ") + e.what()};
  }

  std::string message;
  mote::SetDiagnosticHandler(CaptureDiagnostic, &message);
  const mote::tools::AlignedBuffer buffer(std::string(bytes.begin(), bytes.end()));
  const auto model = mote::Model::Load({buffer.data(), buffer.size()});
  if (!model.ok()) return {Outcome::kFail, std::string("Model::Load: ") + mote::StatusName(model.status()) + ": " + message};
  const uint32_t arena_size = model.value().arena_size();
  std::vector<uint8_t> arena(arena_size + mote::kBufferAlignment);
  uint8_t* aligned = arena.data() + (16 - reinterpret_cast<uintptr_t>(arena.data()) % 16) % 16;
  auto interp = mote::Interpreter::Create(model.value(), {aligned, arena_size});
  if (!interp.ok()) {
    return {Outcome::kFail, std::string("Interpreter::Create: ") + mote::StatusName(interp.status()) + ": " + message};
  }
  mote::Interpreter& it = interp.value();
  if (it.num_inputs() != tc.inputs.size()) {
    return {Outcome::kFail, "the .mote model has " + std::to_string(it.num_inputs()) + " inputs, the test feeds " +
                                std::to_string(tc.inputs.size())};
  }
  if (it.num_outputs() != tc.outputs.size()) {
    return {Outcome::kFail, "the .mote model has " + std::to_string(it.num_outputs()) + " outputs, the test expects " +
                                std::to_string(tc.outputs.size())};
  }
  for (size_t i = 0; i < tc.inputs.size(); ++i) {
    const auto values = TensorValues(tc.inputs[i]);
    if (!values) return {Outcome::kUnsupported, "input " + std::to_string(i) + " has a type the harness cannot feed"};
    const mote::TensorView view = it.input(i);
    const std::vector<int64_t> shape(view.shape.begin(), view.shape.end());
    if (values->size() != view.num_elements() || !ShapesAgree(shape, TensorShape(tc.inputs[i]))) {
      return {Outcome::kFail, "input " + std::to_string(i) + " shape " + ShapeText(shape) + " in the .mote model, " +
                                  ShapeText(TensorShape(tc.inputs[i])) + " in the test data"};
    }
    if (view.type == mote::ElementType::kInt32) {  // indices (an INT64 / INT32 input)
      for (size_t k = 0; k < values->size(); ++k) {
        const double v = (*values)[k];
        if (!(v >= -2147483648.0 && v <= 2147483647.0)) {
          return {Outcome::kFail, "input " + std::to_string(i) + " holds " + Number(v) + ", outside int32"};
        }
        view.as<int32_t>()[k] = static_cast<int32_t>(v);
      }
      continue;
    }
    const std::vector<float> x(values->begin(), values->end());
    const mote::Status s = mote::QuantizeInto(x, view);
    if (s != mote::Status::kOk) {
      return {Outcome::kFail, "QuantizeInto input " + std::to_string(i) + " (type " + std::to_string(static_cast<int>(view.type)) + "): " + mote::StatusName(s)};
    }
  }
  const mote::Status s = it.Invoke();
  mote::SetDiagnosticHandler(nullptr, nullptr);
  if (s != mote::Status::kOk) return {Outcome::kFail, std::string("Invoke: ") + mote::StatusName(s) + ": " + message};
  std::string mismatches;
  for (size_t o = 0; o < tc.outputs.size(); ++o) {
    const auto want = TensorValues(tc.outputs[o]);
    if (!want) return {Outcome::kUnsupported, "output " + std::to_string(o) + " has a type the harness cannot compare"};
    const mote::TensorView view = it.output(o);
    std::vector<float> got(view.num_elements());
    const mote::Status d = mote::DequantizeFrom(view, got);
    if (d != mote::Status::kOk) {
      return {Outcome::kFail, "DequantizeFrom output " + std::to_string(o) + ": " + mote::StatusName(d)};
    }
    const std::string diff = CompareOutput(o, {view.shape.begin(), view.shape.end()}, got,
                                           TensorShape(tc.outputs[o]), *want);
    if (!diff.empty()) mismatches += (mismatches.empty() ? "" : "; ") + diff;
  }
  if (!mismatches.empty()) return {Outcome::kFail, mismatches};
  return {Outcome::kPass, ""};
}

int g_result_fd = -1;

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Runtime assertions (misuse of the C++ API) end the child with a failure.
void OnAssert(const char* file, int line, const char* condition) {
  WriteAll(g_result_fd, std::string("F") + "runtime assertion failed: " + condition + " at " + file + ":" +
                            std::to_string(line));
  _exit(0);
}

// Runs ConvertAndRun in a child process, so a crash, an assertion or a hang
// fails this test and not the whole suite.
Result ConvertAndRunIsolated(const TestCase& tc) {
  int fds[2];
  if (pipe(fds) != 0) return {Outcome::kFail, "pipe() failed"};
  std::cout.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return {Outcome::kFail, "fork() failed"};
  if (pid == 0) {
    close(fds[0]);
    g_result_fd = fds[1];
    mote::SetAssertHandler(OnAssert);
    alarm(kTimeoutSeconds);
    const Result r = ConvertAndRun(tc);
    const char code = r.outcome == Outcome::kPass ? 'P' : r.outcome == Outcome::kUnsupported ? 'U' : 'F';
    WriteAll(fds[1], std::string(1, code) + r.reason);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return {Outcome::kFail, sig == SIGALRM ? "timed out after " + std::to_string(kTimeoutSeconds) + " s"
                                           : std::string("crashed: ") + strsignal(sig)};
  }
  if (text.empty()) return {Outcome::kFail, "exited without a result (status " + std::to_string(status) + ")"};
  const Outcome o = text[0] == 'P' ? Outcome::kPass : text[0] == 'U' ? Outcome::kUnsupported : Outcome::kFail;
  return {o, text.substr(1)};
}

// ---------------------------------------------------------------------------
// Bookkeeping and the report

struct Counts {
  int pass = 0, fail = 0, skip = 0, unsupported = 0;
  void Add(Outcome o) {
    switch (o) {
      case Outcome::kPass: ++pass; break;
      case Outcome::kFail: ++fail; break;
      case Outcome::kSkip: ++skip; break;
      case Outcome::kUnsupported: ++unsupported; break;
    }
  }
  int total() const { return pass + fail + skip + unsupported; }
  // The summary line the CI reads: "N passed, M failed, K skipped, U unsupported".
  std::string Text() const {
    return std::to_string(pass) + " passed, " + std::to_string(fail) + " failed, " + std::to_string(skip) +
           " skipped, " + std::to_string(unsupported) + " unsupported";
  }
  // Other totals, in a form that cannot be mistaken for the summary line.
  std::string Fields() const {
    return "passed=" + std::to_string(pass) + " failed=" + std::to_string(fail) + " skipped=" +
           std::to_string(skip) + " unsupported=" + std::to_string(unsupported);
  }
};

// Groups unsupported reasons: node and tensor names and shapes vary per test.
std::string ReasonGroup(const std::string& reason) {
  static const std::regex node_prefix("^node '[^']*' \\(op ([^)]*)\\): ");
  static const std::regex quoted("'[^']*'");
  static const std::regex shape("\\[[0-9, ]*\\]");
  std::string r = std::regex_replace(reason, node_prefix, "$1: ");
  r = std::regex_replace(r, quoted, "'*'");
  r = std::regex_replace(r, shape, "[*]");
  return r;
}

// Test name -> reason, from lines "name # reason" ('#' lines are comments).
std::map<std::string, std::string> ReadSkipFile(const std::string& path) {
  std::map<std::string, std::string> skips;
  if (path.empty()) return skips;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open skip file '" + path + "'");
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const size_t hash = line.find(" #");
    if (hash == std::string::npos) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": expected 'test_name # reason'");
    }
    std::string name = line.substr(first, hash - first);
    name.erase(name.find_last_not_of(" \t") + 1);
    std::string reason = line.substr(hash + 2);
    reason.erase(0, reason.find_first_not_of(" \t"));
    if (reason.empty()) throw std::runtime_error(path + ":" + std::to_string(number) + ": the reason is empty");
    skips[name] = reason;
  }
  return skips;
}

struct Options {
  std::string data;
  std::string skip;
  std::string filter;
  bool fold = true;
  bool isolate = true;
};

int Usage() {
  std::cerr << "usage: onnx_conformance --data DIR [--skip FILE] [--filter SUBSTRING] [--also-ops OP,OP,...]\n"
               "                        [--no-fold] [--no-isolate]\n"
               "  --also-ops   treat these ops as supported too (to preview an extension of the list)\n"
               "  --no-fold    run only the tests as they are, not the [weights folded] variants\n"
               "  --no-isolate run each test in this process, not in a child (for a debugger)\n";
  return 2;
}

int Main(int argc, char** argv) {
  Options opt;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    if (a == "--data" && k + 1 < argc) opt.data = argv[++k];
    else if (a == "--skip" && k + 1 < argc) opt.skip = argv[++k];
    else if (a == "--filter" && k + 1 < argc) opt.filter = argv[++k];
    else if (a == "--also-ops" && k + 1 < argc) {
      std::stringstream list(argv[++k]);
      for (std::string op; std::getline(list, op, ',');) {
        if (!op.empty() && !IsSupportedOp(op)) kSupportedOps.push_back(op);
      }
    }
    else if (a == "--no-fold") opt.fold = false;
    else if (a == "--no-isolate") opt.isolate = false;
    else return Usage();
  }
  if (opt.data.empty()) return Usage();
  if (!fs::is_directory(opt.data)) {
    std::cout << "error: the ONNX node test data directory '" << opt.data
              << "' does not exist; install Debian's libonnx-testdata (scripts/deps.sh)\n";
    return 1;
  }
  const std::map<std::string, std::string> skips = ReadSkipFile(opt.skip);

  std::cout << "supported ops (" << kSupportedOps.size() << "):";
  for (const auto& op : kSupportedOps) std::cout << " " << op;
  std::cout << "\nrtol " << kRtol << ", atol " << kAtol << ", weight folding " << (opt.fold ? "on" : "off") << "\n";

  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(opt.data)) {
    if (e.is_directory() && fs::exists(e.path() / "model.onnx")) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());

  Counts plain, folded, total;
  std::map<std::string, Counts> per_op;   // supported op -> outcomes of tests using only supported ops
  std::map<std::string, int> blocked;     // supported op -> tests also using an op outside the list
  std::map<std::string, int> missing_op_tests;         // op outside the list -> tests using it
  std::map<std::string, std::pair<int, std::string>> unsupported_groups;  // reason -> count, example
  std::vector<std::string> failures;
  std::set<std::string> skips_seen;

  auto record = [&](const std::string& name, bool is_folded, const std::set<std::string>& ops, Result r) {
    if (r.outcome == Outcome::kFail && skips.count(name)) {
      r = {Outcome::kSkip, skips.at(name) + " (fails with: " + r.reason + ")"};
    }
    if (skips.count(name)) {
      skips_seen.insert(name);
      if (r.outcome == Outcome::kPass) std::cout << "NOTE " << name << " is in the skip file but passes\n";
    }
    std::cout << OutcomeWord(r.outcome) << " " << name << (r.reason.empty() ? "" : ": " + OneLine(r.reason)) << "\n";
    (is_folded ? folded : plain).Add(r.outcome);
    total.Add(r.outcome);
    bool all_supported = true;
    for (const auto& op : ops) all_supported = all_supported && IsSupportedOp(op);
    for (const auto& op : ops) {
      if (!IsSupportedOp(op)) continue;
      if (all_supported) per_op[op].Add(r.outcome); else ++blocked[op];
    }
    if (r.outcome == Outcome::kFail) failures.push_back(name);
    if (r.outcome == Outcome::kUnsupported) {
      auto& g = unsupported_groups[ReasonGroup(r.reason)];
      if (g.first++ == 0) g.second = name;
    }
  };

  for (const fs::path& dir : dirs) {
    const std::string name = dir.filename().string();
    if (!opt.filter.empty() && name.find(opt.filter) == std::string::npos) continue;
    TestCase tc;
    tc.name = name;
    std::vector<fs::path> sets;
    try {
      if (!tc.model.ParseFromString(mote::tools::ReadFile((dir / "model.onnx").string()))) {
        throw std::runtime_error("model.onnx is not an ONNX model");
      }
      for (const auto& e : fs::directory_iterator(dir)) {
        if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
      }
      std::sort(sets.begin(), sets.end());
      if (sets.empty()) throw std::runtime_error("no test_data_set_*");
    } catch (const std::exception& e) {
      record(name, false, {}, {Outcome::kFail, std::string("harness: ") + e.what()});
      continue;
    }
    std::set<std::string> ops;
    CollectOps(tc.model.graph(), &ops);
    std::vector<std::string> missing;
    for (const auto& op : ops) {
      if (!IsSupportedOp(op)) missing.push_back(op);
    }
    if (!missing.empty()) {
      std::string reason = "op";
      for (const auto& op : missing) {
        reason += " " + op;
        ++missing_op_tests[op];
      }
      record(name, false, ops, {Outcome::kUnsupported, reason + " not in the supported list"});
      continue;
    }
    // Every data set of the test must pass (the node tests have one each).
    Result plain_result;
    std::optional<Result> folded_result;
    std::string folded_name;
    for (size_t s = 0; s < sets.size(); ++s) {
      try {
        tc.inputs = ReadNumbered(sets[s], "input");
        tc.outputs = ReadNumbered(sets[s], "output");
      } catch (const std::exception& e) {
        plain_result = {Outcome::kFail, std::string("harness: ") + e.what()};
        break;
      }
      const std::string set_tag = sets.size() > 1 ? " (" + sets[s].filename().string() + ")" : "";
      Result r = opt.isolate ? ConvertAndRunIsolated(tc) : ConvertAndRun(tc);
      if (r.outcome != Outcome::kPass) r.reason += set_tag;
      if (plain_result.outcome == Outcome::kPass) plain_result = r;
      // Folding takes the weights from the data set, so only with exactly one.
      if (opt.fold && sets.size() == 1) {
        if (std::optional<TestCase> f = FoldWeights(tc)) {
          folded_name = f->name;
          folded_result = opt.isolate ? ConvertAndRunIsolated(*f) : ConvertAndRun(*f);
        }
      }
    }
    record(name, false, ops, plain_result);
    if (folded_result) record(folded_name, true, ops, *folded_result);
  }

  std::cout << "\nper op (tests using only supported ops, a test counting for each of its ops; "
               "'other op': tests also using an op outside the list):\n";
  char line[160];
  std::snprintf(line, sizeof line, "  %-20s %7s %7s %7s %11s %9s\n", "op", "passed", "failed", "skipped",
                "unsupported", "other op");
  std::cout << line;
  for (const auto& op : kSupportedOps) {
    const Counts c = per_op[op];
    std::snprintf(line, sizeof line, "  %-20s %7d %7d %7d %11d %9d\n", op.c_str(), c.pass, c.fail, c.skip,
                  c.unsupported, blocked[op]);
    std::cout << line;
  }
  std::vector<std::pair<std::string, std::pair<int, std::string>>> groups(unsupported_groups.begin(),
                                                                          unsupported_groups.end());
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  std::cout << "\nunsupported reasons (count, example test):\n";
  for (const auto& [reason, g] : groups) {
    if (reason.find("not in the supported list") != std::string::npos) continue;  // summarized below
    std::cout << "  " << g.first << "  " << OneLine(reason, 160) << "  (e.g. " << g.second << ")\n";
  }
  std::vector<std::pair<std::string, int>> missing(missing_op_tests.begin(), missing_op_tests.end());
  std::stable_sort(missing.begin(), missing.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::cout << "ops outside the supported list (tests using them):";
  for (size_t k = 0; k < missing.size(); ++k) {
    std::cout << (k % 8 == 0 ? "\n  " : "  ") << missing[k].first << " " << missing[k].second;
  }
  std::cout << "\n";
  for (const auto& [name, reason] : skips) {
    if (!skips_seen.count(name) && opt.filter.empty()) std::cout << "NOTE skip entry '" << name << "' matches no test\n";
  }
  if (!failures.empty()) {
    std::cout << "\nfailed:";
    for (const auto& f : failures) std::cout << "\n  " << f;
    std::cout << "\n";
  }
  std::cout << "\nwithout folding (" << plain.total() << " tests): " << plain.Fields() << "\n";
  if (opt.fold) std::cout << "weights folded (" << folded.total() << " tests): " << folded.Fields() << "\n";
  std::cout << total.Text() << "\n";
  return total.fail > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cout << "error: " << e.what() << "\n";
    return 1;
  }
}
