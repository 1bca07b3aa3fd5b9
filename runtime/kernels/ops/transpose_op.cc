// Transpose: output dim k is input dim perm[k].
#include "kernels/ops/ops.h"
#include "kernels/reference/transpose.h"

namespace mote::internal {

Status CheckTranspose(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_TransposeOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectActivationType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  MOTE_TRY(ExpectSameQuant(ctx, input, output));
  const auto in = ShapeOf(input);
  const auto out = ShapeOf(output);
  const auto* perm = opts->perm();
  const size_t rank = in.size();
  if (out.size() != rank || (perm == nullptr ? 0 : perm->size()) != rank) {
    return ctx.Fail("perm must have one entry per dimension", static_cast<int64_t>(rank));
  }
  bool seen[kMaxRank] = {};  // the loader bounds ranks by kMaxRank
  for (size_t k = 0; k < rank; ++k) {
    const int32_t p = perm->Get(static_cast<flatbuffers::uoffset_t>(k));
    if (p < 0 || static_cast<size_t>(p) >= rank || seen[p]) {
      return ctx.Fail("perm is not a permutation", p, static_cast<int64_t>(rank));
    }
    seen[p] = true;
    if (out[k] != in[p]) return ctx.Fail("transposed shape differs from the output", in[p], out[k]);
  }
  return Status::kOk;
}

void EvalTranspose(const OpContext& ctx) {
  const auto* perm = ctx.op->options_as_TransposeOptions()->perm();
  const reference::TransposeShape s =
      reference::MakeTransposeShape(ShapeOf(ctx.input(0)), {perm->data(), perm->size()});
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      reference::Transpose<int8_t>(s, ctx.input_data<int8_t>(0), ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      reference::Transpose<int16_t>(s, ctx.input_data<int16_t>(0), ctx.output_data<int16_t>(0));
      break;
    default:
      reference::Transpose<float>(s, ctx.input_data<float>(0), ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
