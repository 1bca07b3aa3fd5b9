// LayerNorm: the integer square root exhaustively near powers and randomly,
// float and quantized rows through the interpreter against a double oracle,
// and hostile files.
#include "kernels/reference/layer_norm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::BuildMote;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;

TEST(LayerNorm, IntegerSqrtIsFloorOfRoot) {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> vs = {
      0, 1, 2, 3, 4, UINT64_MAX, (uint64_t{1} << 62) - 1, uint64_t{1} << 62};
  for (uint64_t r = 1; r < (uint64_t{1} << 32); r = r * 3 + 1) {
    vs.insert(vs.end(), {r * r - 1, r * r, r * r + 1});
  }
  for (int i = 0; i < 100000; ++i) vs.push_back(rng() >> (rng() % 64));
  for (uint64_t v : vs) {
    const uint64_t s = reference::IntegerSqrt(v);
    ASSERT_LE(s * s, v) << v;
    ASSERT_TRUE((s + 1) * (s + 1) > v || s == 0xFFFFFFFFu) << v;
  }
}

struct Multiplier {
  int32_t m;
  int shift;
};

Multiplier Quantize(double real) {
  if (real == 0) return {0, 0};
  int e = 0;
  const double q = std::frexp(real, &e);
  int64_t m = std::llround(q * (int64_t{1} << 31));
  if (m == (int64_t{1} << 31) || m == -(int64_t{1} << 31)) {
    m /= 2;
    ++e;
  }
  return {static_cast<int32_t>(m), e};
}

struct Case {
  ElementType type;
  std::vector<int32_t> shape;
  int axis;
  float eps = 1e-5f;
  float s_in = 0.05f, s_out = 0.03f;
  int32_t z_in = 0, z_out = 0;
  std::vector<float> gamma, beta;
  int64_t epsilon_q = -1;  // -1: computed from eps
  size_t params = 0;       // -1 changes the options' vector sizes
};

size_t Depth(const Case& c) {
  size_t d = 1;
  for (size_t k = c.axis; k < c.shape.size(); ++k) d *= c.shape[k];
  return d;
}

ModelSpec Spec(const Case& c) {
  const bool q = c.type != ElementType::Float32;
  auto quant = [&](float s) { return q ? std::vector<float>{s} : std::vector<float>{}; };
  auto zero = [&](int32_t z) { return q ? std::vector<int32_t>{z} : std::vector<int32_t>{}; };
  const size_t depth = Depth(c);
  std::vector<int32_t> mult, bias;
  std::vector<int8_t> shift;
  for (size_t k = 0; k < depth + c.params; ++k) {
    const size_t i = k % depth;
    const Multiplier m = Quantize(c.gamma[i] / c.s_out / 65536.0);
    mult.push_back(m.m);
    shift.push_back(static_cast<int8_t>(m.shift));
    bias.push_back(static_cast<int32_t>(std::lround(c.beta[i] / c.s_out)));
  }
  const double d = static_cast<double>(depth);
  const int64_t eps_q = c.epsilon_q >= 0
                            ? c.epsilon_q
                            : std::max<int64_t>(1, std::llround(c.eps * d * d / (c.s_in * c.s_in)));
  std::vector<testing::TensorSpec> tensors = {
      {"x", c.type, c.shape, quant(c.s_in), zero(c.z_in)},
      {"y", c.type, c.shape, quant(c.s_out), zero(c.z_out)}};
  std::vector<int32_t> inputs = {0};
  if (!q) {
    tensors.push_back(
        {"gamma", ElementType::Float32, {static_cast<int32_t>(depth)}, {}, {}, -1, 0});
    tensors.push_back({"beta", ElementType::Float32, {static_cast<int32_t>(depth)}, {}, {}, -1, 1});
    inputs = {0, 2, 3};
  }
  ModelSpec spec =
      testing::OneOp(schema::OpCode::LayerNorm, schema::OpOptions::LayerNormOptions, tensors,
                     inputs, {1}, [=](flatbuffers::FlatBufferBuilder& fbb) {
                       return schema::CreateLayerNormOptions(
                                  fbb, c.axis, c.eps, eps_q, q ? fbb.CreateVector(mult) : 0,
                                  q ? fbb.CreateVector(shift) : 0, q ? fbb.CreateVector(bias) : 0)
                           .Union();
                     });
  if (!q) {
    spec.buffers.push_back(Bytes(c.gamma));
    spec.buffers.push_back(Bytes(c.beta));
  }
  return spec;
}

// y = (x - mean) / sqrt(var + eps) * gamma + beta per row, in double.
std::vector<double> Oracle(const Case& c, const std::vector<double>& x) {
  const size_t depth = Depth(c);
  std::vector<double> y(x.size());
  for (size_t r = 0; r < x.size() / depth; ++r) {
    double mean = 0, var = 0;
    for (size_t k = 0; k < depth; ++k) mean += x[r * depth + k] / depth;
    for (size_t k = 0; k < depth; ++k)
      var += (x[r * depth + k] - mean) * (x[r * depth + k] - mean) / depth;
    for (size_t k = 0; k < depth; ++k) {
      y[r * depth + k] =
          (x[r * depth + k] - mean) / std::sqrt(var + c.eps) * c.gamma[k] + c.beta[k];
    }
  }
  return y;
}

