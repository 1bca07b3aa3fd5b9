#include "kernels/reference/transpose_conv.h"

#include <stddef.h>

#include <type_traits>

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// value = quotient * divisor + remainder, 0 <= remainder < divisor, stepped
// without dividing.
struct DivMod {
  int32_t quotient;
  int32_t remainder;
};

// One axis: the step of the output coordinate (+1) and of the filter tap
// (-dilation) in quotient / remainder form.
struct Axis {
  int32_t stride;
  int32_t tap_quotient;   // dilation / stride
  int32_t tap_remainder;  // dilation % stride
  int32_t size;           // input size along the axis
};

Axis MakeAxis(int32_t stride, int32_t dilation, int32_t size) {
  return {stride, dilation / stride, dilation % stride, size};
}

inline void NextOutput(const Axis& a, DivMod& d) {
  if (++d.remainder == a.stride) {
    d.remainder = 0;
    ++d.quotient;
  }
}

inline void NextTap(const Axis& a, DivMod& d) {
  d.quotient -= a.tap_quotient;
  d.remainder -= a.tap_remainder;
  if (d.remainder < 0) {
    d.remainder += a.stride;
    --d.quotient;
  }
}

// The tap reads input row `quotient` when it lands on a stride multiple inside the input.
inline bool Reaches(const Axis& a, const DivMod& d) {
  return d.remainder == 0 && d.quotient >= 0 && d.quotient < a.size;
}

// Runs the transposed convolution and hands each output channel's
// accumulator (bias not yet added) to finish(acc, oc). Loop order: batch,
// out_y, out_x, out_c, filter_y, filter_x, in_c (fixed, so float sums round
// alike on every target).
template <typename Acc, typename T, typename W, typename Finish>
void TransposeConvLoop(const Window2D& w, int32_t groups, int32_t input_offset, const T* input,
                       const W* filter, T* output, Finish finish) {
  const int32_t in_c_per_group = w.in_c / groups;
  const int32_t out_c_per_group = w.out_c / groups;
  const size_t filter_size = static_cast<size_t>(w.filter_h) * w.filter_w * in_c_per_group;
  const Axis ay = MakeAxis(w.stride_h, w.dilation_h, w.in_h);
  const Axis ax = MakeAxis(w.stride_w, w.dilation_w, w.in_w);
  // Divisions once per call: the starting position of each axis.
  const DivMod y_start = {w.pad_top / w.stride_h, w.pad_top % w.stride_h};
  const DivMod x_start = {w.pad_left / w.stride_w, w.pad_left % w.stride_w};
  T* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const T* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    DivMod y = y_start;
    for (int32_t oy = 0; oy < w.out_h; ++oy, NextOutput(ay, y)) {
      DivMod x = x_start;
      for (int32_t ox = 0; ox < w.out_w; ++ox, NextOutput(ax, x)) {
        for (int32_t oc = 0; oc < w.out_c; ++oc) {
          const T* group_in = image + static_cast<size_t>(oc / out_c_per_group) * in_c_per_group;
          const W* f = filter + static_cast<size_t>(oc) * filter_size;
          Acc acc = 0;
          DivMod ty = y;
          for (int32_t ky = 0; ky < w.filter_h; ++ky, NextTap(ay, ty)) {
            if (!Reaches(ay, ty)) continue;
            DivMod tx = x;
            for (int32_t kx = 0; kx < w.filter_w; ++kx, NextTap(ax, tx)) {
              if (!Reaches(ax, tx)) continue;
              const T* px =
                  group_in + (static_cast<size_t>(ty.quotient) * w.in_w + tx.quotient) * w.in_c;
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

void TransposeConv2DInt8(const Window2D& w, int32_t groups, const PerChannelParams& params,
                         const int8_t* input, const int8_t* filter, const int32_t* bias,
                         int8_t* output) {
  TransposeConvLoop<int32_t>(
      w, groups, params.input_offset, input, filter, output, [&](int32_t acc, int32_t oc) {
        if (bias != nullptr) acc += bias[oc];
        const int32_t scaled =
            MultiplyByQuantizedMultiplier(acc, params.multiplier[oc], params.shift[oc]);
        return ClampTo<int8_t>(SaturateToInt32(int64_t{scaled} + params.output_offset),
                               params.activation_min, params.activation_max);
      });
}

void TransposeConv2DInt16(const Window2D& w, int32_t groups, const PerChannelParams& params,
                          const int16_t* input, const int8_t* filter, const int64_t* bias,
                          int16_t* output) {
  TransposeConvLoop<int64_t>(w, groups, 0, input, filter, output, [&](int64_t acc, int32_t oc) {
    if (bias != nullptr) acc += bias[oc];
    const int32_t scaled =
        MultiplyByQuantizedMultiplier64(acc, params.multiplier[oc], params.shift[oc]);
    return ClampTo<int16_t>(scaled, params.activation_min, params.activation_max);
  });
}

void TransposeConv2DFloat(const Window2D& w, int32_t groups, float activation_min,
                          float activation_max, const float* input, const float* filter,
                          const float* bias, float* output) {
  TransposeConvLoop<float>(w, groups, 0, input, filter, output, [&](float acc, int32_t oc) {
    if (bias != nullptr) acc += bias[oc];
    // Written so that NaN passes through unchanged.
    if (acc < activation_min) acc = activation_min;
    if (acc > activation_max) acc = activation_max;
    return acc;
  });
}

}  // namespace mote::reference
