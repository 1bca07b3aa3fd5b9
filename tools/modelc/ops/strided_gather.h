// modelc's view of the runtime's StridedGather op. In the IR a StridedGather
// node holds its source map: attribute "source" lists, for every output
// element in order, the flat index of the input element it copies (so the
// layout pass can permute it like any other tensor). Emitting fits the map
// to the runtime's strided dims.
#ifndef MOTE_TOOLS_MODELC_OPS_STRIDED_GATHER_H_
#define MOTE_TOOLS_MODELC_OPS_STRIDED_GATHER_H_

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

// The runtime's description (mote.fbs StridedGatherOptions).
struct GatherDims {
  int64_t offset = 0;
  std::vector<int64_t> counts;  // outermost first
  std::vector<int64_t> strides;
  int64_t table_dim = -1;
  std::vector<int64_t> table;
};

// Strided dims (at most `max_dims`, innermost found first) that read exactly
// `source`; where no stride fits, the rest becomes one outermost table dim.
// Throws Unsupported (naming `n`) if more dims would be needed.
GatherDims FitGatherDims(const Node& n, const std::vector<int64_t>& source, size_t max_dims = 8);

// A StridedGather node copying `source` from `input` to `output`.
Node MakeStridedGather(const std::string& name, int input, int output, std::vector<int64_t> source);

// The source map with the input stored in `in_perm` order and the output
// in `out_perm` order (physical dim k = logical dim perm[k]; empty: as is).
std::vector<int64_t> PermuteSource(const std::vector<int64_t>& source, const Shape& logical_in,
                                   const std::vector<int64_t>& in_perm, const Shape& logical_out,
                                   const std::vector<int64_t>& out_perm);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_OPS_STRIDED_GATHER_H_
