#include "kernels/cortex_m_dsp/add.h"

#include <arm_acle.h>
#include <stddef.h>

#include "kernels/cortex_m_dsp/elementwise_rescale.h"
#include "kernels/cortex_m_dsp/multiply_high.h"

namespace mote::cortex_m_dsp {
namespace {

using Mh = SmmlarMultiplyHigh;

// The activation range is all of int8 (no fused activation, or a ReLU whose
// zero point is -128): one SSAT.
template <bool kFullRange>
inline int8_t Finish(const OutputPlan& p, int32_t x) {
  const int32_t y = OutputValue<Mh>(p, x);
  if (kFullRange) return static_cast<int8_t>(__ssat(y, 8));
  return Clamp(p, y);
}

// Any accepted plan, inputs advancing by step1 and step2 (each 0 or 1); a
// single-element input is rescaled once. Out of line (it also finishes the
// unrolled loops' runs), and so are those loops: the deepest stack is then
// one of them, not their sum.
template <bool kFullRange>
[[gnu::noinline]] void AddRunAny(const AddPlan& p, const int8_t* in1, size_t step1,
                                 const int8_t* in2, size_t step2, int8_t* out, size_t n) {
  if (step1 != 0 && step2 != 0) {
    for (size_t k = 0; k < n; ++k) {
      out[k] = Finish<kFullRange>(
          p.out, AddInputTwice<Mh>(p.in1, in1[k]) + AddInputTwice<Mh>(p.in2, in2[k]));
    }
    return;
  }
  const AddInputPlan& moving = step1 != 0 ? p.in1 : p.in2;
  const int8_t* in = step1 != 0 ? in1 : in2;
  const int32_t fixed =
      step1 != 0 ? AddInputTwice<Mh>(p.in2, *in2) : AddInputTwice<Mh>(p.in1, *in1);
  const size_t step = step1 + step2;  // 1, or 0 when both are fixed
  for (size_t k = 0; k < n; ++k, in += step) {
    out[k] = Finish<kFullRange>(p.out, AddInputTwice<Mh>(moving, *in) + fixed);
  }
}

// Both inputs advance, in the left-shift-20 form (IsLeftShift20Form), four
// elements per iteration; the last n % 4 as AddRunAny. The plan is copied
// so that its fields stay in registers: int8_t stores may alias anything.
template <bool kHalf1, bool kHalf2, bool kFullRange>
[[gnu::noinline]] void AddRun20(const AddPlan& plan, const int8_t* in1, const int8_t* in2,
                                int8_t* out, size_t n) {
  const AddPlan p = plan;
  const int32_t half_bias = HalfBias(p);
  auto one = [&](int32_t q1, int32_t q2) {
    return Finish<kFullRange>(p.out, AddTwice20<Mh, kHalf1, kHalf2>(p, half_bias, q1, q2));
  };
  for (size_t blocks = n >> 2; blocks != 0; --blocks) {
    out[0] = one(in1[0], in2[0]);
    out[1] = one(in1[1], in2[1]);
    out[2] = one(in1[2], in2[2]);
    out[3] = one(in1[3], in2[3]);
    in1 += 4;
    in2 += 4;
    out += 4;
  }
  AddRunAny<kFullRange>(plan, in1, 1, in2, 1, out, n & 3);
}

template <bool kFullRange>
void AddRun20Kinds(const AddPlan& p, const int8_t* in1, const int8_t* in2, int8_t* out, size_t n) {
  const bool half1 = p.in1.linear;
  const bool half2 = p.in2.linear;
  if (half1 && half2) {
    AddRun20<true, true, kFullRange>(p, in1, in2, out, n);
  } else if (half1) {
    AddRun20<true, false, kFullRange>(p, in1, in2, out, n);
  } else if (half2) {
    AddRun20<false, true, kFullRange>(p, in1, in2, out, n);
  } else {
    AddRun20<false, false, kFullRange>(p, in1, in2, out, n);
  }
}

template <bool kFullRange>
void AddRunSteps(const AddPlan& p, bool form20, const int8_t* in1, size_t step1, const int8_t* in2,
                 size_t step2, int8_t* out, size_t n) {
  if (form20 && step1 != 0 && step2 != 0) {
    AddRun20Kinds<kFullRange>(p, in1, in2, out, n);
  } else {
    AddRunAny<kFullRange>(p, in1, step1, in2, step2, out, n);
  }
}

}  // namespace

void AddInt8(const Broadcast& b, const QuantizedAddParams& params, const int8_t* in1,
             const int8_t* in2, int8_t* out) {
  AddPlan p;
  if (!PlanAdd(params, &p)) {
    reference::AddInt8(b, params, in1, in2, out);
    return;
  }
  const bool form20 = IsLeftShift20Form(params, p);
  const bool full_range = p.out.activation_min == -128 && p.out.activation_max == 127;
  reference::ForEachRun(
      b, [&](size_t o, size_t i1, size_t i2, size_t n, size_t step1, size_t step2) {
        if (full_range) {
          AddRunSteps<true>(p, form20, in1 + i1, step1, in2 + i2, step2, out + o, n);
        } else {
          AddRunSteps<false>(p, form20, in1 + i1, step1, in2 + i2, step2, out + o, n);
        }
      });
}

}  // namespace mote::cortex_m_dsp
