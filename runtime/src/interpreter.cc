#include "mote/interpreter.h"

#include "mote/diagnostics.h"
#include "mote/schema/mote_generated.h"
#include "src/op_context.h"
#include "src/op_table.h"

namespace mote {
namespace internal {
TensorView DescribeTensor(const schema::Model& model, int32_t index);
}

Result<Interpreter> Interpreter::Create(const Model& model, std::span<uint8_t> arena) {
  if (!model.valid()) return internal::Report(Status::kNotInitialized, "model not loaded");
  if (model.arena_size() > 0 &&
      reinterpret_cast<uintptr_t>(arena.data()) % kBufferAlignment != 0) {
    return internal::Report(Status::kBadAlignment, "arena must be 16-byte aligned");
  }
  if (arena.size() < model.arena_size()) {
    return internal::Report(Status::kArenaTooSmall, "arena too small", -1, -1,
                            model.arena_size(), static_cast<int64_t>(arena.size()));
  }
  Interpreter interpreter;
  interpreter.model_ = model;
  interpreter.arena_ = arena.data();
  return interpreter;
}

Status Interpreter::Invoke() {
  if (!model_.valid()) return internal::Report(Status::kNotInitialized, "interpreter not created");
  const schema::Model& m = model_.schema();
  internal::OpContext ctx;
  ctx.model = &m;
  ctx.arena = arena_;
  const auto& ops = *m.operators();
  for (uint32_t i = 0; i < ops.size(); ++i) {
    ctx.op = ops.Get(i);
    ctx.index = static_cast<int32_t>(i);
    // Verified at load: every opcode has a kernel in this build.
    const internal::OpKernel* kernel = internal::FindKernel(static_cast<uint16_t>(ctx.op->opcode()));
    if (hook_ != nullptr) hook_(hook_context_, i, true);
    kernel->eval(ctx);
    if (hook_ != nullptr) hook_(hook_context_, i, false);
  }
  return Status::kOk;
}

TensorView Interpreter::View(int32_t tensor_index) const {
  const schema::Model& m = model_.schema();
  TensorView view = internal::DescribeTensor(m, tensor_index);
  const schema::Tensor& t = *m.tensors()->Get(static_cast<uint32_t>(tensor_index));
  // Model inputs and outputs are verified to live in the arena.
  view.data = {arena_ + t.arena_offset(), internal::NumElements(t) * ElementSize(view.type)};
  return view;
}

TensorView Interpreter::input(size_t i) const {
  MOTE_ASSERT(i < num_inputs());
  return View(model_.schema().inputs()->Get(static_cast<uint32_t>(i)));
}

TensorView Interpreter::output(size_t i) const {
  MOTE_ASSERT(i < num_outputs());
  return View(model_.schema().outputs()->Get(static_cast<uint32_t>(i)));
}

}  // namespace mote
