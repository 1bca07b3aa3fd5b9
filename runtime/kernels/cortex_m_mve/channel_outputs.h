// Every output channel of int8 input rows (conv patches, FC batches) against
// int8 weight rows [channels][n], with VMLADAVA (16 MACs per instruction):
// the loops the MVE conv and fully connected kernels share.
//
// The input offset is folded into the bias: acc = bias + sum x*w + offset *
// sum w. The loader bounds the reference's accumulator
// (kernels/ops/weight_checks.cc), and every step here is exact modulo 2^32,
// so the int32 result is the reference's.
#ifndef MOTE_KERNELS_CORTEX_M_MVE_CHANNEL_OUTPUTS_H_
#define MOTE_KERNELS_CORTEX_M_MVE_CHANNEL_OUTPUTS_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "kernels/scratch.h"

namespace mote::cortex_m_mve {

struct OutputQuant {
  int32_t input_offset;
  int32_t output_offset;
  const int32_t* multiplier;  // [channels]
  const int8_t* shift;        // [channels]
  int32_t activation_min;
  int32_t activation_max;
  // bias + input_offset * sum of the row, per channel, from the file
  // (reference::PerChannelParams::effective_bias), or null: then the
  // kernels sum the weights themselves.
  const int32_t* effective_bias = nullptr;
};

// Channels are done kChunk at a time: a chunk's folded biases and its
// accumulators for two rows live on the stack (3 * 4 * kChunk bytes).
inline constexpr size_t kChunk = kernel_scratch::kMveChunk;

// Channels [first, first + count), count <= kChunk.
struct ChannelChunk {
  size_t first;
  size_t count;
  bool vector_requantize;  // every shift <= 0 (requantize.h)
  // bias (null: 0) + input_offset * sum of the row, per channel of the
  // chunk: q.effective_bias + first, or `sums` computed by PrepareChunk.
  const int32_t* bias;
  int32_t sums[kChunk];
};

void PrepareChunk(const int8_t* weights, size_t n, const int32_t* bias, const OutputQuant& q,
                  size_t first, size_t count, ChannelChunk& chunk);

// out_a[c] and out_b[c] for the chunk's channels c, from rows xa and xb of n
// values (xb null: only xa, out_b unused). out_* point at channel 0.
void ChunkOutputs(const ChannelChunk& chunk, const int8_t* xa, const int8_t* xb, size_t n,
                  const int8_t* weights, const OutputQuant& q, int8_t* out_a, int8_t* out_b);

// out[r][c] for rows x[r] (rows of n values, contiguous), r < rows, and
// every channel c < channels. `scratch` (16-byte aligned): rows of at most
// 16 values take the short-row path when it holds
// kernel_scratch::kMveShortRowsBytes.
void MatrixOutputs(const int8_t* x, size_t rows, size_t n, const int8_t* weights, size_t channels,
                   const int32_t* bias, const OutputQuant& q, int8_t* out,
                   std::span<uint8_t> scratch);

// The same as MatrixOutputs with a few dozen bytes of stack instead of its
// chunk buffers, a row's sum and offset taken per channel and output
// (scalar requantization): FullyConnected uses it, whose stack bound
// (tools/modelc/plan/kernel_stack_table.inc) also covers float
// FullyConnected models, and must stay within twice what they use.
void SmallStackOutputs(const int8_t* x, size_t rows, size_t n, const int8_t* weights,
                       size_t channels, const int32_t* bias, const OutputQuant& q, int8_t* out);

}  // namespace mote::cortex_m_mve

#endif  // MOTE_KERNELS_CORTEX_M_MVE_CHANNEL_OUTPUTS_H_
