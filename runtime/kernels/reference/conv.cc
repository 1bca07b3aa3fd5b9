#include "kernels/reference/conv.h"

#include <stddef.h>

#include <type_traits>

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// Runs the convolution and hands each output channel's accumulator (bias not
// yet added) to finish(acc, oc). Loop order is TFLite's: batch, out_y, out_x,
// out_c, filter_y, filter_x, in_c; float sums therefore round identically
// on every target.
template <typename Acc, typename T, typename W, typename Finish>
void ConvLoop(const Window2D& w, int32_t groups, int32_t input_offset, const T* input,
              const W* filter, T* output, Finish finish) {
  const int32_t in_c_per_group = w.in_c / groups;
  const int32_t out_c_per_group = w.out_c / groups;
  const size_t filter_size = static_cast<size_t>(w.filter_h) * w.filter_w * in_c_per_group;
  // One group, no horizontal dilation: a filter row's taps are contiguous.
  const bool contiguous = groups == 1 && w.dilation_w == 1;
  T* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const T* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      for (int32_t ox = 0; ox < w.out_w; ++ox) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        for (int32_t oc = 0; oc < w.out_c; ++oc) {
          const T* group_in = image + static_cast<size_t>(oc / out_c_per_group) * in_c_per_group;
          const W* f = filter + static_cast<size_t>(oc) * filter_size;
          Acc acc = 0;
          for (int32_t ky = 0; ky < w.filter_h; ++ky) {
            const int32_t iy = y0 + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h) continue;
            if (contiguous) {
              // The row's in-bounds taps are one run of input and filter
              // values, in the same order (kx, then in_c) as below.
              const int32_t first = x0 < 0 ? -x0 : 0;
              const int32_t end = w.in_w - x0 < w.filter_w ? w.in_w - x0 : w.filter_w;
              if (end <= first) continue;
              const T* px = image + (static_cast<size_t>(iy) * w.in_w + x0 + first) * w.in_c;
              const W* fx = f + (static_cast<size_t>(ky) * w.filter_w + first) * w.in_c;
              const size_t n = static_cast<size_t>(end - first) * w.in_c;
              for (size_t i = 0; i < n; ++i) {
                if constexpr (std::is_floating_point_v<Acc>) {
                  acc += px[i] * fx[i];
                } else {
                  acc += static_cast<Acc>((static_cast<int32_t>(px[i]) + input_offset) *
                                          static_cast<int32_t>(fx[i]));
                }
              }
              continue;
            }
            for (int32_t kx = 0; kx < w.filter_w; ++kx) {
              const int32_t ix = x0 + kx * w.dilation_w;
              if (ix < 0 || ix >= w.in_w) continue;
              const T* px = group_in + (static_cast<size_t>(iy) * w.in_w + ix) * w.in_c;
              const W* fx = f + (static_cast<size_t>(ky) * w.filter_w + kx) * in_c_per_group;
              for (int32_t ic = 0; ic < in_c_per_group; ++ic) {
                if constexpr (std::is_floating_point_v<Acc>) {
                  acc += px[ic] * fx[ic];
                } else {
                  acc += static_cast<Acc>((static_cast<int32_t>(px[ic]) + input_offset) *
                                          static_cast<int32_t>(fx[ic]));
                }
              }
            }
          }
          *out++ = finish(acc, oc);
        }
      }
    }
  }
}

}  // namespace

void Conv2DInt8(const Window2D& w, int32_t groups, const PerChannelParams& params,
                const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output,
                std::span<uint8_t> /*scratch*/) {
  ConvLoop<int32_t>(
      w, groups, params.input_offset, input, filter, output, [&](int32_t acc, int32_t oc) {
        if (bias != nullptr) acc += bias[oc];
        const int32_t scaled =
            MultiplyByQuantizedMultiplier(acc, params.multiplier[oc], params.shift[oc]);
        // Saturated so that an extreme multiplier cannot overflow.
        return ClampTo<int8_t>(SaturateToInt32(int64_t{scaled} + params.output_offset),
                               params.activation_min, params.activation_max);
      });
}

void Conv2DInt16(const Window2D& w, int32_t groups, const PerChannelParams& params,
                 const int16_t* input, const int8_t* filter, const int64_t* bias, int16_t* output,
                 std::span<uint8_t> /*scratch*/) {
  ConvLoop<int64_t>(w, groups, 0, input, filter, output, [&](int64_t acc, int32_t oc) {
    if (bias != nullptr) acc += bias[oc];
    const int32_t scaled =
        MultiplyByQuantizedMultiplier64(acc, params.multiplier[oc], params.shift[oc]);
    return ClampTo<int16_t>(scaled, params.activation_min, params.activation_max);
  });
}

void Conv2DFloat(const Window2D& w, int32_t groups, float activation_min, float activation_max,
                 const float* input, const float* filter, const float* bias, float* output) {
  ConvLoop<float>(w, groups, 0, input, filter, output, [&](float acc, int32_t oc) {
    if (bias != nullptr) acc += bias[oc];
    // Written so that NaN passes through unchanged.
    if (acc < activation_min) acc = activation_min;
    if (acc > activation_max) acc = activation_max;
    return acc;
  });
}

}  // namespace mote::reference
