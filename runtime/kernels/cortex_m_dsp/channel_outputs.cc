#include "kernels/cortex_m_dsp/channel_outputs.h"

#include <arm_acle.h>

#include "kernels/cortex_m_dsp/dot.h"
#include "kernels/cortex_m_dsp/dot_q15.h"
#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/simd.h"

namespace mote::cortex_m_dsp {
namespace {

// A copy in registers or the frame: the int8 output stores could alias an
// OutputQuant in memory, which made GCC reload its fields for every output.
struct Quant {
  uint32_t fast_chunks;
  const int32_t* multiplier;
  const int8_t* shift;
  int32_t output_offset, activation_min, activation_max;

  explicit Quant(const OutputQuant& q)
      : fast_chunks(q.fast_chunks),
        multiplier(q.multiplier),
        shift(q.shift),
        output_offset(q.output_offset),
        activation_min(q.activation_min),
        activation_max(q.activation_max) {}

  int8_t Output(size_t c, int32_t acc) const {
    return RequantizeInt8(acc, multiplier[c], shift[c], output_offset, activation_min,
                          activation_max);
  }
};

// Two pixels' outputs of channels [0, rows): sums[2r] and sums[2r + 1]
// through RequantizeInt8, written out to share each channel's constants
// between both pixels and, with the usual full int8 activation range (ReLU
// at a zero point of -128, or none), to clamp with one SSAT.
__attribute__((noinline)) void RequantizePairs(const int32_t* sums, size_t rows,
                                               const int32_t* multiplier, const int8_t* shift,
                                               const Quant& q, bool fast, int8_t* out_a,
                                               int8_t* out_b) {
  const int32_t offset = q.output_offset;
  const int32_t lo = q.activation_min;
  const int32_t hi = q.activation_max;
  const bool full_range = lo == -128 && hi == 127;
  // Three loops rather than one with the tests inside: GCC 12 compiles the
  // merged loop into 4% more instructions for KWS.
  if (full_range && fast) {
    // The usual case, in about 13 instructions an output: every shift < 0
    // and every sum small (FastChunks), no clamp but SSAT.
    for (size_t r = 0; r < rows; ++r) {
      const int e = -shift[r];
      out_a[r] = static_cast<int8_t>(SaturateInt8(ShortScale(sums[2 * r], multiplier[r], e) + offset));
      out_b[r] =
          static_cast<int8_t>(SaturateInt8(ShortScale(sums[2 * r + 1], multiplier[r], e) + offset));
    }
    return;
  }
  for (size_t r = 0; r < rows; ++r) {
    const int32_t x = sums[2 * r];
    const int32_t y = sums[2 * r + 1];
    const int32_t m = multiplier[r];
    const int s = shift[r];
    if (s >= 0 || !SmallAccumulator(x) || !SmallAccumulator(y)) {
      out_a[r] = RequantizeInt8AnyAccumulator(x, m, s, offset, lo, hi);
      out_b[r] = RequantizeInt8AnyAccumulator(y, m, s, offset, lo, hi);
      continue;
    }
    const int32_t u = ShortScale(x, m, -s) + offset;
    const int32_t v = ShortScale(y, m, -s) + offset;
    if (full_range) {
      out_a[r] = static_cast<int8_t>(SaturateInt8(u));
      out_b[r] = static_cast<int8_t>(SaturateInt8(v));
    } else {
      out_a[r] = static_cast<int8_t>(u < lo ? lo : (u > hi ? hi : u));
      out_b[r] = static_cast<int8_t>(v < lo ? lo : (v > hi ? hi : v));
    }
  }
}

}  // namespace

uint32_t FastChunks(size_t depth, const int32_t* bias, const int8_t* shift, size_t channels) {
  const int64_t worst = static_cast<int64_t>(depth) * 255 * 128;
  if (worst >= (int64_t{1} << 30)) return 0;
  // |bias| < room, in int32 (room in (0, 2^30]).
  const int32_t room = static_cast<int32_t>((int64_t{1} << 30) - worst);
  uint32_t chunks = 0;
  const size_t end = channels < 32 * 32 ? channels : 32 * 32;
  for (size_t c0 = 0; c0 < end; c0 += 32) {
    const size_t c1 = end - c0 < 32 ? end : c0 + 32;
    bool fast = true;
    for (size_t c = c0; c < c1; ++c) {
      const int32_t b = bias != nullptr ? bias[c] : 0;
      fast &= shift[c] < 0 && b < room && b > -room;
    }
    if (fast) chunks |= uint32_t{1} << (c0 / 32);
  }
  return chunks;
}

void PairOutputs(const int16_t* widened, size_t n, const int8_t* weights, size_t channels,
                 const int32_t* bias, const OutputQuant& q, int8_t* out_a, int8_t* out_b) {
  const Quant quant(q);
  // Accumulators for up to kChunk channels at a time, then their outputs.
  constexpr size_t kChunk = 32;
  int32_t sums[2 * kChunk];
  size_t c = 0;
  static const int32_t kNoBias[kChunk] = {};  // for ops without a bias
  while (c + 2 <= channels) {
    const size_t rows = (channels - c > kChunk ? kChunk : channels - c) & ~size_t{1};
    DotPairRows(widened, weights + c * n, n, rows, bias != nullptr ? bias + c : kNoBias, sums);
    const bool fast = c < 32 * 32 && ((quant.fast_chunks >> (c / 32)) & 1) != 0;
    RequantizePairs(sums, rows, quant.multiplier + c, quant.shift + c, quant, fast, out_a + c,
                    out_b + c);
    c += rows;
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
