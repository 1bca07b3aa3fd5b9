// `modelc convert`: the whole pipeline from a model file to .mote bytes.
#ifndef MOTE_TOOLS_MODELC_CONVERT_H_
#define MOTE_TOOLS_MODELC_CONVERT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/npy.h"
#include "emit/mote_writer.h"
#include "passes/stream.h"
#include "plan/cores.h"
#include "plan/stack_bound.h"
#include "quantize/quantizer.h"

namespace mote::modelc {

struct ConvertOptions {
  std::string model_path;
  std::string output_path;
  std::vector<std::string> calibration_paths;  // one per graph input
  Precision precision = Precision::kInt8;
  std::string header_path;
  std::string report_path;
  // --report-profile: what `mote-sim run ... --profile` printed for this
  // model on a target; the HTML report shows its instructions per operator.
  std::string report_profile_path;
  // --name: the model's name in the file and the header's identifiers
  // (MOTE_<NAME>_ARENA_SIZE); empty: the graph's name, else the file's.
  std::string name;
  std::optional<int64_t> max_arena, max_flash, max_macs;
  // --max-stack: (cpu, bytes) budgets for the runtime's worst-case stack;
  // cpu "" applies to every Cortex-M CPU.
  std::vector<std::pair<std::string, int64_t>> max_stack;
  int64_t selftest = 0;  // golden vectors to embed (from the calibration samples)
  // --cores: the cores the file is planned for (plan/cores.h); all by default.
  std::vector<std::string> cores = AllCores();
  // --frontend: an audio front-end prepended to the classifier
  // (frontend/audio_frontend.h); empty: none.
  std::string frontend;
  // --stream: inputs fed one hop per invoke (passes/stream.h).
  std::vector<StreamSpec> streams;
};

// A budget (--max-arena, --max-flash, --max-macs, --max-stack) the converted
// model exceeds.
class BudgetError : public ConvertError {
 public:
  BudgetError(const std::string& what, int64_t actual, int64_t budget, const std::string& unit)
      : ConvertError(what + " is " + std::to_string(actual) + " " + unit + ", over the budget of " +
                     std::to_string(budget) + " by " + std::to_string(actual - budget) + " " + unit),
        what_(what), actual_(actual), budget_(budget) {}
  const std::string& budget_name() const { return what_; }
  int64_t actual() const { return actual_; }
  int64_t budget() const { return budget_; }

 private:
  std::string what_;
  int64_t actual_, budget_;
};

// How far the converted model's outputs are from the float reference on the
// calibration samples, measured by running the mote runtime itself.
struct QuantizationError {
  size_t samples = 0;
  double max_abs_error = 0.0;
  double mean_abs_error = 0.0;
  double argmax_agreement = 1.0;  // share of samples whose top class matches
};

struct ConvertResult {
  Emitted emitted;
  Graph graph;              // after all passes
  int64_t arena_size = 0;
  int64_t arena_lower_bound = 0;
  std::vector<StackBound> stack;  // the runtime's worst-case stack per Cortex-M CPU
  QuantizationError error;
  double seconds = 0.0;
  std::string name;  // the model's name in the file (and the header's default)
  // --frontend: its kind and every parameter (defaults filled in); empty if none.
  std::string frontend_kind;
  std::vector<std::pair<std::string, std::string>> frontend;
  std::vector<StreamedInput> streamed;  // --stream: what each streamed input became
  int64_t state_size = 0;               // arena bytes kept between invokes
};

// The pipeline after import: passes, calibration, quantization, memory plan,
// emission and the runtime self-check. `samples[s][i]` is calibration sample
// s of graph input i (may be empty for float32).
ConvertResult Compile(Graph graph, Precision precision, const std::vector<std::vector<Value>>& samples,
                      const ModelInfo& info, size_t selftest = 0,
                      const std::vector<std::string>& cores = AllCores(),
                      const std::vector<StreamSpec>& streams = {});

// Calibration samples from one .npy per graph input (shapes after import).
std::vector<std::vector<Value>> LoadSamples(const Graph& graph, const std::vector<std::string>& paths);
// The same from arrays already in memory; `names[i]` names array i in messages.
std::vector<std::vector<Value>> SamplesFrom(const Graph& graph, const std::vector<tools::NpyArray>& arrays,
                                            const std::vector<std::string>& names);

// The model file's format: TFLite by its file identifier or a .tflite name, else ONNX.
Graph ImportModel(const std::string& bytes, const std::string& what);

// Everything Convert does but touch files: `source` holds the model file's
// bytes (`options.model_path` only names it), `calibration` one array per
// graph input. Budgets are checked; outputs are left to the caller
// (result.emitted.bytes, HeaderFor, ReportJson). The Python API's path.
ConvertResult ConvertInMemory(const std::string& source, const std::vector<tools::NpyArray>& calibration,
                              const ConvertOptions& options);

// Converts and writes every requested output, or throws (ConvertError or
// std::runtime_error) having written nothing.
ConvertResult Convert(const ConvertOptions& options);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_CONVERT_H_
