// The arithmetic of the DSP Add and Mul (kernels/cortex_m_dsp/add.cc, mul.cc):
// the reference's rescaling steps rewritten around one SMMLAR each, equal to
// the reference for the parameters a plan accepts. Portable C++ over a
// MultiplyHigh policy, so tests/runtime/dsp_elementwise_test.cc runs the same
// code on the host with SMMLAR's arithmetic written out.
//
// The identity behind every step. For m >= 0, e in [1, 31] and |v| < 2^30,
//   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(v, m), e)
//     == SMMLAR(2v, m, 2^(e-1) - [v < 0]) >> e      (arithmetic shift)
// where SMMLAR(a, b, c) = c + floor((a * b + 2^31) / 2^32). Proof: with
// x = v * m, the high multiply is h = floor((x + 2^30) / 2^31) (see
// cortex_m_dsp/requantize.h), and 2v * m + 2^31 = 2 (x + 2^30), so
// SMMLAR(2v, m, c) = h + c. The rounding division of h by 2^e is
// floor((h + 2^(e-1) - [h < 0]) / 2^e) (cortex_m_dsp/requantize.h, the
// short path of RequantizeInt8). [h < 0] may be replaced by [v < 0]: h < 0 needs
// x < -2^30, so v < 0; and where v < 0 but h >= 0 (that is, -2^30 <= x < 0,
// or m == 0), h == 0 and both floor((2^(e-1) - 1) / 2^e) and
// floor(2^(e-1) / 2^e) are 0. |x| < 2^61 gives -2^30 <= h < 2^30, so any
// |c| <= 2^30 keeps SMMLAR's result in int32. Adding k * 2^e to c adds k to the result (an integer
// moved out of the floor): that folds an output zero point in.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_ELEMENTWISE_RESCALE_H_
#define MOTE_KERNELS_CORTEX_M_DSP_ELEMENTWISE_RESCALE_H_

#include <stdint.h>

#include "kernels/reference/add.h"
#include "kernels/reference/mul.h"
#include "kernels/reference/requantize.h"

