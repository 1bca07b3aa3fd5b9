#include "sim_command_line.h"

#include <algorithm>
#include <stdexcept>

#include "common/cli.h"
#include "sim_backend.h"

namespace mote::sim {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool Taken(const std::vector<std::string>& paths, const std::string& p) {
  return std::find(paths.begin(), paths.end(), p) != paths.end();
}

}  // namespace

std::string FileNamePart(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    out += keep ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "output";
  return out;
}

std::vector<std::string> OutputPaths(const std::vector<std::string>& given,
                                     const std::vector<std::string>& names) {
  if (given.size() > names.size()) {
    throw std::invalid_argument("the model has " + std::to_string(names.size()) + " output(s), " +
                                std::to_string(given.size()) + " --output given");
  }
  if (given.empty()) throw std::invalid_argument("no --output given");
  std::vector<std::string> paths = given;
  const std::string& first = given.front();
  const std::string stem = EndsWith(first, ".npy") ? first.substr(0, first.size() - 4) : first;
  const std::string extension = EndsWith(first, ".npy") ? ".npy" : "";
  for (size_t k = given.size(); k < names.size(); ++k) {
    std::string path = stem + "_" + FileNamePart(names[k]) + extension;
    if (Taken(paths, path))
      path = stem + "_" + FileNamePart(names[k]) + "_" + std::to_string(k) + extension;
    for (int n = 2; Taken(paths, path); ++n) {  // names chosen to collide
      path = stem + "_" + std::to_string(k) + "_" + std::to_string(n) + extension;
    }
    paths.push_back(path);
  }
  return paths;
}

std::unique_ptr<CLI::App> MakeCommandLine(Options* o) {
  auto app = std::make_unique<CLI::App>(
      tools::ToolVersion("mote-sim") +
          ": runs a .mote model on .npy inputs with the mote runtime, on the host or on an "
          "emulated Cortex-M "
          "board under QEMU (the same runner firmware a device would run).",
      "mote-sim");
  tools::SetUpApp(*app, "mote-sim");
  app->require_subcommand(1);
  app->footer(
      "Run 'mote-sim run --help' for its options.\n"
      "Exit status: 0 done, 1 the model, an input or a run failed (the message says which and "
      "why), 2 a usage "
      "error.");
  CLI::App* run = app->add_subcommand("run",
                                      "Run MODEL on every sample of the inputs and write the "
                                      "outputs. An input file holds one sample (exactly "
                                      "the input's shape) or a batch [N, ...], run as N "
                                      "consecutive invokes of one interpreter on every target "
                                      "(for a streaming model, N hops of one stream from a "
                                      "fresh state); float32 (or "
                                      "float64) values are quantized with the model's "
                                      "input parameters, values of the model's own element type "
                                      "are fed as they are. Outputs are written as "
                                      "float32 in the same form (one sample or [N, ...]); class "
                                      "labels as int64, or as strings when the model "
                                      "keeps class names.");
  run->group("Commands");
  run->footer(
      "Exit status: 0 done, 1 the model, an input or the run failed (the message says which and "
      "why), 2 a usage "
      "error.");
  run->add_option("MODEL", o->model, "The .mote file; the runtime's loader verifies it first.")
      ->required()
      ->option_text("(required)");
  run->add_option(
         "--input", o->inputs,
         "A .npy file for the model's next input: repeat the option once per input, in the model's "
         "order. All inputs must hold the same number of samples.")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false)
      ->option_text("X.npy ... (required)");
  run->add_option(
         "--output", o->outputs,
         "Where to write the model's next output (.npy): repeat the option once per output, in the "
         "model's order. Give fewer and the outputs past them go next to the first, named after it "
         "with "
         "the output's name: --output y.npy for a model with outputs 'label' and 'probabilities' "
         "writes "
         "y.npy and y_probabilities.npy (characters other than letters, digits, '-', '_' and '.' "
         "become "
         "'_'); mote-sim prints where each such output went.")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false)
      ->option_text("Y.npy ... (required)");
  std::vector<std::string> targets = {"host"};
  std::string boards, linux_boards;
  for (const std::string& t : TargetNames()) {
    targets.push_back(t);
    std::string& into = t.rfind("linux-", 0) == 0 ? linux_boards : boards;
    into += (into.empty() ? "" : ", ") + t;
  }
  run->add_option("--target", o->target,
                  "Where to run: host (this machine's build of the runtime), an emulated Cortex-M "
                  "board under qemu-system-arm, named by its CPU (" +
                      boards + "), or Linux on an Arm board under qemu-user (" + linux_boards +
                      "). Outputs are byte-identical on all. Default: host.")
      ->check(CLI::IsMember(targets))
      ->option_text("TARGET");
  run->add_flag("--raw", o->raw,
                "Write outputs in the model's own element type (int8/int16 bytes exactly as the "
                "runtime produced "
                "them) instead of float32, for bit-exact comparisons.");
  run->add_flag(
      "--profile", o->profile,
      "Print per-operator timings on the host, or, under QEMU, instructions per inference and per "
      "operator (with MACs per instruction); plus, for float inputs, how many values fall outside "
      "the "
      "calibration range the model stores (drift).");
  return app;
}

}  // namespace mote::sim
