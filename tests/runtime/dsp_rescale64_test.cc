// The int16 kernels' 64-bit output step of the DSP variants
// (kernels/cortex_m_dsp/rescale64.h) against the reference's, on every shift
// the loader allows for it, edge accumulators and random ones. Portable code,
// so it runs on the host; the kernels using it are compared under QEMU
// (targets/cortex-m/kernel_check).
#include "kernels/cortex_m_dsp/rescale64.h"

#include <gtest/gtest.h>
#include <stdint.h>

#include <random>

#include "kernels/reference/requantize.h"

namespace {

namespace dsp = mote::cortex_m_dsp;
namespace ref = mote::reference;

constexpr int64_t kEdges[] = {INT64_MIN,
                              -(int64_t{1} << 60),
                              -(int64_t{1} << 47) - 1,
                              -(int64_t{1} << 47),
                              int64_t{INT32_MIN} - 1,
                              INT32_MIN,
                              int64_t{INT32_MIN} + 1,
                              -(1 << 30),
                              -65537,
                              -32769,
                              -32768,
                              -2,
                              -1,
                              0,
                              1,
                              2,
                              32767,
                              32768,
                              1 << 30,
                              INT32_MAX - 1,
                              INT32_MAX,
                              int64_t{INT32_MAX} + 1,
                              int64_t{1} << 47,
                              int64_t{1} << 60,
                              INT64_MAX};
constexpr int32_t kMultipliers[] = {0,          1,          0x7FFF,     0x8000,     1 << 29,
                                    1 << 30,    0x5A5A5A5A, 0x7FFEFFFF, 0x7FFF0000, 0x7FFF7FFF,
                                    0x7FFF8000, INT32_MAX};

TEST(DspRescale64, EdgesOnEveryShift) {
  for (int shift = -31; shift <= 7; ++shift) {
    for (int32_t m : kMultipliers) {
      for (int64_t x : kEdges) {
        ASSERT_EQ(dsp::Rescale64(x, m, shift), ref::MultiplyByQuantizedMultiplier64(x, m, shift))
            << "x " << x << " m " << m << " shift " << shift;
      }
    }
  }
}

TEST(DspRescale64, Random) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000000; ++i) {
    const int shift = static_cast<int>(rng() % 39) - 31;
    const int32_t m = static_cast<int32_t>(rng() & 0x7FFFFFFF);
    // Mostly int32 sums (the fast path), of every magnitude.
    const int bits = static_cast<int>(rng() % 40);
    const int64_t x = static_cast<int64_t>(rng()) >> (63 - bits);
    ASSERT_EQ(dsp::Rescale64(x, m, shift), ref::MultiplyByQuantizedMultiplier64(x, m, shift))
        << "x " << x << " m " << m << " shift " << shift;
  }
}

}  // namespace
