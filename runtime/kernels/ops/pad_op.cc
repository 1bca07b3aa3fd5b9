// Pad (constant, reflect, edge or wrap): options.pads holds (before, after) per dimension.
#include "kernels/ops/ops.h"
#include "kernels/reference/pad.h"

namespace mote::internal {
namespace {

static_assert(static_cast<int>(reference::PadMode::kLast) ==
              static_cast<int>(schema::PadMode::MAX));

reference::PadShape ShapeFor(const OpContext& ctx) {
  const auto* pads = ctx.op->options_as_PadOptions()->pads();
  const auto in = ShapeOf(ctx.input(0));
  const auto out = ShapeOf(ctx.output(0));
  reference::PadShape s;
  s.rank = static_cast<int>(in.size());
  for (size_t d = 0; d < in.size(); ++d) {
    s.in_dims[d] = in[d];
    s.out_dims[d] = out[d];
    s.before[d] = pads->Get(static_cast<flatbuffers::uoffset_t>(2 * d));
  }
  return s;
}

}  // namespace

Status CheckPad(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_PadOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectActivationType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  MOTE_TRY(ExpectSameQuant(ctx, input, output));
  const auto in = ShapeOf(input);
  const auto out = ShapeOf(output);
  const auto* pads = opts->pads();
  const size_t want = 2 * in.size();
  if (out.size() != in.size() || (pads == nullptr ? 0 : pads->size()) != want) {
    return ctx.Fail("pad needs (before, after) for every dimension",
                    pads == nullptr ? 0 : static_cast<int64_t>(pads->size()),
                    static_cast<int64_t>(want));
  }
  for (size_t d = 0; d < in.size(); ++d) {
    const int32_t before = pads->Get(static_cast<flatbuffers::uoffset_t>(2 * d));
    const int32_t after = pads->Get(static_cast<flatbuffers::uoffset_t>(2 * d + 1));
    if (before < 0 || after < 0) return ctx.Fail("pads must not be negative", before, after);
    if (int64_t{in[d]} + before + after != out[d]) {
      return ctx.Fail("padded size differs from the output", int64_t{in[d]} + before + after,
                      out[d]);
    }
  }
  if (static_cast<int>(opts->mode()) > static_cast<int>(reference::PadMode::kLast)) {
    return ctx.Fail("unknown pad mode", static_cast<int64_t>(opts->mode()));
  }
  if (opts->mode() != schema::PadMode::Constant) {
    for (size_t d = 0; d < in.size(); ++d) {
      const int32_t before = pads->Get(static_cast<flatbuffers::uoffset_t>(2 * d));
      const int32_t after = pads->Get(static_cast<flatbuffers::uoffset_t>(2 * d + 1));
      const int32_t most = before > after ? before : after;
      // Reflect mirrors once (pads < dim); edge and wrap need an element to copy.
      const bool reflect = opts->mode() == schema::PadMode::Reflect;
      if (most > 0 && (reflect ? most >= in[d] : in[d] == 0)) {
        return ctx.Fail(reflect ? "reflect pads must be smaller than the dimension"
                                : "edge or wrap padding of an empty dimension",
                        most, in[d]);
      }
    }
  }
  const ElementType type = TypeOf(input);
  if (type != ElementType::kFloat32 &&
      (opts->value() < TypeMin(type) || opts->value() > TypeMax(type))) {
    return ctx.Fail("pad value outside the element type", opts->value());
  }
  return Status::kOk;
}

void EvalPad(const OpContext& ctx) {
  const reference::PadShape s = ShapeFor(ctx);
  const auto* opts = ctx.op->options_as_PadOptions();
  if (opts->mode() != schema::PadMode::Constant) {
    const auto mode = static_cast<reference::PadMode>(opts->mode());
    switch (TypeOf(ctx.input(0))) {
      case ElementType::kInt8:
        reference::PadMapped<int8_t>(s, mode, ctx.input_data<int8_t>(0),
                                     ctx.output_data<int8_t>(0));
        break;
      case ElementType::kInt16:
        reference::PadMapped<int16_t>(s, mode, ctx.input_data<int16_t>(0),
                                      ctx.output_data<int16_t>(0));
        break;
      default:
        reference::PadMapped<float>(s, mode, ctx.input_data<float>(0), ctx.output_data<float>(0));
        break;
    }
    return;
  }
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      reference::Pad<int8_t>(s, ctx.input_data<int8_t>(0), static_cast<int8_t>(opts->value()),
                             ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      reference::Pad<int16_t>(s, ctx.input_data<int16_t>(0), static_cast<int16_t>(opts->value()),
                              ctx.output_data<int16_t>(0));
      break;
    default:
      reference::Pad<float>(s, ctx.input_data<float>(0), opts->fvalue(), ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
