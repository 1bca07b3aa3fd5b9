#include "kernels/reference/concat.h"

#include <string.h>

#include <limits>

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

template <typename T>
void RequantizeSlice(const ConcatSlice& s, const ConcatRequant& r, const T* input, T* output) {
  for (size_t row = 0; row < s.outer; ++row) {
    const T* in = input + row * s.inner;
    T* out = output + row * s.out_inner + s.offset;
    for (size_t i = 0; i < s.inner; ++i) {
      const int32_t v = MultiplyByQuantizedMultiplier(
          static_cast<int32_t>(in[i]) - r.input_zero_point, r.multiplier, r.shift);
      out[i] = ClampTo<T>(SaturateToInt32(int64_t{v} + r.output_zero_point),
                          std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
    }
  }
}

}  // namespace

void ConcatCopy(const ConcatSlice& s, size_t element_size, const void* input, void* output) {
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  const size_t row_bytes = s.inner * element_size;
  for (size_t row = 0; row < s.outer; ++row) {
    memcpy(out + (row * s.out_inner + s.offset) * element_size, in + row * row_bytes, row_bytes);
  }
}

void ConcatRequantizeInt8(const ConcatSlice& s, const ConcatRequant& r, const int8_t* input,
                          int8_t* output) {
  RequantizeSlice(s, r, input, output);
}

void ConcatRequantizeInt16(const ConcatSlice& s, const ConcatRequant& r, const int16_t* input,
                           int16_t* output) {
  RequantizeSlice(s, r, input, output);
}

}  // namespace mote::reference
