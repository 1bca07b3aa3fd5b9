// TopK: the k largest (or smallest) elements of each line along one axis,
// sorted, with their indices (ONNX TopK). Ties: the lower index first (the
// higher with ties_to_last, for ArgMax / ArgMin's select_last_index); a
// float NaN is larger than every number. By repeated selection: O(k n)
// comparisons per line and no scratch memory.
#ifndef MOTE_KERNELS_REFERENCE_TOPK_H_
#define MOTE_KERNELS_REFERENCE_TOPK_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

// The input as [outer, length, inner] around the axis; outputs [outer, k, inner].
struct TopKShape {
  size_t outer = 0;
  size_t length = 0;
  size_t inner = 0;
  size_t k = 0;  // <= length (the loader checked it)
  bool largest = true;
  bool ties_to_last = false;
};

// T is int8_t, int16_t or float (quantized codes order as their values).
template <typename T>
void TopK(const TopKShape& s, const T* input, T* values, int64_t* indices);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_TOPK_H_
