// Resize: input NHWC -> output NHWC of the same batch and channels, by the
// source coordinate tables of ResizeOptions (checked here once, O(out_h +
// out_w), so the kernels read them unchecked).
#include "kernels/ops/ops.h"
#include "kernels/reference/resize.h"

namespace mote::internal {
namespace {

// Every index in [0, size) and `per_output` of them per output coordinate.
Status CheckIndices(const OpContext& ctx, const flatbuffers::Vector<int32_t>* index,
                    int32_t outputs, int32_t per_output, int32_t size) {
  const int64_t want = int64_t{outputs} * per_output;
  if (index == nullptr || static_cast<int64_t>(index->size()) != want) {
    return ctx.Fail("resize needs source indices for every output row and column",
                    index == nullptr ? -1 : static_cast<int64_t>(index->size()), want);
  }
  for (int32_t i : *index) {
    if (i < 0 || i >= size) return ctx.Fail("resize source index outside the input", i, size);
  }
  return Status::kOk;
}

Status CheckFractions(const OpContext& ctx, const flatbuffers::Vector<uint16_t>* fraction,
                      int32_t outputs) {
  if (fraction == nullptr || static_cast<int64_t>(fraction->size()) != outputs) {
    return ctx.Fail("linear resize needs one Q15 weight per output row and column",
                    fraction == nullptr ? -1 : static_cast<int64_t>(fraction->size()), outputs);
  }
  for (uint16_t f : *fraction) {
    if (f > reference::kResizeOne) {
      return ctx.Fail("resize weight above one", f, reference::kResizeOne);
    }
  }
  return Status::kOk;
}

Status CheckWeights(const OpContext& ctx, const flatbuffers::Vector<float>* weight,
                    int32_t outputs) {
  if (weight == nullptr || static_cast<int64_t>(weight->size()) != outputs) {
    return ctx.Fail("linear resize needs one weight per output row and column",
                    weight == nullptr ? -1 : static_cast<int64_t>(weight->size()), outputs);
  }
  for (float f : *weight) {
    if (!(f >= 0.0f && f <= 1.0f)) return ctx.Fail("resize weight outside [0, 1]");
  }
  return Status::kOk;
}

reference::ResizeShape ShapeOfResize(const OpContext& ctx) {
  const auto in = ShapeOf(ctx.input(0));
  const auto out = ShapeOf(ctx.output(0));
  return {in[0], in[1], in[2], out[1], out[2], in[3]};
}

template <typename T>
std::span<const T> Span(const flatbuffers::Vector<T>* v) {
  return {v->data(), v->size()};
}

}  // namespace

Status CheckResize(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_ResizeOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectKernelType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  MOTE_TRY(ExpectSameQuant(ctx, input, output));
  const auto in = ShapeOf(input);
  const auto out = ShapeOf(output);
  if (in.size() != 4 || out.size() != 4) {
    return ctx.Fail("input and output must be NHWC (rank 4)", static_cast<int64_t>(in.size()),
                    static_cast<int64_t>(out.size()));
  }
  if (in[0] != out[0] || in[3] != out[3]) {
    return ctx.Fail("resize keeps batch and channels", in[3], out[3]);
  }
  if (opts->mode() == schema::ResizeMode::Nearest) {
    MOTE_TRY(CheckIndices(ctx, opts->y_index(), out[1], 1, in[1]));
    return CheckIndices(ctx, opts->x_index(), out[2], 1, in[2]);
  }
  if (opts->mode() != schema::ResizeMode::Linear) {
    return ctx.Fail("unknown resize mode", static_cast<int64_t>(opts->mode()));
  }
  MOTE_TRY(CheckIndices(ctx, opts->y_index(), out[1], 2, in[1]));
  MOTE_TRY(CheckIndices(ctx, opts->x_index(), out[2], 2, in[2]));
  if (TypeOf(input) == ElementType::kFloat32) {
    MOTE_TRY(CheckWeights(ctx, opts->y_weight(), out[1]));
    return CheckWeights(ctx, opts->x_weight(), out[2]);
  }
  MOTE_TRY(CheckFractions(ctx, opts->y_fraction(), out[1]));
  return CheckFractions(ctx, opts->x_fraction(), out[2]);
}

void EvalResize(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_ResizeOptions();
  const reference::ResizeShape s = ShapeOfResize(ctx);
  const ElementType type = TypeOf(ctx.input(0));
  const auto y_index = Span(opts->y_index());
  const auto x_index = Span(opts->x_index());
  if (opts->mode() == schema::ResizeMode::Nearest) {
    reference::ResizeNearest(s, ElementSize(type), y_index, x_index, ctx.input_data<uint8_t>(0),
                             ctx.output_data<uint8_t>(0));
    return;
  }
  if (kFloat32Kernels && type == ElementType::kFloat32) {
    reference::ResizeLinearFloat(s, y_index, x_index, Span(opts->y_weight()),
                                 Span(opts->x_weight()), ctx.input_data<float>(0),
                                 ctx.output_data<float>(0));
  } else if (kInt8Kernels && type == ElementType::kInt8) {
    reference::ResizeLinearInt8(s, y_index, x_index, Span(opts->y_fraction()),
                                Span(opts->x_fraction()), ctx.input_data<int8_t>(0),
                                ctx.output_data<int8_t>(0));
  } else if (kInt16Kernels && type == ElementType::kInt16) {
    reference::ResizeLinearInt16(s, y_index, x_index, Span(opts->y_fraction()),
                                 Span(opts->x_fraction()), ctx.input_data<int16_t>(0),
                                 ctx.output_data<int16_t>(0));
  }
}

}  // namespace mote::internal
