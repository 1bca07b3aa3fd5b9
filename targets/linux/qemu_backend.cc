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

#include "common/files.h"
#include "sim_backend.h"

namespace mote::sim {
namespace {

constexpr Target kTargets[] = {
    {"cortex-m0", "microbit", "cortex-m0"},    {"cortex-m3", "mps2-an385", "cortex-m3"},
    {"cortex-m4", "mps2-an386", "cortex-m4"},  {"cortex-m7", "mps2-an500", "cortex-m7"},
    {"cortex-m33", "mps2-an505", "cortex-m33"}, {"cortex-m55", "mps3-an547", "cortex-m55"},
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

RunResult RunOnQemu(const RunRequest& req, const std::string& target_name) {
  const Target* target = FindTarget(target_name);
  if (target == nullptr) throw std::runtime_error("unknown target '" + target_name + "'");
  const std::filesystem::path firmware =
      std::filesystem::path(EnvOr("MOTE_FIRMWARE_DIR", MOTE_FIRMWARE_DIR)) / target->name / "bin" / "mote-runner.elf";
  if (!std::filesystem::exists(firmware)) {
    throw std::runtime_error("no runner firmware for " + target_name + " at " + firmware.string() +
                             " (build the host preset with the Arm toolchain installed; not every target has a board yet)");
  }
  TempDir dir;
  WriteBytes(dir.path() / "model.mote", req.model_bytes);
  std::string args = "arg=mote-runner,arg=model.mote,arg=" + std::to_string(req.samples);
  for (size_t i = 0; i < req.inputs.size(); ++i) {
    WriteBytes(dir.path() / ("in" + std::to_string(i) + ".bin"), req.inputs[i]);
    args += ",arg=in" + std::to_string(i) + ".bin";
  }
  for (size_t o = 0; o < req.output_bytes.size(); ++o) args += ",arg=out" + std::to_string(o) + ".bin";
  std::string plugin;
  if (req.profile) {
    plugin = " -plugin " + Quote(EnvOr("MOTE_QEMU_PLUGIN", MOTE_QEMU_PLUGIN)) + ",out=insns.txt";
  }
  const std::string command =
      "cd " + Quote(dir.path().string()) + " && timeout " + EnvOr("MOTE_QEMU_TIMEOUT", "900") +
      " qemu-system-arm -M " + target->machine + " -cpu " + target->cpu +
      " -nographic -monitor none -serial none -semihosting-config enable=on,target=native," + args + plugin +
      " -kernel " + Quote(firmware.string()) + " > stdout.txt 2> stderr.txt";
  const int rc = std::system(command.c_str());
  const std::string out = ReadText(dir.path() / "stdout.txt");
  const std::string err = ReadText(dir.path() / "stderr.txt");
  const size_t exit_at = out.rfind("mote-runner: exit ");
  const int code = exit_at == std::string::npos ? -1 : std::atoi(out.c_str() + exit_at + 18);
  if (code != 0) {
    std::string detail = err.empty() ? out : err;
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    throw std::runtime_error("the " + target_name + " runner failed (qemu status " + std::to_string(rc) + ", runner exit " +
                             std::to_string(code) + "): " + detail);
  }
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
    result.profile = "target " + target_name + ": " + std::to_string(invocations) + " inferences, " +
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
