// StridedGather: output elements read from the input at strided offsets
// (options in mote.fbs). The check bounds every offset the dims can reach, in
// O(rank + table size), so Eval never reads outside the input.
#include "kernels/ops/ops.h"
#include "kernels/reference/strided_gather.h"

namespace mote::internal {
namespace {

reference::StridedGatherShape ShapeFrom(const schema::StridedGatherOptions& opts) {
  reference::StridedGatherShape s;
  s.rank = static_cast<int>(opts.counts()->size());
  s.offset = opts.offset();
  for (int d = 0; d < s.rank; ++d) {
    const auto k = static_cast<flatbuffers::uoffset_t>(d);
    s.counts[d] = opts.counts()->Get(k);
    s.strides[d] = opts.strides()->Get(k);
  }
  s.table_dim = opts.table_dim();
  if (opts.table() != nullptr) s.table = {opts.table()->data(), opts.table()->size()};
  return s;
}

// Smallest and largest offset dim `d` adds.
void DimRange(const reference::StridedGatherShape& s, int d, int64_t* lo, int64_t* hi) {
  if (d == s.table_dim) {
    *lo = *hi = s.table[0];
    for (int32_t v : s.table) {
      if (v < *lo) *lo = v;
      if (v > *hi) *hi = v;
    }
    return;
  }
  const int64_t far = static_cast<int64_t>(s.counts[d] - 1) * s.strides[d];
  *lo = far < 0 ? far : 0;
  *hi = far > 0 ? far : 0;
}

}  // namespace

Status CheckStridedGather(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_StridedGatherOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectActivationType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  MOTE_TRY(ExpectSameQuant(ctx, input, output));
  const auto* counts = opts->counts();
  const auto* strides = opts->strides();
  const size_t rank = counts == nullptr ? 0 : counts->size();
  if (rank == 0 || rank > static_cast<size_t>(reference::kMaxGatherDims)) {
    return ctx.Fail("gather dims must number 1 to 8", static_cast<int64_t>(rank),
                    reference::kMaxGatherDims);
  }
  if (strides == nullptr || strides->size() != rank) {
    return ctx.Fail("need one stride per gather dim", static_cast<int64_t>(rank));
  }
  const int32_t table_dim = opts->table_dim();
  const size_t table_size = opts->table() == nullptr ? 0 : opts->table()->size();
  if (table_dim < -1 || table_dim >= static_cast<int32_t>(rank)) {
    return ctx.Fail("table dim out of range", table_dim, static_cast<int64_t>(rank));
  }
  if (table_dim < 0 && table_size != 0) return ctx.Fail("table given without a table dim");
  const reference::StridedGatherShape s = ShapeFrom(*opts);
  int64_t elements = 1;
  for (int d = 0; d < s.rank; ++d) {
    if (s.counts[d] <= 0) return ctx.Fail("gather dim count must be positive", s.counts[d]);
    elements *= s.counts[d];  // <= the output's size below, which the loader bounded
    if (elements > static_cast<int64_t>(NumElements(output))) break;
  }
  if (elements != static_cast<int64_t>(NumElements(output))) {
    return ctx.Fail("gather dims do not cover the output", elements,
                    static_cast<int64_t>(NumElements(output)));
  }
  if (table_dim >= 0 && table_size != static_cast<size_t>(s.counts[table_dim])) {
    return ctx.Fail("need one table entry per index of the table dim",
                    static_cast<int64_t>(table_size), s.counts[table_dim]);
  }
  // Each dim's span is below the input's size (or the dims reach outside), so
  // the sums of at most 8 spans and 32-bit offsets fit in 64 bits.
  const int64_t size = static_cast<int64_t>(NumElements(input));
  int64_t lo = s.offset, hi = s.offset;
  for (int d = 0; d < s.rank; ++d) {
    int64_t dlo = 0, dhi = 0;
    DimRange(s, d, &dlo, &dhi);
    if (dhi - dlo >= size) return ctx.Fail("gather dim spans more than the input", dhi - dlo, size);
    lo += dlo;
    hi += dhi;
  }
  if (lo < 0 || hi >= size)
    return ctx.Fail("gather reads outside the input", lo < 0 ? lo : hi, size);
  return Status::kOk;
}

void EvalStridedGather(const OpContext& ctx) {
  const reference::StridedGatherShape s = ShapeFrom(*ctx.op->options_as_StridedGatherOptions());
  reference::StridedGather(s, ElementSize(TypeOf(ctx.input(0))), ctx.input_data<uint8_t>(0),
                           ctx.output_data<uint8_t>(0));
}

}  // namespace mote::internal
