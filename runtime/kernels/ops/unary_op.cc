// Unary: one elementwise function (UnaryOptions.function) of one input. A
// modelc-computed lookup table on quantized tensors (exact for int8,
// interpolated for int16), the portable float function on float ones.
#include "kernels/ops/ops.h"
#include "kernels/reference/elementwise.h"
#include "kernels/reference/unary.h"

namespace mote::internal {
namespace {

using reference::UnaryFunction;

static_assert(static_cast<int>(UnaryFunction::kLast) ==
                  static_cast<int>(schema::UnaryFunction::MAX),
              "kernels/reference/unary.h and mote.fbs disagree on the unary functions");
static_assert(static_cast<int>(UnaryFunction::kMish) ==
              static_cast<int>(schema::UnaryFunction::Mish));

}  // namespace

Status CheckUnary(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_UnaryOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  if (static_cast<int>(opts->function()) > static_cast<int>(UnaryFunction::kLast)) {
    return ctx.Fail("unknown unary function", static_cast<int64_t>(opts->function()),
                    static_cast<int64_t>(UnaryFunction::kLast));
  }
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  MOTE_TRY(ExpectSameShape(ctx, ctx.input(0), ctx.output(0)));
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) {
    if (opts->function() != schema::UnaryFunction::Table) return Status::kOk;
    return ctx.Fail("a tabulated function needs quantized tensors");
  }
  const size_t have = BufferBytes(*ctx.model, opts->table()).size();
  const size_t want = type == ElementType::kInt8 ? 256 : 513 * 2;
  if (have != want) {
    return ctx.Fail("lookup table has the wrong size", static_cast<int64_t>(have),
                    static_cast<int64_t>(want));
  }
  return Status::kOk;
}

void EvalUnary(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_UnaryOptions();
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      reference::LookupInt8(ctx.input_span<int8_t>(0), ctx.buffer<int8_t>(opts->table()).data(),
                            ctx.output_span<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::LookupInt16(ctx.input_span<int16_t>(0), ctx.buffer<int16_t>(opts->table()).data(),
                             ctx.output_span<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::UnaryFloat(static_cast<UnaryFunction>(opts->function()), opts->alpha(),
                            opts->beta(), ctx.input_span<float>(0), ctx.output_span<float>(0));
      break;
  }
}

}  // namespace mote::internal
