#include "mote/interpreter.h"

#include <string.h>

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
  interpreter.ResetState();
  return interpreter;
}

void Interpreter::ResetState() {
  if (!model_.valid() || model_.schema().state_size() == 0) return;
  for (const schema::Tensor* t : *model_.schema().tensors()) {
    if (!t->persistent()) continue;
    const size_t n = internal::NumElements(*t);
    uint8_t* data = arena_ + t->arena_offset();
    const int32_t zero = internal::ZeroPointOf(*t);
    // Verified at load: inside the arena, zero point inside the type.
    switch (static_cast<ElementType>(t->type())) {
      case ElementType::kInt8:
        memset(data, static_cast<uint8_t>(static_cast<int8_t>(zero)), n);
        break;
      case ElementType::kInt16:
        for (size_t k = 0; k < n; ++k) {
          const int16_t v = static_cast<int16_t>(zero);
          memcpy(data + 2 * k, &v, 2);
        }
        break;
      default:  // float32, int32 and the rest: all-zero bytes are zero
        memset(data, 0, n * ElementSize(static_cast<ElementType>(t->type())));
        break;
    }
  }
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
    if (ctx.run_error != Status::kOk) return ctx.run_error;  // bad input data (Gather index)
  }
  return Status::kOk;
}

Status Interpreter::SelfTest(uint32_t* vectors) {
  if (vectors != nullptr) *vectors = 0;
  if (!model_.valid()) return internal::Report(Status::kNotInitialized, "interpreter not created");
  const schema::SelfTest* st = model_.schema().selftest();
  if (st == nullptr || st->count() == 0) return Status::kOk;
  // Sizes were checked at load: count * (all input bytes) and (all output bytes).
  const uint8_t* in = st->inputs()->data();
  const uint8_t* want = st->outputs()->data();
  for (uint32_t v = 0; v < st->count(); ++v) {
    for (size_t i = 0; i < num_inputs(); ++i) {
      const TensorView t = input(i);
      memcpy(t.data.data(), in, t.data.size());
      in += t.data.size();
    }
    MOTE_TRY(Invoke());
    for (size_t o = 0; o < num_outputs(); ++o) {
      const TensorView t = output(o);
      for (size_t b = 0; b < t.data.size(); ++b) {
        if (t.data[b] != want[b]) {
          return internal::Report(Status::kSelfTestMismatch, "self-test output differs from the host's", -1,
                                  static_cast<int32_t>(o), v, static_cast<int64_t>(b));
        }
      }
      want += t.data.size();
    }
    if (vectors != nullptr) *vectors = v + 1;
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

size_t Interpreter::num_op_outputs(size_t op) const {
  if (!model_.valid() || op >= model_.num_operators()) return 0;
  const auto* outputs = model_.schema().operators()->Get(static_cast<uint32_t>(op))->outputs();
  return outputs != nullptr ? outputs->size() : 0;
}

TensorView Interpreter::op_output(size_t op, size_t k) const {
  if (k >= num_op_outputs(op)) return TensorView{};
  // Operator outputs are verified at load to live in the arena.
  return View(model_.schema().operators()->Get(static_cast<uint32_t>(op))->outputs()->Get(static_cast<uint32_t>(k)));
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
