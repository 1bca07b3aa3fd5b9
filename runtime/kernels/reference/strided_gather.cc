#include "kernels/reference/strided_gather.h"

#include <string.h>

namespace mote::reference {
namespace {

// Input offset of the element at `index` in dim d.
inline int64_t Step(const StridedGatherShape& s, int d, int32_t index) {
  return d == s.table_dim ? s.table[static_cast<size_t>(index)]
                          : static_cast<int64_t>(index) * s.strides[d];
}

template <typename T>
void Gather(const StridedGatherShape& s, const T* input, T* output) {
  const int last = s.rank - 1;
  // The innermost dim is copied as a run when it is contiguous.
  const bool run = last != s.table_dim && s.strides[last] == 1;
  const int32_t inner = s.counts[last];
  int32_t index[kMaxGatherDims] = {};
  size_t outer = 1;
  for (int d = 0; d < last; ++d) outer *= static_cast<size_t>(s.counts[d]);
  for (size_t o = 0; o < outer; ++o) {
    int64_t base = s.offset;
    for (int d = 0; d < last; ++d) base += Step(s, d, index[d]);
    if (run) {
      memcpy(output, input + base, static_cast<size_t>(inner) * sizeof(T));
    } else {
      for (int32_t i = 0; i < inner; ++i) output[i] = input[base + Step(s, last, i)];
    }
    output += inner;
    for (int d = last - 1; d >= 0; --d) {
      if (++index[d] < s.counts[d]) break;
      index[d] = 0;
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
