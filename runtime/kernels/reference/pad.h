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

// ONNX Pad's other modes: each output element copies the input element at
// its index mapped into the input per dim (i = out index - before):
// reflect (mirror without repeating the edge; the loader keeps pads < dim),
// edge (clamped to the nearest element) or wrap (i modulo dim).
enum class PadMode : uint8_t { kConstant, kReflect, kEdge, kWrap, kLast = kWrap };

template <typename T>
void PadMapped(const PadShape& shape, PadMode mode, const T* input, T* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_PAD_H_
