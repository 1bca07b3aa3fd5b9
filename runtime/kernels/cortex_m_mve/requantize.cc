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
    out_a[c] = cortex_m_dsp::RequantizeInt8(
        static_cast<int32_t>(static_cast<uint32_t>(sum_a[c]) + b), q.multiplier[c], q.shift[c],
        q.output_offset, q.activation_min, q.activation_max);
    if (out_b != nullptr) {
      out_b[c] = cortex_m_dsp::RequantizeInt8(
          static_cast<int32_t>(static_cast<uint32_t>(sum_b[c]) + b), q.multiplier[c], q.shift[c],
          q.output_offset, q.activation_min, q.activation_max);
    }
  }
}

// Channels c .. c + 3 (those under `lanes`): the vector step on each row.
template <bool kTwo, bool kBias, bool kPartial>
__attribute__((always_inline)) inline void Requantize4Rows(
    const int32_t* bias, const int32_t* multiplier, const int8_t* shift, int32_t offset, int32_t lo,
    int32_t hi, const int32_t* sum_a, const int32_t* sum_b, int8_t* out_a, int8_t* out_b,
    mve_pred16_t lanes) {
  // Unpredicated loads for full groups: a predicated one costs a VPST more.
  const int32x4_t m = kPartial ? vldrwq_z_s32(multiplier, lanes) : vldrwq_s32(multiplier);
  const int32x4_t s = kPartial ? vldrbq_z_s32(shift, lanes) : vldrbq_s32(shift);
  int32x4_t b = vdupq_n_s32(0);
  if constexpr (kBias) b = kPartial ? vldrwq_z_s32(bias, lanes) : vldrwq_s32(bias);
  int32x4_t xa = kPartial ? vldrwq_z_s32(sum_a, lanes) : vldrwq_s32(sum_a);
  if constexpr (kBias) xa = vaddq_s32(xa, b);
  const int32x4_t ra = Requantize4(xa, m, s, offset, lo, hi);
  if (kPartial) {
    vstrbq_p_s32(out_a, ra, lanes);
  } else {
    vstrbq_s32(out_a, ra);
  }
  if constexpr (kTwo) {
    int32x4_t xb = kPartial ? vldrwq_z_s32(sum_b, lanes) : vldrwq_s32(sum_b);
    if constexpr (kBias) xb = vaddq_s32(xb, b);
    const int32x4_t rb = Requantize4(xb, m, s, offset, lo, hi);
    if (kPartial) {
      vstrbq_p_s32(out_b, rb, lanes);
    } else {
      vstrbq_s32(out_b, rb);
    }
  }
}

template <bool kTwo, bool kBias>
void RequantizeRowsVector(const ChannelQuant& q, size_t count, const int32_t* sum_a,
                          const int32_t* sum_b, int8_t* out_a, int8_t* out_b) {
  // Locals: the int8 stores could alias q, which made GCC reload it.
  const int32_t* bias = q.bias;
  const int32_t* multiplier = q.multiplier;
  const int8_t* shift = q.shift;
  const int32_t offset = q.output_offset;
  const int32_t lo = q.activation_min;
  const int32_t hi = q.activation_max;
  // Pointers stepped, not indexed: GCC then uses post-increment loads.
  for (size_t groups = count / 4; groups != 0; --groups) {
    Requantize4Rows<kTwo, kBias, false>(bias, multiplier, shift, offset, lo, hi, sum_a, sum_b,
                                        out_a, out_b, 0);
    if constexpr (kBias) bias += 4;
    multiplier += 4;
    shift += 4;
    sum_a += 4;
    out_a += 4;
    if constexpr (kTwo) {
      sum_b += 4;
      out_b += 4;
    }
  }
  if (count % 4 != 0) {
    Requantize4Rows<kTwo, kBias, true>(bias, multiplier, shift, offset, lo, hi, sum_a, sum_b, out_a,
                                       out_b, vctp32q(static_cast<uint32_t>(count % 4)));
  }
}

}  // namespace

void RequantizeRows(const ChannelQuant& q, size_t count, const int32_t* sum_a, const int32_t* sum_b,
                    int8_t* out_a, int8_t* out_b) {
  if (!q.right_shifts_only) {
    RequantizeRowsScalar(q, count, sum_a, sum_b, out_a, out_b);
  } else if (q.bias == nullptr) {
    if (out_b != nullptr) {
      RequantizeRowsVector<true, false>(q, count, sum_a, sum_b, out_a, out_b);
    } else {
      RequantizeRowsVector<false, false>(q, count, sum_a, sum_b, out_a, out_b);
    }
  } else if (out_b != nullptr) {
    RequantizeRowsVector<true, true>(q, count, sum_a, sum_b, out_a, out_b);
  } else {
    RequantizeRowsVector<false, true>(q, count, sum_a, sum_b, out_a, out_b);
  }
}

}  // namespace mote::cortex_m_mve
