// 2-D convolution over NHWC with grouped channels.
//
// Filter layout [out_c, filter_h, filter_w, in_c / groups]; output channel oc
// belongs to group oc / (out_c / groups) and reads that group's input
// channels. Bias (may be null) is [out_c]. Quantized variants are TFLite's
// reference ConvPerChannel (int8: int32 accumulator of (in + input_offset) * w)
// and its 16x8 variant (int16 activations, int64 accumulator, no offsets),
// bit for bit; the loader bounds the accumulators so they cannot overflow.
#ifndef MOTE_KERNELS_REFERENCE_CONV_H_
#define MOTE_KERNELS_REFERENCE_CONV_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::reference {

// `scratch`: the op's arena scratch (kernels/scratch.h), which the target
// variants use for im2col buffers; the reference ignores it.

void Conv2DInt8(const Window2D& w, int32_t groups, const PerChannelParams& params,
                const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output,
                std::span<uint8_t> scratch);

void Conv2DInt16(const Window2D& w, int32_t groups, const PerChannelParams& params,
                 const int16_t* input, const int8_t* filter, const int64_t* bias, int16_t* output,
                 std::span<uint8_t> scratch);

void Conv2DFloat(const Window2D& w, int32_t groups, float activation_min, float activation_max,
                 const float* input, const float* filter, const float* bias, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_CONV_H_
