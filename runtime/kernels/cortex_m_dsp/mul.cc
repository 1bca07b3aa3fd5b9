#include "kernels/cortex_m_dsp/mul.h"

#include <arm_acle.h>
#include <stddef.h>

#include "kernels/cortex_m_dsp/elementwise_rescale.h"
#include "kernels/cortex_m_dsp/multiply_high.h"

namespace mote::cortex_m_dsp {
namespace {

using Mh = SmmlarMultiplyHigh;

// See add.cc: one SSAT when the activation range is all of int8.
template <bool kFullRange>
inline int8_t Finish(const OutputPlan& p, int32_t x) {
  const int32_t y = OutputValue<Mh>(p, x);
  if (kFullRange) return static_cast<int8_t>(__ssat(y, 8));
  return Clamp(p, y);
}

// Inputs advance by step1 and step2 (each 0 or 1). The parameters are
// copied so that they stay in registers: int8_t stores may alias anything.
template <bool kFullRange>
void MulRun(const OutputPlan& plan, int32_t offset1, int32_t offset2, const int8_t* in1,
            size_t step1, const int8_t* in2, size_t step2, int8_t* out, size_t n) {
  const OutputPlan p = plan;
  const int32_t twice_offset2 = 2 * offset2;
  auto one = [&](int32_t q1, int32_t q2) {
    return Finish<kFullRange>(p, MulTwice(offset1, twice_offset2, q1, q2));
  };
  if (step1 != 0 && step2 != 0) {
    for (size_t blocks = n >> 2; blocks != 0; --blocks) {
      out[0] = one(in1[0], in2[0]);
      out[1] = one(in1[1], in2[1]);
      out[2] = one(in1[2], in2[2]);
      out[3] = one(in1[3], in2[3]);
      in1 += 4;
      in2 += 4;
      out += 4;
    }
    for (size_t k = 0; k < (n & 3); ++k) out[k] = one(in1[k], in2[k]);
    return;
  }
  for (size_t k = 0; k < n; ++k, in1 += step1, in2 += step2) out[k] = one(*in1, *in2);
}

// Out of line, so that the reference, when the plan fails, runs below a
// small frame rather than this one.
[[gnu::noinline]] void MulRuns(const Broadcast& b, const QuantizedMulParams& params,
                               const OutputPlan& p, const int8_t* in1, const int8_t* in2,
                               int8_t* out) {
  const bool full_range = p.activation_min == -128 && p.activation_max == 127;
  reference::ForEachRun(
      b, [&](size_t o, size_t i1, size_t i2, size_t n, size_t step1, size_t step2) {
        if (full_range) {
          MulRun<true>(p, params.input1_offset, params.input2_offset, in1 + i1, step1, in2 + i2,
                       step2, out + o, n);
        } else {
          MulRun<false>(p, params.input1_offset, params.input2_offset, in1 + i1, step1, in2 + i2,
                        step2, out + o, n);
        }
      });
}

}  // namespace

void MulInt8(const Broadcast& b, const QuantizedMulParams& params, const int8_t* in1,
             const int8_t* in2, int8_t* out) {
  OutputPlan p;
  if (PlanMul(params, &p)) {
    MulRuns(b, params, p, in1, in2, out);
  } else {
    reference::MulInt8(b, params, in1, in2, out);
  }
}

}  // namespace mote::cortex_m_dsp
