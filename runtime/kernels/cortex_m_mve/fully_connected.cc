#include "kernels/cortex_m_mve/fully_connected.h"

#include <arm_mve.h>

#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_mve/channel_outputs.h"

namespace mote::cortex_m_mve {
namespace {

// One interleaved group (RowOf: the four rows' 4-value blocks side by side)
// against one input row: VLD4.32 de-interleaves 64 bytes of the group, four
// blocks of each row, into the four rows' 16 consecutive values, so each row
// takes one VMLADAVA per 16 values. acc[r] = bias + sum x*w + offset * sum w
// modulo 2^32, as channel_outputs.h folds the offset. kSums false: init
// already holds bias + offset * sum w (the file's effective bias), so the
// weights are not summed.
template <bool kSums>
void InterleavedGroup(const int8_t* x, const int8_t* group, size_t n, int32_t offset,
                      const uint32_t* init, int32_t* acc) {
  const size_t blocks = n / 4;
  const size_t tail = n % 4;
  int32_t dot[4] = {0, 0, 0, 0};
  int32_t sum[4] = {0, 0, 0, 0};
  size_t k = 0;
  for (; k + 4 <= blocks; k += 4) {  // groups are 4-aligned (4 * n bytes apart, base checked)
    const int32x4x4_t rows = vld4q_s32(reinterpret_cast<const int32_t*>(group + 16 * k));
    const int8x16_t xv = vldrbq_s8(x + 4 * k);
    for (int r = 0; r < 4; ++r) {
      const int8x16_t wv = vreinterpretq_s8_s32(rows.val[r]);
      dot[r] = vmladavaq_s8(dot[r], xv, wv);
      if constexpr (kSums) sum[r] = vaddvaq_s8(sum[r], wv);
    }
  }
  for (; k < blocks; ++k) {  // the blocks % 4 last blocks
    for (int r = 0; r < 4; ++r) {
      for (int i = 0; i < 4; ++i) {
        const int32_t w = group[16 * k + 4 * r + i];
        dot[r] += x[4 * k + i] * w;
        sum[r] += w;
      }
    }
  }
  const int8_t* wt = group + 16 * blocks;  // row r's tail at wt + r * tail
  for (int r = 0; r < 4; ++r) {
    for (size_t i = 0; i < tail; ++i) {
      const int32_t w = wt[r * tail + i];
      dot[r] += x[4 * blocks + i] * w;
      sum[r] += w;
    }
    acc[r] = static_cast<int32_t>(init[r] + static_cast<uint32_t>(dot[r]) +
                                  static_cast<uint32_t>(offset) * static_cast<uint32_t>(sum[r]));
  }
}

// Interleaved rows (modelc writes them for single-batch FCs, for the DSP
// kernel's LDM; RowOf): the groups as above, the plain rows after the last
// group as SmallStackOutputs does.
void InterleavedRows(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                     const int8_t* input, const int8_t* weights, const int32_t* bias,
                     int8_t* output) {
  const size_t depth = shape.depth;
  const size_t grouped = shape.units / 4 * 4;
  const int32_t* effective = params.effective_bias;
  const OutputQuant rest = {params.input_offset,
                            params.output_offset,
                            params.multiplier.data() + grouped,
                            params.shift.data() + grouped,
                            params.activation_min,
                            params.activation_max,
                            effective != nullptr ? effective + grouped : nullptr};
  for (size_t b = 0; b < shape.batches; ++b) {
    const int8_t* x = input + b * depth;
    int8_t* out = output + b * shape.units;
    for (size_t u = 0; u < grouped; u += 4) {
      uint32_t init[4];
      int32_t acc[4];
      if (effective != nullptr) {
        for (int r = 0; r < 4; ++r) init[r] = static_cast<uint32_t>(effective[u + r]);
        InterleavedGroup<false>(x, weights + u * depth, depth, 0, init, acc);
      } else {
        for (int r = 0; r < 4; ++r) {
          init[r] = bias != nullptr ? static_cast<uint32_t>(bias[u + r]) : 0;
        }
        InterleavedGroup<true>(x, weights + u * depth, depth, params.input_offset, init, acc);
      }
      for (int r = 0; r < 4; ++r) {
        out[u + r] = cortex_m_dsp::RequantizeInt8(acc[r], params.multiplier[u + r],
                                                  params.shift[u + r], params.output_offset,
                                                  params.activation_min, params.activation_max);
      }
    }
    if (grouped < shape.units) {
      SmallStackOutputs(x, 1, depth, weights + grouped * depth, shape.units - grouped,
                        bias != nullptr ? bias + grouped : nullptr, rest, out + grouped);
    }
  }
}

}  // namespace

void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output, std::span<uint8_t> scratch) {
  if (shape.interleaved) {
    // VLD4.32 needs word-aligned groups: modelc aligns every buffer to 16,
    // but the loader only asks int8 constants to be byte-aligned.
    if (reinterpret_cast<uintptr_t>(weights) % 4 == 0) {
      InterleavedRows(shape, params, input, weights, bias, output);
    } else {
      reference::FullyConnectedInt8(shape, params, input, weights, bias, output, scratch);
    }
    return;
  }
  const OutputQuant q = {params.input_offset,  params.output_offset,  params.multiplier.data(),
                         params.shift.data(),  params.activation_min, params.activation_max,
                         params.effective_bias};
  SmallStackOutputs(input, shape.batches, shape.depth, weights, shape.units, bias, q, output);
}

}  // namespace mote::cortex_m_mve
