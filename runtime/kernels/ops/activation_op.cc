// Sigmoid and Tanh: float math on float tensors, a modelc-computed lookup
// table on quantized ones (exact for int8, interpolated for int16).
#include "kernels/ops/ops.h"
#include "kernels/reference/elementwise.h"

namespace mote::internal {
namespace {

void EvalWithTable(const OpContext& ctx) {
  const int32_t table = ctx.op->options_as_LutOptions()->table();
  if (TypeOf(ctx.input(0)) == ElementType::kInt8) {
    reference::LookupInt8(ctx.input_span<int8_t>(0), ctx.buffer<int8_t>(table).data(),
                          ctx.output_span<int8_t>(0));
  } else {
    reference::LookupInt16(ctx.input_span<int16_t>(0), ctx.buffer<int16_t>(table).data(),
                           ctx.output_span<int16_t>(0));
  }
}

}  // namespace

Status CheckActivation(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  MOTE_TRY(ExpectActivationType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  MOTE_TRY(ExpectSameShape(ctx, ctx.input(0), ctx.output(0)));
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) return Status::kOk;
  const int32_t table = ctx.op->options_as_LutOptions()->table();
  const size_t want = type == ElementType::kInt8 ? 256 : 513 * 2;
  if (BufferBytes(*ctx.model, table).size() != want) {
    return ctx.Fail("lookup table has the wrong size",
                    static_cast<int64_t>(BufferBytes(*ctx.model, table).size()),
                    static_cast<int64_t>(want));
  }
  return Status::kOk;
}

void EvalSigmoid(const OpContext& ctx) {
  if (TypeOf(ctx.input(0)) == ElementType::kFloat32) {
    reference::SigmoidFloat(ctx.input_span<float>(0), ctx.output_span<float>(0));
  } else {
    EvalWithTable(ctx);
  }
}

void EvalTanh(const OpContext& ctx) {
  if (TypeOf(ctx.input(0)) == ElementType::kFloat32) {
    reference::TanhFloat(ctx.input_span<float>(0), ctx.output_span<float>(0));
  } else {
    EvalWithTable(ctx);
  }
}

}  // namespace mote::internal
