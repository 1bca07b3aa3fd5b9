#include "kernels/reference/cumsum.h"

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// Calls visit(acc_before, index) along each line in summing order, then
// add(acc, index): the exclusive sum is written before the element is added.
template <typename Acc, typename Read, typename Write>
void Run(const CumSumShape& s, Read read, Write write) {
  for (size_t o = 0; o < s.outer; ++o) {
    for (size_t i = 0; i < s.inner; ++i) {
      const size_t base = o * s.length * s.inner + i;
      Acc acc = 0;
      for (size_t k = 0; k < s.length; ++k) {
        const size_t pos = s.reverse ? s.length - 1 - k : k;
        const size_t index = base + pos * s.inner;
        if (s.exclusive) {
          write(index, acc);
          acc += read(index);
        } else {
          acc += read(index);
          write(index, acc);
        }
      }
    }
  }
}

template <typename T>
void CumSumQuantized(const CumSumShape& s, const QuantizedCumSumParams& p, const T* input,
                     T* output) {
  constexpr int32_t kMin = sizeof(T) == 1 ? INT8_MIN : INT16_MIN;
  constexpr int32_t kMax = sizeof(T) == 1 ? INT8_MAX : INT16_MAX;
  Run<int32_t>(
      s, [&](size_t k) { return int32_t{input[k]} - p.input_zero_point; },
      [&](size_t k, int32_t acc) {
        int32_t v = p.output_zero_point + MultiplyByQuantizedMultiplier(acc, p.multiplier, p.shift);
        v = v < kMin ? kMin : v > kMax ? kMax : v;
        output[k] = static_cast<T>(v);
      });
}

}  // namespace

void CumSumFloat(const CumSumShape& s, const float* input, float* output) {
  Run<float>(
      s, [&](size_t k) { return input[k]; }, [&](size_t k, float acc) { output[k] = acc; });
}

void CumSumInt8(const CumSumShape& s, const QuantizedCumSumParams& p, const int8_t* input,
                int8_t* output) {
  CumSumQuantized(s, p, input, output);
}

void CumSumInt16(const CumSumShape& s, const QuantizedCumSumParams& p, const int16_t* input,
                 int16_t* output) {
  CumSumQuantized(s, p, input, output);
}

}  // namespace mote::reference
