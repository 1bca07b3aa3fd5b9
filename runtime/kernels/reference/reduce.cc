#include "kernels/reference/reduce.h"

#include "kernels/reference/math.h"
#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

template <typename T>
void ReduceQuantized(ReduceFunction f, size_t rows, size_t depth, const QuantizedReduceParams& p,
                     const T* input, T* output) {
  constexpr int32_t kMin = sizeof(T) == 1 ? -128 : -32768;
  constexpr int32_t kMax = sizeof(T) == 1 ? 127 : 32767;
  for (size_t r = 0; r < rows; ++r) {
    const T* x = input + r * depth;
    int32_t acc = static_cast<int32_t>(x[0]) + p.input_offset;
    if (f == ReduceFunction::kL1 && acc < 0) acc = -acc;
    for (size_t c = 1; c < depth; ++c) {
      const int32_t v = static_cast<int32_t>(x[c]) + p.input_offset;
      if (f == ReduceFunction::kMax)
        acc = v > acc ? v : acc;
      else if (f == ReduceFunction::kMin)
        acc = v < acc ? v : acc;
      else if (f == ReduceFunction::kL1)
        acc += v < 0 ? -v : v;
      else
        acc += v;
    }
    output[r] = ClampTo<T>(
        SaturateToInt32(int64_t{MultiplyByQuantizedMultiplier(acc, p.multiplier, p.shift)} +
                        p.output_offset),
        kMin, kMax);
  }
}

}  // namespace

void ReduceFloat(ReduceFunction f, size_t rows, size_t depth, const float* input, float* output) {
  for (size_t r = 0; r < rows; ++r) {
    const float* x = input + r * depth;
    float acc = f == ReduceFunction::kProd ? 1.0f : 0.0f;
    if (f == ReduceFunction::kMax || f == ReduceFunction::kMin || f == ReduceFunction::kLogSumExp) {
      acc = x[0];
      for (size_t c = 1; c < depth; ++c) {
        const bool nan = x[c] != x[c] || acc != acc;
        if (nan)
          acc = x[c] != x[c] ? x[c] : acc;
        else if (f == ReduceFunction::kMin ? x[c] < acc : x[c] > acc)
          acc = x[c];
      }
      if (f == ReduceFunction::kLogSumExp && acc == acc && acc - acc == 0.0f) {
        float sum = 0.0f;  // about the maximum, so no exp overflows
        for (size_t c = 0; c < depth; ++c) sum += Exp(x[c] - acc);
        acc += Log(sum);
      } else if (f == ReduceFunction::kLogSumExp) {
        // NaN, or an infinite maximum: log(sum exp) is that value (NaN for +inf - inf).
      }
      output[r] = acc;
      continue;
    }
    for (size_t c = 0; c < depth; ++c) {
      const float v = x[c];
      switch (f) {
        case ReduceFunction::kProd:
          acc *= v;
          break;
        case ReduceFunction::kL1:
          acc += v < 0 ? -v : v;
          break;
        case ReduceFunction::kL2:
        case ReduceFunction::kSumSquare:
          acc += v * v;
          break;
        default:
          acc += v;
          break;
      }
    }
    if (f == ReduceFunction::kMean) acc /= static_cast<float>(depth);
    if (f == ReduceFunction::kL2) acc = Sqrt(acc);
    output[r] = acc;
  }
}

void ReduceInt8(ReduceFunction f, size_t rows, size_t depth, const QuantizedReduceParams& p,
                const int8_t* input, int8_t* output) {
  ReduceQuantized(f, rows, depth, p, input, output);
}

void ReduceInt16(ReduceFunction f, size_t rows, size_t depth, const QuantizedReduceParams& p,
                 const int16_t* input, int16_t* output) {
  ReduceQuantized(f, rows, depth, p, input, output);
}

}  // namespace mote::reference
