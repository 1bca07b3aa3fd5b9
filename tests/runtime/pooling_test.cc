// AveragePool2D, MaxPool2D and Mean: kernels against references computed in
// the test, the glue through the interpreter, and hostile options refused.
#include "kernels/reference/pooling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/mean.h"
#include "kernels/reference/requantize.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote::reference {
namespace {

struct PoolCase {
  const char* name;
  int n, ih, iw, c;
  int fh, fw, sh, sw;
  int pt, pl, pb, pr;
  int oh() const { return (ih + pt + pb - fh) / sh + 1; }
  int ow() const { return (iw + pl + pr - fw) / sw + 1; }
  Window2D window() const { return {n, ih, iw, c, oh(), ow(), c, fh, fw, sh, sw, 1, 1, pt, pl}; }
  size_t in_size() const { return static_cast<size_t>(n) * ih * iw * c; }
  size_t out_size() const { return static_cast<size_t>(n) * oh() * ow() * c; }
};

void PrintTo(const PoolCase& c, std::ostream* os) { *os << c.name; }

// The input values inside each output's window (positions in the padding
// are simply absent), output by output.
template <typename T>
std::vector<std::vector<double>> Windows(const PoolCase& k, const std::vector<T>& in) {
  std::vector<std::vector<double>> windows;
  for (int b = 0; b < k.n; ++b)
    for (int oy = 0; oy < k.oh(); ++oy)
      for (int ox = 0; ox < k.ow(); ++ox)
        for (int ch = 0; ch < k.c; ++ch) {
          std::vector<double> values;
          for (int y = oy * k.sh - k.pt; y < oy * k.sh - k.pt + k.fh; ++y)
            for (int x = ox * k.sw - k.pl; x < ox * k.sw - k.pl + k.fw; ++x)
              if (y >= 0 && y < k.ih && x >= 0 && x < k.iw)
                values.push_back(static_cast<double>(in[((static_cast<size_t>(b) * k.ih + y) * k.iw + x) * k.c + ch]));
          windows.push_back(values);
        }
  return windows;
}

class PoolKernelTest : public ::testing::TestWithParam<PoolCase> {};

template <typename T>
void CheckQuantizedPools(const PoolCase& k, int lo, int hi) {
  std::mt19937 rng(k.ih * 31 + k.fw);
  std::uniform_int_distribution<int> q(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  std::vector<T> in(k.in_size()), avg(k.out_size()), max(k.out_size());
  for (auto& v : in) v = static_cast<T>(q(rng));
  if constexpr (sizeof(T) == 1) {
    AveragePoolInt8(k.window(), lo, hi, in.data(), avg.data());
    MaxPoolInt8(k.window(), lo, hi, in.data(), max.data());
  } else {
    AveragePoolInt16(k.window(), lo, hi, in.data(), avg.data());
    MaxPoolInt16(k.window(), lo, hi, in.data(), max.data());
  }
  const auto windows = Windows(k, in);
  for (size_t i = 0; i < windows.size(); ++i) {
    ASSERT_FALSE(windows[i].empty());
    double sum = 0.0;
    for (double v : windows[i]) sum += v;
    const double mean = sum / static_cast<double>(windows[i].size());
    // Ties are exact in double; std::round rounds them away from zero.
    ASSERT_EQ(avg[i], std::clamp(std::round(mean), static_cast<double>(lo), static_cast<double>(hi))) << i;
    ASSERT_LE(std::fabs(avg[i] - std::clamp(mean, static_cast<double>(lo), static_cast<double>(hi))), 0.5) << i;
    const double peak = *std::max_element(windows[i].begin(), windows[i].end());
    ASSERT_EQ(max[i], std::clamp(peak, static_cast<double>(lo), static_cast<double>(hi))) << i;
  }
}

TEST_P(PoolKernelTest, Int8) { CheckQuantizedPools<int8_t>(GetParam(), -100, 127); }
TEST_P(PoolKernelTest, Int16) { CheckQuantizedPools<int16_t>(GetParam(), -32768, 30000); }

TEST_P(PoolKernelTest, Float) {
  const PoolCase& k = GetParam();
  std::mt19937 rng(k.iw * 17 + k.fh);
  std::normal_distribution<float> nd(0.0f, 2.0f);
  std::vector<float> in(k.in_size()), avg(k.out_size()), max(k.out_size());
  for (auto& v : in) v = nd(rng);
  const float lo = -3.0f, hi = 3.5f;
  AveragePoolFloat(k.window(), lo, hi, in.data(), avg.data());
  MaxPoolFloat(k.window(), lo, hi, in.data(), max.data());
  const auto windows = Windows(k, in);
  for (size_t i = 0; i < windows.size(); ++i) {
    double sum = 0.0, mag = 0.0;
    for (double v : windows[i]) {
      sum += v;
      mag += std::fabs(v);
    }
    const double mean = sum / static_cast<double>(windows[i].size());
    ASSERT_NEAR(avg[i], std::clamp(mean, static_cast<double>(lo), static_cast<double>(hi)), 1e-6 * (mag + 1.0)) << i;
    const double peak = *std::max_element(windows[i].begin(), windows[i].end());
    ASSERT_EQ(max[i], static_cast<float>(std::clamp(peak, static_cast<double>(lo), static_cast<double>(hi)))) << i;
  }
}

// name, n, ih, iw, c, fh, fw, sh, sw, pt, pl, pb, pr
const PoolCase kPoolCases[] = {
    {"TwoByTwoStride2", 1, 6, 8, 3, 2, 2, 2, 2, 0, 0, 0, 0},
    {"Same3x3Stride1", 2, 5, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1},
    {"Stride2AsymmetricPad", 1, 7, 6, 4, 3, 3, 2, 2, 1, 0, 1, 1},
    {"OddSizesMixedStride", 1, 7, 5, 3, 3, 2, 2, 1, 1, 0, 1, 1},
    {"Global", 2, 4, 6, 5, 4, 6, 1, 1, 0, 0, 0, 0},
    {"FilterLargerThanInput", 1, 2, 3, 2, 4, 4, 1, 1, 1, 2, 1, 1},
    {"ValidDropsColumns", 1, 5, 8, 1, 2, 3, 2, 3, 0, 0, 0, 0},
};
INSTANTIATE_TEST_SUITE_P(Pools, PoolKernelTest, ::testing::ValuesIn(kPoolCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(AveragePool, RoundsHalfAwayFromZeroAndCountsOnlyValidPositions) {
  // Row of 6 values, 1x2 windows with stride 2: sums -3, 3, -3 over 2.
  const int8_t row[6] = {-1, -2, 1, 2, -3, 0};
  int8_t out[3];
  AveragePoolInt8({1, 1, 6, 1, 1, 3, 1, 1, 2, 1, 2, 1, 1, 0, 0}, -128, 127, row, out);
  EXPECT_EQ(out[0], -2);  // -1.5 -> -2
  EXPECT_EQ(out[1], 2);   // 1.5 -> 2
  EXPECT_EQ(out[2], -2);  // -1.5 -> -2
  // 1x3 window, pad 1: {pad, -5, -6} averages over 2 positions: -5.5 -> -6
  // (with the pad counted it would be -3.67 -> -4).
  const int16_t two[2] = {-5, -6};
  int16_t avg[1];
  AveragePoolInt16({1, 1, 2, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 0, 1}, -32768, 32767, two, avg);
  EXPECT_EQ(avg[0], -6);
  // -3 / 4 = -0.75 -> -1; -2 / 4 = -0.5 -> -1; 1 / 4 -> 0.
  const int8_t four[12] = {-1, -1, -1, 0, -1, -1, 0, 0, 1, 0, 0, 0};
  int8_t q[3];
  AveragePoolInt8({1, 1, 12, 1, 1, 3, 1, 1, 4, 1, 4, 1, 1, 0, 0}, -128, 127, four, q);
  EXPECT_EQ(q[0], -1);
  EXPECT_EQ(q[1], -1);
  EXPECT_EQ(q[2], 0);
}

struct Multiplier {
  int32_t m;
  int8_t shift;
  double real() const { return m * std::exp2(shift - 31); }
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

template <typename T>
void CheckQuantizedMean(double real, int32_t zp_in, int32_t zp_out) {
  const MeanShape shape{2, 5 * 7, 3};
  std::mt19937 rng(static_cast<unsigned>(real * 1000));
  std::uniform_int_distribution<int> q(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  std::vector<T> in(static_cast<size_t>(shape.batches) * shape.positions * shape.channels);
  std::vector<T> out(static_cast<size_t>(shape.batches) * shape.channels);
  for (auto& v : in) v = static_cast<T>(q(rng) / (sizeof(T) == 1 ? 1 : 3));
  const Multiplier m = Encode(real);
  const QuantizedMeanParams p{zp_in, zp_out, m.m, m.shift};
  if constexpr (sizeof(T) == 1) {
    MeanInt8(shape, p, in.data(), out.data());
  } else {
    MeanInt16(shape, p, in.data(), out.data());
  }
  const double lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (int b = 0; b < shape.batches; ++b) {
    for (int c = 0; c < shape.channels; ++c) {
      int64_t sum = 0;
      for (int i = 0; i < shape.positions; ++i)
        sum += in[(static_cast<size_t>(b) * shape.positions + i) * shape.channels + c] - zp_in;
      const double want = std::clamp(static_cast<double>(sum) * m.real() / shape.positions + zp_out, lo, hi);
      const T got = out[static_cast<size_t>(b) * shape.channels + c];
      ASSERT_LE(std::fabs(got - want), 1.0) << b << "," << c;
      // TFLite's order: requantize the sum, then divide rounding half away.
      const int32_t scaled = MultiplyByQuantizedMultiplier(static_cast<int32_t>(sum), m.m, m.shift);
      const int32_t n = shape.positions;
      const int32_t avg = scaled > 0 ? (scaled + n / 2) / n : (scaled - n / 2) / n;
      ASSERT_EQ(got, static_cast<T>(std::clamp<double>(avg + zp_out, lo, hi)));
    }
  }
}

TEST(Mean, Int8WithinOneStep) {
  CheckQuantizedMean<int8_t>(0.8, -7, 3);
  CheckQuantizedMean<int8_t>(3.1, 20, -10);  // s_in > s_out: a left shift
}

TEST(Mean, Int16WithinOneStep) { CheckQuantizedMean<int16_t>(1.7, 0, 0); }

TEST(Mean, Float) {
  const MeanShape shape{1, 3, 2};
  const float in[6] = {1.0f, -2.0f, 2.0f, 4.0f, 4.5f, 1.0f};
  float out[2];
  MeanFloat(shape, in, out);
  EXPECT_FLOAT_EQ(out[0], 7.5f / 3.0f);
  EXPECT_FLOAT_EQ(out[1], 1.0f);
}

}  // namespace
}  // namespace mote::reference

namespace mote {
namespace {

using schema::ElementType;
using testing::BuildMote;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;

struct PoolModel {
  bool average = true;
  ElementType type = ElementType::Int8;
  std::vector<int32_t> in_shape = {1, 5, 7, 3};
  std::vector<int32_t> out_shape = {1, 3, 4, 3};
  int32_t fh = 3, fw = 2, sh = 2, sw = 2, pt = 1, pl = 0;
  int32_t act_min = -128, act_max = 127;
  int32_t zp_in = -4, zp_out = -4;
  bool no_options = false;

  ModelSpec Spec() const {
    ModelSpec s;
    const bool q = type != ElementType::Float32;
    const std::vector<float> scale = q ? std::vector<float>{0.1f} : std::vector<float>{};
    s.tensors = {{"x", type, in_shape, scale, q ? std::vector<int32_t>{zp_in} : std::vector<int32_t>{}, -1, -1, 0},
                 {"y", type, out_shape, scale, q ? std::vector<int32_t>{zp_out} : std::vector<int32_t>{}, -1, -1, 0}};
    s.opcode = average ? schema::OpCode::AveragePool2D : schema::OpCode::MaxPool2D;
    s.options_type = schema::OpOptions::Pool2DOptions;
    s.op_inputs = {0};
    s.op_outputs = {1};
    s.inputs = {0};
    s.outputs = {1};
    const PoolModel m = *this;
    s.options_builder = [m](flatbuffers::FlatBufferBuilder& fbb) -> flatbuffers::Offset<void> {
      if (m.no_options) return 0;
      const auto act = schema::CreateActivationRange(fbb, m.act_min, m.act_max, -1.0f, 1.0f);
      return schema::CreatePool2DOptions(fbb, m.fh, m.fw, m.sh, m.sw, m.pt, m.pl, act).Union();
    };
    testing::PlanArena(s);
    return s;
  }
};

Status LoadStatus(const ModelSpec& s) {
  const testing::Aligned a(BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(PoolOps, GlueMatchesKernels) {
  for (bool average : {true, false}) {
    PoolModel m;
    m.average = average;
    m.act_min = -90;
    std::vector<int8_t> x(1 * 5 * 7 * 3);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(static_cast<int>(i * 53 % 256) - 128);
    const testing::RunResult r = RunMote(BuildMote(m.Spec()), {Bytes(x)});
    ASSERT_EQ(r.status, Status::kOk);
    std::vector<int8_t> want(1 * 3 * 4 * 3);
    const reference::Window2D w{1, 5, 7, 3, 3, 4, 3, 3, 2, 2, 2, 1, 1, 1, 0};
    if (average) {
      reference::AveragePoolInt8(w, -90, 127, x.data(), want.data());
    } else {
      reference::MaxPoolInt8(w, -90, 127, x.data(), want.data());
    }
    EXPECT_EQ(r.outputs[0], Bytes(want)) << average;
  }
  PoolModel f;
  f.type = ElementType::Float32;
  std::vector<float> x(1 * 5 * 7 * 3);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 11) * 0.2f - 1.0f;
  const testing::RunResult r = RunMote(BuildMote(f.Spec()), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<float> want(1 * 3 * 4 * 3);
  reference::AveragePoolFloat({1, 5, 7, 3, 3, 4, 3, 3, 2, 2, 2, 1, 1, 1, 0}, -1.0f, 1.0f, x.data(), want.data());
  EXPECT_EQ(r.outputs[0], Bytes(want));
}

TEST(PoolOps, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(PoolModel{}.Spec()), Status::kOk);
  const auto refused = [](const PoolModel& m) { return LoadStatus(m.Spec()) == Status::kCorruptFile; };
  for (bool average : {true, false}) {
    PoolModel m;
    m.average = average;
    m.sh = 0;
    EXPECT_TRUE(refused(m)) << "stride 0";
    m = PoolModel{};
    m.average = average;
    m.fw = 0;
    EXPECT_TRUE(refused(m)) << "filter 0";
    m = PoolModel{};
    m.average = average;
    m.pt = 3;  // a window entirely in the padding: nothing to average
    m.out_shape = {1, 4, 4, 3};
    EXPECT_TRUE(refused(m)) << "pad >= filter";
    m = PoolModel{};
    m.average = average;
    m.out_shape = {1, 4, 4, 3};  // the fourth window would start past the input
    EXPECT_TRUE(refused(m)) << "output rows";
    m = PoolModel{};
    m.average = average;
    m.out_shape = {1, 3, 4, 2};
    EXPECT_TRUE(refused(m)) << "channels";
    m = PoolModel{};
    m.average = average;
    m.zp_out = 5;  // pools need the input's quantization
    EXPECT_TRUE(refused(m)) << "quantization differs";
    m = PoolModel{};
    m.average = average;
    m.no_options = true;
    EXPECT_TRUE(refused(m)) << "options table missing";
  }
  PoolModel big;
  big.type = ElementType::Int16;
  big.in_shape = {1, 300, 300, 1};
  big.out_shape = {1, 1, 1, 1};
  big.fh = big.fw = 300;
  big.pt = big.pl = 0;
  big.act_min = -32768;
  big.act_max = 32767;
  big.zp_in = big.zp_out = 0;
  EXPECT_TRUE(refused(big)) << "int16 average sum overflow";
  big.average = false;  // a max cannot overflow
  EXPECT_EQ(LoadStatus(big.Spec()), Status::kOk);
}

// Random (often hostile) geometries: a model that loads must compute what
// the reference computes over the windows its output size implies.
TEST(PoolOps, RandomGeometriesAreRefusedOrComputedExactly) {
  std::mt19937 rng(77);
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const auto param = [&](int lo, int hi) { return r(0, 15) == 0 ? r(-1, 0) : r(lo, hi); };
  int accepted = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    PoolModel m;
    m.type = ElementType::Float32;
    m.average = iter % 2 == 0;
    const int ih = r(1, 7), iw = r(1, 7), ch = r(1, 3);
    m.fh = param(1, 4), m.fw = param(1, 4), m.sh = param(1, 3), m.sw = param(1, 3);
    m.pt = param(0, 3), m.pl = param(0, 3);
    const auto out_size = [&](int in, int k, int s, int lead) {
      if (r(0, 3) == 0 || s < 1 || k < 1) return r(1, 8);
      return std::max(1, (in + lead + r(-2, k) - k) / s + 1);
    };
    m.in_shape = {r(1, 2), ih, iw, ch};
    m.out_shape = {m.in_shape[0], out_size(ih, m.fh, m.sh, m.pt), out_size(iw, m.fw, m.sw, m.pl), ch};
    std::vector<float> x(static_cast<size_t>(m.in_shape[0]) * ih * iw * ch);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i * 7 % 13) - 6);
    const testing::RunResult run = RunMote(BuildMote(m.Spec()), {Bytes(x)});
    if (run.status != Status::kOk) {
      ASSERT_EQ(run.status, Status::kCorruptFile);
      continue;
    }
    ++accepted;
    const int oh = m.out_shape[1], ow = m.out_shape[2];
    const reference::PoolCase c{"",
                                m.in_shape[0],
                                ih,
                                iw,
                                ch,
                                m.fh,
                                m.fw,
                                m.sh,
                                m.sw,
                                m.pt,
                                m.pl,
                                (oh - 1) * m.sh + m.fh - ih - m.pt,
                                (ow - 1) * m.sw + m.fw - iw - m.pl};
    const auto windows = reference::Windows(c, x);
    const auto* y = reinterpret_cast<const float*>(run.outputs[0].data());
    ASSERT_EQ(run.outputs[0].size(), windows.size() * 4);
    for (size_t i = 0; i < windows.size(); ++i) {
      ASSERT_FALSE(windows[i].empty()) << "iteration " << iter;
      double want = windows[i][0];
      if (m.average) {
        want = 0.0;
        for (double v : windows[i]) want += v;
        want /= static_cast<double>(windows[i].size());
      } else {
        for (double v : windows[i]) want = std::max(want, v);
      }
      ASSERT_NEAR(y[i], std::clamp(want, -1.0, 1.0), 1e-5) << "iteration " << iter;
    }
  }
  EXPECT_GT(accepted, 300);
}

struct MeanModel {
  ElementType type = ElementType::Int8;
  std::vector<int32_t> in_shape = {2, 4, 6, 3};
  std::vector<int32_t> out_shape = {2, 1, 1, 3};
  int32_t multiplier = 1 << 30;
  int8_t shift = 1;
  int32_t zp_in = 5;
  bool no_options = false;

  ModelSpec Spec() const {
    ModelSpec s;
    const bool q = type != ElementType::Float32;
    s.tensors = {{"x", type, in_shape, q ? std::vector<float>{0.1f} : std::vector<float>{},
                  q ? std::vector<int32_t>{zp_in} : std::vector<int32_t>{}, -1, -1, 0},
                 {"y", type, out_shape, q ? std::vector<float>{0.1f} : std::vector<float>{},
                  q ? std::vector<int32_t>{0} : std::vector<int32_t>{}, -1, -1, 0}};
    s.opcode = schema::OpCode::Mean;
    s.options_type = schema::OpOptions::MeanOptions;
    s.op_inputs = {0};
    s.op_outputs = {1};
    s.inputs = {0};
    s.outputs = {1};
    const MeanModel m = *this;
    s.options_builder = [m](flatbuffers::FlatBufferBuilder& fbb) -> flatbuffers::Offset<void> {
      if (m.no_options) return 0;
      return schema::CreateMeanOptions(fbb, m.multiplier, m.shift).Union();
    };
    testing::PlanArena(s);
    return s;
  }
};

TEST(MeanOp, GlueMatchesKernel) {
  MeanModel m;
  m.out_shape = {2, 3};
  std::vector<int8_t> x(2 * 4 * 6 * 3);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(static_cast<int>(i * 71 % 256) - 128);
  const testing::RunResult r = RunMote(BuildMote(m.Spec()), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<int8_t> want(6);
  reference::MeanInt8({2, 24, 3}, {5, 0, 1 << 30, 1}, x.data(), want.data());
  EXPECT_EQ(r.outputs[0], Bytes(want));
}

TEST(MeanOp, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(MeanModel{}.Spec()), Status::kOk);
  const auto refused = [](const MeanModel& m) { return LoadStatus(m.Spec()) == Status::kCorruptFile; };
  MeanModel m;
  m.out_shape = {2, 1, 3};
  EXPECT_TRUE(refused(m)) << "output rank 3";
  m = MeanModel{};
  m.out_shape = {2, 2, 1, 3};
  EXPECT_TRUE(refused(m)) << "H not reduced";
  m = MeanModel{};
  m.in_shape = {2, 24, 3};
  EXPECT_TRUE(refused(m)) << "input not NHWC";
  m = MeanModel{};
  m.shift = 31;
  EXPECT_TRUE(refused(m)) << "shift";
  m = MeanModel{};
  m.multiplier = -1;
  EXPECT_TRUE(refused(m)) << "negative multiplier";
  m = MeanModel{};
  m.type = ElementType::Int16;
  EXPECT_TRUE(refused(m)) << "int16 zero point";
  m.zp_in = 0;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kOk);
  m.in_shape = {1, 256, 257, 3};  // 65792 * 2^15 > INT32_MAX
  m.out_shape = {1, 3};
  EXPECT_TRUE(refused(m)) << "sum overflow";
  m = MeanModel{};
  m.no_options = true;
  EXPECT_TRUE(refused(m)) << "options table missing";
}

}  // namespace
}  // namespace mote
