// Fully connected kernels against a float reference of the same arithmetic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/fully_connected.h"

namespace mote::reference {
namespace {

struct Multiplier {
  int32_t m;
  int8_t shift;
};

Multiplier Encode(double real) {
  int shift = 0;
  const double q = std::frexp(real, &shift);
  int64_t fixed = static_cast<int64_t>(std::round(q * (1ll << 31)));
  if (fixed == (1ll << 31)) {
    fixed /= 2;
    ++shift;
  }
  return {static_cast<int32_t>(fixed), static_cast<int8_t>(shift)};
}

class FullyConnectedTest : public ::testing::TestWithParam<int> {};

// int8: out = round(s_in * s_w[u] * acc / s_out) + zp, within one step of the
// real-valued result on the same integers (the kernel's only rounding).
TEST_P(FullyConnectedTest, Int8WithinOneStepOfExact) {
  std::mt19937 rng(GetParam());
  const FullyConnectedShape shape{3, static_cast<size_t>(8 + GetParam() * 13), 7};
  std::uniform_int_distribution<int> q8(-128, 127), w8(-127, 127), bias(-5000, 5000);
  const float s_in = 0.02f, s_out = 0.15f;
  const int32_t zp_in = -7, zp_out = 5;
  std::vector<int8_t> in(shape.batches * shape.depth), w(shape.units * shape.depth), out(shape.batches * shape.units);
  std::vector<int32_t> b(shape.units), mult(shape.units);
  std::vector<int8_t> shift(shape.units);
  std::vector<double> s_w(shape.units);
  for (auto& v : in) v = static_cast<int8_t>(q8(rng));
  for (auto& v : w) v = static_cast<int8_t>(w8(rng));
  for (size_t u = 0; u < shape.units; ++u) {
    b[u] = bias(rng);
    s_w[u] = 0.001 * (1 + u);
    const Multiplier m = Encode(s_in * s_w[u] / s_out);
    mult[u] = m.m;
    shift[u] = m.shift;
  }
  const QuantizedFcParams p{-zp_in, zp_out, mult, shift, -128, 127};
  FullyConnectedInt8(shape, p, in.data(), w.data(), b.data(), out.data(), {});
  for (size_t r = 0; r < shape.batches; ++r) {
    for (size_t u = 0; u < shape.units; ++u) {
      double acc = b[u];
      for (size_t d = 0; d < shape.depth; ++d) acc += (in[r * shape.depth + d] - zp_in) * w[u * shape.depth + d];
      const double want = std::clamp(acc * s_in * s_w[u] / s_out + zp_out, -128.0, 127.0);
      EXPECT_LE(std::fabs(out[r * shape.units + u] - want), 1.0) << r << "," << u;
    }
  }
}

TEST_P(FullyConnectedTest, Int16WithinOneStepOfExact) {
  std::mt19937 rng(100 + GetParam());
  const FullyConnectedShape shape{2, static_cast<size_t>(5 + GetParam() * 17), 6};
  std::uniform_int_distribution<int> q16(-32768, 32767), w8(-127, 127), bias(-200000, 200000);
  const float s_in = 1e-4f, s_out = 2e-3f;
  std::vector<int16_t> in(shape.batches * shape.depth), out(shape.batches * shape.units);
  std::vector<int8_t> w(shape.units * shape.depth), shift(shape.units);
  std::vector<int64_t> b(shape.units);
  std::vector<int32_t> mult(shape.units);
  std::vector<double> s_w(shape.units);
  for (auto& v : in) v = static_cast<int16_t>(q16(rng) / 8);
  for (auto& v : w) v = static_cast<int8_t>(w8(rng));
  for (size_t u = 0; u < shape.units; ++u) {
    b[u] = bias(rng);
    s_w[u] = 0.002 * (1 + u);
    const Multiplier m = Encode(s_in * s_w[u] / s_out);
    mult[u] = m.m;
    shift[u] = m.shift;
  }
  const QuantizedFcParams p{0, 0, mult, shift, -32768, 32767};
  FullyConnectedInt16(shape, p, in.data(), w.data(), b.data(), out.data(), {});
  for (size_t r = 0; r < shape.batches; ++r) {
    for (size_t u = 0; u < shape.units; ++u) {
      double acc = static_cast<double>(b[u]);
      for (size_t d = 0; d < shape.depth; ++d) acc += in[r * shape.depth + d] * w[u * shape.depth + d];
      const double want = std::clamp(acc * s_in * s_w[u] / s_out, -32768.0, 32767.0);
      EXPECT_LE(std::fabs(out[r * shape.units + u] - want), 1.0 + std::fabs(want) * std::exp2(-14));
    }
  }
}

TEST_P(FullyConnectedTest, FloatMatchesDoubleAndClamps) {
  std::mt19937 rng(200 + GetParam());
  const FullyConnectedShape shape{2, static_cast<size_t>(4 + GetParam() * 9), 5};
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> in(shape.batches * shape.depth), w(shape.units * shape.depth), b(shape.units),
      out(shape.batches * shape.units);
  for (auto& v : in) v = n(rng);
  for (auto& v : w) v = n(rng);
  for (auto& v : b) v = n(rng);
  FullyConnectedFloat(shape, 0.0f, 6.0f, in.data(), w.data(), b.data(), out.data());
  for (size_t r = 0; r < shape.batches; ++r) {
    for (size_t u = 0; u < shape.units; ++u) {
      double acc = b[u];
      for (size_t d = 0; d < shape.depth; ++d) acc += double{in[r * shape.depth + d]} * w[u * shape.depth + d];
      EXPECT_NEAR(out[r * shape.units + u], std::clamp(acc, 0.0, 6.0), 1e-4);
    }
  }
}

// Naive Bayes style sums: a few huge positive terms (zero-variance features)
// next to small ones. The compensated sum stays within one rounding of the
// exact sum of the float products; the plain one drifts by several.
TEST(FullyConnectedCompensated, SumsOfMixedMagnitudeAreCorrectlyRounded) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> small(0.0f, 3.0f), huge(1e8f, 6e9f);
  const FullyConnectedShape shape{64, 64, 1};
  std::vector<float> in(shape.batches * shape.depth), ones(shape.depth, 1.0f), plain(shape.batches),
      compensated(shape.batches);
  for (size_t k = 0; k < in.size(); ++k) in[k] = k % 2 == 0 ? huge(rng) : small(rng);
  const float inf = std::numeric_limits<float>::infinity();
  FullyConnectedFloat(shape, -inf, inf, in.data(), ones.data(), nullptr, plain.data());
  FullyConnectedFloatCompensated(shape, -inf, inf, in.data(), ones.data(), nullptr, compensated.data());
  double plain_error = 0.0;
  for (size_t r = 0; r < shape.batches; ++r) {
    double exact = 0.0;
    for (size_t d = 0; d < shape.depth; ++d) exact += in[r * shape.depth + d];
    const double ulp = std::nextafter(static_cast<float>(exact), inf) - static_cast<float>(exact);
    EXPECT_LE(std::fabs(compensated[r] - exact), ulp) << "row " << r;
    plain_error = std::max(plain_error, std::fabs(plain[r] - exact) / ulp);
  }
  EXPECT_GT(plain_error, 2.0);  // the data does defeat the plain sum
}

TEST(FullyConnectedCompensated, BiasAndClampApplyAfterTheSum) {
  const FullyConnectedShape shape{1, 3, 2};
  const std::vector<float> in = {1.0f, 2.0f, 3.0f}, w = {1, 1, 1, -1, -1, -1}, b = {0.5f, 0.0f};
  std::vector<float> out(2);
  FullyConnectedFloatCompensated(shape, -1.0f, 6.0f, in.data(), w.data(), b.data(), out.data());
  EXPECT_EQ(out[0], 6.0f);
  EXPECT_EQ(out[1], -1.0f);
}

INSTANTIATE_TEST_SUITE_P(Sizes, FullyConnectedTest, ::testing::Range(0, 6));

}  // namespace
}  // namespace mote::reference
