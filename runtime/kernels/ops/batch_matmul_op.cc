// BatchMatMul: inputs (A, B), both computed or constant, of the output's rank.
#include "kernels/ops/ops.h"
#include "kernels/selected.h"

namespace mote::internal {
namespace {

bool ShapeFor(const OpContext& ctx, reference::MatMulShape* s) {
  const auto a = ShapeOf(ctx.input(0)), b = ShapeOf(ctx.input(1)), out = ShapeOf(ctx.output(0));
  const auto* o = ctx.op->options_as_BatchMatMulOptions();
  if (a.size() != out.size() || b.size() != out.size()) return false;
  return reference::MakeMatMulShape(a.data(), b.data(), out.data(), out.size(), o->transpose_b(),
                                    s);
}

}  // namespace

Status CheckBatchMatMul(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 2, 1));
  const auto* o = ctx.op->options_as_BatchMatMulOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.input(1)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  reference::MatMulShape s;
  if (!ShapeFor(ctx, &s)) {
    return ctx.Fail("matmul shapes disagree (equal ranks 2 to 6, [.., M, K] x [.., K, N])");
  }
  MOTE_TRY(CheckActivationRange(ctx, o->activation(), ctx.output(0)));
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) return Status::kOk;
  if (type == ElementType::kInt8 && s.k > reference::kMaxMatMulDepthInt8) {
    return ctx.Fail("matmul depth could overflow the int8 accumulator", static_cast<int64_t>(s.k),
                    static_cast<int64_t>(reference::kMaxMatMulDepthInt8));
  }
  if (type == ElementType::kInt16) {
    if (ZeroPointOf(ctx.input(0)) != 0 || ZeroPointOf(ctx.input(1)) != 0 ||
        ZeroPointOf(ctx.output(0)) != 0) {
      return ctx.Fail("int16 activations must be symmetric");
    }
    // |acc| <= K * 2^30 must stay under the 2^47 the 64-bit requantization takes.
    if (s.k > (size_t{1} << 16)) return ctx.Fail("matmul depth too large for int16", s.k, 65536);
  }
  const int max_shift = type == ElementType::kInt8 ? 30 : 7;
  if (!ValidMultiplier(o->output_multiplier(), o->output_shift(), -31, max_shift)) {
    return ctx.Fail("matmul multiplier or shift out of range", o->output_shift(), max_shift);
  }
  return Status::kOk;
}

void EvalBatchMatMul(const OpContext& ctx) {
  reference::MatMulShape s;
  (void)ShapeFor(ctx, &s);
  const auto* o = ctx.op->options_as_BatchMatMulOptions();
  const schema::ActivationRange& act = *o->activation();
  const reference::QuantizedMatMulParams p = {-ZeroPointOf(ctx.input(0)),
                                              -ZeroPointOf(ctx.input(1)),
                                              ZeroPointOf(ctx.output(0)),
                                              o->output_multiplier(),
                                              o->output_shift(),
                                              act.min(),
                                              act.max()};
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      kernels::BatchMatMulInt8(s, p, ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1),
                               ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      kernels::BatchMatMulInt16(s, p, ctx.input_data<int16_t>(0), ctx.input_data<int16_t>(1),
                                ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      kernels::BatchMatMulFloat(s, act.fmin(), act.fmax(), ctx.input_data<float>(0),
                                ctx.input_data<float>(1), ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
