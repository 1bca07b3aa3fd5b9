// Every output channel of one or two pixels (conv) or batches (fully
// connected): the loops the DSP kernels share. Weights are [channels][n]
// rows.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_CHANNEL_OUTPUTS_H_
#define MOTE_KERNELS_CORTEX_M_DSP_CHANNEL_OUTPUTS_H_

#include <stddef.h>
#include <stdint.h>

#include "kernels/scratch.h"

namespace mote::cortex_m_dsp {

struct OutputQuant {
  // FastChunks of the call: the output loops skip their per-output tests
  // for the chunks of 32 channels it marks.
  uint32_t fast_chunks;
  int32_t input_offset;
  int32_t output_offset;
  const int32_t* multiplier;  // [channels]
  const int8_t* shift;        // [channels]
  int32_t activation_min;
  int32_t activation_max;
};

// Bit k set: every channel c in [32k, 32k + 32) has shift[c] < 0 and sums
// under 2^30 in magnitude (|bias[c]| + depth * 255 * 128 < 2^30), so its
// outputs take RequantizeInt8's short path without testing either. Computed
// once per kernel call (channels past 1,024 are never marked).
uint32_t FastChunks(size_t depth, const int32_t* bias, const int8_t* shift, size_t channels);

// The longest input run (n) widened for PairOutputs: the callers keep the
// widened pair in the op's arena scratch (kernels/scratch.h).
inline constexpr size_t kMaxPairDepth = kernel_scratch::kDspMaxPairDepth;

// Two pixels whose int8 inputs of n <= kMaxPairDepth values each were
// widened together (dot_q15.h) into `widened`, multiplied with every row,
// two rows at a time.
void PairOutputs(const int16_t* widened, size_t n, const int8_t* weights, size_t channels,
                 const int32_t* bias, const OutputQuant& q, int8_t* out_a, int8_t* out_b);

// One pixel, any n: four rows at a time straight from the int8 input.
void SingleOutputs(const int8_t* in, size_t n, const int8_t* weights, size_t channels,
                   const int32_t* bias, const OutputQuant& q, int8_t* out);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_CHANNEL_OUTPUTS_H_
