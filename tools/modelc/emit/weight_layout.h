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

// The share of a graph's MACs its interleavable FullyConnecteds must hold
// (1 / kMinInterleavedShare) for modelc to interleave them: the interleaved
// path costs ~2 KB of flash, which a classifier head of a few hundred MACs
// behind a conv stack does not repay (it takes the plain rows' path).
inline constexpr int64_t kMinInterleavedShare = 20;

// Marks the FullyConnecteds whose int8 weights are stored with rows
// interleaved in groups of four (FullyConnectedOptions.weights_interleaved;
// layout: runtime/kernels/reference/fully_connected.h, RowOf): int8 in and
// out, one batch (the DSP kernel's single-batch path fetches a block of four
// rows with one LDM; batches of two or more pair their inputs instead), at
// least four rows, depth up to kMaxInterleavedDepth, weights no other node
// reads, and together at least 1 / kMinInterleavedShare of the graph's MACs.
// Runs once the graph is quantized, before memory planning.
void ChooseWeightLayouts(Graph& g);

// Whether ChooseWeightLayouts marked `n`.
bool InterleavesWeights(const Graph& g, const Node& n);

// The interleaved bytes of plain row-major [units][depth] int8 weights.
std::vector<uint8_t> InterleaveRows(const std::vector<uint8_t>& plain, size_t units, size_t depth);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_EMIT_WEIGHT_LAYOUT_H_
