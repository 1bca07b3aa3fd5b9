// Gather / GatherElements with a run-time index tensor
// (kernels/reference/gather.h). The loader checks the shapes; the indices
// are data, so the kernel checks each before use and an index out of range
// makes Invoke return kInvalidArgument naming this op and the index.
#include "kernels/ops/ops.h"
#include "kernels/reference/gather.h"

namespace mote::internal {
namespace {

bool IndexType(ElementType t) { return t == ElementType::kInt32 || t == ElementType::kInt64; }

Status CheckGatherShape(const OpContext& ctx, size_t axis) {
  const auto data = ShapeOf(ctx.input(0));
  const auto idx = ShapeOf(ctx.input(1));
  const auto out = ShapeOf(ctx.output(0));
  if (out.size() != data.size() - 1 + idx.size()) {
    return ctx.Fail("gather output rank differs", static_cast<int64_t>(out.size()),
                    static_cast<int64_t>(data.size() - 1 + idx.size()));
  }
  for (size_t d = 0; d < out.size(); ++d) {
    const int32_t want = d < axis                ? data[d]
                         : d < axis + idx.size() ? idx[d - axis]
                                                 : data[d - idx.size() + 1];
    if (out[d] != want) return ctx.Fail("gather output shape differs", out[d], want);
  }
  return Status::kOk;
}

Status CheckGatherElementsShape(const OpContext& ctx, size_t axis) {
  const auto data = ShapeOf(ctx.input(0));
  const auto idx = ShapeOf(ctx.input(1));
  const auto out = ShapeOf(ctx.output(0));
  if (idx.size() != data.size() || out.size() != idx.size()) {
    return ctx.Fail("gather elements: indices, data and output must have one rank");
  }
  for (size_t d = 0; d < idx.size(); ++d) {
    if (out[d] != idx[d]) return ctx.Fail("gather elements output shape differs", out[d], idx[d]);
    // Off the axis an index position addresses the data directly.
    if (d != axis && idx[d] > data[d])
      return ctx.Fail("gather elements indices exceed the data", idx[d], data[d]);
  }
  return Status::kOk;
}

template <typename I>
void Run(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_GatherOptions();
  const size_t axis = static_cast<size_t>(o->axis());
  const auto data = ShapeOf(ctx.input(0));
  const size_t bytes = ElementSize(TypeOf(ctx.input(0)));
  const uint8_t* in = ctx.Data(ctx.input(0));
  const I* indices = ctx.input_data<I>(1);
  uint8_t* out = ctx.output_data<uint8_t>(0);
  int64_t bad = 0;
  size_t at = 0;
  bool ok = true;
  if (o->elements()) {
    reference::GatherElementsShape s;
    s.rank = static_cast<int>(data.size());
    s.axis = static_cast<int>(axis);
    const auto idx = ShapeOf(ctx.input(1));
    for (size_t d = 0; d < data.size(); ++d) {
      s.data[d] = data[d];
      s.out[d] = idx[d];
    }
    s.element_bytes = bytes;
    ok = reference::GatherElements<I>(s, in, indices, out, &bad, &at);
  } else {
    reference::GatherShape s;
    s.outer = 1;
    s.inner = 1;
    for (size_t d = 0; d < data.size(); ++d) {
      if (d < axis) s.outer *= static_cast<size_t>(data[d]);
      if (d > axis) s.inner *= static_cast<size_t>(data[d]);
    }
    s.dim = static_cast<size_t>(data[axis]);
    s.count = NumElements(ctx.input(1));
    s.element_bytes = bytes;
    ok = reference::Gather<I>(s, in, indices, out, &bad, &at);
  }
  if (!ok)
    ctx.FailRun("gather index out of range (value: the index, limit: the axis size)", bad,
                data[axis]);
}

}  // namespace

Status CheckGather(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 2, 1));
  const auto* o = ctx.op->options_as_GatherOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& data = ctx.input(0);
  if (TypeOf(data) != ElementType::kInt32) MOTE_TRY(ExpectKernelType(ctx, data));
  MOTE_TRY(ExpectSameType(ctx, data, ctx.output(0)));
  MOTE_TRY(ExpectSameQuant(ctx, data, ctx.output(0)));
  if (!IndexType(TypeOf(ctx.input(1)))) {
    return ctx.Fail("gather indices must be int32 or int64",
                    static_cast<int64_t>(TypeOf(ctx.input(1))));
  }
  const auto dims = ShapeOf(data);
  if (o->axis() < 0 || static_cast<size_t>(o->axis()) >= dims.size()) {
    return ctx.Fail("gather axis out of range", o->axis(), static_cast<int64_t>(dims.size()));
  }
  const size_t axis = static_cast<size_t>(o->axis());
  return o->elements() ? CheckGatherElementsShape(ctx, axis) : CheckGatherShape(ctx, axis);
}

void EvalGather(const OpContext& ctx) {
  if (TypeOf(ctx.input(1)) == ElementType::kInt32) {
    Run<int32_t>(ctx);
  } else {
    Run<int64_t>(ctx);
  }
}

}  // namespace mote::internal
