#include "mote/model_slot.h"

namespace mote {

Status ModelSlot::Update(std::span<const uint8_t> file) {
  const Result<Model> candidate = Model::Load(file);
  if (!candidate.ok()) return candidate.status();
  // Create checks the arena without writing to it, so the running model is
  // untouched until this succeeds.
  const Result<Interpreter> next = Interpreter::Create(candidate.value(), arena_);
  if (!next.ok()) return next.status();
  interpreter_ = next.value();
  ++generation_;
  return Status::kOk;
}

}  // namespace mote
