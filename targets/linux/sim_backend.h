// mote-sim's execution backends: the runtime on the host, or the runner
// firmware inside QEMU. Both take and return raw tensor bytes, sample by
// sample, in the model's own element types.
#ifndef MOTE_TARGETS_LINUX_SIM_BACKEND_H_
#define MOTE_TARGETS_LINUX_SIM_BACKEND_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mote::sim {

struct RunRequest {
  std::string model_path;
  std::vector<uint8_t> model_bytes;
  int64_t samples = 0;
  std::vector<std::vector<uint8_t>> inputs;   // per model input: samples x tensor bytes
  std::vector<size_t> output_bytes;           // per model output: bytes of one sample
  bool profile = false;
};

struct RunResult {
  std::vector<std::vector<uint8_t>> outputs;  // per model output: samples x tensor bytes
  std::string profile;                        // human-readable, if requested
};

// Throws std::runtime_error with a message for the user.
RunResult RunOnHost(const RunRequest& request);
RunResult RunOnQemu(const RunRequest& request, const std::string& target);

// Targets mote-sim knows: a Cortex-M board (the runner firmware under
// qemu-system-arm on `machine` with `cpu`), or Linux on an Arm board (the
// cross-built mote-linux-runner under the qemu-user emulator `user`).
struct Target {
  const char* name;
  const char* machine;
  const char* cpu;
  const char* user = nullptr;
};
const Target* FindTarget(const std::string& name);
// Their names ("cortex-m0", ...), in the order of FindTarget's table.
std::vector<std::string> TargetNames();

}  // namespace mote::sim

#endif  // MOTE_TARGETS_LINUX_SIM_BACKEND_H_
