#include "kernels/reference/depthwise_conv.h"

#include <stddef.h>

#include <type_traits>

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// Loop order is TFLite's: batch, out_y, out_x, in_c, m, filter_y, filter_x.
// finish(acc, oc) adds the bias and produces the output value.
template <typename Acc, typename T, typename W, typename Finish>
void DepthwiseLoop(const Window2D& w, int32_t depth_multiplier, int32_t input_offset,
                   const T* input, const W* filter, T* output, Finish finish) {
  for (int32_t b = 0; b < w.batches; ++b) {
    const T* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      for (int32_t ox = 0; ox < w.out_w; ++ox) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        T* out = output + ((static_cast<size_t>(b) * w.out_h + oy) * w.out_w + ox) * w.out_c;
        for (int32_t ic = 0; ic < w.in_c; ++ic) {
          for (int32_t m = 0; m < depth_multiplier; ++m) {
            const int32_t oc = ic * depth_multiplier + m;
            Acc acc = 0;
            for (int32_t ky = 0; ky < w.filter_h; ++ky) {
              const int32_t iy = y0 + ky * w.dilation_h;
              if (iy < 0 || iy >= w.in_h) continue;
              for (int32_t kx = 0; kx < w.filter_w; ++kx) {
                const int32_t ix = x0 + kx * w.dilation_w;
                if (ix < 0 || ix >= w.in_w) continue;
                const T x = image[(static_cast<size_t>(iy) * w.in_w + ix) * w.in_c + ic];
                const W f = filter[(static_cast<size_t>(ky) * w.filter_w + kx) * w.out_c + oc];
                if constexpr (std::is_floating_point_v<Acc>) {
                  acc += x * f;
                } else {
                  acc += static_cast<Acc>((static_cast<int32_t>(x) + input_offset) *
                                          static_cast<int32_t>(f));
                }
              }
            }
            out[oc] = finish(acc, oc);
          }
        }
      }
    }
  }
}

}  // namespace

void DepthwiseConv2DInt8(const Window2D& w, int32_t depth_multiplier,
                         const PerChannelParams& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output) {
  DepthwiseLoop<int32_t>(
      w, depth_multiplier, params.input_offset, input, filter, output,
      [&](int32_t acc, int32_t oc) {
        if (bias != nullptr) acc += bias[oc];
        const int32_t scaled =
            MultiplyByQuantizedMultiplier(acc, params.multiplier[oc], params.shift[oc]);
        return ClampTo<int8_t>(SaturateToInt32(int64_t{scaled} + params.output_offset),
                               params.activation_min, params.activation_max);
      });
}

void DepthwiseConv2DInt16(const Window2D& w, int32_t depth_multiplier,
                          const PerChannelParams& params, const int16_t* input,
                          const int8_t* filter, const int64_t* bias, int16_t* output) {
  DepthwiseLoop<int64_t>(
      w, depth_multiplier, 0, input, filter, output, [&](int64_t acc, int32_t oc) {
        if (bias != nullptr) acc += bias[oc];
        const int32_t scaled =
            MultiplyByQuantizedMultiplier64(acc, params.multiplier[oc], params.shift[oc]);
        return ClampTo<int16_t>(scaled, params.activation_min, params.activation_max);
      });
}

void DepthwiseConv2DFloat(const Window2D& w, int32_t depth_multiplier, float activation_min,
                          float activation_max, const float* input, const float* filter,
                          const float* bias, float* output) {
  DepthwiseLoop<float>(w, depth_multiplier, 0, input, filter, output, [&](float acc, int32_t oc) {
    if (bias != nullptr) acc += bias[oc];
    if (acc < activation_min) acc = activation_min;  // NaN stays NaN
    if (acc > activation_max) acc = activation_max;
    return acc;
  });
}

}  // namespace mote::reference
