// Depthwise 2-D convolution over NHWC.
//
// Filter layout [1, filter_h, filter_w, out_c] with out_c = in_c *
// depth_multiplier; output channel oc = ic * depth_multiplier + m reads input
// channel ic only. Bias (may be null) is [out_c]. Quantized variants are
// TFLite's reference DepthwiseConvPerChannel (int8, int32 accumulator) and its
// 16x8 variant (int64 accumulator), bit for bit.
#ifndef MOTE_KERNELS_REFERENCE_DEPTHWISE_CONV_H_
#define MOTE_KERNELS_REFERENCE_DEPTHWISE_CONV_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::reference {

void DepthwiseConv2DInt8(const Window2D& w, int32_t depth_multiplier,
                         const PerChannelParams& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output);

void DepthwiseConv2DInt16(const Window2D& w, int32_t depth_multiplier,
                          const PerChannelParams& params, const int16_t* input,
                          const int8_t* filter, const int64_t* bias, int16_t* output);

void DepthwiseConv2DFloat(const Window2D& w, int32_t depth_multiplier, float activation_min,
                          float activation_max, const float* input, const float* filter,
                          const float* bias, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_DEPTHWISE_CONV_H_
