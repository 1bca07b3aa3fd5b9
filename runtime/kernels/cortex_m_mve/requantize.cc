#include "kernels/cortex_m_mve/requantize.h"

#include "kernels/cortex_m_dsp/requantize.h"

namespace mote::cortex_m_mve {
namespace {

// A channel with a left shift somewhere in the run: the DSP kernels' exact
// scalar step (kernels/cortex_m_dsp/requantize.h).
__attribute__((noinline)) void RequantizeRowsScalar(const ChannelQuant& q, size_t count,
                                                    const int32_t* sum_a, const int32_t* sum_b,
                                                    int8_t* out_a, int8_t* out_b) {
  for (size_t c = 0; c < count; ++c) {
    const uint32_t b = q.bias != nullptr ? static_cast<uint32_t>(q.bias[c]) : 0;
    out_a[c] = cortex_m_dsp::RequantizeInt8(static_cast<int32_t>(static_cast<uint32_t>(sum_a[c]) + b),
                                            q.multiplier[c], q.shift[c], q.output_offset,
                                            q.activation_min, q.activation_max);
    if (out_b != nullptr) {
      out_b[c] = cortex_m_dsp::RequantizeInt8(
          static_cast<int32_t>(static_cast<uint32_t>(sum_b[c]) + b), q.multiplier[c], q.shift[c],
          q.output_offset, q.activation_min, q.activation_max);
    }
  }
}

// Channels c .. c + 3 (those under `lanes`): the vector step on each row.
template <bool kTwo, bool kPartial>
__attribute__((always_inline)) inline void Requantize4Rows(
    const int32_t* bias, const int32_t* multiplier, const int8_t* shift, int32_t offset,
    int32_t lo, int32_t hi, const int32_t* sum_a, const int32_t* sum_b, int8_t* out_a,
    int8_t* out_b, mve_pred16_t lanes) {
  // Unpredicated loads for full groups: a predicated one costs a VPST more.
  const int32x4_t m = kPartial ? vldrwq_z_s32(multiplier, lanes) : vldrwq_s32(multiplier);
  const int32x4_t s = kPartial ? vldrbq_z_s32(shift, lanes) : vldrbq_s32(shift);
  const int32x4_t b = bias == nullptr ? vdupq_n_s32(0)
                      : kPartial      ? vldrwq_z_s32(bias, lanes)
                                      : vldrwq_s32(bias);
  const int32x4_t xa = kPartial ? vldrwq_z_s32(sum_a, lanes) : vldrwq_s32(sum_a);
  const int32x4_t ra = Requantize4(vaddq_s32(xa, b), m, s, offset, lo, hi);
  if (kPartial) {
    vstrbq_p_s32(out_a, ra, lanes);
  } else {
    vstrbq_s32(out_a, ra);
  }
  if constexpr (kTwo) {
    const int32x4_t xb = kPartial ? vldrwq_z_s32(sum_b, lanes) : vldrwq_s32(sum_b);
    const int32x4_t rb = Requantize4(vaddq_s32(xb, b), m, s, offset, lo, hi);
    if (kPartial) {
      vstrbq_p_s32(out_b, rb, lanes);
    } else {
      vstrbq_s32(out_b, rb);
    }
  }
}

template <bool kTwo>
void RequantizeRowsVector(const ChannelQuant& q, size_t count, const int32_t* sum_a,
                          const int32_t* sum_b, int8_t* out_a, int8_t* out_b) {
  // Locals: the int8 stores could alias q, which made GCC reload it.
  const int32_t* const bias = q.bias;
  const int32_t* const multiplier = q.multiplier;
  const int8_t* const shift = q.shift;
  const int32_t offset = q.output_offset;
  const int32_t lo = q.activation_min;
  const int32_t hi = q.activation_max;
  size_t c = 0;
  for (; c + 4 <= count; c += 4) {
    Requantize4Rows<kTwo, false>(bias == nullptr ? nullptr : bias + c, multiplier + c,
                                 shift + c, offset, lo, hi, sum_a + c, sum_b + c, out_a + c,
                                 out_b + c, 0);
  }
  if (c < count) {
    Requantize4Rows<kTwo, true>(bias == nullptr ? nullptr : bias + c, multiplier + c, shift + c,
                                offset, lo, hi, sum_a + c, sum_b + c, out_a + c, out_b + c,
                                vctp32q(static_cast<uint32_t>(count - c)));
  }
}

}  // namespace

void RequantizeRows(const ChannelQuant& q, size_t count, const int32_t* sum_a,
                    const int32_t* sum_b, int8_t* out_a, int8_t* out_b) {
  if (!q.right_shifts_only) {
    RequantizeRowsScalar(q, count, sum_a, sum_b, out_a, out_b);
  } else if (out_b != nullptr) {
    RequantizeRowsVector<true>(q, count, sum_a, sum_b, out_a, out_b);
  } else {
    RequantizeRowsVector<false>(q, count, sum_a, sum_b, out_a, out_b);
  }
}

}  // namespace mote::cortex_m_mve
