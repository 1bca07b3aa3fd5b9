// Concat along one axis; quantized inputs are requantized to the output's
// parameters unless their multiplier is 0 (same parameters: a copy).
#include "kernels/ops/ops.h"
#include "kernels/reference/concat.h"

namespace mote::internal {
namespace {

// Product of dims [begin, end).
size_t Product(std::span<const int32_t> dims, size_t begin, size_t end) {
  size_t n = 1;
  for (size_t d = begin; d < end; ++d) n *= static_cast<size_t>(dims[d]);
  return n;
}

}  // namespace

Status CheckConcat(const OpContext& ctx) {
  const size_t n = ctx.num_inputs();
  MOTE_TRY(ExpectCounts(ctx, n > 0 ? n : 1, n > 0 ? n : 1, 1));
  const auto* opts = ctx.op->options_as_ConcatOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectActivationType(ctx, output));
  const auto out = ShapeOf(output);
  const int32_t axis = opts->axis();
  if (axis < 0 || static_cast<size_t>(axis) >= out.size()) {
    return ctx.Fail("concat axis out of range", axis, static_cast<int64_t>(out.size()));
  }
  const bool quantized = TypeOf(output) != ElementType::kFloat32;
  const auto* m = opts->input_multiplier();
  const auto* s = opts->input_shift();
  if (quantized && (m == nullptr || s == nullptr || m->size() != n || s->size() != n)) {
    return ctx.Fail("need one multiplier and shift per input", static_cast<int64_t>(n));
  }
  int64_t axis_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const schema::Tensor& input = ctx.input(i);
    MOTE_TRY(ExpectSameType(ctx, input, output));
    const auto in = ShapeOf(input);
    if (in.size() != out.size()) {
      return ctx.Fail("concat inputs must have the output's rank", static_cast<int64_t>(i));
    }
    for (size_t d = 0; d < out.size(); ++d) {
      if (d != static_cast<size_t>(axis) && in[d] != out[d]) {
        return ctx.Fail("concat input shape differs off the axis", in[d], out[d]);
      }
    }
    axis_sum += in[axis];
    if (!quantized) continue;
    const auto k = static_cast<flatbuffers::uoffset_t>(i);
    if (m->Get(k) == 0) {
      MOTE_TRY(ExpectSameQuant(ctx, input, output));
    } else if (!ValidMultiplier(m->Get(k), s->Get(k), -31, 30)) {
      return ctx.Fail("concat multiplier or shift out of range", s->Get(k));
    }
  }
  if (axis_sum != out[axis]) return ctx.Fail("concat sizes do not add up", axis_sum, out[axis]);
  return Status::kOk;
}

void EvalConcat(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_ConcatOptions();
  const schema::Tensor& output = ctx.output(0);
  const auto out = ShapeOf(output);
  const size_t axis = static_cast<size_t>(opts->axis());
  const size_t after = Product(out, axis + 1, out.size());
  const ElementType type = TypeOf(output);
  reference::ConcatSlice slice = {Product(out, 0, axis), 0, static_cast<size_t>(out[axis]) * after,
                                  0};
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const schema::Tensor& input = ctx.input(i);
    slice.inner = static_cast<size_t>(ShapeOf(input)[axis]) * after;
    const auto k = static_cast<flatbuffers::uoffset_t>(i);
    const int32_t multiplier = type == ElementType::kFloat32 ? 0 : opts->input_multiplier()->Get(k);
    if (multiplier == 0) {
      reference::ConcatCopy(slice, ElementSize(type), ctx.Data(input), ctx.output_data<uint8_t>(0));
    } else {
      const reference::ConcatRequant r = {ZeroPointOf(input), multiplier,
                                          opts->input_shift()->Get(k), ZeroPointOf(output)};
      if (type == ElementType::kInt8) {
        reference::ConcatRequantizeInt8(slice, r, ctx.input_data<int8_t>(i),
                                        ctx.output_data<int8_t>(0));
      } else {
        reference::ConcatRequantizeInt16(slice, r, ctx.input_data<int16_t>(i),
                                         ctx.output_data<int16_t>(0));
      }
    }
    slice.offset += slice.inner;
  }
}

}  // namespace mote::internal
