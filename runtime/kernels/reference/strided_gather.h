// Data movement by strides: the output, read in order as dims
// counts[0..rank) (outermost first), takes input[offset + sum_d i_d *
// strides[d]], where the one dim `table_dim` (if any) adds table[i_d] instead.
// One kernel for ONNX Slice, Split, Gather, Expand, Tile, DepthToSpace,
// SpaceToDepth, GatherElements (modelc fits each to these dims). Only the
// bits move, so one element size serves int8/int16/float32 alike.
#ifndef MOTE_KERNELS_REFERENCE_STRIDED_GATHER_H_
#define MOTE_KERNELS_REFERENCE_STRIDED_GATHER_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote::reference {

inline constexpr int kMaxGatherDims = 8;

struct StridedGatherShape {
  int rank = 0;
  int64_t offset = 0;
  int32_t counts[kMaxGatherDims] = {};
  int32_t strides[kMaxGatherDims] = {};
  int table_dim = -1;              // -1: none
  std::span<const int32_t> table;  // counts[table_dim] entries
};

// Every offset reached must lie inside the input (the loader checks it).
// `element_size` is 1, 2 or 4.
void StridedGather(const StridedGatherShape& shape, size_t element_size, const uint8_t* input,
                   uint8_t* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_STRIDED_GATHER_H_
