#include "kernels/reference/mul.h"

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

template <typename T>
T MulElement(const QuantizedMulParams& p, T x1, T x2) {
  const int32_t v1 = static_cast<int32_t>(x1) + p.input1_offset;
  const int32_t v2 = static_cast<int32_t>(x2) + p.input2_offset;
  const int32_t raw = MultiplyByQuantizedMultiplier(v1 * v2, p.output_multiplier, p.output_shift);
  return ClampTo<T>(SaturateToInt32(int64_t{raw} + p.output_offset), p.activation_min,
                    p.activation_max);
}

template <typename T>
void MulQuantized(const Broadcast& b, const QuantizedMulParams& p, const T* in1, const T* in2,
                  T* out) {
  ForEachRun(b, [&](size_t o, size_t i1, size_t i2, size_t n, size_t step1, size_t step2) {
    const T* a = in1 + i1;
    const T* c = in2 + i2;
    T* y = out + o;
    for (size_t k = 0; k < n; ++k, a += step1, c += step2) y[k] = MulElement(p, *a, *c);
  });
}

}  // namespace

void MulInt8(const Broadcast& b, const QuantizedMulParams& p, const int8_t* in1, const int8_t* in2,
             int8_t* out) {
  MulQuantized(b, p, in1, in2, out);
}

void MulInt16(const Broadcast& b, const QuantizedMulParams& p, const int16_t* in1,
              const int16_t* in2, int16_t* out) {
  MulQuantized(b, p, in1, in2, out);
}

void MulFloat(const Broadcast& b, float activation_min, float activation_max, const float* in1,
              const float* in2, float* out) {
  ForEachRun(b, [&](size_t o, size_t i1, size_t i2, size_t n, size_t step1, size_t step2) {
    const float* a = in1 + i1;
    const float* c = in2 + i2;
    for (size_t k = 0; k < n; ++k, a += step1, c += step2) {
      float v = *a * *c;
      if (v < activation_min) v = activation_min;  // NaN stays NaN
      if (v > activation_max) v = activation_max;
      out[o + k] = v;
    }
  });
}

}  // namespace mote::reference
