// Shapes and parameters shared by the sliding-window kernels over NHWC
// tensors: Conv2D, DepthwiseConv2D, AveragePool2D and MaxPool2D.
#ifndef MOTE_KERNELS_REFERENCE_WINDOW_H_
#define MOTE_KERNELS_REFERENCE_WINDOW_H_

#include <stdint.h>

#include <span>

namespace mote::reference {

// Output (b, oy, ox) reads input row oy * stride_h - pad_top + ky * dilation_h
// and column ox * stride_w - pad_left + kx * dilation_w for filter tap
// (ky, kx); taps outside the input are skipped (zero padding in the real
// domain). The loader guarantees every coordinate this produces fits in
// int32 (see kernels/ops/window_checks.h).
struct Window2D {
  int32_t batches;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t filter_h, filter_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;  // 1 for the pools
  int32_t pad_top, pad_left;
};

// Requantization of a kernel with per-output-channel int8 weights (TFLite's
// ConvPerChannel scheme): out = clamp(MQM(acc, multiplier[c], shift[c]) + output_offset).
struct PerChannelParams {
  int32_t input_offset;                 // -input zero point; 0 for int16
  int32_t output_offset;                // output zero point; 0 for int16
  std::span<const int32_t> multiplier;  // [out_c]
  std::span<const int8_t> shift;        // [out_c]
  int32_t activation_min;
  int32_t activation_max;
  // int8 Conv2D with groups == 1, may be null: per output channel, bias +
  // input_offset * (sum of the channel's weights), computed by modelc and
  // checked at load (Conv2DOptions.effective_bias). Kernels that fold the
  // input offset into the bias read it instead of summing the weights; the
  // reference ignores it.
  const int32_t* effective_bias = nullptr;
};

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_WINDOW_H_
