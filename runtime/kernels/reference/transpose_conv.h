// 2-D transposed convolution (ONNX ConvTranspose) over NHWC with grouped
// channels, in gather form: each output sums the input taps that reach it.
//
// Window2D fields keep their names with the roles reversed: input row iy and
// filter row ky feed output row oy = iy * stride_h + ky * dilation_h - pad_top
// (columns alike). Filter layout [out_c, filter_h, filter_w, in_c / groups];
// output channel oc belongs to group oc / (out_c / groups). Bias (may be null)
// is [out_c]. Accumulation and requantization are Conv2D's
// (kernels/reference/conv.h); the loader bounds the accumulators.
//
// Cost is data independent: per output pixel and channel, filter_h *
// filter_w tap tests plus in_c / groups products per tap that reaches it.
// Whether a tap reaches an output is found by stepping quotient and
// remainder of (oy + pad_top - ky * dilation_h) / stride_h, so the loops do
// no division.
#ifndef MOTE_KERNELS_REFERENCE_TRANSPOSE_CONV_H_
#define MOTE_KERNELS_REFERENCE_TRANSPOSE_CONV_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::reference {

void TransposeConv2DInt8(const Window2D& w, int32_t groups, const PerChannelParams& params,
                         const int8_t* input, const int8_t* filter, const int32_t* bias,
                         int8_t* output);

void TransposeConv2DInt16(const Window2D& w, int32_t groups, const PerChannelParams& params,
                          const int16_t* input, const int8_t* filter, const int64_t* bias,
                          int16_t* output);

void TransposeConv2DFloat(const Window2D& w, int32_t groups, float activation_min,
                          float activation_max, const float* input, const float* filter,
                          const float* bias, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_TRANSPOSE_CONV_H_
