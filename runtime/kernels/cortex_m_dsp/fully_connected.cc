#include "kernels/cortex_m_dsp/fully_connected.h"

#include <stdint.h>

#include "kernels/cortex_m_dsp/channel_outputs.h"
#include "kernels/cortex_m_dsp/dot_q15.h"
#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/simd.h"

#ifndef MOTE_OPTIMIZE_SIZE
#define MOTE_OPTIMIZE_SIZE 0
#endif

namespace mote::cortex_m_dsp {

namespace {

// MOTE_OPTIMIZE=size leaves interleaved layers (FullyConnected ops, not the
// pointwise convs) to the reference: InterleavedRows and its dot product
// take 1.8 KB.
constexpr bool kInterleavedPath = !MOTE_OPTIMIZE_SIZE;
// ...and the batches the pair path leaves (an odd last one, all of them
// without scratch): SingleOutputs and its dot product take 0.5 KB.
constexpr bool kSinglePath = !MOTE_OPTIMIZE_SIZE;

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
// widened once (into the scratch: 4 * depth bytes); returns how many
// batches it did (an even number).
__attribute__((noinline)) size_t PairedBatches(const FullyConnectedShape& shape,
                                               const QuantizedFcParams& params,
                                               const OutputQuant& q, const int8_t* input,
                                               const int8_t* weights, const int32_t* bias,
                                               int8_t* output, int16_t* widened) {
  const size_t depth = shape.depth;
  const int32_t offset_pair = OffsetPair(params.input_offset);
  size_t b = 0;
  for (; b + 2 <= shape.batches; b += 2) {
    WidenPair(input + b * depth, input + (b + 1) * depth, depth, params.input_offset, offset_pair,
              widened);
    PairOutputs(widened, depth, weights, shape.units, bias, q, output + b * shape.units,
                output + (b + 1) * shape.units);
  }
  return b;
}

}  // namespace

void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output, std::span<uint8_t> scratch) {
  if (shape.interleaved) {
    // LDM needs word-aligned groups: modelc aligns every buffer to 16, but
    // the loader only asks int8 constants to be byte-aligned.
    // Too little scratch (a file planned for other cores): the reference.
    const bool aligned = reinterpret_cast<uintptr_t>(weights) % 4 == 0;
    const size_t needed = kernel_scratch::DspFullyConnectedInt8Bytes(shape);
    if (!kInterleavedPath || needed == 0 || scratch.size() < needed || !aligned) {
      reference::FullyConnectedInt8(shape, params, input, weights, bias, output, scratch);
    } else {
      InterleavedRows(shape, params, input, weights, bias, output,
                      reinterpret_cast<int16_t*>(scratch.data()));
    }
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
  const size_t depth = shape.depth;
  // Pairs need the scratch (kernel_scratch::DspFullyConnectedInt8Bytes).
  const size_t needed = kernel_scratch::DspFullyConnectedInt8Bytes(shape);
  const size_t b = needed != 0 && scratch.size() >= needed
                       ? PairedBatches(shape, params, q, input, weights, bias, output,
                                       reinterpret_cast<int16_t*>(scratch.data()))
                       : 0;
  // An odd last batch, rows too deep to widen, or too little scratch.
  if (!kSinglePath && b < shape.batches) {
    const FullyConnectedShape rest = {shape.batches - b, depth, shape.units};
    reference::FullyConnectedInt8(rest, params, input + b * depth, weights, bias,
                                  output + b * shape.units, scratch);
    return;
  }
  for (size_t i = b; i < shape.batches; ++i) {
    SingleOutputs(input + i * depth, depth, weights, shape.units, bias, q,
                  output + i * shape.units);
  }
}

}  // namespace mote::cortex_m_dsp
