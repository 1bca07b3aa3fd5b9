// mote-runner: the generic Cortex-M runner firmware behind
// `mote-sim --target cortex-m*`. Model, inputs and outputs are host files
// reached through Arm semihosting (newlib + librdimon).
//
//   mote-runner MODEL N IN_1 ... IN_k OUT_1 ... OUT_m
//
// k = model.num_inputs(), m = model.num_outputs(). For each of the N samples
// it reads, for every input i, exactly input(i).data.size() bytes from IN_i
// (raw bytes in the model's element type, samples concatenated), runs
// Invoke() between mote_bench_begin() and mote_bench_end() (the window
// bench/qemu_plugin counts), and appends output(i).data to OUT_i.
//
// Exit codes and output:
//   0        success
//   1..11    the numeric mote::Status of a failure (usage errors are
//            kInvalidArgument = 9)
//   100      I/O failure (open, short read, write, model too large)
//   101      CPU fault (printed by the start-up fault handler)
//   102      runtime assertion (misuse of the C++ API)
// A failure prints one line on stderr,
//   mote-runner: error: <what>: <StatusName(status)> (status <int>)
// with "I/O error", "fault" or "assertion failed" for the non-Status codes;
// runtime diagnostics are printed on stderr as they are reported. The last
// line on stdout is always `mote-runner: exit <code>`.
//
// Exit status under QEMU (checked with qemu-system-arm 7.2, Debian
// 1:7.2+dfsg-7+deb12u18, and Debian's newlib 3.3 librdimon): the code DOES
// become qemu-system-arm's own exit status (modulo 256). exit() ends in
// librdimon's _exit, which opens the magic file ":semihosting-features",
// sees the SH_EXT_EXIT_EXTENDED bit that QEMU 7.2 sets, and calls
// SYS_EXIT_EXTENDED (0x20) with {ADP_Stopped_ApplicationExit, code}; QEMU
// exits with `code`. Without that extension an AArch32 guest only has
// SYS_EXIT (0x18), whose 32-bit form passes the reason code alone: QEMU then
// exits 0 for ADP_Stopped_ApplicationExit whatever the program's code, and 1
// for any other reason. Hence the `mote-runner: exit <code>` line, which
// stays right even with a host that lacks the extension.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <span>

#include "bench_markers.h"
#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/status.h"

#ifndef MOTE_RUNNER_MODEL_BYTES
#error "MOTE_RUNNER_MODEL_BYTES comes from the board (boards/<board>/board.cmake)"
#endif
#ifndef MOTE_RUNNER_ARENA_BYTES
#error "MOTE_RUNNER_ARENA_BYTES comes from the board (boards/<board>/board.cmake)"
#endif

// Name the start-up fault handler prints.
extern "C" const char mote_firmware_name[] = "mote-runner";

