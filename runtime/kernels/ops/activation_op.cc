// Sigmoid, Tanh, HardSwish and LeakyRelu share one glue: each op's float
// function on float tensors, a modelc-computed lookup table on quantized ones
// (exact for int8, interpolated for int16).
#include "kernels/ops/lookup_table.h"
#include "kernels/ops/ops.h"
#include "kernels/reference/elementwise.h"

namespace mote::internal {
namespace {

// A float activation; `alpha` is LutOptions.alpha (LeakyRelu's slope).
using FloatFunction = void (*)(std::span<const float> input, float alpha, std::span<float> output);

void Sigmoid(std::span<const float> in, float, std::span<float> out) {
  reference::SigmoidFloat(in, out);
}
void Tanh(std::span<const float> in, float, std::span<float> out) { reference::TanhFloat(in, out); }
void HardSwish(std::span<const float> in, float, std::span<float> out) {
  reference::HardSwishFloat(in, out);
}
void LeakyRelu(std::span<const float> in, float alpha, std::span<float> out) {
  reference::LeakyReluFloat(in, alpha, out);
}

void EvalActivation(const OpContext& ctx, FloatFunction f) {
  const auto* opts = ctx.op->options_as_LutOptions();
  if (EvalLookup(ctx, opts->table()) || !kFloat32Kernels) return;
  f(ctx.input_span<float>(0), opts->alpha(), ctx.output_span<float>(0));
}

}  // namespace

Status CheckActivation(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_LutOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  return CheckLookupOp(ctx, opts->table());
}

Status CheckLookupOp(const OpContext& ctx, int32_t table) {
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  MOTE_TRY(ExpectSameShape(ctx, ctx.input(0), ctx.output(0)));
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) return Status::kOk;
  const size_t have = BufferBytes(*ctx.model, table).size();
  const size_t want = type == ElementType::kInt8 ? 256 : 513 * 2;
  if (have != want) {
    return ctx.Fail("lookup table has the wrong size", static_cast<int64_t>(have),
                    static_cast<int64_t>(want));
  }
  return Status::kOk;
}

bool EvalLookup(const OpContext& ctx, int32_t table) {
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (kInt8Kernels) {
        reference::LookupInt8(ctx.input_span<int8_t>(0), ctx.buffer<int8_t>(table).data(),
                              ctx.output_span<int8_t>(0));
      }
      return true;
    case ElementType::kInt16:
      if (kInt16Kernels) {
        reference::LookupInt16(ctx.input_span<int16_t>(0), ctx.buffer<int16_t>(table).data(),
                               ctx.output_span<int16_t>(0));
      }
      return true;
    default:
      return false;
  }
}

void EvalSigmoid(const OpContext& ctx) { EvalActivation(ctx, Sigmoid); }
void EvalTanh(const OpContext& ctx) { EvalActivation(ctx, Tanh); }
void EvalHardSwish(const OpContext& ctx) { EvalActivation(ctx, HardSwish); }
void EvalLeakyRelu(const OpContext& ctx) { EvalActivation(ctx, LeakyRelu); }

}  // namespace mote::internal
