#include "kernels/reference/pad.h"

#include <stddef.h>

namespace mote::reference {

// Works a row (the last dim) at a time: a row outside the input along any
// outer dim is all `value`; otherwise it is value, an input row, value.
template <typename T>
void Pad(const PadShape& shape, const T* input, T value, T* output) {
  if (shape.rank == 0) {
    output[0] = input[0];
    return;
  }
  const int last = shape.rank - 1;
  size_t in_stride[kMaxRank];
  size_t stride = 1;
  size_t rows = 1;
  for (int d = last; d >= 0; --d) {
    in_stride[d] = stride;
    stride *= static_cast<size_t>(shape.in_dims[d]);
    if (d < last) rows *= static_cast<size_t>(shape.out_dims[d]);
  }
  const int32_t row_before = shape.before[last];
  const int32_t row_in = shape.in_dims[last];
  const int32_t row_out = shape.out_dims[last];
  int32_t counter[kMaxRank] = {};
  T* out = output;
  for (size_t r = 0; r < rows; ++r) {
    bool inside = true;
    size_t in_offset = 0;
    for (int d = 0; d < last; ++d) {
      const int32_t c = counter[d] - shape.before[d];
      if (c < 0 || c >= shape.in_dims[d]) {
        inside = false;
        break;
      }
      in_offset += static_cast<size_t>(c) * in_stride[d];
    }
    if (inside) {
      int32_t i = 0;
      for (; i < row_before; ++i) *out++ = value;
      const T* in = input + in_offset;
      for (int32_t k = 0; k < row_in; ++k) *out++ = in[k];
      for (i += row_in; i < row_out; ++i) *out++ = value;
    } else {
      for (int32_t i = 0; i < row_out; ++i) *out++ = value;
    }
    for (int d = last - 1; d >= 0; --d) {
      if (++counter[d] < shape.out_dims[d]) break;
      counter[d] = 0;
    }
  }
}

template void Pad<int8_t>(const PadShape&, const int8_t*, int8_t, int8_t*);
template void Pad<int16_t>(const PadShape&, const int16_t*, int16_t, int16_t*);
template void Pad<float>(const PadShape&, const float*, float, float*);

}  // namespace mote::reference