namespace {

constexpr int kExitIoFailure = 100;
constexpr int kExitAssertion = 102;
// Semihosting start-up passes at most 64 arguments.
constexpr size_t kMaxFiles = 64;

// Model bytes and arena: in the board's large-buffer region (linker section
// .bss.mote_large; PSRAM on mps2), 16-byte aligned as the runtime requires.
alignas(mote::kBufferAlignment) __attribute__((section(".bss.mote_large")))
uint8_t g_model[MOTE_RUNNER_MODEL_BYTES];
alignas(mote::kBufferAlignment) __attribute__((section(".bss.mote_large")))
uint8_t g_arena[MOTE_RUNNER_ARENA_BYTES];

FILE* g_inputs[kMaxFiles];
FILE* g_outputs[kMaxFiles];

[[noreturn]] void Exit(int code) {
  fflush(stderr);
  printf("mote-runner: exit %d\n", code);
  exit(code);
}

[[noreturn]] void FailStatus(mote::Status status, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
[[noreturn]] void FailStatus(mote::Status status, const char* format, ...) {
  fputs("mote-runner: error: ", stderr);
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  const int code = static_cast<int>(status);
  fprintf(stderr, ": %s (status %d)\n", mote::StatusName(status), code);
  Exit(code);
}

[[noreturn]] void FailIo(const char* format, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void FailIo(const char* format, ...) {
  fputs("mote-runner: error: ", stderr);
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fprintf(stderr, ": I/O error (status %d)\n", kExitIoFailure);
  Exit(kExitIoFailure);
}

void PrintDiagnostic(const mote::Diagnostic& d, void* /*context*/) {
  fprintf(stderr, "mote-runner: diagnostic: %s (status %d): %s", mote::StatusName(d.status),
          static_cast<int>(d.status), d.message != nullptr ? d.message : "");
  if (d.op_index >= 0) fprintf(stderr, "; op %ld", static_cast<long>(d.op_index));
  if (d.tensor_index >= 0) fprintf(stderr, "; tensor %ld", static_cast<long>(d.tensor_index));
  fprintf(stderr, "; value %lld; limit %lld\n", static_cast<long long>(d.value),
          static_cast<long long>(d.limit));
}

[[noreturn]] void OnAssert(const char* file, int line, const char* condition) {
  fprintf(stderr, "mote-runner: error: %s:%d: %s: assertion failed (status %d)\n", file, line,
          condition, kExitAssertion);
  Exit(kExitAssertion);
}

// Reads the whole model file into g_model; returns its size.
size_t ReadModel(const char* path) {
  FILE* file = fopen(path, "rb");
  if (file == nullptr) FailIo("cannot open model '%s'", path);
  const size_t size = fread(g_model, 1, sizeof(g_model), file);
  if (ferror(file)) FailIo("cannot read model '%s'", path);
  if (size == sizeof(g_model) && fgetc(file) != EOF) {
    FailIo("model '%s' is larger than the runner's %u-byte model buffer", path,
           static_cast<unsigned>(sizeof(g_model)));
  }
  fclose(file);
  return size;
}

bool ParseCount(const char* text, uint32_t* count) {
  if (text[0] < '0' || text[0] > '9') return false;
  char* end = nullptr;
  const unsigned long value = strtoul(text, &end, 10);
  if (*end != '\0' || value > UINT32_MAX) return false;
  *count = static_cast<uint32_t>(value);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mote::SetDiagnosticHandler(PrintDiagnostic, nullptr);
  mote::SetAssertHandler(OnAssert);

  if (argc < 3) {
    fprintf(stderr, "usage: mote-runner MODEL N IN_1 ... IN_k OUT_1 ... OUT_m\n");
    FailStatus(mote::Status::kInvalidArgument, "expected MODEL and N, got %d argument(s)",
               argc - 1);
  }
  const char* const model_path = argv[1];
  uint32_t num_samples = 0;
  if (!ParseCount(argv[2], &num_samples)) {
    FailStatus(mote::Status::kInvalidArgument, "N '%s' is not a sample count", argv[2]);
  }

  const size_t model_size = ReadModel(model_path);
  const mote::Result<mote::Model> model = mote::Model::Load({g_model, model_size});
  if (!model.ok()) FailStatus(model.status(), "load model '%s'", model_path);

  const size_t num_inputs = model.value().num_inputs();
  const size_t num_outputs = model.value().num_outputs();
  const size_t num_files = static_cast<size_t>(argc - 3);
  if (num_files != num_inputs + num_outputs) {
    FailStatus(mote::Status::kInvalidArgument,
               "model '%s' has %u input(s) and %u output(s), so it needs %u files after N, "
               "got %u",
               model_path, static_cast<unsigned>(num_inputs), static_cast<unsigned>(num_outputs),
               static_cast<unsigned>(num_inputs + num_outputs), static_cast<unsigned>(num_files));
  }
  if (num_inputs > kMaxFiles || num_outputs > kMaxFiles) {
    FailStatus(mote::Status::kInvalidArgument, "too many inputs or outputs");
  }

  mote::Result<mote::Interpreter> created =
      mote::Interpreter::Create(model.value(), std::span<uint8_t>(g_arena));
  if (!created.ok()) {
    FailStatus(created.status(), "create interpreter (arena: %u bytes needed, %u available)",
               static_cast<unsigned>(model.value().arena_size()),
               static_cast<unsigned>(sizeof(g_arena)));
  }
  mote::Interpreter& interpreter = created.value();

  char* const* const input_paths = argv + 3;
  char* const* const output_paths = argv + 3 + num_inputs;
  for (size_t i = 0; i < num_inputs; ++i) {
    g_inputs[i] = fopen(input_paths[i], "rb");
    if (g_inputs[i] == nullptr) FailIo("cannot open input %u '%s'", unsigned(i + 1), input_paths[i]);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    g_outputs[i] = fopen(output_paths[i], "wb");
    if (g_outputs[i] == nullptr) {
      FailIo("cannot create output %u '%s'", unsigned(i + 1), output_paths[i]);
    }
  }

  for (uint32_t sample = 0; sample < num_samples; ++sample) {
    for (size_t i = 0; i < num_inputs; ++i) {
      const std::span<uint8_t> data = interpreter.input(i).data;
      const size_t got = fread(data.data(), 1, data.size(), g_inputs[i]);
      if (got != data.size()) {
        FailIo("input %u '%s': short read at sample %u (got %u of %u bytes)", unsigned(i + 1),
               input_paths[i], unsigned(sample), unsigned(got), unsigned(data.size()));
      }
    }

    mote_bench_begin();
    const mote::Status status = interpreter.Invoke();
    mote_bench_end();
    if (!mote::Ok(status)) FailStatus(status, "invoke, sample %u", unsigned(sample));

    for (size_t i = 0; i < num_outputs; ++i) {
      const std::span<uint8_t> data = interpreter.output(i).data;
      if (fwrite(data.data(), 1, data.size(), g_outputs[i]) != data.size()) {
        FailIo("output %u '%s': write failed at sample %u", unsigned(i + 1), output_paths[i],
               unsigned(sample));
      }
    }
  }

  for (size_t i = 0; i < num_inputs; ++i) fclose(g_inputs[i]);
  for (size_t i = 0; i < num_outputs; ++i) {
    if (fclose(g_outputs[i]) != 0) {
      FailIo("output %u '%s': close failed", unsigned(i + 1), output_paths[i]);
    }
  }
  Exit(0);
}
