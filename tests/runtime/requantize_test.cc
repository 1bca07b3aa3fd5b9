// The TFLite-compatible fixed-point helpers against exact double arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <random>

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// (multiplier, shift) for a real multiplier, as modelc computes it.
void Encode(double real, int32_t* m, int* shift) {
  const double q = std::frexp(real, shift);
  int64_t fixed = static_cast<int64_t>(std::round(q * (1ll << 31)));
  if (fixed == (1ll << 31)) {
    fixed /= 2;
    ++*shift;
  }
  *m = static_cast<int32_t>(fixed);
}

TEST(Requantize, KnownValues) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);    // 2.5 -> 3 (away from zero)
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(RoundingDivideByPOT(7, 2), 2);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(100, 1 << 30, 0), 50);  // x * 0.5
  EXPECT_EQ(MultiplyByQuantizedMultiplier(INT32_MAX, 1 << 30, 30), INT32_MAX);  // saturates, no UB
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-(1 << 20), 1 << 30, 12), INT32_MIN);
  // Where TFLite's int32 shift would overflow, the exact product is used.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(1 << 20, 1 << 30, 11), 1 << 30);
}

TEST(Requantize, MatchesExactRoundingWithinOne) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> scale(-20.0, 3.0);
  std::uniform_int_distribution<int32_t> acc(-(1 << 22), 1 << 22);
  for (int k = 0; k < 20000; ++k) {
    const double real = std::exp2(scale(rng));
    int32_t m;
    int shift;
    Encode(real, &m, &shift);
    const int32_t x = acc(rng);
    const double exact = x * (m * std::exp2(shift - 31));
    ASSERT_LE(std::fabs(MultiplyByQuantizedMultiplier(x, m, shift) - exact), 1.0) << x << " " << real;
    const int64_t x64 = static_cast<int64_t>(x) * 1000;
    if (shift <= 7) {
      const double exact64 = std::clamp(static_cast<double>(x64) * (m * std::exp2(shift - 31)),
                                        double{INT32_MIN}, double{INT32_MAX});
      // The Q15-reduced multiplier costs up to 2^-15 relative error.
      ASSERT_LE(std::fabs(MultiplyByQuantizedMultiplier64(x64, m, shift) - exact64),
                1.0 + std::fabs(exact64) * std::exp2(-14));
    }
  }
}

}  // namespace
}  // namespace mote::reference
