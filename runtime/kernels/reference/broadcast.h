// Numpy broadcasting of two inputs to one output, up to kMaxRank dims; used
// by the binary elementwise kernels (Add, Mul).
#ifndef MOTE_KERNELS_REFERENCE_BROADCAST_H_
#define MOTE_KERNELS_REFERENCE_BROADCAST_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/tensor.h"

namespace mote::reference {

// Output shape and per-input strides (0 along broadcast dims), all padded on
// the left to the output's rank.
struct Broadcast {
  int rank = 0;
  int32_t dims[kMaxRank] = {};
  size_t stride1[kMaxRank] = {};
  size_t stride2[kMaxRank] = {};
  size_t num_elements = 0;
};

// Fills `b` for inputs of shapes `a1`, `a2` producing `out`; false if the
// shapes do not broadcast to `out`.
bool MakeBroadcast(std::span<const int32_t> a1, std::span<const int32_t> a2,
                   std::span<const int32_t> out, Broadcast* b);

// Calls f(out_index, in1_index, in2_index) for every output element in
// row-major order.
template <typename F>
void ForEachElement(const Broadcast& b, F f) {
  size_t counter[kMaxRank] = {};
  size_t i1 = 0;
  size_t i2 = 0;
  for (size_t o = 0; o < b.num_elements; ++o) {
    f(o, i1, i2);
    for (int d = b.rank - 1; d >= 0; --d) {
      i1 += b.stride1[d];
      i2 += b.stride2[d];
      if (++counter[d] < static_cast<size_t>(b.dims[d])) break;
      i1 -= b.stride1[d] * counter[d];
      i2 -= b.stride2[d] * counter[d];
      counter[d] = 0;
    }
  }
}

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_BROADCAST_H_
