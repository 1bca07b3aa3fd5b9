#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "common/files.h"
#include "common/progress.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/schema/mote_generated.h"
#include "sim_backend.h"

namespace mote::sim {
namespace {

struct OpTimer {
  std::vector<double> seconds;
  std::chrono::steady_clock::time_point start;
};

void TimeOp(void* context, size_t op, bool begin) {
  auto* t = static_cast<OpTimer*>(context);
  if (begin) {
    t->start = std::chrono::steady_clock::now();
  } else {
    t->seconds[op] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t->start).count();
  }
}

}  // namespace

RunResult RunOnHost(const RunRequest& req) {
  const tools::AlignedBuffer buffer(std::string(req.model_bytes.begin(), req.model_bytes.end()));
  const Result<Model> model = Model::Load({buffer.data(), buffer.size()});
  if (!model.ok()) throw std::runtime_error(std::string("cannot load model: ") + StatusName(model.status()));
  const tools::AlignedBuffer arena_storage(std::string(model.value().arena_size(), '\0'));
  auto* arena = const_cast<uint8_t*>(arena_storage.data());
  Result<Interpreter> created = Interpreter::Create(model.value(), {arena, model.value().arena_size()});
  if (!created.ok()) throw std::runtime_error(std::string("cannot create interpreter: ") + StatusName(created.status()));
  Interpreter& interp = created.value();
  uint32_t vectors = 0;
  const Status selftest = interp.SelfTest(&vectors);  // modelc --selftest: the host must agree with itself too
  if (selftest != Status::kOk) throw std::runtime_error(std::string("self-test failed: ") + StatusName(selftest));
  OpTimer timer;
  timer.seconds.assign(model.value().num_operators(), 0.0);
  if (req.profile) interp.set_op_hook(TimeOp, &timer);
  RunResult result;
  result.outputs.resize(interp.num_outputs());
  tools::ProgressPhase("running", static_cast<size_t>(req.samples));
  for (int64_t s = 0; s < req.samples; ++s) {
    tools::ProgressStep();
    for (size_t i = 0; i < interp.num_inputs(); ++i) {
      const TensorView in = interp.input(i);
      std::memcpy(in.data.data(), req.inputs[i].data() + s * in.data.size(), in.data.size());
    }
    const Status status = interp.Invoke();
    if (status != Status::kOk) {
      throw std::runtime_error("invoke failed, sample " + std::to_string(s) + ": " + StatusName(status));
    }
    for (size_t o = 0; o < interp.num_outputs(); ++o) {
      const TensorView out = interp.output(o);
      result.outputs[o].insert(result.outputs[o].end(), out.data.begin(), out.data.end());
    }
  }
  if (req.profile) {
    char line[256];
    const auto& ops = *model.value().schema().operators();
    result.profile = "op  kind              MACs        us/inference  name\n";
    for (uint32_t k = 0; k < ops.size(); ++k) {
      std::snprintf(line, sizeof(line), "%-3u %-16s %10llu %14.3f  ", k,
                    schema::EnumNameOpCode(ops.Get(k)->opcode()),
                    static_cast<unsigned long long>(ops.Get(k)->macs()),
                    1e6 * timer.seconds[k] / static_cast<double>(req.samples ? req.samples : 1));
      result.profile += line;  // the name in full: TFLite's fused names run to hundreds of characters
      result.profile += (ops.Get(k)->name() ? ops.Get(k)->name()->str() : std::string()) + "\n";
    }
    result.profile += "(host wall-clock: indicative only; use bench/ for instruction counts)\n";
  }
  return result;
}

}  // namespace mote::sim
