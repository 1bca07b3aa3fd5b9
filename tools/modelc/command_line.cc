#include "command_line.h"

#include <cstdio>
#include <exception>
#include <new>

#include "common/cli.h"
#include "common/files.h"
#include "common/npy.h"
#include "common/progress.h"
#include "compare.h"
#include "emit/report.h"
#include "inspect.h"
#include "plan/cores.h"

namespace mote::modelc {
namespace {

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : separator) + s;
  return out;
}

// --max-stack: BYTES (every Cortex-M CPU) or CPU=BYTES.
const CLI::Validator kStackBudget(
    [](std::string& v) {
      std::string bytes = v.substr(v.find('=') == std::string::npos ? 0 : v.find('=') + 1);
      const std::string error = tools::kNonNegativeInteger(bytes);
      return error.empty()
                 ? error
                 : "needs BYTES or CPU=BYTES with BYTES a non-negative integer, got '" + v + "'";
    },
    "", "stack budget");

// Parse errors thrown from option callbacks (a validator only says yes or no).
template <typename F>
auto Checked(const std::string& option, F parse) {
  try {
    return parse();
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (what.rfind(option + ": ", 0) == 0) what.erase(0, option.size() + 2);  // CLI11 names it
    throw CLI::ValidationError(option, what);
  }
}

