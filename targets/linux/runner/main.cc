// mote-linux-runner: the runner behind `mote-sim --target linux-aarch64` and
// `linux-armhf`, cross-built with Debian's compilers and run under qemu-user.
// The same command line and output contract as the Cortex-M runner
// (targets/cortex-m/runner/main.cc), so mote-sim drives both alike:
//
//   mote-linux-runner [--per-op] MODEL N IN_1 ... IN_k OUT_1 ... OUT_m
//
// For each of the N samples it reads input(i).data.size() bytes from IN_i
// (raw, in the model's element type), runs Invoke() between
// mote_bench_begin() and mote_bench_end() (the window bench/qemu_plugin
// counts; with --per-op one window per operator) and appends output(i) to
// OUT_i. The last line on stdout is `mote-runner: exit <code>`: 0, a
// numeric mote::Status, or 100 for an I/O failure (one line on stderr says
// what failed). Model and arena live in heap buffers here: this is a Linux
// program around the runtime, which itself still allocates nothing.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench_markers.h"
#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"

namespace {

int Exit(int code) {
  std::printf("mote-runner: exit %d\n", code);
  return code;
}

int Fail(const char* what, mote::Status s) {
  std::fprintf(stderr, "mote-runner: error: %s: %s (status %d)\n", what, mote::StatusName(s),
               static_cast<int>(s));
  return Exit(static_cast<int>(s));
}

int IoFail(const char* what, const char* path) {
  std::fprintf(stderr, "mote-runner: error: I/O error: %s %s\n", what, path);
  return Exit(100);
}

void Report(const mote::Diagnostic& d, void*) {
  std::fprintf(stderr, "mote-runner: %s (operator %d, tensor %d, value %lld, limit %lld)\n",
               d.message, static_cast<int>(d.op_index), static_cast<int>(d.tensor_index),
               static_cast<long long>(d.value), static_cast<long long>(d.limit));
}

// --per-op: one bench window per operator.
void BenchOp(void* /*context*/, size_t /*op*/, bool begin) {
  if (begin) {
    mote_bench_begin();
  } else {
    mote_bench_end();
  }
}

// 16-byte aligned storage of `bytes` bytes (the runtime's alignment rule).
struct Aligned {
  std::vector<unsigned char> storage;
  unsigned char* data = nullptr;
  explicit Aligned(size_t bytes) : storage(bytes + 16) {
    const auto address = reinterpret_cast<uintptr_t>(storage.data());
    data = storage.data() + (16 - address % 16) % 16;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const bool per_op = argc > 1 && std::strcmp(argv[1], "--per-op") == 0;
  if (per_op) {
    ++argv;
    --argc;
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: mote-linux-runner MODEL N IN... OUT...\n");
    return Exit(static_cast<int>(mote::Status::kInvalidArgument));
  }
  mote::SetDiagnosticHandler(Report, nullptr);
  std::FILE* f = std::fopen(argv[1], "rb");
  if (f == nullptr) return IoFail("cannot open", argv[1]);
  std::vector<unsigned char> file;
  for (int c; (c = std::fgetc(f)) != EOF;) file.push_back(static_cast<unsigned char>(c));
  std::fclose(f);
  Aligned model_bytes(file.size());
  std::memcpy(model_bytes.data, file.data(), file.size());
  const mote::Result<mote::Model> model = mote::Model::Load({model_bytes.data, file.size()});
  if (!model.ok()) return Fail("Model::Load", model.status());
  const mote::Model& m = model.value();
  const int samples = std::atoi(argv[2]);
  if (samples < 0 || argc != 3 + static_cast<int>(m.num_inputs() + m.num_outputs())) {
    std::fprintf(stderr, "mote-runner: error: the model has %zu inputs and %zu outputs\n",
                 m.num_inputs(), m.num_outputs());
    return Exit(static_cast<int>(mote::Status::kInvalidArgument));
  }
  Aligned arena(m.arena_size());
  mote::Result<mote::Interpreter> created =
      mote::Interpreter::Create(m, {arena.data, m.arena_size()});
  if (!created.ok()) return Fail("Interpreter::Create", created.status());
  mote::Interpreter& interp = created.value();
  uint32_t vectors = 0;
  const mote::Status self = interp.SelfTest(&vectors);
  if (self != mote::Status::kOk) return Fail("SelfTest", self);
  if (per_op) interp.set_op_hook(BenchOp, nullptr);
  std::vector<std::FILE*> ins, outs;
  for (size_t i = 0; i < m.num_inputs(); ++i) {
    ins.push_back(std::fopen(argv[3 + i], "rb"));
    if (ins.back() == nullptr) return IoFail("cannot open", argv[3 + i]);
  }
  for (size_t o = 0; o < m.num_outputs(); ++o) {
    const char* path = argv[3 + m.num_inputs() + o];
    outs.push_back(std::fopen(path, "wb"));
    if (outs.back() == nullptr) return IoFail("cannot create", path);
  }
  for (int s = 0; s < samples; ++s) {
    for (size_t i = 0; i < ins.size(); ++i) {
      const mote::TensorView t = interp.input(i);
      if (std::fread(t.data.data(), 1, t.data.size(), ins[i]) != t.data.size()) {
        return IoFail("short read from", argv[3 + i]);
      }
    }
    if (!per_op) mote_bench_begin();
    const mote::Status st = interp.Invoke();
    if (!per_op) mote_bench_end();
    if (st != mote::Status::kOk) return Fail("Invoke", st);
    for (size_t o = 0; o < outs.size(); ++o) {
      const mote::TensorView t = interp.output(o);
      if (std::fwrite(t.data.data(), 1, t.data.size(), outs[o]) != t.data.size()) {
        return IoFail("cannot write", argv[3 + m.num_inputs() + o]);
      }
    }
  }
  for (std::FILE* x : ins) std::fclose(x);
  for (std::FILE* x : outs) {
    if (std::fclose(x) != 0) return IoFail("cannot close", "an output");
  }
  return Exit(0);
}
