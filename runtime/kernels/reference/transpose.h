// Permutation of the axes of a tensor of up to kMaxRank dims: output dim k is
// input dim perm[k].
#ifndef MOTE_KERNELS_REFERENCE_TRANSPOSE_H_
#define MOTE_KERNELS_REFERENCE_TRANSPOSE_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/tensor.h"

namespace mote::reference {

// Output dims and, per output dim, the input stride it walks.
struct TransposeShape {
  int rank = 0;
  int32_t out_dims[kMaxRank] = {};
  size_t in_strides[kMaxRank] = {};
  size_t num_elements = 0;
};

// `perm` must be a permutation of [0, in_dims.size()) (the loader checks it).
TransposeShape MakeTransposeShape(std::span<const int32_t> in_dims, std::span<const int32_t> perm);

// T is int8_t, int16_t or float; only the bits move.
template <typename T>
void Transpose(const TransposeShape& shape, const T* input, T* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_TRANSPOSE_H_