void AddConvert(CLI::App& app, ConvertOptions* o) {
  CLI::App* c = app.add_subcommand(
      "convert",
      "Convert a trained model into a .mote file: import, optimize, quantize from calibration "
      "data, plan every "
      "byte of memory, and check the result with the runtime itself. Prints per operator the "
      "element type, "
      "output shape, MACs and scratch; the arena next to its lower bound; file and weight bytes; "
      "the runtime's "
      "worst-case stack per Cortex-M CPU; and, with calibration data, how far the outputs are from "
      "the float "
      "model. On any error it names the node, op and reason, exits 1 and writes no file.");
  c->group("Commands");
  c->footer(
      "While the conversion runs longer than a second, modelc shows what it is doing (e.g. "
      "calibrating "
      "812/1257) on stderr when that is a terminal; MOTE_PROGRESS=0 hides it, MOTE_PROGRESS=1 "
      "shows it on any "
      "stderr.\n"
      "Exit status: 0 converted, 1 the model could not be converted (the message names the node, "
      "op and "
      "reason; no file is written), 2 a usage error.");
  c->add_option("MODEL", o->model_path,
                "The trained model: ONNX (.onnx, ONNX-ML included) or TensorFlow Lite (.tflite), "
                "told apart by "
                "the extension.")
      ->required()
      ->option_text("(required)");
  c->add_option("-o,--output", o->output_path,
                "Where to write the .mote file. Every output (.mote, --header, --report) is "
                "written only when "
                "the whole conversion succeeded.")
      ->required()
      ->option_text("OUT.mote (required)");
  c->add_option("--calibration", o->calibration_paths,
                "Representative input samples as .npy ([N, ...input shape], float32 or float64): "
                "one file per "
                "model input, in the order of the inputs (repeat the option). Needed for int8 and "
                "int16; the "
                "converted model is also measured against the float one on them. Default: none.")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false)
      ->option_text("CALIB.npy ...");
  c->add_option_function<std::string>(
       "--precision",
       [o](const std::string& v) {
         o->precision = Checked("--precision", [&] { return ParsePrecision(v); });
       },
       "Element type of activations: int8 (per-channel int8 weights), int16 (int8 weights) or "
       "float32 (no "
       "quantization). Imported int8 TFLite models keep their own quantization; classic ML models "
       "keep float "
       "activations and trees compare on a fixed-point grid unless float32. Default: int8.")
      ->check(CLI::IsMember({"int8", "int16", "float32"}))
      ->option_text("int8|int16|float32");
  c->add_option(
       "--header", o->header_path,
       "Also write a C/C++ header embedding the file (static const, 16-byte aligned) and defining "
       "MOTE_<NAME>_ARENA_SIZE, the exact arena it needs. Default: none.")
      ->option_text("OUT.h");
  c->add_option("--frontend", o->frontend,
                "Prepend an audio front-end to a classifier of log-mel or MFCC features, so the "
                "model takes raw audio [1, samples] (int16, or float in [-1, 1] for float32 and for "
                "--calibration): 'logmel:NAME=VALUE,...' or 'mfcc:...' with torchaudio's "
                "MelSpectrogram / MFCC parameters (sample_rate, n_fft, win_length, hop_length, "
                "f_min, f_max, n_mels, window, power, center, norm, mel_scale; log=ln|db, "
                "log_offset, top_db; n_mfcc, log_mels; layout=mel_time|time_mel; samples). "
                "Default: none.")
      ->option_text("KIND:PARAMS");
  c->add_option("--name", o->name,
                "The model's name in the file and in the header's identifiers (mote_<NAME>_model, "
                "MOTE_<NAME>_ARENA_SIZE). Default: the graph's name, else the model file's.")
      ->option_text("NAME");
  c->add_option("--report", o->report_path,
                "Also write the conversion report: as JSON (every figure printed, per operator, "
                "plus the tree ensembles' sizes), or, for a name ending in .html, as one "
                "self-contained page (operator table, memory timeline, per-layer quantization "
                "error on the calibration samples, stack per core, budgets). Default: none.")
      ->option_text("OUT.json|OUT.html");
  c->add_option("--report-profile", o->report_profile_path,
                "With --report OUT.html: what 'mote-sim run MODEL.mote ... --target CPU --profile' "
                "printed for this model, to show instructions per operator (and MACs per "
                "instruction) in the page. Default: none.")
      ->option_text("PROFILE.txt");
  const auto budget = [c](const char* name, std::optional<int64_t>* field, const char* unit,
                          const char* what) {
    c->add_option_function<std::string>(
         name, [field](const std::string& v) { *field = std::stoll(v); },
         std::string("Fail (exit 1, no file written) if ") + what + " exceeds " + unit +
             ", saying by how much. Default: no limit.")
        ->check(tools::kNonNegativeInteger)
        ->option_text(unit);
  };
  budget("--max-arena", &o->max_arena, "BYTES", "the arena (tensors and kernel scratch)");
  budget("--max-flash", &o->max_flash, "BYTES", "the .mote file");
  budget("--max-macs", &o->max_macs, "N", "one inference's multiply-accumulates");
  c->add_option_function<std::vector<std::string>>(
       "--max-stack",
       [o](const std::vector<std::string>& budgets) {
         for (const std::string& v : budgets) {
           const size_t eq = v.find('=');
           if (eq == std::string::npos)
             o->max_stack.emplace_back("", std::stoll(v));
           else
             o->max_stack.emplace_back(v.substr(0, eq), std::stoll(v.substr(eq + 1)));
         }
       },
       "Fail if the runtime's worst-case stack exceeds BYTES on any Cortex-M CPU, or, as "
       "CPU=BYTES, on that CPU "
       "(" +
           Join(StackCpus(), ", ") + "); repeat for several. Default: no limit.")
      ->check(kStackBudget)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false)
      ->option_text("[CPU=]BYTES ...");
  c->add_option_function<std::string>(
       "--selftest", [o](const std::string& v) { o->selftest = std::stoll(v); },
       "Embed the first N calibration samples with the outputs the host computes as golden "
       "vectors, so a device "
       "can check its kernels (Interpreter::SelfTest). Default: 0 (none).")
      ->check(tools::kNonNegativeInteger)
      ->option_text("N");
  c->add_option_function<std::string>(
       "--cores",
       [o](const std::string& v) { o->cores = Checked("--cores", [&] { return ParseCores(v); }); },
       "The cores whose kernels' arena scratch (im2col, widened inputs) the plan includes: a "
       "comma-separated list "
       "of " +
           Join(AllCores(), ", ") +
           ", or all. The file runs on every core: a kernel given less scratch takes "
           "a scratch-free path with the same results. Default: all.")
      ->option_text("CPU,CPU,...|all");
  c->add_option_function<std::string>(
       "--stream",
       [o](const std::string& v) {
         o->streams.push_back(Checked("--stream", [&] { return ParseStreamSpec(v); }));
       },
       "Stream an input: each invoke takes HOP rows of its time axis AXIS and the model keeps "
       "state between invokes (a FIFO window of the axis' length in front of the model, or, when "
       "the axis feeds a forward recurrent layer through transposes, that layer's hidden state; "
       "mode=fifo|state forces one; with --frontend, the raw audio input streamed HOP samples, a "
       "multiple of hop_length, computes only the new frames per invoke). The calibration "
       "samples hold whole windows; repeat for several inputs.")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->option_text("'input=NAME,axis=AXIS,hop=HOP[,mode=auto|fifo|state]'");
}