namespace mote::cortex_m_dsp {

// SMMLAR's arithmetic, for arguments whose result fits int32 (the host's
// MultiplyHigh policy; the kernels use the instruction).
struct PortableMultiplyHigh {
  static int32_t Rounded(int32_t a, int32_t b, int32_t c) {
    return static_cast<int32_t>(c + ((int64_t{a} * b + (int64_t{1} << 31)) >> 32));
  }
};

// One input of the Add: s = MQM((q + offset) << left_shift, m, shift) of the
// reference, as d(q) = 2 s in one of two forms.
struct AddInputPlan {
  // Linear: m << left_shift is a multiple of 2^(31 + e), so s is exactly
  // (q + offset) * K with K = (m << left_shift) >> (31 + e): v * m is
  // (q + offset) * K * 2^(31 + e), the high multiply adds 2^30 < 2^31 and
  // floors to (q + offset) * K * 2^e, a multiple of 2^e that the rounding
  // division divides exactly. d = q * scale + bias with scale = 2K.
  bool linear;
  int32_t scale;  // linear: 2K; rounded: 2^(left_shift + 1)
  int32_t bias;   // offset * scale
  // Rounded (shift = -e < 0): a = q * scale + bias = 2 (q + offset) << left_shift,
  // s = SMMLAR(a, m, round - [a < 0]) >> e (the identity above, |a / 2| < 2^30).
  int32_t multiplier;
  int32_t round;  // 2^(e - 1)
  int32_t shift;  // e
};

// The output step of the Add and the Mul: out = clamp(SMMLAR(x, multiplier,
// round - [x < 0]) >> shift) for x = 2 * (the reference's value before its
// output multiply), with |x| < 2^31; round folds the zero point in.
struct OutputPlan {
  int32_t multiplier;
  int32_t round;  // 2^(e - 1) + output_offset * 2^e
  int32_t shift;  // e in [1, 22]: round stays below 2^30
  int32_t activation_min;
  int32_t activation_max;
};

struct AddPlan {
  AddInputPlan in1, in2;
  OutputPlan out;
};

// -zero point of an int8 input, so |q + offset| <= 255.
inline bool InputOffsetsOfInt8(int32_t offset1, int32_t offset2) {
  return offset1 >= -127 && offset1 <= 128 && offset2 >= -127 && offset2 <= 128;
}

// int8 only. False when the parameters fall outside the forms above (an
// input shift above 0, or of 0 with a multiplier whose rescale rounds; an
// output shift outside [-22, -1]; |s1| + |s2| >= 2^30; an offset outside
// InputOffsetsOfInt8); the kernel then runs the reference.
inline bool PlanAddInput(int32_t offset, int left_shift, int32_t m, int shift, AddInputPlan* plan) {
  if (m < 0 || shift > 0 || shift < -31 || left_shift < 0 || left_shift > 22) return false;
  const int e = -shift;
  const int64_t big = int64_t{m} << left_shift;  // >= 0: masks and shifts, no division
  if ((big & ((int64_t{1} << (31 + e)) - 1)) == 0) {
    const int64_t scale = 2 * (big >> (31 + e));
    const int64_t bias = scale * offset;
    if (scale > INT32_MAX || bias > INT32_MAX || bias < INT32_MIN) return false;
    *plan = {true, static_cast<int32_t>(scale), static_cast<int32_t>(bias), 0, 0, 0};
    return true;
  }
  if (e == 0) return false;
  const int32_t scale = int32_t{1} << (left_shift + 1);
  *plan = {false, scale, scale * offset, m, int32_t{1} << (e - 1), e};
  return true;
}

// |s| over every int8 input: s is monotone in q (m >= 0), so its extremes
// sit at q = -128 and q = 127.
inline int64_t MaxAbsScaled(int32_t offset, int left_shift, int32_t m, int shift) {
  int64_t worst = 0;
  for (int32_t q : {-128, 127}) {
    const int32_t v = (q + offset) * (1 << left_shift);
    const int64_t s = reference::MultiplyByQuantizedMultiplier(v, m, shift);
    if ((s < 0 ? -s : s) > worst) worst = s < 0 ? -s : s;
  }
  return worst;
}

inline bool PlanOutput(int32_t m, int shift, int32_t offset, int32_t lo, int32_t hi,
                       OutputPlan* plan) {
  if (m < 0 || shift > -1 || shift < -22 || offset < -128 || offset > 127) return false;
  const int e = -shift;
  *plan = {m, (int32_t{1} << (e - 1)) + offset * (int32_t{1} << e), e, lo, hi};
  return true;
}

// Out of line: the kernel calls it once, and its frame then stays off the
// stack of the runs.
[[gnu::noinline]] inline bool PlanAdd(const reference::QuantizedAddParams& p, AddPlan* plan) {
  if (!InputOffsetsOfInt8(p.input1_offset, p.input2_offset)) {
    return false;
  }
  if (!PlanAddInput(p.input1_offset, p.left_shift, p.input1_multiplier, p.input1_shift,
                    &plan->in1) ||
      !PlanAddInput(p.input2_offset, p.left_shift, p.input2_multiplier, p.input2_shift,
                    &plan->in2) ||
      !PlanOutput(p.output_multiplier, p.output_shift, p.output_offset, p.activation_min,
                  p.activation_max, &plan->out)) {
    return false;
  }
  // 2 (s1 + s2) must fit int32; then the reference's saturating sum is exact too.
  const int64_t bound =
      MaxAbsScaled(p.input1_offset, p.left_shift, p.input1_multiplier, p.input1_shift) +
      MaxAbsScaled(p.input2_offset, p.left_shift, p.input2_multiplier, p.input2_shift);
  return bound < (int64_t{1} << 30);
}

// d = 2 s for an input known to be linear (kLinear) or rounded.
template <typename MultiplyHigh, bool kLinear>
inline int32_t AddInputTwiceAs(const AddInputPlan& p, int32_t q) {
  const int32_t a = q * p.scale + p.bias;
  if (kLinear) return a;
  const int32_t round = p.round - static_cast<int32_t>(static_cast<uint32_t>(a) >> 31);
  return 2 * (MultiplyHigh::Rounded(a, p.multiplier, round) >> p.shift);
}

template <typename MultiplyHigh>
inline int32_t AddInputTwice(const AddInputPlan& p, int32_t q) {
  return p.linear ? AddInputTwiceAs<MultiplyHigh, true>(p, q)
                  : AddInputTwiceAs<MultiplyHigh, false>(p, q);
}

// Before the clamp: the reference's raw + output_offset.
template <typename MultiplyHigh>
inline int32_t OutputValue(const OutputPlan& p, int32_t x) {
  const int32_t round = p.round - static_cast<int32_t>(static_cast<uint32_t>(x) >> 31);
  return MultiplyHigh::Rounded(x, p.multiplier, round) >> p.shift;
}

inline int8_t Clamp(const OutputPlan& p, int32_t y) {
  return static_cast<int8_t>(y < p.activation_min ? p.activation_min
                                                  : (y > p.activation_max ? p.activation_max : y));
}

template <typename MultiplyHigh>
inline int8_t AddElement(const AddPlan& p, int32_t q1, int32_t q2) {
  const int32_t x = AddInputTwice<MultiplyHigh>(p.in1, q1) + AddInputTwice<MultiplyHigh>(p.in2, q2);
  return Clamp(p.out, OutputValue<MultiplyHigh>(p.out, x));
}

// The Add as TFLite and modelc emit it for int8: left_shift 20, and each
// input either "half" (the larger input scale: real multiplier exactly 0.5,
// m = 2^30 and shift 0, a linear input with scale 2^20) or rounded. With
// the shifts constants the kernel's inner loop needs fewer registers.
inline bool IsLeftShift20Form(const reference::QuantizedAddParams& params, const AddPlan& p) {
  return params.left_shift == 20 && (!p.in1.linear || p.in1.scale == (1 << 20)) &&
         (!p.in2.linear || p.in2.scale == (1 << 20));
}

// s of a rounded input with left_shift 20 (AddInputTwiceAs / 2).
template <typename MultiplyHigh>
inline int32_t Rounded20(const AddInputPlan& p, int32_t q) {
  const int32_t a = q * (1 << 21) + p.bias;
  const int32_t round = p.round - static_cast<int32_t>(static_cast<uint32_t>(a) >> 31);
  return MultiplyHigh::Rounded(a, p.multiplier, round) >> p.shift;
}

// The half inputs' biases, summed (HalfBias below).
inline int32_t HalfBias(const AddPlan& p) {
  return (p.in1.linear ? p.in1.bias : 0) + (p.in2.linear ? p.in2.bias : 0);
}

// x = 2 (s1 + s2) in the left-shift-20 form, kHalf_i saying which inputs
// are half; half_bias = HalfBias(p). A half input's 2s is q * 2^20 + bias.
template <typename MultiplyHigh, bool kHalf1, bool kHalf2>
inline int32_t AddTwice20(const AddPlan& p, int32_t half_bias, int32_t q1, int32_t q2) {
  int32_t rounded = 0;
  int32_t half = 0;
  if (kHalf1) {
    half += q1;
  } else {
    rounded += Rounded20<MultiplyHigh>(p.in1, q1);
  }
  if (kHalf2) {
    half += q2;
  } else {
    rounded += Rounded20<MultiplyHigh>(p.in2, q2);
  }
  return half_bias + 2 * (rounded + half * (1 << 19));
}

// Mul: the reference's product (q1 + o1) * (q2 + o2), offsets of int8 zero
// points, has |.| <= 255 * 255, so x = 2 * product fits and |h| <= 65026.
// For e >= 17 the rounded result is 0 for every such product
// (h + 2^(e-1) - [h < 0] lies in [0, 2^e)), so the plan caps e at 17 and the
// output zero point still folds in. Output shifts >= 0 (a real multiplier of
// 0.5 or more) take the reference.
inline bool PlanMul(const reference::QuantizedMulParams& p, OutputPlan* plan) {
  if (!InputOffsetsOfInt8(p.input1_offset, p.input2_offset)) {
    return false;
  }
  const int shift = p.output_shift < -17 ? -17 : p.output_shift;
  return PlanOutput(p.output_multiplier, shift, p.output_offset, p.activation_min, p.activation_max,
                    plan);
}

// x = 2 (q1 + offset1) (q2 + offset2), the doubling folded into one factor
// (twice_offset2 = 2 offset2).
inline int32_t MulTwice(int32_t offset1, int32_t twice_offset2, int32_t q1, int32_t q2) {
  return (q1 + offset1) * (2 * q2 + twice_offset2);
}

template <typename MultiplyHigh>
inline int8_t MulElement(const OutputPlan& p, int32_t offset1, int32_t offset2, int32_t q1,
                         int32_t q2) {
  return Clamp(p, OutputValue<MultiplyHigh>(p, MulTwice(offset1, 2 * offset2, q1, q2)));
}

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_ELEMENTWISE_RESCALE_H_
