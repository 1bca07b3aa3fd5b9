// Unary: one elementwise function (UnaryOptions.function) of one input. A
// modelc-computed lookup table on quantized tensors (exact for int8,
// interpolated for int16), the portable float function on float ones.
#include "kernels/ops/lookup_table.h"
#include "kernels/ops/ops.h"
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
  if (TypeOf(ctx.input(0)) == ElementType::kFloat32 &&
      opts->function() == schema::UnaryFunction::Table) {
    return ctx.Fail("a tabulated function needs quantized tensors");
  }
  return CheckLookupOp(ctx, opts->table());
}

void EvalUnary(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_UnaryOptions();
  if (EvalLookup(ctx, opts->table()) || !kFloat32Kernels) return;
  reference::UnaryFloat(static_cast<UnaryFunction>(opts->function()), opts->alpha(), opts->beta(),
                        ctx.input_span<float>(0), ctx.output_span<float>(0));
}

}  // namespace mote::internal
