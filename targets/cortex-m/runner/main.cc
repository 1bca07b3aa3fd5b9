// mote-runner: the generic Cortex-M runner firmware behind
// `mote-sim --target cortex-m*`. Model, inputs and outputs are host files
// reached through raw Arm semihosting calls (common/semihosting.h): no newlib
// stdio and no heap, so the same runner fits the 16 KiB micro:bit.
//
//   mote-runner [--per-op] MODEL N IN_1 ... IN_k OUT_1 ... OUT_m
//
// k = model.num_inputs(), m = model.num_outputs(). For each of the N samples
// it reads, for every input i, exactly input(i).data.size() bytes from IN_i
// (raw bytes in the model's element type, samples concatenated), runs
// Invoke() between mote_bench_begin() and mote_bench_end() (the window
// bench/qemu_plugin counts), and appends output(i).data to OUT_i. With
// --per-op the window is each operator instead (opened and closed by the
// interpreter's op hook), for mote-sim's per-op instruction profile.
//
// Exit codes and output:
//   0        success
//   1..11    the numeric mote::Status of a failure (usage errors are
//            kInvalidArgument = 9)
//   100      I/O failure (open, short read, write, model too large)
//   101      CPU fault (printed by the start-up fault handler), or a stack
//            overflow found at exit (boards with MOTE_STACK_CHECK)
//   102      runtime assertion (misuse of the C++ API)
// A failure prints one line on stderr,
//   mote-runner: error: <what>: <StatusName(status)> (status <int>)
// with "I/O error", "fault" or "assertion failed" for the non-Status codes;
// runtime diagnostics are printed on stderr as they are reported. The last
// line on stdout is always `mote-runner: exit <code>`. Before it come
//   mote-runner: runtime stack <max> bytes (load <a>, create <b>, self-test <c>, invoke <d>)
// how deep each runtime call went below main's stack pointer (stack painting,
// common/stack_check.h; invoke: the deepest of all samples), the figure
// modelc's stack bound states, and, on boards with MOTE_STACK_CHECK,
// `mote-runner: stack <used> of <size> bytes` for the whole program.
//
// Memory: one static buffer of MOTE_RUNNER_BUFFER_BYTES (from the board)
// holds the model file at its start and the arena in the rest, from the
// next 16-byte boundary on. A model file larger than the buffer is an I/O
// failure (100) with its size in the message; a model whose arena does not
// fit in what is left fails Interpreter::Create with kArenaTooSmall.
//
// Exit status under QEMU (checked with qemu-system-arm 7.2, Debian
// 1:7.2+dfsg-7+deb12u18): the code DOES become qemu-system-arm's own exit
// status (modulo 256). mote_semihost_exit() opens the magic file
// ":semihosting-features", sees the SH_EXT_EXIT_EXTENDED bit that QEMU 7.2
// sets, and calls SYS_EXIT_EXTENDED (0x20) with
// {ADP_Stopped_ApplicationExit, code}; QEMU exits with `code`. Without that
// extension an AArch32 guest only has SYS_EXIT (0x18), whose 32-bit form
// passes the reason code alone: QEMU then exits 0 for
// ADP_Stopped_ApplicationExit whatever the program's code, and 1 for any
// other reason. Hence the `mote-runner: exit <code>` line, which
// stays right even with a host that lacks the extension.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <span>

#include "bench_markers.h"
#include "console.h"
#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/status.h"
#include "semihosting.h"
#include "stack_check.h"

#ifndef MOTE_RUNNER_BUFFER_BYTES
#error "MOTE_RUNNER_BUFFER_BYTES comes from the board (boards/<board>/board.cmake)"
#endif
#ifndef MOTE_MAX_ARGS
#error "MOTE_MAX_ARGS comes from the board (boards/<board>/board.cmake)"
#endif

// Name the start-up fault handler prints.
extern "C" const char mote_firmware_name[] = "mote-runner";