Case RandomCase(std::mt19937& rng, ElementType type) {
  std::uniform_int_distribution<int> dim(1, 6), rank(1, 4);
  std::uniform_real_distribution<float> u(-1.5f, 1.5f);
  Case c;
  c.type = type;
  const int r = rank(rng);
  for (int k = 0; k < r; ++k) c.shape.push_back(dim(rng) * (k == r - 1 ? 4 : 1));
  c.axis = std::uniform_int_distribution<int>(0, r - 1)(rng);
  for (size_t k = 0; k < Depth(c); ++k) {
    c.gamma.push_back(u(rng));
    c.beta.push_back(u(rng) * 0.5f);
  }
  if (type == ElementType::Int8) {
    c.z_in = std::uniform_int_distribution<int>(-30, 30)(rng);
    c.z_out = std::uniform_int_distribution<int>(-10, 10)(rng);
  } else if (type == ElementType::Int16) {
    c.s_in = 0.0002f;
    c.s_out = 0.0002f;
  }
  return c;
}

size_t Count(const Case& c) {
  size_t n = 1;
  for (int32_t v : c.shape) n *= v;
  return n;
}

TEST(LayerNorm, FloatMatchesOracle) {
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> u(-3, 5);
  for (int t = 0; t < 80; ++t) {
    const Case c = RandomCase(rng, ElementType::Float32);
    std::vector<float> x(Count(c));
    for (float& v : x) v = u(rng);
    const auto r = RunMote(BuildMote(Spec(c)), {Bytes(x)});
    ASSERT_EQ(r.status, Status::kOk);
    const auto want = Oracle(c, std::vector<double>(x.begin(), x.end()));
    const auto* got = reinterpret_cast<const float*>(r.outputs[0].data());
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 2e-5 * (1 + std::fabs(want[i])));
  }
}

template <typename T>
void QuantizedMatchesOracle(ElementType type, int lo, int hi) {
  std::mt19937 rng(type == ElementType::Int8 ? 22 : 23);
  std::uniform_int_distribution<int> u(lo, hi);
  int worst = 0;
  for (int t = 0; t < 80; ++t) {
    const Case c = RandomCase(rng, type);
    std::vector<T> x(Count(c));
    for (T& v : x) v = static_cast<T>(u(rng));
    if (t % 10 == 0) std::fill(x.begin(), x.end(), static_cast<T>(u(rng)));  // var 0: eps only
    const auto r = RunMote(BuildMote(Spec(c)), {Bytes(x)});
    ASSERT_EQ(r.status, Status::kOk);
    std::vector<double> dx;
    for (T v : x) dx.push_back((v - c.z_in) * double{c.s_in});
    const auto want = Oracle(c, dx);
    const auto* got = reinterpret_cast<const T*>(r.outputs[0].data());
    const double qmin = sizeof(T) == 1 ? -128 : -32768, qmax = sizeof(T) == 1 ? 127 : 32767;
    for (size_t i = 0; i < want.size(); ++i) {
      const double q = std::clamp(std::round(want[i] / c.s_out) + c.z_out, qmin, qmax);
      // The rounded beta and the Q16 normalized value: at most one step each,
      // plus gamma's share of the Q16 step on int16's fine grid.
      const double tol = sizeof(T) == 1 ? 2.0 : 2.0 + std::fabs(q) * 1e-4;
      ASSERT_LE(std::fabs(got[i] - q), tol) << "case " << t << " element " << i;
      worst = std::max(worst, static_cast<int>(std::fabs(got[i] - q)));
    }
  }
  ::testing::Test::RecordProperty("worst_steps", worst);
}

TEST(LayerNorm, Int8MatchesOracle) { QuantizedMatchesOracle<int8_t>(ElementType::Int8, -128, 127); }
TEST(LayerNorm, Int16MatchesOracle) {
  QuantizedMatchesOracle<int16_t>(ElementType::Int16, -20000, 20000);
}

Status LoadStatus(const ModelSpec& s) {
  const testing::Aligned a(BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(LayerNorm, HostileFilesAreRefused) {
  Case c{ElementType::Int8, {2, 8}, 1};
  c.gamma.assign(8, 1.0f);
  c.beta.assign(8, 0.0f);
  EXPECT_EQ(LoadStatus(Spec(c)), Status::kOk);
  Case bad = c;
  bad.axis = 2;
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "axis out of range";
  bad = c;
  bad.axis = -1;
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "negative axis";
  bad = c;
  bad.params = 1;
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "one value too many per channel";
  bad = c;
  bad.epsilon_q = 0;
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "zero variance would divide by 0";
  bad = c;
  bad.epsilon_q = (int64_t{1} << 60) + 1;
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile);
  bad = c;
  bad.shape = {2, 20000};
  bad.gamma.assign(20000, 1.0f);
  bad.beta.assign(20000, 0.0f);
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "row too long";
  Case f = c;
  f.type = ElementType::Float32;
  EXPECT_EQ(LoadStatus(Spec(f)), Status::kOk);
  ModelSpec s = Spec(f);
  s.buffers[0].resize(4 * 7);  // gamma one value short
  s.tensors[2].shape = {7};
  EXPECT_EQ(LoadStatus(s), Status::kCorruptFile);
  s = Spec(c);
  s.options_builder = [](flatbuffers::FlatBufferBuilder&) { return flatbuffers::Offset<void>(0); };
  EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << "options table missing";
}

}  // namespace
}  // namespace mote
