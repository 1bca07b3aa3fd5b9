// Fifo: input X [outer..., hop, inner...] -> persistent window W [outer...,
// L, inner...] (mote.fbs FifoOptions). The window is the op's state: it keeps
// its rows between invokes and is zeroed only by Interpreter::Create and
// ResetState().
#include "kernels/ops/ops.h"
#include "kernels/reference/fifo.h"

namespace mote::internal {
namespace {

struct FifoGeometry {
  size_t outer, length, hop, row_bytes;
};

// Shapes checked by CheckFifo: equal rank, equal but for `axis`.
FifoGeometry GeometryOf(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_FifoOptions();
  const auto in = ShapeOf(ctx.input(0));
  const auto out = ShapeOf(ctx.output(0));
  const size_t axis = static_cast<size_t>(opts->axis());
  FifoGeometry g = {1, static_cast<size_t>(out[axis]), static_cast<size_t>(in[axis]),
                    ElementSize(TypeOf(ctx.input(0)))};
  for (size_t k = 0; k < axis; ++k) g.outer *= static_cast<size_t>(out[k]);
  for (size_t k = axis + 1; k < out.size(); ++k) g.row_bytes *= static_cast<size_t>(out[k]);
  return g;
}

}  // namespace

Status CheckFifo(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_FifoOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& in = ctx.input(0);
  const schema::Tensor& out = ctx.output(0);
  const ElementType type = TypeOf(in);
  if (type != ElementType::kInt32) MOTE_TRY(ExpectActivationType(ctx, in));
  MOTE_TRY(ExpectSameType(ctx, in, out));
  MOTE_TRY(ExpectSameQuant(ctx, in, out));
  if (IsConstant(in) || ctx.input_index(0) == ctx.output_index(0)) {
    return ctx.Fail("fifo input must be a computed tensor other than the window");
  }
  if (!out.persistent()) return ctx.Fail("fifo window must be a persistent tensor");
  const auto is = ShapeOf(in), os = ShapeOf(out);
  const int32_t axis = opts->axis();
  if (is.size() != os.size() || axis < 0 || static_cast<size_t>(axis) >= os.size()) {
    return ctx.Fail("fifo axis outside the window's rank", axis, static_cast<int64_t>(os.size()));
  }
  for (size_t k = 0; k < os.size(); ++k) {
    if (k != static_cast<size_t>(axis) && is[k] != os[k]) {
      return ctx.Fail("fifo input and window differ off the axis", is[k], os[k]);
    }
  }
  if (opts->hop() != is[axis] || opts->hop() < 1 || opts->hop() > os[axis]) {
    return ctx.Fail("fifo hop must be the input's length, in [1, window length]", opts->hop(),
                    os[axis]);
  }
  return Status::kOk;
}

void EvalFifo(const OpContext& ctx) {
  const FifoGeometry g = GeometryOf(ctx);
  reference::Fifo(ctx.output_data<uint8_t>(0), ctx.input_data<uint8_t>(0), g.outer, g.length, g.hop,
                  g.row_bytes);
}

}  // namespace mote::internal
