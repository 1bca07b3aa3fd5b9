// The DSP kernels' output step (kernels/cortex_m_dsp/requantize.h) against
// the reference's, on every shift the loader allows, edge values and random
// ones. Portable code, so it runs on the host; the kernels themselves are
// compared under QEMU (targets/cortex-m/kernel_check).
#include "kernels/cortex_m_dsp/requantize.h"

#include <gtest/gtest.h>
#include <stdint.h>

#include <random>

#include "kernels/reference/requantize.h"

namespace {

namespace dsp = mote::cortex_m_dsp;
namespace ref = mote::reference;

int8_t ReferenceOutput(int32_t acc, int32_t m, int shift, int32_t offset, int32_t lo, int32_t hi) {
  const int32_t scaled = ref::MultiplyByQuantizedMultiplier(acc, m, shift);
  return ref::ClampTo<int8_t>(ref::SaturateToInt32(int64_t{scaled} + offset), lo, hi);
}

constexpr int32_t kEdges[] = {INT32_MIN, INT32_MIN + 1, -(1 << 30) - 1, -(1 << 30), -(1 << 30) + 1, -65537,
                              -65536, -32768, -129, -128, -3, -2, -1, 0, 1, 2, 3, 127, 128,
                              32767, 65536, 65537, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, INT32_MAX - 1,
                              INT32_MAX};
constexpr int32_t kMultipliers[] = {0, 1, 2, 3, 1 << 29, 1 << 30, (1 << 30) + 1,
                                    0x5A5A5A5A, INT32_MAX - 1, INT32_MAX};

TEST(DspRequantize, EdgesOnEveryShift) {
  for (int shift = -31; shift <= 30; ++shift) {
    for (int32_t m : kMultipliers) {
      for (int32_t x : kEdges) {
        ASSERT_EQ(dsp::MultiplyByQuantizedMultiplier(x, m, shift),
                  ref::MultiplyByQuantizedMultiplier(x, m, shift))
            << "x " << x << " m " << m << " shift " << shift;
        for (int32_t offset : {-128, -1, 0, 5, 127}) {
          ASSERT_EQ(dsp::RequantizeInt8(x, m, shift, offset, -128, 127),
                    ReferenceOutput(x, m, shift, offset, -128, 127))
              << "x " << x << " m " << m << " shift " << shift << " offset " << offset;
          ASSERT_EQ(dsp::RequantizeInt8(x, m, shift, offset, -7, 100),
                    ReferenceOutput(x, m, shift, offset, -7, 100));
          // The general path on every accumulator, also those the short one takes.
          ASSERT_EQ(dsp::RequantizeInt8AnyAccumulator(x, m, shift, offset, -7, 100),
                    ReferenceOutput(x, m, shift, offset, -7, 100));
        }
      }
    }
  }
}

// Products whose rounding is a tie (x * m = k * 2^31 +- 2^30) and their
// neighbours, where the two formulas could part.
TEST(DspRequantize, RoundingTies) {
  for (int32_t x : {-(1 << 30), -3 << 28, -(1 << 29), 1 << 29, 3 << 28, 1 << 30}) {
    for (int32_t m : {1 << 30, (1 << 30) + 1, (1 << 30) - 1, 3 << 29, INT32_MAX}) {
      for (int32_t dx = -2; dx <= 2; ++dx) {
        for (int shift = -31; shift <= 0; ++shift) {
          ASSERT_EQ(dsp::MultiplyByQuantizedMultiplier(x + dx, m, shift),
                    ref::MultiplyByQuantizedMultiplier(x + dx, m, shift));
        }
      }
    }
  }
}

TEST(DspRequantize, Random) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> multiplier(0, INT32_MAX);
  std::uniform_int_distribution<int32_t> q31(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shift(-31, 30);
  std::uniform_int_distribution<int32_t> small(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> int8(-128, 127);
  for (int i = 0; i < 2000000; ++i) {
    const int32_t x = (i & 1) != 0 ? any(rng) : small(rng);
    const int32_t m = (i & 2) != 0 ? multiplier(rng) : q31(rng);
    const int s = (i & 4) != 0 ? shift(rng) : shift(rng) / 4 - 6;
    const int32_t offset = int8(rng);
    int32_t lo = int8(rng);
    int32_t hi = int8(rng);
    if (lo > hi) std::swap(lo, hi);
    ASSERT_EQ(dsp::RequantizeInt8(x, m, s, offset, lo, hi), ReferenceOutput(x, m, s, offset, lo, hi))
        << "x " << x << " m " << m << " shift " << s << " offset " << offset;
  }
}

// The per-channel loop with the activation range hoisted (SSAT alone for
// all of int8), on both kinds of range.
TEST(DspRequantize, ChannelsWithHoistedRange) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> small(-(1 << 22), 1 << 22);
  std::uniform_int_distribution<int32_t> multiplier(0, INT32_MAX);
  std::uniform_int_distribution<int> shift(-31, 30);
  std::uniform_int_distribution<int32_t> int8(-128, 127);
  constexpr size_t kN = 7;
  for (int i = 0; i < 200000; ++i) {
    int32_t acc[kN], m[kN];
    int8_t s[kN], out[kN];
    for (size_t c = 0; c < kN; ++c) {
      acc[c] = (i & 1) != 0 ? any(rng) : small(rng);
      m[c] = multiplier(rng);
      s[c] = static_cast<int8_t>((i & 2) != 0 ? shift(rng) : shift(rng) / 4 - 6);
    }
    const int32_t offset = int8(rng);
    const bool full = (i & 4) != 0;
    int32_t lo = full ? -128 : int8(rng);
    int32_t hi = full ? 127 : int8(rng);
    if (lo > hi) std::swap(lo, hi);
    dsp::RequantizeChannels(acc, kN, m, s, offset, lo, hi, out);
    for (size_t c = 0; c < kN; ++c) {
      ASSERT_EQ(out[c], ReferenceOutput(acc[c], m[c], s[c], offset, lo, hi))
          << "acc " << acc[c] << " m " << m[c] << " shift " << int{s[c]} << " offset " << offset;
    }
    // The short path, on what it is for: shifts < 0, accumulators under 2^30.
    for (size_t c = 0; c < kN; ++c) {
      acc[c] = small(rng);
      s[c] = static_cast<int8_t>(-1 - (shift(rng) + 31) % 31);
    }
    dsp::RequantizeChannels(acc, kN, m, s, offset, lo, hi, out, true);
    for (size_t c = 0; c < kN; ++c) {
      ASSERT_EQ(out[c], ReferenceOutput(acc[c], m[c], s[c], offset, lo, hi))
          << "short path: acc " << acc[c] << " m " << m[c] << " shift " << int{s[c]};
    }
  }
}

TEST(DspRequantize, AccumulatorBound) {
  const int32_t small[] = {5, -7};
  EXPECT_TRUE(dsp::AccumulatorsFitQ30(64, nullptr, 0));
  EXPECT_TRUE(dsp::AccumulatorsFitQ30(64, small, 2));
  EXPECT_TRUE(dsp::AccumulatorsFitQ30(32896, nullptr, 0));  // 32896 * 32640 < 2^30
  EXPECT_FALSE(dsp::AccumulatorsFitQ30(32897, nullptr, 0));
  const int32_t huge[] = {1, -(1 << 30)};
  EXPECT_FALSE(dsp::AccumulatorsFitQ30(1, huge, 2));
  const int32_t edge[] = {(1 << 30) - 1 - 32640};
  EXPECT_TRUE(dsp::AccumulatorsFitQ30(1, edge, 1));
  const int32_t over[] = {(1 << 30) - 32640};
  EXPECT_FALSE(dsp::AccumulatorsFitQ30(1, over, 1));
}

}  // namespace
