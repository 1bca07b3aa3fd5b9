#include "kernels/ops/window_checks.h"

namespace mote::internal {
namespace {

Status CheckAxis(const OpContext& ctx, int64_t in, int64_t filter, int64_t stride, int64_t dilation,
                 int64_t lead, int64_t out) {
  if (filter < 1 || stride < 1 || dilation < 1) {
    return ctx.Fail("filter size, stride and dilation must be positive", filter, stride);
  }
  if (lead < 0) return ctx.Fail("padding must not be negative", lead);
  const int64_t extent = (filter - 1) * dilation + 1;  // < 2^62: all factors < 2^31
  if (in + extent > INT32_MAX) return ctx.Fail("filter extent too large", extent, INT32_MAX);
  if (lead >= extent) return ctx.Fail("padding not smaller than the filter extent", lead, extent);
  const int64_t trail = (out - 1) * stride + extent - in - lead;
  if (trail >= extent || trail <= -stride) {
    // The largest and smallest output sizes this input, filter and lead allow.
    const int64_t max_out = (in - 1 + lead) / stride + 1;
    return ctx.Fail("output size inconsistent with input, filter, stride, dilation and padding",
                    out, max_out);
  }
  return Status::kOk;
}

}  // namespace

Status CheckWindow(const OpContext& ctx, const schema::Tensor& in, const schema::Tensor& out,
                   const WindowOptions& w) {
  const auto is = ShapeOf(in);
  const auto os = ShapeOf(out);
  if (is.size() != 4 || os.size() != 4) {
    return ctx.Fail("input and output must be NHWC (rank 4)", static_cast<int64_t>(is.size()),
                    static_cast<int64_t>(os.size()));
  }
  if (is[0] != os[0]) return ctx.Fail("input and output batch differ", is[0], os[0]);
  MOTE_TRY(CheckAxis(ctx, is[1], w.filter_h, w.stride_h, w.dilation_h, w.pad_top, os[1]));
  return CheckAxis(ctx, is[2], w.filter_w, w.stride_w, w.dilation_w, w.pad_left, os[2]);
}

reference::Window2D MakeWindow(const schema::Tensor& in, const schema::Tensor& out,
                               const WindowOptions& w) {
  const auto is = ShapeOf(in);
  const auto os = ShapeOf(out);
  return {.batches = is[0],
          .in_h = is[1],
          .in_w = is[2],
          .in_c = is[3],
          .out_h = os[1],
          .out_w = os[2],
          .out_c = os[3],
          .filter_h = w.filter_h,
          .filter_w = w.filter_w,
          .stride_h = w.stride_h,
          .stride_w = w.stride_w,
          .dilation_h = w.dilation_h,
          .dilation_w = w.dilation_w,
          .pad_top = w.pad_top,
          .pad_left = w.pad_left};
}

}  // namespace mote::internal
