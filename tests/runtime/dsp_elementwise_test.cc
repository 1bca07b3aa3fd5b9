// The DSP Add and Mul arithmetic (kernels/cortex_m_dsp/elementwise_rescale.h,
// with SMMLAR written out) against the reference kernels, on every pair of
// int8 inputs, for parameters at the edges of what the loader allows and
// random ones. The kernels themselves are compared under QEMU
// (targets/cortex-m/kernel_check).
#include <gtest/gtest.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/cortex_m_dsp/elementwise_rescale.h"
#include "kernels/reference/add.h"
#include "kernels/reference/broadcast.h"
#include "kernels/reference/mul.h"

namespace {

namespace dsp = mote::cortex_m_dsp;
namespace ref = mote::reference;
using Mh = dsp::PortableMultiplyHigh;

// Every (q1, q2) pair as two 65536-element inputs of the same shape.
struct AllPairs {
  std::vector<int8_t> in1, in2, expected;
  ref::Broadcast b;
  AllPairs() : in1(65536), in2(65536), expected(65536) {
    for (int i = 0; i < 65536; ++i) {
      in1[i] = static_cast<int8_t>(i >> 8);
      in2[i] = static_cast<int8_t>(i & 255);
    }
    const int32_t shape[] = {65536};
    EXPECT_TRUE(ref::MakeBroadcast(shape, shape, shape, &b));
  }
};

// True if the plan applied (and then every pair matched).
bool CheckAdd(const AllPairs& all, const ref::QuantizedAddParams& p) {
  dsp::AddPlan plan;
  if (!dsp::PlanAdd(p, &plan)) return false;
  std::vector<int8_t> expected(65536);
  ref::AddInt8(all.b, p, all.in1.data(), all.in2.data(), expected.data());
  const bool form20 = dsp::IsLeftShift20Form(p, plan);
  const int32_t half_bias = dsp::HalfBias(plan);
  for (int i = 0; i < 65536; ++i) {
    int8_t got = dsp::AddElement<Mh>(plan, all.in1[i], all.in2[i]);
    if (form20 && got == expected[i]) {  // the kernel's unrolled form too
      const int32_t q1 = all.in1[i];
      const int32_t q2 = all.in2[i];
      const int32_t x =
          plan.in1.linear
              ? (plan.in2.linear ? dsp::AddTwice20<Mh, true, true>(plan, half_bias, q1, q2)
                                 : dsp::AddTwice20<Mh, true, false>(plan, half_bias, q1, q2))
              : (plan.in2.linear ? dsp::AddTwice20<Mh, false, true>(plan, half_bias, q1, q2)
                                 : dsp::AddTwice20<Mh, false, false>(plan, half_bias, q1, q2));
      got = dsp::Clamp(plan.out, dsp::OutputValue<Mh>(plan.out, x));
    }
    if (got != expected[i]) {
      ADD_FAILURE() << "q1 " << int{all.in1[i]} << " q2 " << int{all.in2[i]} << ": " << int{got}
                    << " vs reference " << int{expected[i]} << "; offsets " << p.input1_offset
                    << " " << p.input2_offset << " " << p.output_offset << " left_shift "
                    << p.left_shift << " m1 " << p.input1_multiplier << " s1 " << p.input1_shift
                    << " m2 " << p.input2_multiplier << " s2 " << p.input2_shift << " mo "
                    << p.output_multiplier << " so " << p.output_shift << " act "
                    << p.activation_min << ".." << p.activation_max;
      return true;
    }
  }
  return true;
}

bool CheckMul(const AllPairs& all, const ref::QuantizedMulParams& p) {
  dsp::OutputPlan plan;
  if (!dsp::PlanMul(p, &plan)) return false;
  std::vector<int8_t> expected(65536);
  ref::MulInt8(all.b, p, all.in1.data(), all.in2.data(), expected.data());
  for (int i = 0; i < 65536; ++i) {
    const int8_t got =
        dsp::MulElement<Mh>(plan, p.input1_offset, p.input2_offset, all.in1[i], all.in2[i]);
    if (got != expected[i]) {
      ADD_FAILURE() << "q1 " << int{all.in1[i]} << " q2 " << int{all.in2[i]} << ": " << int{got}
                    << " vs reference " << int{expected[i]} << "; offsets " << p.input1_offset
                    << " " << p.input2_offset << " " << p.output_offset << " m "
                    << p.output_multiplier << " shift " << p.output_shift;
      return true;
    }
  }
  return true;
}

// Q31 multiplier and shift of a real multiplier, as modelc and TFLite make them.
void Quantize(double real, int32_t* m, int* shift) {
  int e = 0;
  const double f = std::frexp(real, &e);
  int64_t q = static_cast<int64_t>(std::llround(f * (int64_t{1} << 31)));
  if (q == (int64_t{1} << 31)) {
    q /= 2;
    ++e;
  }
  *m = static_cast<int32_t>(q);
  *shift = e;
}

constexpr int32_t kMultipliers[] = {
    0, 1, 3, 1 << 20, (1 << 29) + 7, 1 << 30, (1 << 30) + 1, 0x5A5A5A5A, INT32_MAX - 1, INT32_MAX};

// Add parameters as modelc derives them from three scales (left shift 20):
// the larger input's multiplier is exactly 0.5 (the linear form).
TEST(DspElementwise, AddFromScales) {
  AllPairs all;
  std::mt19937 rng(2024);
  std::uniform_real_distribution<double> log_scale(-9.0, 2.0);
  std::uniform_int_distribution<int32_t> zp(-128, 127);
  int applied = 0;
  for (int i = 0; i < 300; ++i) {
    const double s1 = std::exp2(log_scale(rng));
    const double s2 = i % 5 == 0 ? s1 : std::exp2(log_scale(rng));
    const double so = std::exp2(log_scale(rng) / 2 + (i % 3 == 0 ? 1.0 : 0.0));
    const int ls = i % 7 == 0 ? static_cast<int>(rng() % 23) : 20;
    ref::QuantizedAddParams p{};
    p.input1_offset = -zp(rng);
    p.input2_offset = -zp(rng);
    p.output_offset = zp(rng);
    p.left_shift = ls;
    const double twice_max = 2 * std::max(s1, s2);
    Quantize(s1 / twice_max, &p.input1_multiplier, &p.input1_shift);
    Quantize(s2 / twice_max, &p.input2_multiplier, &p.input2_shift);
    Quantize(twice_max / (std::exp2(ls) * so), &p.output_multiplier, &p.output_shift);
    if (p.output_shift < -31 || p.output_shift > 30) continue;
    p.activation_min = i % 4 == 0 ? p.output_offset : -128;
    p.activation_max = i % 8 == 1 ? zp(rng) / 2 + 64 : 127;
    if (p.activation_min > p.activation_max) p.activation_min = -128;
    if (CheckAdd(all, p)) ++applied;
    if (HasFailure()) return;
  }
  EXPECT_GT(applied, 200);
}

// Raw parameters: every shift and multiplier class the loader allows.
TEST(DspElementwise, AddEdges) {
  AllPairs all;
  std::mt19937 rng(99);
  std::uniform_int_distribution<int32_t> any_m(0, INT32_MAX);
  const int32_t offsets[] = {-127, -1, 0, 1, 128};
  int applied = 0;
  for (int i = 0; i < 400; ++i) {
    ref::QuantizedAddParams p{};
    p.left_shift = i % 23;
    p.input1_offset = offsets[rng() % 5];
    p.input2_offset = offsets[rng() % 5];
    p.output_offset =
        i % 3 == 0 ? -128 : (i % 3 == 1 ? 127 : static_cast<int32_t>(rng() % 256) - 128);
    p.input1_multiplier = i % 2 ? kMultipliers[rng() % 10] : any_m(rng);
    p.input2_multiplier = i % 3 ? kMultipliers[rng() % 10] : any_m(rng);
    p.input1_shift = -static_cast<int>(rng() % 32);
    p.input2_shift = i % 4 == 0 ? 0 : -static_cast<int>(rng() % 32);
    p.output_multiplier = i % 5 ? any_m(rng) : kMultipliers[rng() % 10];
    p.output_shift = -1 - static_cast<int>(rng() % 22);
    p.activation_min = i % 2 ? -128 : -5;
    p.activation_max = i % 3 ? 127 : 90;
    if (CheckAdd(all, p)) ++applied;
    if (HasFailure()) return;
  }
  EXPECT_GT(applied, 100);
}

TEST(DspElementwise, AddLinearInputs) {
  AllPairs all;
  int applied = 0;
  for (int ls = 0; ls <= 22; ++ls) {
    for (int e = 0; e <= 3; ++e) {
      for (int32_t m : {1 << 30, 1 << 29, 3 << 28, 0}) {
        for (int so = -22; so <= -1; so += 3) {
          ref::QuantizedAddParams p{};
          p.left_shift = ls;
          p.input1_offset = 128;
          p.input2_offset = -127;
          p.output_offset = -3;
          p.input1_multiplier = m;
          p.input1_shift = -e;
          p.input2_multiplier = (1 << 30) + 12345;
          p.input2_shift = -1 - e;
          p.output_multiplier = (1 << 30) + 777;
          p.output_shift = so;
          p.activation_min = -128;
          p.activation_max = 127;
          if (CheckAdd(all, p)) ++applied;
          if (HasFailure()) return;
        }
      }
    }
  }
  EXPECT_GT(applied, 500);
}

TEST(DspElementwise, AddPlanRefuses) {
  ref::QuantizedAddParams p{0, 0, 0, 20, 1 << 30, 0, 1 << 30, 0, 1 << 30, -18, -128, 127};
  dsp::AddPlan plan;
  EXPECT_TRUE(dsp::PlanAdd(p, &plan));
  p.output_shift = 0;  // a real output multiplier >= 0.5
  EXPECT_FALSE(dsp::PlanAdd(p, &plan));
  p.output_shift = -23;
  EXPECT_FALSE(dsp::PlanAdd(p, &plan));
  p.output_shift = -18;
  p.input1_shift = 1;  // above 1
  EXPECT_FALSE(dsp::PlanAdd(p, &plan));
  p.input1_shift = 0;
  p.input1_multiplier = (1 << 30) + 1;  // in (0.5, 1), rounded, no right shift
  EXPECT_FALSE(dsp::PlanAdd(p, &plan));
  p.input1_multiplier = 1 << 30;
  p.left_shift = 22;
  p.input1_offset = 128;
  p.input2_offset = 128;
  EXPECT_TRUE(dsp::PlanAdd(p, &plan));  // |s1| + |s2| = 2 * 255 * 2^21 < 2^30
  p.input1_multiplier = 3 << 29;        // 0.75: linear, but 255 * 0.75 * 2^22 * 2 > 2^30
  p.input2_multiplier = 3 << 29;
  EXPECT_FALSE(dsp::PlanAdd(p, &plan));
  p.input1_multiplier = 1 << 30;
  p.input2_multiplier = 1 << 30;
  p.input1_offset = -128;  // not -(an int8 zero point): |q + offset| would reach 256
  EXPECT_FALSE(dsp::PlanAdd(p, &plan));
  const ref::QuantizedMulParams mul{-128, 0, 0, 1 << 30, -20, -128, 127};
  dsp::OutputPlan out;
  EXPECT_FALSE(dsp::PlanMul(mul, &out));
}

TEST(DspElementwise, MulEveryShift) {
  AllPairs all;
  std::mt19937 rng(5);
  std::uniform_int_distribution<int32_t> any_m(0, INT32_MAX);
  std::uniform_int_distribution<int32_t> zp(-128, 127);
  int applied = 0;
  for (int shift = -31; shift <= 1; ++shift) {
    for (int i = 0; i < 8; ++i) {
      ref::QuantizedMulParams p{};
      p.input1_offset = i == 0 ? 128 : (i == 1 ? -127 : -zp(rng));
      p.input2_offset = i == 0 ? 128 : (i == 1 ? -127 : -zp(rng));
      p.output_offset = i == 2 ? -128 : (i == 3 ? 127 : zp(rng));
      p.output_multiplier = i < 4 ? kMultipliers[(shift + 31 + i) % 10] : any_m(rng);
      p.output_shift = shift;
      p.activation_min = i % 2 ? -128 : p.output_offset / 2;
      p.activation_max = i % 3 ? 127 : 100;
      if (CheckMul(all, p)) ++applied;
      if (HasFailure()) return;
    }
  }
  EXPECT_EQ(applied, 31 * 8);  // every shift in [-31, -1]
}

// The runs every elementwise kernel (reference and DSP) walks: the same
// (output, input1, input2) index triples, in order, as ForEachElement.
TEST(DspElementwise, RunsVisitWhatForEachElementVisits) {
  std::mt19937 rng(17);
  int valid = 0;
  for (int i = 0; i < 3000; ++i) {
    const int rank = static_cast<int>(rng() % 5);
    int32_t out[4], a1[4], a2[4];
    for (int d = 0; d < rank; ++d) out[d] = 1 + static_cast<int32_t>(rng() % 4);
    const int rank1 = static_cast<int>(rng() % (rank + 1));
    const int rank2 = static_cast<int>(rng() % (rank + 1));
    for (int d = 0; d < rank1; ++d) a1[d] = rng() % 3 == 0 ? 1 : out[d + rank - rank1];
    for (int d = 0; d < rank2; ++d) a2[d] = rng() % 3 == 0 ? 1 : out[d + rank - rank2];
    ref::Broadcast b;
    // Both inputs 1 where the output is not: no broadcast, draw again.
    if (!ref::MakeBroadcast({a1, static_cast<size_t>(rank1)}, {a2, static_cast<size_t>(rank2)},
                            {out, static_cast<size_t>(rank)}, &b)) {
      continue;
    }
    ++valid;
    std::vector<size_t> want, got;
    ref::ForEachElement(b, [&](size_t o, size_t i1, size_t i2) {
      want.insert(want.end(), {o, i1, i2});
    });
    ref::ForEachRun(b, [&](size_t o, size_t i1, size_t i2, size_t n, size_t s1, size_t s2) {
      ASSERT_TRUE(s1 <= 1 && s2 <= 1);
      for (size_t k = 0; k < n; ++k) got.insert(got.end(), {o + k, i1 + k * s1, i2 + k * s2});
    });
    ASSERT_EQ(got, want) << "case " << i;
  }
  EXPECT_GT(valid, 1500);
}

}  // namespace
