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

namespace {

int32_t MapIndex(PadMode mode, int32_t i, int32_t n) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::kReflect: {  // |pads| < n: one reflection suffices
      const int32_t r = i < 0 ? -i : 2 * (n - 1) - i;
      return r < 0 ? 0 : r >= n ? n - 1 : r;
    }
    case PadMode::kWrap: {
      const int32_t r = i % n;
      return r < 0 ? r + n : r;
    }
    default:
      return i < 0 ? 0 : n - 1;
  }
}

}  // namespace

template <typename T>
void PadMapped(const PadShape& shape, PadMode mode, const T* input, T* output) {
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
  const int32_t row_in = shape.in_dims[last];
  const int32_t row_out = shape.out_dims[last];
  if (row_out == 0 || stride == 0) return;  // empty output, or the loader refused padding
  int32_t counter[kMaxRank] = {};
  T* out = output;
  for (size_t r = 0; r < rows; ++r) {
    size_t in_offset = 0;
    for (int d = 0; d < last; ++d) {
      const int32_t c = MapIndex(mode, counter[d] - shape.before[d], shape.in_dims[d]);
      in_offset += static_cast<size_t>(c) * in_stride[d];
    }
    const T* in = input + in_offset;
    for (int32_t k = 0; k < row_out; ++k) {
      *out++ = in[MapIndex(mode, k - shape.before[last], row_in)];
    }
    for (int d = last - 1; d >= 0; --d) {
      if (++counter[d] < shape.out_dims[d]) break;
      counter[d] = 0;
    }
  }
}

template void PadMapped<int8_t>(const PadShape&, PadMode, const int8_t*, int8_t*);
template void PadMapped<int16_t>(const PadShape&, PadMode, const int16_t*, int16_t*);
template void PadMapped<float>(const PadShape&, PadMode, const float*, float*);

template void Pad<int8_t>(const PadShape&, const int8_t*, int8_t, int8_t*);
template void Pad<int16_t>(const PadShape&, const int16_t*, int16_t, int16_t*);
template void Pad<float>(const PadShape&, const float*, float, float*);

}  // namespace mote::reference
