// Weight layouts a kernel wants, chosen at conversion so that invoke() does
// no re-arranging. The runtime's reference kernels read the same layouts.
#ifndef MOTE_TOOLS_MODELC_EMIT_WEIGHT_LAYOUT_H_
#define MOTE_TOOLS_MODELC_EMIT_WEIGHT_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

// The longest int8 FullyConnected input the runtime's interleaved path
// widens on its stack (runtime/kernels/cortex_m_dsp/fully_connected.cc).
inline constexpr int64_t kMaxInterleavedDepth = 1152;

// Whether FullyConnected `n` stores its int8 weights with rows interleaved
// in groups of four (FullyConnectedOptions.weights_interleaved; layout:
// runtime/kernels/reference/fully_connected.h, RowOf): int8 in and out, one
// batch (the DSP kernel's single-batch path fetches a block of four rows with
// one LDM; batches of two or more pair their inputs instead), at least four
// rows, depth up to kMaxInterleavedDepth, and weights no other node reads.
bool InterleavesWeights(const Graph& g, const Node& n);

// The interleaved bytes of plain row-major [units][depth] int8 weights.
std::vector<uint8_t> InterleaveRows(const std::vector<uint8_t>& plain, size_t units, size_t depth);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_WEIGHT_LAYOUT_H_
