#include "kernels/cortex_m_dsp/channel_outputs.h"

#include "kernels/cortex_m_dsp/dot.h"
#include "kernels/cortex_m_dsp/dot_q15.h"
#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/simd.h"

namespace mote::cortex_m_dsp {
namespace {

// A copy in registers or the frame: the int8 output stores could alias an
// OutputQuant in memory, which made GCC reload its fields for every output.
struct Quant {
  const int32_t* multiplier;
  const int8_t* shift;
  int32_t output_offset, activation_min, activation_max;

  explicit Quant(const OutputQuant& q)
      : multiplier(q.multiplier),
        shift(q.shift),
        output_offset(q.output_offset),
        activation_min(q.activation_min),
        activation_max(q.activation_max) {}

  int8_t Output(size_t c, int32_t acc) const { return Output(acc, multiplier[c], shift[c]); }
  int8_t Output(int32_t acc, int32_t m, int s) const {
    return RequantizeInt8(acc, m, s, output_offset, activation_min, activation_max);
  }
};

}  // namespace

void PairOutputs(const int8_t* a, const int8_t* b, size_t n, const int8_t* weights,
                 size_t channels, const int32_t* bias, const OutputQuant& q, int8_t* out_a,
                 int8_t* out_b) {
  alignas(4) int16_t widened[2 * kMaxPairDepth];
  WidenPair(a, b, n, q.input_offset, OffsetPair(q.input_offset), widened);
  const Quant quant(q);
  // Accumulators for up to kChunk channels at a time, then their outputs.
  constexpr size_t kChunk = 32;
  int32_t sums[2 * kChunk];
  size_t c = 0;
  while (c + 2 <= channels) {
    const size_t rows = (channels - c > kChunk ? kChunk : channels - c) & ~size_t{1};
    DotPairRows(widened, weights + c * n, n, rows, bias != nullptr ? bias + c : nullptr, sums);
    for (size_t r = 0; r < rows; ++r, ++c) {
      // The channel's multiplier and shift serve both pixels.
      const int32_t m = quant.multiplier[c];
      const int s = quant.shift[c];
      out_a[c] = quant.Output(sums[2 * r], m, s);
      out_b[c] = quant.Output(sums[2 * r + 1], m, s);
    }
  }
  if (c < channels) {
    const int32_t b0 = bias != nullptr ? bias[c] : 0;
    int32_t acc[2] = {b0, b0};
    DotPairRow1(widened, weights + c * n, n, acc);
    out_a[c] = quant.Output(c, acc[0]);
    out_b[c] = quant.Output(c, acc[1]);
  }
}

void SingleOutputs(const int8_t* in, size_t n, const int8_t* weights, size_t channels,
                   const int32_t* bias, const OutputQuant& q, int8_t* out) {
  const int32_t offset = q.input_offset;
  const int32_t offset_pair = OffsetPair(offset);
  const Quant quant(q);
  size_t c = 0;
  for (; c + 4 <= channels; c += 4) {
    int32_t acc[4];
    for (int r = 0; r < 4; ++r) acc[r] = bias != nullptr ? bias[c + r] : 0;
    Dot4(in, weights + c * n, n, n, offset, offset_pair, acc);
    for (int r = 0; r < 4; ++r) out[c + r] = quant.Output(c + r, acc[r]);
  }
  for (; c < channels; ++c) {
    const int32_t acc =
        Dot1(in, weights + c * n, n, offset, offset_pair, bias != nullptr ? bias[c] : 0);
    out[c] = quant.Output(c, acc);
  }
}

}  // namespace mote::cortex_m_dsp
