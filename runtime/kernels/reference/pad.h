// Constant padding of a tensor of up to kMaxRank dims: out[i] = in[i - before]
// where that index lies inside the input, `value` elsewhere.
#ifndef MOTE_KERNELS_REFERENCE_PAD_H_
#define MOTE_KERNELS_REFERENCE_PAD_H_

#include <stdint.h>

#include "mote/tensor.h"

namespace mote::reference {

// out_dims[d] = in_dims[d] + before[d] + after (the loader checked it).
struct PadShape {
  int rank = 0;
  int32_t in_dims[kMaxRank] = {};
  int32_t out_dims[kMaxRank] = {};
  int32_t before[kMaxRank] = {};
};

// T is int8_t, int16_t or float.
template <typename T>
void Pad(const PadShape& shape, const T* input, T value, T* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_PAD_H_