void AddInspect(CLI::App& app, CommandLine* cl) {
  CLI::App* i = app.add_subcommand("inspect",
                                   "Describe a .mote file after the runtime's loader verified it: "
                                   "name, producer (the modelc version that "
                                   "wrote it), source hash, format version, bytes, arena, MACs, "
                                   "stack per CPU, inputs, outputs and operators.");
  i->add_option("FILE", cl->inspect_path, "The .mote file.")->required()->option_text("(required)");
  i->add_flag("--json", cl->inspect_json,
              "Print JSON (the same facts, for scripts) instead of text.");
}

void AddCompare(CLI::App& app, CommandLine* cl) {
  CLI::App* c = app.add_subcommand(
      "compare",
      "Run the float model and a converted .mote side by side on the same inputs and print, per "
      "tensor, the SQNR, the largest and the mean error, and which layer loses the most (the first "
      "place to try --precision int16).");
  c->add_option("MODEL", cl->compare_model,
                "The model the .mote was converted from (.onnx or .tflite).")
      ->required()
      ->option_text("(required)");
  c->add_option("MOTE", cl->compare_mote, "The converted .mote file.")
      ->required()
      ->option_text("(required)");
  c->add_option("--input", cl->compare_inputs,
                "Input samples as .npy ([N, ...input shape], float): one file per model input, "
                "in order (repeat the option).")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false)
      ->option_text("X.npy ... (required)");
  c->add_option_function<std::string>(
       "--samples", [cl](const std::string& v) { cl->compare_samples = std::stoull(v); },
       "Use at most N samples of the inputs. Default: 64.")
      ->check(tools::kNonNegativeInteger)
      ->option_text("N");
  c->add_flag("--json", cl->compare_json, "Print JSON (per tensor, the worst layer) instead of text.");
}

int RunCompare(const CommandLine& cl) {
  std::vector<tools::NpyArray> inputs;
  for (const std::string& path : cl.compare_inputs) inputs.push_back(tools::ReadNpy(path));
  Comparison c;
  {
    const tools::ProgressDisplay progress("modelc");  // cleared before the table is printed
    c = Compare(tools::ReadFile(cl.compare_model), cl.compare_model, tools::ReadFile(cl.compare_mote),
                inputs, cl.compare_samples);
  }
  std::fputs((cl.compare_json ? ComparisonJson(c) + "\n" : ComparisonText(c)).c_str(), stdout);
  return 0;
}

int Run(const CLI::App& app, const CommandLine& cl) {
  if (app.got_subcommand("compare")) return RunCompare(cl);
  if (app.got_subcommand("convert")) {
    ConvertResult r;
    {
      const tools::ProgressDisplay progress("modelc");  // cleared before anything else is printed
      r = Convert(cl.convert);
    }
    std::fputs(ReportText(cl.convert, r).c_str(), stdout);
    return 0;
  }
  std::fputs(Inspect(cl.inspect_path, cl.inspect_json).c_str(), stdout);
  return 0;
}

}  // namespace

std::unique_ptr<CLI::App> MakeCommandLine(CommandLine* cl) {
  auto app = std::make_unique<CLI::App>(tools::ToolVersion("modelc") +
                                            ": converts trained models (ONNX, ONNX-ML, TensorFlow "
                                            "Lite) into .mote files for the mote runtime, "
                                            "and inspects them.",
                                        "modelc");
  tools::SetUpApp(*app, "modelc");
  app->require_subcommand(1);
  app->footer(
      "Run 'modelc COMMAND --help' for a command's options.\n"
      "While a command runs longer than a second, modelc shows what it is doing (e.g. calibrating "
      "812/1257) on "
      "stderr when that is a terminal; MOTE_PROGRESS=0 hides it, MOTE_PROGRESS=1 shows it on any "
      "stderr.\n"
      "Exit status: 0 done, 1 the model or file could not be converted or read (the message names "
      "the node, op "
      "and reason), 2 a usage error.");
  AddConvert(*app, &cl->convert);
  AddInspect(*app, cl);
  AddCompare(*app, cl);
  return app;
}

int RunModelc(int argc, const char* const* argv) {
  CommandLine cl;
  const std::unique_ptr<CLI::App> app = MakeCommandLine(&cl);
  // `modelc help [COMMAND]` as well as --help.
  std::vector<const char*> args(argv, argv + argc);
  if (argc >= 2 && std::string(argv[1]) == "help") {
    args.erase(args.begin() + 1);
    args.push_back("--help");
  }
  const int parsed = tools::ParseCommandLine(*app, static_cast<int>(args.size()), args.data());
  if (parsed >= 0) return parsed;
  try {
    return Run(*app, cl);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr,
                 "modelc: error: out of memory (the model holds or computes tensors too large to "
                 "convert)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "modelc: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace mote::modelc
