#include "kernels/reference/transpose.h"

namespace mote::reference {

TransposeShape MakeTransposeShape(std::span<const int32_t> in_dims, std::span<const int32_t> perm) {
  TransposeShape s;
  s.rank = static_cast<int>(in_dims.size());
  size_t in_stride[kMaxRank];
  size_t stride = 1;
  for (int d = s.rank - 1; d >= 0; --d) {
    in_stride[d] = stride;
    stride *= static_cast<size_t>(in_dims[d]);
  }
  s.num_elements = stride;
  for (int k = 0; k < s.rank; ++k) {
    s.out_dims[k] = in_dims[perm[k]];
    s.in_strides[k] = in_stride[perm[k]];
  }
  return s;
}

// Walks the output in order, moving the input offset by the permuted strides.
template <typename T>
void Transpose(const TransposeShape& shape, const T* input, T* output) {
  int32_t counter[kMaxRank] = {};
  size_t in = 0;
  for (size_t o = 0; o < shape.num_elements; ++o) {
    output[o] = input[in];
    for (int d = shape.rank - 1; d >= 0; --d) {
      in += shape.in_strides[d];
      if (++counter[d] < shape.out_dims[d]) break;
      in -= shape.in_strides[d] * static_cast<size_t>(counter[d]);
      counter[d] = 0;
    }
  }
}

template void Transpose<int8_t>(const TransposeShape&, const int8_t*, int8_t*);
template void Transpose<int16_t>(const TransposeShape&, const int16_t*, int16_t*);
template void Transpose<float>(const TransposeShape&, const float*, float*);

}  // namespace mote::reference
