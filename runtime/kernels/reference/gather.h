// Gather and GatherElements with a run-time index tensor (ONNX). Elements
// are moved as bytes, so one kernel serves every data type bit for bit.
// Every index is checked before it is used: an index outside [-dim, dim)
// stops the op (the caller reports it) and nothing is read out of bounds.
// O(output elements).
#ifndef MOTE_KERNELS_REFERENCE_GATHER_H_
#define MOTE_KERNELS_REFERENCE_GATHER_H_

#include <stddef.h>
#include <stdint.h>

#include "mote/tensor.h"

namespace mote::reference {

// Gather: data as [outer, dim, inner], indices flat (count), output
// [outer, count, inner]; elements of `element_bytes` bytes.
struct GatherShape {
  size_t outer = 0;
  size_t dim = 0;
  size_t inner = 0;
  size_t count = 0;
  size_t element_bytes = 0;
};

// GatherElements: the output (= indices) shape and the data's, both of
// `rank` dims (indices[d] <= data[d] off the axis, checked at load).
struct GatherElementsShape {
  int rank = 0;
  int axis = 0;
  int32_t out[kMaxRank] = {};
  int32_t data[kMaxRank] = {};
  size_t element_bytes = 0;
};

// On an index out of range: returns false with the offending index in *bad
// (and its position in the flat indices in *at); the output is partly written.
// I is int32_t or int64_t.
template <typename I>
bool Gather(const GatherShape& s, const uint8_t* data, const I* indices, uint8_t* output,
            int64_t* bad, size_t* at);
template <typename I>
bool GatherElements(const GatherElementsShape& s, const uint8_t* data, const I* indices,
                    uint8_t* output, int64_t* bad, size_t* at);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_GATHER_H_
