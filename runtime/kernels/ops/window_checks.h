// Load-time checks and parameter binding shared by the sliding-window ops
// (Conv2D, DepthwiseConv2D, AveragePool2D, MaxPool2D).
#ifndef MOTE_KERNELS_OPS_WINDOW_CHECKS_H_
#define MOTE_KERNELS_OPS_WINDOW_CHECKS_H_

#include <stdint.h>

#include "kernels/reference/window.h"
#include "src/op_context.h"

namespace mote::internal {

// The window as the options tables give it.
struct WindowOptions {
  int32_t filter_h, filter_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
};

// The window of a Conv2D / DepthwiseConv2D / Pool2D options table (pools have
// no dilation) with the filter size the caller reads from weights or options.
template <typename Options>
WindowOptions WindowFromOptions(const Options& o, int32_t filter_h, int32_t filter_w) {
  WindowOptions w = {filter_h, filter_w, o.stride_h(), o.stride_w(), 1, 1, o.pad_top(), o.pad_left()};
  if constexpr (requires { o.dilation_h(); }) {
    w.dilation_h = o.dilation_h();
    w.dilation_w = o.dilation_w();
  }
  return w;
}

// `in` and `out` are NHWC with the same batch, and along H and W the output
// size agrees with input size, filter, stride, dilation and leading padding.
// The schema stores no trailing padding, so it is derived from the output
// size: trailing = (out - 1) * stride + extent - in - lead, extent =
// (filter - 1) * dilation + 1. Both pads must be below the extent (each
// window reaches the input), and a negative trailing pad must drop fewer than
// `stride` rows (else the output would have another row). This also bounds
// every coordinate the kernels compute to int32.
Status CheckWindow(const OpContext& ctx, const schema::Tensor& in, const schema::Tensor& out,
                   const WindowOptions& w);

// Shapes of a checked window op, for the kernels. `out_c` is the output's.
reference::Window2D MakeWindow(const schema::Tensor& in, const schema::Tensor& out,
                               const WindowOptions& w);

}  // namespace mote::internal

#endif  // MOTE_KERNELS_OPS_WINDOW_CHECKS_H_
