#include "kernels/reference/strided_gather.h"

#include <stddef.h>
#include <string.h>

namespace mote::reference {
namespace {

// Input offset of the element at `index` in dim d.
inline int64_t Step(const StridedGatherShape& s, int d, int32_t index) {
  return d == s.table_dim ? s.table[static_cast<size_t>(index)]
                          : static_cast<int64_t>(index) * s.strides[d];
}

// One row: the innermost dim from input offset `base`.
template <typename T>
inline void Row(const StridedGatherShape& s, const T* input, int64_t base, T* output) {
  const int last = s.rank - 1;
  const int32_t n = s.counts[last];
  if (last == s.table_dim) {
    for (int32_t i = 0; i < n; ++i) output[i] = input[base + s.table[static_cast<size_t>(i)]];
  } else if (s.strides[last] == 1) {
    memcpy(output, input + base, static_cast<size_t>(n) * sizeof(T));
  } else {
    const T* in = input + base;
    const ptrdiff_t stride = s.strides[last];
    for (int32_t i = 0; i < n; ++i) output[i] = in[i * stride];
  }
}

// The two innermost dims are loops of their own (short rows, such as a
// channel shuffle's pairs, would otherwise pay the index update per row);
// the outer dims advance like an odometer, the input offset following the
// dims that change.
template <typename T>
void Gather(const StridedGatherShape& s, const T* input, T* output) {
  const int block = s.rank >= 2 ? s.rank - 2 : 0;  // first dim of the inner block
  const int32_t rows = s.rank >= 2 ? s.counts[block] : 1;
  const int32_t row = s.counts[s.rank - 1];
  int32_t index[kMaxGatherDims] = {};
  int64_t part[kMaxGatherDims] = {};  // each outer dim's share of `base`
  int64_t base = s.offset;
  size_t outer = 1;
  for (int d = 0; d < block; ++d) {
    part[d] = Step(s, d, 0);
    base += part[d];
    outer *= static_cast<size_t>(s.counts[d]);
  }
  for (size_t o = 0; o < outer; ++o) {
    if (s.rank >= 2) {
      for (int32_t r = 0; r < rows; ++r, output += row)
        Row(s, input, base + Step(s, block, r), output);
    } else {
      Row(s, input, base, output);
      output += row;
    }
    for (int d = block - 1; d >= 0; --d) {
      if (++index[d] == s.counts[d]) index[d] = 0;
      base -= part[d];
      part[d] = Step(s, d, index[d]);
      base += part[d];
      if (index[d] != 0) break;
    }
  }
}

}  // namespace

void StridedGather(const StridedGatherShape& shape, size_t element_size, const uint8_t* input,
                   uint8_t* output) {
  if (shape.rank == 0) return;
  switch (element_size) {
    case 1:
      Gather(shape, input, output);
      break;
    case 2:
      Gather(shape, reinterpret_cast<const uint16_t*>(input), reinterpret_cast<uint16_t*>(output));
      break;
    default:
      Gather(shape, reinterpret_cast<const uint32_t*>(input), reinterpret_cast<uint32_t*>(output));
      break;
  }
}

}  // namespace mote::reference
