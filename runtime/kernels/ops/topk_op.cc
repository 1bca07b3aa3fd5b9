// TopK: sorted k largest or smallest along one axis, values and Int64
// indices (kernels/reference/topk.h).
#include "kernels/ops/ops.h"
#include "kernels/reference/topk.h"

namespace mote::internal {
namespace {

reference::TopKShape ShapeFor(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_TopKOptions();
  const auto dims = ShapeOf(ctx.input(0));
  const size_t axis = static_cast<size_t>(o->axis());
  reference::TopKShape s;
  s.outer = 1;
  s.inner = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (d < axis) s.outer *= static_cast<size_t>(dims[d]);
    if (d > axis) s.inner *= static_cast<size_t>(dims[d]);
  }
  s.length = static_cast<size_t>(dims[axis]);
  s.k = static_cast<size_t>(o->k());
  s.largest = o->largest();
  s.ties_to_last = o->ties_to_last();
  return s;
}

}  // namespace

Status CheckTopK(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 2));
  const auto* o = ctx.op->options_as_TopKOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& in = ctx.input(0);
  MOTE_TRY(ExpectKernelType(ctx, in));
  MOTE_TRY(ExpectSameType(ctx, in, ctx.output(0)));
  MOTE_TRY(ExpectSameQuant(ctx, in, ctx.output(0)));
  if (TypeOf(ctx.output(1)) != ElementType::kInt64) return ctx.Fail("topk indices must be int64");
  const auto dims = ShapeOf(in);
  if (o->axis() < 0 || static_cast<size_t>(o->axis()) >= dims.size()) {
    return ctx.Fail("topk axis out of range", o->axis(), static_cast<int64_t>(dims.size()));
  }
  const size_t axis = static_cast<size_t>(o->axis());
  if (o->k() < 0 || o->k() > dims[axis]) return ctx.Fail("topk k out of range", o->k(), dims[axis]);
  for (size_t k = 0; k < 2; ++k) {
    const auto out = ShapeOf(ctx.output(k));
    if (out.size() != dims.size()) return ctx.Fail("topk output rank differs from the input");
    for (size_t d = 0; d < dims.size(); ++d) {
      if (out[d] != (d == axis ? o->k() : dims[d])) {
        return ctx.Fail("topk output shape differs", out[d], d == axis ? o->k() : dims[d]);
      }
    }
  }
  return Status::kOk;
}

void EvalTopK(const OpContext& ctx) {
  const reference::TopKShape s = ShapeFor(ctx);
  int64_t* indices = ctx.output_data<int64_t>(1);
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      reference::TopK<int8_t>(s, ctx.input_data<int8_t>(0), ctx.output_data<int8_t>(0), indices);
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::TopK<int16_t>(s, ctx.input_data<int16_t>(0), ctx.output_data<int16_t>(0), indices);
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::TopK<float>(s, ctx.input_data<float>(0), ctx.output_data<float>(0), indices);
      break;
  }
}

}  // namespace mote::internal
