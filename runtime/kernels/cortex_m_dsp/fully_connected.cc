#include "kernels/cortex_m_dsp/fully_connected.h"

#include <stdint.h>

#include "kernels/cortex_m_dsp/channel_outputs.h"
#include "kernels/cortex_m_dsp/dot_q15.h"
#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/simd.h"
#include "kernels/paths.h"

namespace mote::cortex_m_dsp {

namespace {

using kernel_paths::kHave;

// Rows interleaved in groups of four (RowOf): each batch's input widened
// once (into the scratch: 2 * depth bytes), then a group's four rows at a
// time, one LDM per block of the four.
__attribute__((noinline)) void InterleavedRows(const FullyConnectedShape& shape,
                                               const QuantizedFcParams& params, const int8_t* input,
                                               const int8_t* weights, const int32_t* bias,
                                               int8_t* output, int16_t* widened) {
  const size_t depth = shape.depth;
  const size_t grouped = shape.units / 4 * 4;
  const int32_t* multiplier = params.multiplier.data();
  const int8_t* shift = params.shift.data();
  const int32_t offset = params.output_offset;
  const int32_t lo = params.activation_min;
  const int32_t hi = params.activation_max;
  for (size_t b = 0; b < shape.batches; ++b) {
    Widen(input + b * depth, depth, params.input_offset, OffsetPair(params.input_offset), widened);
    int8_t* out = output + b * shape.units;
    // Accumulators for up to kChunk rows at a time, then their outputs (each
    // output once per channel here: testing its shift and range costs no
    // more than FastChunks would).
    constexpr size_t kChunk = 64;
    int32_t sums[kChunk];
    for (size_t u = 0; u < grouped; u += kChunk) {
      const size_t rows = grouped - u < kChunk ? grouped - u : kChunk;
      static const int32_t kNoBias[kChunk] = {};  // for ops without a bias
      DotInterleavedGroups(widened, weights + u * depth, depth, rows / 4,
                           bias != nullptr ? bias + u : kNoBias, sums);
      RequantizeChannels(sums, rows, multiplier + u, shift + u, offset, lo, hi, out + u,
                         params.short_requantize);
    }
    for (size_t u = grouped; u < shape.units; ++u) {  // plain rows after the last group
      const int32_t acc =
          DotRow(widened, weights + u * depth, depth, bias != nullptr ? bias[u] : 0);
      out[u] = RequantizeInt8(acc, multiplier[u], shift[u], offset, lo, hi);
    }
  }
}

// Batches two at a time (pointwise convs: pixels), each pair's inputs
// widened once (into the scratch: 4 * depth bytes). An odd last batch goes
// alone where the one-batch path is built; else it is paired with itself
// (its outputs written twice, at twice its MACs), so a build without that
// path needs no one-batch loop.
__attribute__((noinline)) void PairedBatches(const FullyConnectedShape& shape,
                                             const QuantizedFcParams& params, const OutputQuant& q,
                                             const int8_t* input, const int8_t* weights,
                                             const int32_t* bias, int8_t* output,
                                             int16_t* widened) {
  const size_t depth = shape.depth;
  const int32_t offset_pair = OffsetPair(params.input_offset);
  constexpr bool kSingleTail = kHave<kernel_paths::kFullyConnectedRows>;
  const size_t paired = kSingleTail ? shape.batches & ~size_t{1} : shape.batches;
  for (size_t b = 0; b < paired; b += 2) {
    const size_t b2 = kSingleTail || b + 1 < shape.batches ? b + 1 : b;
    WidenPair(input + b * depth, input + b2 * depth, depth, params.input_offset, offset_pair,
              widened);
    PairOutputs(widened, depth, weights, shape.units, bias, q, output + b * shape.units,
                output + b2 * shape.units);
  }
  if (kSingleTail && paired < shape.batches) {
    SingleOutputs(input + paired * depth, depth, weights, shape.units, bias, q,
                  output + paired * shape.units);
  }
}

}  // namespace

void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output, std::span<uint8_t> scratch) {
  // LDM needs word-aligned groups: modelc aligns every buffer to 16, but the
  // loader only asks int8 constants to be byte-aligned. Too little scratch
  // (a file planned for other cores) takes another path.
  const bool aligned = reinterpret_cast<uintptr_t>(weights) % 4 == 0;
  const uint32_t path =
      kernel_paths::Choose(kernel_paths::DspFullyConnectedInt8(shape, aligned, scratch.size()),
                           kernel_paths::kFullyConnectedReference);
  if (kHave<kernel_paths::kFullyConnectedReference> &&
      path == kernel_paths::kFullyConnectedReference) {
    reference::FullyConnectedInt8(shape, params, input, weights, bias, output, scratch);
    return;
  }
  if (kHave<kernel_paths::kFullyConnectedInterleaved> &&
      path == kernel_paths::kFullyConnectedInterleaved) {
    InterleavedRows(shape, params, input, weights, bias, output,
                    reinterpret_cast<int16_t*>(scratch.data()));
    return;
  }
  // FastChunks' scan is not needed when the file states (and the loader
  // checked) that every channel qualifies.
  const OutputQuant q = {params.short_requantize
                             ? ~uint32_t{0}
                             : FastChunks(shape.depth, bias, params.shift.data(), shape.units),
                         params.input_offset,     params.output_offset,
                         params.multiplier.data(), params.shift.data(),
                         params.activation_min,   params.activation_max};
  if (kHave<kernel_paths::kFullyConnectedPairs> && path == kernel_paths::kFullyConnectedPairs) {
    PairedBatches(shape, params, q, input, weights, bias, output,
                  reinterpret_cast<int16_t*>(scratch.data()));
  } else if (kHave<kernel_paths::kFullyConnectedRows> && path == kernel_paths::kFullyConnectedRows) {
    for (size_t i = 0; i < shape.batches; ++i) {
      SingleOutputs(input + i * shape.depth, shape.depth, weights, shape.units, bias, q,
                    output + i * shape.units);
    }
  }
}

}  // namespace mote::cortex_m_dsp
