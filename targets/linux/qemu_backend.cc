// Runs the generic runner firmware (targets/cortex-m/runner) under QEMU and
// exchanges files with it through semihosting, in a private temporary folder.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/files.h"
#include "common/progress.h"
#include "mote/model.h"
#include "mote/schema/mote_generated.h"
#include "sim_backend.h"

namespace mote::sim {
namespace {

constexpr Target kTargets[] = {
    {"cortex-m0", "microbit", "cortex-m0"},    {"cortex-m3", "mps2-an385", "cortex-m3"},
    {"cortex-m4", "mps2-an386", "cortex-m4"},  {"cortex-m7", "mps2-an500", "cortex-m7"},
    {"cortex-m33", "mps2-an505", "cortex-m33"}, {"cortex-m55", "mps3-an547", "cortex-m55"},
    {"linux-aarch64", "", "", "qemu-aarch64"},  {"linux-armhf", "", "", "qemu-arm"},
};

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void WriteBytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mote-sim-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary folder");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

const Target* FindTarget(const std::string& name) {
  for (const Target& t : kTargets) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

std::vector<std::string> TargetNames() {
  std::vector<std::string> names;
  for (const Target& t : kTargets) names.push_back(t.name);
  return names;
}

namespace {

// One QEMU run of the runner firmware in `dir` (model and inputs written
// there already): throws unless the runner exits 0; returns its stdout.
std::string RunFirmware(const Target& target, const std::filesystem::path& firmware,
                        const std::filesystem::path& dir, const std::string& args,
                        const std::string& plugin_args) {
  std::string plugin;
  if (!plugin_args.empty()) {
    plugin = " -plugin " + Quote(EnvOr("MOTE_QEMU_PLUGIN", MOTE_QEMU_PLUGIN)) + "," + plugin_args;
  }
  std::string command = "cd " + Quote(dir.string()) + " && timeout " + EnvOr("MOTE_QEMU_TIMEOUT", "900");
  if (target.user != nullptr) {  // Linux: the runner's arguments on its command line
    std::string argv;
    for (size_t at = 0; (at = args.find("arg=", at)) != std::string::npos; at += 4) {
      const size_t end = args.find(',', at);
      const std::string a = args.substr(at + 4, end == std::string::npos ? end : end - at - 4);
      if (a != "mote-runner") argv += " " + Quote(a);
    }
    command += std::string(" ") + target.user + plugin + " " + Quote(firmware.string()) + argv;
  } else {
    command += std::string(" qemu-system-arm -M ") + target.machine + " -cpu " + target.cpu +
               " -nographic -monitor none -serial none -semihosting-config enable=on,target=native," + args +
               plugin + " -kernel " + Quote(firmware.string());
  }
  command += " > stdout.txt 2> stderr.txt";
  const int rc = std::system(command.c_str());
  const std::string out = ReadText(dir / "stdout.txt");
  const std::string err = ReadText(dir / "stderr.txt");
  const size_t exit_at = out.rfind("mote-runner: exit ");
  const int code = exit_at == std::string::npos ? -1 : std::atoi(out.c_str() + exit_at + 18);
  if (code != 0) {
    std::string detail = err.empty() ? out : err;
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    throw std::runtime_error("the " + std::string(target.name) + " runner failed (qemu status " +
                             std::to_string(rc) + ", runner exit " + std::to_string(code) + "): " + detail);
  }
  return out;
}

// Instructions per operator, from a second run in the runner's --per-op mode
// (one plugin window per operator, so the interpreter's work between
// operators is not in these figures; the total above includes it).
std::string PerOpProfile(const Target& target, const std::filesystem::path& firmware,
                         const std::filesystem::path& dir, const std::string& args, const RunRequest& req) {
  RunFirmware(target, firmware, dir, "arg=mote-runner,arg=--per-op" + args.substr(std::string("arg=mote-runner").size()),
              "windows=windows.txt");
  const tools::AlignedBuffer buffer(std::string(req.model_bytes.begin(), req.model_bytes.end()));
  const Result<Model> model = Model::Load({buffer.data(), buffer.size()});
  if (!model.ok()) throw std::runtime_error(std::string("cannot load model: ") + StatusName(model.status()));
  const auto& ops = *model.value().schema().operators();
  std::vector<unsigned long long> insns(ops.size(), 0);
  std::istringstream windows(ReadText(dir / "windows.txt"));
  size_t k = 0;
  for (unsigned long long n; windows >> n; ++k) insns[k % ops.size()] += n;
  if (ops.size() == 0 || k != ops.size() * static_cast<size_t>(req.samples)) {
    throw std::runtime_error("the per-op profile counted " + std::to_string(k) + " operator windows, expected " +
                             std::to_string(ops.size() * static_cast<size_t>(req.samples)));
  }
  std::string text = "op  kind              MACs        instructions  MACs/instr  name\n";
  char line[256];
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const unsigned long long per = insns[i] / static_cast<unsigned long long>(req.samples);
    const unsigned long long macs = ops.Get(i)->macs();
    std::snprintf(line, sizeof(line), "%-3u %-16s %10llu %14llu %11.3f  ", i,
                  schema::EnumNameOpCode(ops.Get(i)->opcode()), macs, per,
                  per ? static_cast<double>(macs) / static_cast<double>(per) : 0.0);
    text += line;
    text += (ops.Get(i)->name() ? ops.Get(i)->name()->str() : std::string()) + "\n";
  }
  return text;
}

}  // namespace

RunResult RunOnQemu(const RunRequest& req, const std::string& target_name) {
  const Target* target = FindTarget(target_name);
  if (target == nullptr) throw std::runtime_error("unknown target '" + target_name + "'");
  const std::filesystem::path firmware = std::filesystem::path(EnvOr("MOTE_FIRMWARE_DIR", MOTE_FIRMWARE_DIR)) /
                                         target->name / "bin" /
                                         (target->user != nullptr ? "mote-linux-runner" : "mote-runner.elf");

  if (!std::filesystem::exists(firmware)) {
    throw std::runtime_error("no runner firmware for " + target_name + " at " + firmware.string() +
                             " (build the host preset with the Arm toolchain installed; not every target has a board yet)");
  }
  tools::ProgressPhase(req.profile ? "running under QEMU (twice: --profile)" : "running under QEMU");
  TempDir dir;
  WriteBytes(dir.path() / "model.mote", req.model_bytes);
  std::string args = "arg=mote-runner,arg=model.mote,arg=" + std::to_string(req.samples);
  for (size_t i = 0; i < req.inputs.size(); ++i) {
    WriteBytes(dir.path() / ("in" + std::to_string(i) + ".bin"), req.inputs[i]);
    args += ",arg=in" + std::to_string(i) + ".bin";
  }
  for (size_t o = 0; o < req.output_bytes.size(); ++o) args += ",arg=out" + std::to_string(o) + ".bin";
  const std::string out = RunFirmware(*target, firmware, dir.path(), args, req.profile ? "out=insns.txt" : "");
  RunResult result;
  for (size_t o = 0; o < req.output_bytes.size(); ++o) {
    const std::string bytes = tools::ReadFile((dir.path() / ("out" + std::to_string(o) + ".bin")).string());
    if (bytes.size() != req.output_bytes[o] * static_cast<size_t>(req.samples)) {
      throw std::runtime_error("the " + target_name + " runner wrote " + std::to_string(bytes.size()) +
                               " bytes for output " + std::to_string(o) + ", expected " +
                               std::to_string(req.output_bytes[o] * static_cast<size_t>(req.samples)));
    }
    result.outputs.emplace_back(bytes.begin(), bytes.end());
  }
  if (req.profile) {
    const std::string counts = ReadText(dir.path() / "insns.txt");
    long long invocations = 0, instructions = 0;
    std::istringstream in(counts);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("invocations=", 0) == 0) invocations = std::atoll(line.c_str() + 12);
      if (line.rfind("instructions=", 0) == 0) instructions = std::atoll(line.c_str() + 13);
    }
    if (req.samples > 0) result.profile = PerOpProfile(*target, firmware, dir.path(), args, req);
    result.profile += "target " + target_name + ": " + std::to_string(invocations) + " inferences, " +
                      std::to_string(invocations ? instructions / invocations : 0) +
                      " instructions per inference (QEMU TCG count)\n";
    // The runner's measured stack (targets/cortex-m/runner/main.cc): how deep
    // the runtime's calls went, to compare with modelc's stated worst case.
    const std::string marker = "mote-runner: runtime stack ";
    const size_t at = out.rfind(marker);
    if (at != std::string::npos) {
      const size_t end = out.find('\n', at);
      result.profile += "target " + target_name + ": runtime stack " +
                        out.substr(at + marker.size(), end == std::string::npos ? end : end - at - marker.size()) +
                        " below the caller (stack painting)\n";
    }
  }
  return result;
}

}  // namespace mote::sim
