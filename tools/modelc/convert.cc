#include "convert.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "common/files.h"
#include "common/npy.h"
#include "common/progress.h"
#include "common/sha256.h"
#include "compare.h"
#include "common/version.h"
#include "emit/header_writer.h"
#include "emit/html_report.h"
#include "emit/report.h"
#include "emit/weight_layout.h"
#include "frontend/audio_frontend.h"
#include "import/onnx_importer.h"
#include "import/tflite_importer.h"
#include "ir/reference_executor.h"
#include "ml/tree_model.h"
#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/quantize.h"
#include "passes/passes.h"
#include "plan/memory_planner.h"

namespace mote::modelc {
namespace {

std::string BaseName(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  return name.substr(0, name.find('.'));
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Graph ImportModel(const std::string& bytes, const std::string& what) {
  // A TFLite flatbuffer carries the file identifier "TFL3" at offset 4.
  const bool tflite = EndsWith(what, ".tflite") || (bytes.size() >= 8 && bytes.compare(4, 4, "TFL3") == 0);
  return tflite ? ImportTfliteBytes(bytes, what) : ImportOnnxBytes(bytes, what);
}

std::vector<std::vector<Value>> LoadSamples(const Graph& g, const std::vector<std::string>& paths) {
  std::vector<tools::NpyArray> arrays;
  for (const std::string& path : paths) arrays.push_back(tools::ReadNpy(path));
  return SamplesFrom(g, arrays, paths);
}

std::vector<std::vector<Value>> SamplesFrom(const Graph& g, const std::vector<tools::NpyArray>& arrays,
                                            const std::vector<std::string>& names) {
  std::vector<std::vector<Value>> samples;
  if (arrays.empty()) return samples;
  if (arrays.size() != g.inputs.size()) {
    throw ConvertError("the model has " + std::to_string(g.inputs.size()) + " inputs but " +
                       std::to_string(arrays.size()) + " calibration arrays were given (one per input)");
  }
  for (size_t i = 0; i < arrays.size(); ++i) {
    const tools::NpyArray& a = arrays[i];
    const Shape& shape = g.tensors[g.inputs[i]].shape;
    const int64_t n = tools::CountSamples(a, shape, names[i]);
    if (i > 0 && static_cast<size_t>(n) != samples.size()) {
      throw ConvertError(names[i] + ": holds " + std::to_string(n) + " samples, the first calibration array " +
                         std::to_string(samples.size()));
    }
    samples.resize(static_cast<size_t>(n));
    const int64_t per = NumElements(shape);
    if (IsIndexType(g.tensors[g.inputs[i]].dtype)) {  // indices: int32 on the device
      for (int64_t s = 0; s < n; ++s) {
        std::vector<int64_t> v(static_cast<size_t>(per));
        for (int64_t k = 0; k < per; ++k) {
          const size_t at = static_cast<size_t>(s * per + k);
          const int64_t x = a.AsInt(at);
          if ((a.dtype[0] == 'f' && static_cast<double>(x) != a.AsFloat(at)) || x < INT32_MIN || x > INT32_MAX) {
            throw ConvertError(names[i] + ": sample " + std::to_string(s) + " element " + std::to_string(k) +
                               " is not an int32 value (input '" + g.tensors[g.inputs[i]].name +
                               "' holds indices)");
          }
          v[static_cast<size_t>(k)] = x;
        }
        samples[s].push_back(Value::Int(shape, std::move(v)));
      }
      continue;
    }
    const std::vector<float> f = a.ToFloat();
    for (int64_t s = 0; s < n; ++s) {
      Eigen::ArrayXf x = Eigen::Map<const Eigen::ArrayXf>(f.data() + s * per, per);
      if (!x.allFinite()) {
        throw ConvertError(names[i] + ": sample " + std::to_string(s) +
                           " holds NaN or Inf (calibration data must be finite)");
      }
      samples[s].push_back(Value::Float(shape, std::move(x)));
    }
  }
  return samples;
}

namespace {

void CheckBudget(const char* what, const std::optional<int64_t>& budget, int64_t actual, const char* unit) {
  if (budget && actual > *budget) {
    throw BudgetError(what, actual, *budget, unit);
  }
}

void Diagnose(const mote::Diagnostic& d, void* context) {
  auto* message = static_cast<std::string*>(context);
  *message = std::string(d.message) + (d.op_index >= 0 ? " (operator " + std::to_string(d.op_index) + ")" : "") +
             (d.tensor_index >= 0 ? " (tensor " + std::to_string(d.tensor_index) + ")" : "") +
             " value " + std::to_string(d.value) + " limit " + std::to_string(d.limit);
}

// Loads the bytes with the runtime (the same checks a device runs) and
// measures the outputs against the float reference on `samples`.
// Rows [start, start + count) of `v` along `axis`, flattened.
std::vector<float> RowsOf(const Value& v, int64_t axis, int64_t start, int64_t count) {
  int64_t outer = 1, row = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= v.shape[k];
  for (size_t k = static_cast<size_t>(axis) + 1; k < v.shape.size(); ++k) row *= v.shape[k];
  const int64_t length = v.shape[axis];
  std::vector<float> out;
  out.reserve(static_cast<size_t>(outer * count * row));
  for (int64_t o = 0; o < outer; ++o) {
    // Rows before the first (a stream's lead) are zeros.
    const int64_t zeros = std::clamp<int64_t>(-start, 0, count);
    out.insert(out.end(), static_cast<size_t>(zeros * row), 0.0f);
    const float* from = v.f.data() + (o * length + start + zeros) * row;
    out.insert(out.end(), from, from + (count - zeros) * row);
  }
  return out;
}

// An integer (index) input's values as the tensor's own type; float inputs
// are quantized by the tensor's parameters.
void FeedInput(const std::vector<float>& x, const Value& v, const mote::TensorView& t) {
  if (t.type == mote::ElementType::kInt32 || t.type == mote::ElementType::kInt64) {
    for (int64_t k = 0; k < v.size(); ++k) {
      const int64_t i = v.AsInt(k);
      if (t.type == mote::ElementType::kInt32) t.as<int32_t>()[static_cast<size_t>(k)] = static_cast<int32_t>(i);
      else t.as<int64_t>()[static_cast<size_t>(k)] = i;
    }
    return;
  }
  (void)mote::QuantizeInto(x, t);
}

// Feeds one sample: whole inputs once, or a streamed model from a reset
// state one hop per invoke until every streamed input has been fed whole
// (all streamed inputs need the same number of invokes).
void FeedSample(mote::Interpreter& interp, const std::vector<Value>& sample,
                const std::vector<StreamedInput>& streamed, const std::vector<int>& graph_inputs) {
  int64_t invokes = 1;
  for (const StreamedInput& s : streamed) invokes = std::max(invokes, s.invokes());
  interp.ResetState();
  for (int64_t k = 0; k < invokes; ++k) {
    for (size_t i = 0; i < sample.size(); ++i) {
      std::vector<float> x(sample[i].f.data(), sample[i].f.data() + sample[i].f.size());
      for (const StreamedInput& s : streamed) {
        if (s.tensor == graph_inputs[i]) x = RowsOf(sample[i], s.axis, k * s.hop - s.lead, s.hop);
      }
      FeedInput(x, sample[i], interp.input(i));
    }
    (void)interp.Invoke();
  }
}

QuantizationError SelfCheck(const Graph& float_graph, const std::vector<uint8_t>& bytes,
                            const std::vector<std::vector<Value>>& samples,
                            const std::vector<std::vector<Value>>& expected,
                            const std::vector<StreamedInput>& streamed, const std::vector<int>& inputs) {
  std::string message;
  mote::SetDiagnosticHandler(Diagnose, &message);
  const tools::AlignedBuffer buffer(std::string(bytes.begin(), bytes.end()));
  const Result<mote::Model> model = mote::Model::Load({buffer.data(), buffer.size()});
  if (!model.ok()) {
    mote::SetDiagnosticHandler(nullptr, nullptr);
    throw ConvertError(std::string("internal error: the runtime rejects the written model: ") +
                       mote::StatusName(model.status()) + ": " + message);
  }
  std::vector<uint8_t> arena(model.value().arena_size() + 16);
  uint8_t* aligned = arena.data() + (16 - reinterpret_cast<uintptr_t>(arena.data()) % 16) % 16;
  Result<mote::Interpreter> interp = mote::Interpreter::Create(model.value(), {aligned, model.value().arena_size()});
  mote::SetDiagnosticHandler(nullptr, nullptr);
  if (!interp.ok()) throw ConvertError("internal error: cannot create an interpreter for the written model");
  QuantizationError err;
  double sum = 0.0;
  size_t count = 0, agree = 0;
  tools::ProgressPhase("checking against the float model", samples.size());
  for (size_t s = 0; s < samples.size(); ++s) {
    FeedSample(interp.value(), samples[s], streamed, inputs);
    for (size_t o = 0; o < float_graph.outputs.size(); ++o) {
      const Value& want = expected[s][o];
      std::vector<float> got(static_cast<size_t>(want.size()));
      (void)mote::DequantizeFrom(interp.value().output(o), got);
      Eigen::Index best_want = 0, best_got = 0;
      for (Eigen::Index k = 0; k < want.f.size(); ++k) {
        const double e = std::fabs(static_cast<double>(got[k]) - want.f[k]);
        err.max_abs_error = std::max(err.max_abs_error, e);
        sum += e;
        ++count;
        if (want.f[k] > want.f[best_want]) best_want = k;
        if (got[k] > got[best_got]) best_got = k;
      }
      if (o == 0) agree += best_want == best_got;
    }
    ++err.samples;
    tools::ProgressStep();
  }
  err.mean_abs_error = count ? sum / static_cast<double>(count) : 0.0;
  err.argmax_agreement = samples.empty() ? 1.0 : static_cast<double>(agree) / static_cast<double>(samples.size());
  return err;
}

// Runs the runtime on `bytes` for the first `count` samples and records the
// raw input and output bytes: what every target must reproduce bit for bit.
SelfTestData GoldenVectors(const std::vector<uint8_t>& bytes, const std::vector<std::vector<Value>>& samples,
                           size_t count) {
  const tools::AlignedBuffer buffer(std::string(bytes.begin(), bytes.end()));
  const Result<mote::Model> model = mote::Model::Load({buffer.data(), buffer.size()});
  const tools::AlignedBuffer arena(std::string(model.value().arena_size(), '\0'));
  Result<mote::Interpreter> interp = mote::Interpreter::Create(
      model.value(), {const_cast<uint8_t*>(arena.data()), model.value().arena_size()});
  SelfTestData st;
  for (size_t s = 0; s < count; ++s) {
    for (size_t i = 0; i < samples[s].size(); ++i) {
      const std::vector<float> x(samples[s][i].f.data(), samples[s][i].f.data() + samples[s][i].f.size());
      const mote::TensorView in = interp.value().input(i);
      FeedInput(x, samples[s][i], in);
      st.inputs.insert(st.inputs.end(), in.data.begin(), in.data.end());
    }
    (void)interp.value().Invoke();
    for (size_t o = 0; o < interp.value().num_outputs(); ++o) {
      const auto out = interp.value().output(o).data;
      st.outputs.insert(st.outputs.end(), out.begin(), out.end());
    }
    ++st.count;
  }
  return st;
}

}  // namespace

ConvertResult Compile(Graph graph, Precision precision, const std::vector<std::vector<Value>>& samples,
                      const ModelInfo& info, size_t selftest, const std::vector<std::string>& cores,
                      const std::vector<StreamSpec>& streams) {
  const auto start = std::chrono::steady_clock::now();
  tools::ProgressPhase("optimizing");
  ImportQuantization(graph, precision != Precision::kFloat32);
  Optimize(graph);
  const Calibration calibration = Calibrate(graph, samples);
  const Graph float_graph = graph;
  tools::ProgressPhase("quantizing");
  Quantize(graph, precision, calibration);
  if (!graph.prequantized) FuseElementwiseChains(graph);
  std::vector<StreamedInput> streamed;
  for (const StreamSpec& spec : streams) streamed.push_back(StreamInput(graph, spec));
  if (!streamed.empty()) {
    for (const StreamedInput& s : streamed) {
      if (s.invokes() != streamed[0].invokes()) {
        throw ConvertError("--stream: every streamed input must fill its window in the same number of invokes");
      }
    }
    if (selftest > 0) throw ConvertError("--selftest is not supported with --stream", ErrorKind::kUnsupported);
  }
  ChooseWeightLayouts(graph);
  tools::ProgressPhase("planning memory");
  const MemoryPlan plan = PlanMemory(graph, cores);
  ConvertResult result;
  result.emitted = WriteMote(graph, plan, calibration, info);
  result.arena_size = plan.arena_size;
  result.arena_lower_bound = plan.lower_bound;
  std::vector<std::string> op_types;
  for (const EmittedOp& op : result.emitted.ops) op_types.push_back(StackKey(op.runtime_op, op.dtype));
  result.stack = StackBounds(op_types);
  result.streamed = streamed;
  result.state_size = plan.state_size;
  result.error =
      SelfCheck(float_graph, result.emitted.bytes, samples, calibration.outputs, streamed, graph.inputs);
  if (selftest > 0) {
    if (samples.size() < selftest) {
      throw ConvertError("--selftest " + std::to_string(selftest) + " needs at least that many calibration samples (" +
                         std::to_string(samples.size()) + " given)");
    }
    tools::ProgressPhase("writing self-test vectors");
    const SelfTestData st = GoldenVectors(result.emitted.bytes, samples, selftest);
    result.emitted = WriteMote(graph, plan, calibration, info, &st);
    // The host must pass its own self-test before any target is asked to.
    const tools::AlignedBuffer buffer(std::string(result.emitted.bytes.begin(), result.emitted.bytes.end()));
    const Result<mote::Model> model = mote::Model::Load({buffer.data(), buffer.size()});
    const tools::AlignedBuffer arena(std::string(model.ok() ? model.value().arena_size() : 0, '\0'));
    Result<mote::Interpreter> interp = model.ok() ? mote::Interpreter::Create(
        model.value(), {const_cast<uint8_t*>(arena.data()), model.value().arena_size()}) : Result<mote::Interpreter>(model.status());
    uint32_t ran = 0;
    if (!interp.ok() || interp.value().SelfTest(&ran) != mote::Status::kOk || ran != st.count) {
      throw ConvertError("internal error: the written self-test vectors do not replay on the host");
    }
  }
  result.graph = std::move(graph);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

ConvertResult ConvertInMemory(const std::string& source, const std::vector<tools::NpyArray>& calibration,
                              const ConvertOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  tools::ProgressPhase("importing");
  Graph graph = ImportModel(source, options.model_path);
  std::optional<FrontendSpec> frontend;
  if (!options.frontend.empty()) {
    frontend = ParseFrontend(options.frontend);
    PrependFrontend(graph, *frontend);
    frontend = ParseFrontend(graph.nodes[0].attrs.at("spec").s);  // with the samples filled in
  }
  tools::ProgressPhase("reading calibration data");
  std::vector<std::string> names = options.calibration_paths;
  for (size_t i = names.size(); i < calibration.size(); ++i) names.push_back("calibration array " + std::to_string(i));
  std::vector<std::vector<Value>> samples = SamplesFrom(graph, calibration, names);
  // Raw audio calibration: int16 samples, or float in [-1, 1].
  for (size_t i = 0; frontend && i < calibration.size() && i < 1; ++i) {
    if (calibration[i].dtype != "i2") continue;
    for (auto& sample : samples) sample[i].f /= 32768.0f;
  }
  ModelInfo info;
  info.name = !options.name.empty() ? options.name
              : graph.name.empty() || graph.name == "main_graph" || graph.name == "torch_jit"
                  ? BaseName(options.model_path) : graph.name;
  info.producer = tools::ToolVersion("modelc");  // what `modelc --version` prints
  info.source_hash = tools::Sha256Hex(source);
  if (frontend) {
    info.frontend_kind = frontend->kind;
    info.frontend = frontend->Parameters();
  }
  ConvertResult result = Compile(std::move(graph), options.precision, samples, info,
                                 static_cast<size_t>(options.selftest), options.cores, options.streams);
  CheckBudget("arena", options.max_arena, result.arena_size, "bytes");
  CheckBudget("flash (model file)", options.max_flash, static_cast<int64_t>(result.emitted.bytes.size()), "bytes");
  CheckBudget("compute", options.max_macs, result.emitted.total_macs, "MACs");
  for (const auto& [cpu, budget] : options.max_stack) {
    bool known = cpu.empty();
    for (const StackBound& b : result.stack) {
      if (!cpu.empty() && b.cpu != cpu) continue;
      known = true;
      CheckBudget(("stack on " + b.cpu + " (worst case, " +
                   (b.deepest.empty() ? std::string("no kernel") : b.deepest) + " in " + b.entry + ")").c_str(),
                  budget, b.bytes, "bytes");
    }
    if (!known) {
      std::string have;
      for (const std::string& c : StackCpus()) have += (have.empty() ? "" : ", ") + c;
      throw ConvertError("--max-stack: no stack figures for '" + cpu + "' (have " + have + ")");
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.name = info.name;
  result.frontend_kind = info.frontend_kind;
  result.frontend = info.frontend;
  return result;
}

ConvertResult Convert(const ConvertOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::string source = tools::ReadFile(options.model_path);
  std::vector<tools::NpyArray> calibration;
  for (const std::string& path : options.calibration_paths) calibration.push_back(tools::ReadNpy(path));
  ConvertResult result = ConvertInMemory(source, calibration, options);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  tools::ProgressPhase("writing");
  tools::OutputFiles files;
  files.Add(options.output_path, std::string(result.emitted.bytes.begin(), result.emitted.bytes.end()));
  if (!options.header_path.empty()) {
    files.Add(options.header_path,
              HeaderFor(result.name, result.emitted.bytes, result.arena_size, options.model_path));
  }
  if (EndsWith(options.report_path, ".html")) {
    // The page shows per-layer error: compared on (up to 64) calibration samples.
    std::optional<Comparison> comparison;
    if (!calibration.empty() && result.streamed.empty()) comparison = Compare(source, options.model_path,
                                                   std::string(result.emitted.bytes.begin(), result.emitted.bytes.end()),
                                                   calibration);
    const std::string profile =
        options.report_profile_path.empty() ? "" : tools::ReadFile(options.report_profile_path);
    files.Add(options.report_path, ReportHtml(options, result, comparison ? &*comparison : nullptr, profile));
  } else if (!options.report_path.empty()) {
    files.Add(options.report_path, ReportJson(options, result));
  }
  files.Commit();
  return result;
}

}  // namespace mote::modelc
