// Float math, lookups, softmax, add and the quantize helpers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/add.h"
#include "kernels/reference/elementwise.h"
#include "kernels/reference/math.h"
#include "kernels/reference/softmax.h"
#include "mote/model.h"
#include "mote/quantize.h"

namespace mote::reference {
namespace {

TEST(Math, ExpSigmoidTanhAgainstLibm) {
  for (float x = -90.0f; x < 88.7f; x += 0.0137f) {  // e^88.72 is FLT_MAX
    const double want = std::exp(static_cast<double>(x));
    ASSERT_LE(std::fabs(Exp(x) - want), 3e-7 * want + 1e-38) << x;
  }
  for (float x = -20.0f; x < 20.0f; x += 0.00731f) {
    ASSERT_NEAR(Sigmoid(x), 1.0 / (1.0 + std::exp(-static_cast<double>(x))), 3e-7) << x;
    ASSERT_NEAR(Tanh(x), std::tanh(static_cast<double>(x)), 3e-7) << x;
  }
  EXPECT_TRUE(std::isinf(Exp(88.8f)));
  EXPECT_TRUE(std::isnan(Exp(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(Exp(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_EQ(Tanh(std::numeric_limits<float>::infinity()), 1.0f);
}

TEST(Lookup, Int16InterpolatesBetweenEntries) {
  std::vector<int16_t> table(513);
  for (int k = 0; k <= 512; ++k) table[k] = static_cast<int16_t>(std::clamp(-32768 + 128 * k, -32768, 32767));
  std::vector<int16_t> in = {-32768, -100, 0, 77, 32767}, out(in.size());
  LookupInt16(in, table.data(), out);
  for (size_t i = 0; i < in.size(); ++i) EXPECT_NEAR(out[i], in[i], 1);
}

TEST(Softmax, Int8MatchesFloat) {
  const float s_in = 0.1f;
  std::vector<int32_t> table(256);
  for (int d = 0; d < 256; ++d) table[d] = static_cast<int32_t>(std::lround(std::exp(-s_in * d) * 65536.0));
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> q(-128, 127);
  std::vector<int8_t> in(40), out(40);
  for (auto& v : in) v = static_cast<int8_t>(q(rng));
  SoftmaxInt8(4, 10, table.data(), in.data(), out.data());
  std::vector<float> fin(40), fout(40);
  for (size_t i = 0; i < 40; ++i) fin[i] = s_in * in[i];
  SoftmaxFloat(4, 10, 1.0f, fin.data(), fout.data());
  for (size_t i = 0; i < 40; ++i) EXPECT_NEAR((out[i] + 128) / 256.0, fout[i], 1.0 / 256 + 1e-3) << i;
}

TEST(Softmax, FloatRowsSumToOneAndInPlace) {
  std::vector<float> x = {1, 2, 3, -1, 1000, 1000};
  SoftmaxFloat(2, 3, 1.0f, x.data(), x.data());
  EXPECT_NEAR(x[0] + x[1] + x[2], 1.0f, 1e-6);
  EXPECT_NEAR(x[4], 0.5f, 1e-6);
}

TEST(Add, BroadcastsLikeNumpy) {
  const int32_t a_shape[] = {2, 1, 3};
  const int32_t b_shape[] = {4, 1};
  const int32_t out_shape[] = {2, 4, 3};
  Broadcast b;
  ASSERT_TRUE(MakeBroadcast(a_shape, b_shape, out_shape, &b));
  std::vector<float> x(6), y(4), out(24);
  for (int i = 0; i < 6; ++i) x[i] = static_cast<float>(i);
  for (int i = 0; i < 4; ++i) y[i] = 100.0f * i;
  AddFloat(b, -1e30f, 1e30f, x.data(), y.data(), out.data());
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) EXPECT_EQ(out[(i * 4 + j) * 3 + k], x[i * 3 + k] + y[j]);
  const int32_t bad[] = {3};
  EXPECT_FALSE(MakeBroadcast(a_shape, bad, out_shape, &b));
}

TEST(Quantize, RoundingSaturationAndNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(QuantizeValue(0.25f, 0.5f, 0, -128, 127), 1);    // 0.5 -> away from zero
  EXPECT_EQ(QuantizeValue(-0.25f, 0.5f, 0, -128, 127), -1);
  EXPECT_EQ(QuantizeValue(0.24f, 0.5f, 10, -128, 127), 10);
  EXPECT_EQ(QuantizeValue(1e9f, 0.5f, 0, -128, 127), 127);
  EXPECT_EQ(QuantizeValue(inf, 0.5f, 0, -128, 127), 127);
  EXPECT_EQ(QuantizeValue(-inf, 0.5f, 0, -32768, 32767), -32768);
  EXPECT_EQ(QuantizeValue(nan, 0.5f, -3, -128, 127), -3);  // NaN -> real 0
}

TEST(Crc32, StandardCheckValue) {
  const char text[] = "123456789";
  EXPECT_EQ(Crc32({reinterpret_cast<const uint8_t*>(text), 9}), 0xCBF43926u);
  EXPECT_EQ(Crc32({reinterpret_cast<const uint8_t*>(text) + 4, 5}, Crc32({reinterpret_cast<const uint8_t*>(text), 4})),
            0xCBF43926u);
}

}  // namespace
}  // namespace mote::reference

namespace mote::reference {
namespace {

TEST(QuantizeKernels, RoundTripWithinHalfAStep) {
  std::vector<float> x = {-1.0f, -0.3f, 0.0f, 0.26f, 0.99f, 5.0f};
  std::vector<int8_t> q(x.size());
  const float scale = 1.0f / 127.5f;
  QuantizeFloat<int8_t>(x, scale, -1, -128, 127, q);
  std::vector<float> back(x.size());
  DequantizeToFloat<int8_t>(q, scale, -1, back);
  for (size_t i = 0; i + 1 < x.size(); ++i) EXPECT_LE(std::fabs(back[i] - x[i]), scale / 2 + 1e-7f) << i;
  EXPECT_EQ(q.back(), 127);  // 5.0 saturates
}

TEST(QuantizeKernels, RequantizeInt8ToInt16AndBack) {
  // int8 (scale 0.1, zp 3) -> int16 (scale 0.001, zp 0): real multiplier 100.
  std::vector<int8_t> in = {-128, -1, 3, 50, 127};
  std::vector<int16_t> mid(in.size());
  Requantize<int8_t, int16_t>(in, 3, 1677721600, 7, 0, -32768, 32767, mid);  // 100 = 0.78125 * 2^7
  for (size_t i = 0; i < in.size(); ++i) EXPECT_NEAR(mid[i], (in[i] - 3) * 100, 1) << i;
  std::vector<int8_t> back(in.size());
  Requantize<int16_t, int8_t>(mid, 0, 1374389535, -6, 3, -128, 127, back);  // 0.01 = 0.64 * 2^-6
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(back[i], in[i]) << i;
}

}  // namespace
}  // namespace mote::reference

namespace mote::reference {
namespace {

// The integer-only power-of-two path must equal the general quantizer bit for bit.
TEST(QuantizeKernels, FeatureGridPowerOfTwoEqualsGeneralPath) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  std::vector<float> x;
  for (int i = 0; i < 200000; ++i) {
    const uint32_t b = bits(rng);
    float f;
    memcpy(&f, &b, sizeof(f));
    if (f == f) x.push_back(f);
  }
  for (float v : {0.5f, -0.5f, 1.5f, -1.5f, 2.5f, 0.49999997f, 1e-45f, -0.0f, 3.0e38f, -3.0e38f}) x.push_back(v);
  x.push_back(std::numeric_limits<float>::infinity());
  x.push_back(-std::numeric_limits<float>::infinity());
  for (int k : {-100, -30, -8, -1, 0, 1, 7, 20, 30, 60, 100}) {
    const float scale = std::ldexp(1.0f, -k);
    std::vector<int32_t> fast(x.size());
    QuantizeToFeatureGrid(x, &scale, 1, fast);
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(fast[i], QuantizeValue(x[i], scale, 0, INT32_MIN + 1, INT32_MAX)) << "x=" << x[i] << " k=" << k;
    }
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float scale = 0.25f;
  int32_t out = 0;
  QuantizeToFeatureGrid({&nan, 1}, &scale, 1, {&out, 1});
  EXPECT_EQ(out, INT32_MIN);  // the missing-value marker
}

}  // namespace
}  // namespace mote::reference
