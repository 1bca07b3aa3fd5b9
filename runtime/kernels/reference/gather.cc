#include "kernels/reference/gather.h"

#include <string.h>

namespace mote::reference {
namespace {

// The index wrapped into [0, dim), or false if it lies outside [-dim, dim).
template <typename I>
bool Wrap(I index, size_t dim, size_t* out) {
  const int64_t v = static_cast<int64_t>(index);
  const int64_t d = static_cast<int64_t>(dim);
  if (v < -d || v >= d) return false;
  *out = static_cast<size_t>(v < 0 ? v + d : v);
  return true;
}

}  // namespace

template <typename I>
bool Gather(const GatherShape& s, const uint8_t* data, const I* indices, uint8_t* output,
            int64_t* bad, size_t* at) {
  const size_t row = s.inner * s.element_bytes;
  for (size_t o = 0; o < s.outer; ++o) {
    const uint8_t* slab = data + o * s.dim * row;
    for (size_t j = 0; j < s.count; ++j) {
      size_t k = 0;
      if (!Wrap(indices[j], s.dim, &k)) {
        *bad = static_cast<int64_t>(indices[j]);
        *at = j;
        return false;
      }
      memmove(output, slab + k * row, row);
      output += row;
    }
  }
  return true;
}

template <typename I>
bool GatherElements(const GatherElementsShape& s, const uint8_t* data, const I* indices,
                    uint8_t* output, int64_t* bad, size_t* at) {
  size_t strides[kMaxRank] = {};
  size_t total = 1;
  for (int d = s.rank; d-- > 0;) {
    strides[d] = d == s.rank - 1 ? 1 : strides[d + 1] * static_cast<size_t>(s.data[d + 1]);
    total *= static_cast<size_t>(s.out[d]);
  }
  const size_t dim = static_cast<size_t>(s.data[s.axis]);
  // Odometer over the output; `base` is the data offset without the axis term.
  int32_t pos[kMaxRank] = {};
  size_t base = 0;
  for (size_t e = 0; e < total; ++e) {
    size_t k = 0;
    if (!Wrap(indices[e], dim, &k)) {
      *bad = static_cast<int64_t>(indices[e]);
      *at = e;
      return false;
    }
    memmove(output + e * s.element_bytes, data + (base + k * strides[s.axis]) * s.element_bytes,
            s.element_bytes);
    for (int d = s.rank; d-- > 0;) {
      const size_t step = d == s.axis ? 0 : strides[d];
      if (++pos[d] < s.out[d]) {
        base += step;
        break;
      }
      base -= step * static_cast<size_t>(s.out[d] - 1);
      pos[d] = 0;
    }
  }
  return true;
}

template bool Gather<int32_t>(const GatherShape&, const uint8_t*, const int32_t*, uint8_t*,
                              int64_t*, size_t*);
template bool Gather<int64_t>(const GatherShape&, const uint8_t*, const int64_t*, uint8_t*,
                              int64_t*, size_t*);
template bool GatherElements<int32_t>(const GatherElementsShape&, const uint8_t*, const int32_t*,
                                      uint8_t*, int64_t*, size_t*);
template bool GatherElements<int64_t>(const GatherElementsShape&, const uint8_t*, const int64_t*,
                                      uint8_t*, int64_t*, size_t*);

}  // namespace mote::reference