namespace {

using mote::runner::Stderr;
using mote::runner::Stdout;

constexpr int kExitIoFailure = 100;
constexpr int kExitFault = 101;
constexpr int kExitAssertion = 102;
// Every file is a command-line argument after MODEL and N.
constexpr size_t kMaxFiles = MOTE_MAX_ARGS;

// Model file, then arena: in the board's large-buffer region (linker section
// .bss.mote_large; PSRAM or DDR on the big boards, the one RAM on the
// micro:bit), 16-byte aligned as the runtime requires.
alignas(mote::kBufferAlignment) __attribute__((section(".bss.mote_large")))
uint8_t g_buffer[MOTE_RUNNER_BUFFER_BYTES];

// Semihosting handles: inputs, then outputs.
intptr_t g_files[kMaxFiles];

// Bytes each runtime call used below main's stack pointer (0: not called).
struct RuntimeStack {
  size_t load, create, selftest, invoke;
} g_runtime_stack;

[[noreturn]] void Exit(int code) {
  Stderr().Flush();
  {
    const RuntimeStack& s = g_runtime_stack;
    size_t most = s.load > s.create ? s.load : s.create;
    if (s.selftest > most) most = s.selftest;
    if (s.invoke > most) most = s.invoke;
    Stdout().Print("mote-runner: runtime stack %u bytes (load %u, create %u, self-test %u, invoke %u)%s\n",
                   unsigned(most), unsigned(s.load), unsigned(s.create), unsigned(s.selftest),
                   unsigned(s.invoke), most >= MOTE_STACK_WINDOW_BYTES ? " or more" : "");
  }
#if MOTE_STACK_CHECK
  const size_t used = mote_stack_used();
  const size_t size = mote_stack_size();
  Stdout().Print("mote-runner: stack %u of %u bytes\n", unsigned(used), unsigned(size));
  if (used > size && code == 0) {
    // Past the stack into the unused RAM below it (painted at start-up):
    // nothing was overwritten yet, but the margin is gone.
    Stderr().Print("mote-runner: error: stack overflow: %u bytes used, the stack has %u: "
                   "fault (status %d)\n",
                   unsigned(used), unsigned(size), kExitFault);
    Stderr().Flush();
    code = kExitFault;
  }
#endif
  Stdout().Print("mote-runner: exit %d\n", code);
  Stdout().Flush();
  mote_semihost_exit(code);
}

[[noreturn]] void FailStatus(mote::Status status, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
[[noreturn]] void FailStatus(mote::Status status, const char* format, ...) {
  Stderr().Print("mote-runner: error: ");
  va_list args;
  va_start(args, format);
  Stderr().VPrint(format, args);
  va_end(args);
  const int code = static_cast<int>(status);
  Stderr().Print(": %s (status %d)\n", mote::StatusName(status), code);
  Exit(code);
}

[[noreturn]] void FailIo(const char* format, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void FailIo(const char* format, ...) {
  Stderr().Print("mote-runner: error: ");
  va_list args;
  va_start(args, format);
  Stderr().VPrint(format, args);
  va_end(args);
  Stderr().Print(": I/O error (status %d)\n", kExitIoFailure);
  Exit(kExitIoFailure);
}

void PrintDiagnostic(const mote::Diagnostic& d, void* /*context*/) {
  Stderr().Print("mote-runner: diagnostic: %s (status %d): %s", mote::StatusName(d.status),
                 static_cast<int>(d.status), d.message != nullptr ? d.message : "");
  if (d.op_index >= 0) Stderr().Print("; op %ld", static_cast<long>(d.op_index));
  if (d.tensor_index >= 0) Stderr().Print("; tensor %ld", static_cast<long>(d.tensor_index));
  Stderr().Print("; value %lld; limit %lld\n", static_cast<long long>(d.value),
                 static_cast<long long>(d.limit));
}

// --per-op: one bench window per operator.
void BenchOp(void* /*context*/, size_t /*op*/, bool begin) {
  if (begin) {
    mote_bench_begin();
  } else {
    mote_bench_end();
  }
}

[[noreturn]] void OnAssert(const char* file, int line, const char* condition) {
  Stderr().Print("mote-runner: error: %s:%d: %s: assertion failed (status %d)\n", file, line,
                 condition, kExitAssertion);
  Exit(kExitAssertion);
}

// Reads the whole model file into the start of g_buffer; returns its size.
size_t ReadModel(const char* path) {
  const intptr_t file = mote_semihost_open(path, kSemihostModeReadBinary);
  if (file == -1) FailIo("cannot open model '%s'", path);
  const intptr_t length = mote_semihost_flen(file);
  if (length < 0) FailIo("cannot read model '%s'", path);
  const size_t size = static_cast<size_t>(length);
  if (size > sizeof(g_buffer)) {
    FailIo("model '%s' is too large: %u bytes, the runner's model buffer has %u", path,
           unsigned(size), unsigned(sizeof(g_buffer)));
  }
  if (mote_semihost_read(file, g_buffer, size) != length) {
    FailIo("cannot read model '%s'", path);
  }
  (void)mote_semihost_close(file);
  return size;
}

// A decimal count without sign, at most UINT32_MAX.
bool ParseCount(const char* text, uint32_t* count) {
  if (*text == '\0') return false;
  uint64_t value = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return false;
    value = value * 10 + static_cast<uint64_t>(*p - '0');
    if (value > UINT32_MAX) return false;
  }
  *count = static_cast<uint32_t>(value);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mote::SetDiagnosticHandler(PrintDiagnostic, nullptr);
  mote::SetAssertHandler(OnAssert);

  const bool per_op = argc > 1 && strcmp(argv[1], "--per-op") == 0;
  if (per_op) {
    --argc;
    ++argv;
  }
  if (argc < 3) {
    Stderr().Print("usage: mote-runner [--per-op] MODEL N IN_1 ... IN_k OUT_1 ... OUT_m\n");
    FailStatus(mote::Status::kInvalidArgument, "expected MODEL and N, got %d argument(s)",
               argc - 1);
  }
  const char* const model_path = argv[1];
  uint32_t num_samples = 0;
  if (!ParseCount(argv[2], &num_samples)) {
    FailStatus(mote::Status::kInvalidArgument, "N '%s' is not a sample count", argv[2]);
  }

  // main's stack pointer, from which every runtime call below is measured.
  const uintptr_t sp = mote_stack_pointer();
  const size_t model_size = ReadModel(model_path);
  mote_stack_mark(sp);
  const mote::Result<mote::Model> model = mote::Model::Load({g_buffer, model_size});
  g_runtime_stack.load = mote_stack_depth(sp);
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
  if (num_files > kMaxFiles) {
    FailStatus(mote::Status::kInvalidArgument, "too many inputs or outputs");
  }

  // The arena: the rest of the buffer, from the first 16-byte boundary after
  // the model.
  const size_t arena_offset =
      (model_size + mote::kBufferAlignment - 1) / mote::kBufferAlignment * mote::kBufferAlignment;
  const std::span<uint8_t> arena =
      arena_offset < sizeof(g_buffer)
          ? std::span<uint8_t>(g_buffer + arena_offset, sizeof(g_buffer) - arena_offset)
          : std::span<uint8_t>();
  mote_stack_mark(sp);
  mote::Result<mote::Interpreter> created = mote::Interpreter::Create(model.value(), arena);
  g_runtime_stack.create = mote_stack_depth(sp);
  if (!created.ok()) {
    FailStatus(created.status(),
               "create interpreter (arena: %u bytes needed, %u available after the %u-byte "
               "model in the runner's %u-byte buffer)",
               static_cast<unsigned>(model.value().arena_size()),
               static_cast<unsigned>(arena.size()), static_cast<unsigned>(model_size),
               static_cast<unsigned>(sizeof(g_buffer)));
  }
  mote::Interpreter& interpreter = created.value();

  // Golden vectors embedded by `modelc convert --selftest N`: this target must
  // reproduce the host's output bytes exactly before it runs anything else.
  uint32_t selftest_vectors = 0;
  mote_stack_mark(sp);
  const mote::Status selftest = interpreter.SelfTest(&selftest_vectors);
  g_runtime_stack.selftest = mote_stack_depth(sp);
  if (selftest != mote::Status::kOk) FailStatus(selftest, "self-test (%u vectors passed)", unsigned(selftest_vectors));
  if (selftest_vectors > 0) Stdout().Print("mote-runner: self-test passed (%u vectors)\n", unsigned(selftest_vectors));

  char* const* const input_paths = argv + 3;
  char* const* const output_paths = argv + 3 + num_inputs;
  intptr_t* const inputs = g_files;
  intptr_t* const outputs = g_files + num_inputs;
  for (size_t i = 0; i < num_inputs; ++i) {
    inputs[i] = mote_semihost_open(input_paths[i], kSemihostModeReadBinary);
    if (inputs[i] == -1) FailIo("cannot open input %u '%s'", unsigned(i + 1), input_paths[i]);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    outputs[i] = mote_semihost_open(output_paths[i], kSemihostModeWriteBinary);
    if (outputs[i] == -1) {
      FailIo("cannot create output %u '%s'", unsigned(i + 1), output_paths[i]);
    }
  }

  if (per_op) interpreter.set_op_hook(BenchOp, nullptr);  // after the self-test's invokes
  for (uint32_t sample = 0; sample < num_samples; ++sample) {
    for (size_t i = 0; i < num_inputs; ++i) {
      const std::span<uint8_t> data = interpreter.input(i).data;
      const intptr_t got = mote_semihost_read(inputs[i], data.data(), data.size());
      if (got < 0) {
        FailIo("input %u '%s': read failed at sample %u", unsigned(i + 1), input_paths[i],
               unsigned(sample));
      }
      if (static_cast<size_t>(got) != data.size()) {
        FailIo("input %u '%s': short read at sample %u (got %u of %u bytes)", unsigned(i + 1),
               input_paths[i], unsigned(sample), unsigned(got), unsigned(data.size()));
      }
    }

    mote_stack_mark(sp);
    if (!per_op) mote_bench_begin();
    const mote::Status status = interpreter.Invoke();
    if (!per_op) mote_bench_end();
    const size_t invoke_stack = mote_stack_depth(sp);
    if (invoke_stack > g_runtime_stack.invoke) g_runtime_stack.invoke = invoke_stack;
    if (!mote::Ok(status)) FailStatus(status, "invoke, sample %u", unsigned(sample));

    for (size_t i = 0; i < num_outputs; ++i) {
      const std::span<uint8_t> data = interpreter.output(i).data;
      if (mote_semihost_write(outputs[i], data.data(), data.size()) != 0) {
        FailIo("output %u '%s': write failed at sample %u", unsigned(i + 1), output_paths[i],
               unsigned(sample));
      }
    }
  }

  for (size_t i = 0; i < num_inputs; ++i) (void)mote_semihost_close(inputs[i]);
  for (size_t i = 0; i < num_outputs; ++i) {
    if (mote_semihost_close(outputs[i]) != 0) {
      FailIo("output %u '%s': close failed", unsigned(i + 1), output_paths[i]);
    }
  }
  Exit(0);
}
