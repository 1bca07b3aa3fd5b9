// AveragePool2D and MaxPool2D: one NHWC input, one NHWC output with the same
// channels and quantization.
#include "kernels/ops/ops.h"
#include "kernels/ops/window_checks.h"
#include "kernels/reference/pooling.h"
#include "kernels/selected.h"

namespace mote::internal {
namespace {

WindowOptions WindowOf(const schema::Pool2DOptions& o) { return WindowFromOptions(o, o.filter_h(), o.filter_w()); }

int32_t Min(int32_t a, int32_t b) { return a < b ? a : b; }

Status CheckPool(const OpContext& ctx, bool average) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_Pool2DOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectKernelType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  MOTE_TRY(ExpectSameQuant(ctx, input, output));
  MOTE_TRY(CheckWindow(ctx, input, output, WindowOf(*opts)));
  const auto in = ShapeOf(input);
  const auto out = ShapeOf(output);
  if (in[3] != out[3]) return ctx.Fail("pooling changes the channel count", in[3], out[3]);
  MOTE_TRY(CheckActivationRange(ctx, opts->activation(), output));
  const ElementType type = TypeOf(input);
  if (average && type != ElementType::kFloat32) {
    // The int32 sum of a window: at most (valid positions) * 2^15 in magnitude.
    const int64_t positions =
        static_cast<int64_t>(Min(opts->filter_h(), in[1])) * Min(opts->filter_w(), in[2]);
    const int64_t worst = positions * (type == ElementType::kInt8 ? 128 : 32768);
    if (worst > INT32_MAX) return ctx.Fail("average pool sum could overflow", worst, INT32_MAX);
  }
  return Status::kOk;
}

}  // namespace

Status CheckAveragePool2D(const OpContext& ctx) { return CheckPool(ctx, true); }
Status CheckMaxPool2D(const OpContext& ctx) { return CheckPool(ctx, false); }

void EvalAveragePool2D(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_Pool2DOptions();
  const reference::Window2D w = MakeWindow(ctx.input(0), ctx.output(0), WindowOf(*opts));
  const schema::ActivationRange& act = *opts->activation();
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      kernels::AveragePoolInt8(w, act.min(), act.max(), ctx.input_data<int8_t>(0),
                               ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      kernels::AveragePoolInt16(w, act.min(), act.max(), ctx.input_data<int16_t>(0),
                                ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      kernels::AveragePoolFloat(w, act.fmin(), act.fmax(), ctx.input_data<float>(0),
                                ctx.output_data<float>(0));
      break;
  }
}

void EvalMaxPool2D(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_Pool2DOptions();
  const reference::Window2D w = MakeWindow(ctx.input(0), ctx.output(0), WindowOf(*opts));
  const schema::ActivationRange& act = *opts->activation();
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      kernels::MaxPoolInt8(w, act.min(), act.max(), ctx.input_data<int8_t>(0),
                           ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      kernels::MaxPoolInt16(w, act.min(), act.max(), ctx.input_data<int16_t>(0),
                            ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      kernels::MaxPoolFloat(w, act.fmin(), act.fmax(), ctx.input_data<float>(0),
                            ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
