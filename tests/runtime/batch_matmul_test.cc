// BatchMatMul: random geometries (broadcast batch axes, transpose_b) through
// the interpreter against a double-precision oracle, and hostile files.
#include "kernels/reference/batch_matmul.h"

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
using Dims = std::vector<int32_t>;

struct Multiplier {
  int32_t m;
  int shift;
};

Multiplier Quantize(double real) {
  int e = 0;
  const double q = std::frexp(real, &e);
  int64_t m = std::llround(q * (int64_t{1} << 31));
  if (m == (int64_t{1} << 31)) {
    m /= 2;
    ++e;
  }
  return {static_cast<int32_t>(m), e};
}

struct Case {
  ElementType type;
  Dims a, b, out;
  bool transpose_b;
  float sa = 0.05f, sb = 0.04f, so = 0.2f;
  int32_t za = 0, zb = 0, zo = 0;
  Multiplier mult = {0, 0};
};

ModelSpec Spec(const Case& c) {
  const bool q = c.type != ElementType::Float32;
  auto quant = [&](float s) { return q ? std::vector<float>{s} : std::vector<float>{}; };
  auto zero = [&](int32_t z) { return q ? std::vector<int32_t>{z} : std::vector<int32_t>{}; };
  const int32_t lo = c.type == ElementType::Int8 ? -128 : -32768;
  const int32_t hi = c.type == ElementType::Int8 ? 127 : 32767;
  return testing::OneOp(schema::OpCode::BatchMatMul, schema::OpOptions::BatchMatMulOptions,
                        {{"a", c.type, c.a, quant(c.sa), zero(c.za)},
                         {"b", c.type, c.b, quant(c.sb), zero(c.zb)},
                         {"y", c.type, c.out, quant(c.so), zero(c.zo)}},
                        {0, 1}, {2}, [=](flatbuffers::FlatBufferBuilder& fbb) {
                          const auto act =
                              schema::CreateActivationRange(fbb, lo, hi, -INFINITY, INFINITY);
                          return schema::CreateBatchMatMulOptions(fbb, c.transpose_b, act, c.mult.m,
                                                                  static_cast<int8_t>(c.mult.shift))
                              .Union();
                        });
}

size_t Count(const Dims& d) {
  size_t n = 1;
  for (int32_t v : d) n *= static_cast<size_t>(v);
  return n;
}

// Element offset of batch index `o` (of out's batch dims) in a tensor of dims `t`.
size_t MatrixOf(const Dims& t, const Dims& out, size_t o) {
  const size_t rank = out.size() - 2;
  size_t index = 0, step = 1;
  for (size_t d = rank; d-- > 0;) {
    const size_t i = o % static_cast<size_t>(out[d]);
    o /= static_cast<size_t>(out[d]);
    index += (t[d] == 1 ? 0 : i) * step;
    step *= static_cast<size_t>(t[d]);
  }
  return index;
}

// The product in double of dequantized values (the oracle).
std::vector<double> Oracle(const Case& c, const std::vector<double>& a,
                           const std::vector<double>& b) {
  const size_t r = c.out.size();
  const size_t m = c.a[r - 2], k = c.a[r - 1], n = c.out[r - 1];
  const size_t batches = Count(c.out) / (m * n);
  std::vector<double> y(Count(c.out));
  for (size_t o = 0; o < batches; ++o) {
    const size_t ai = MatrixOf(c.a, c.out, o) * m * k, bi = MatrixOf(c.b, c.out, o) * k * n;
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) {
        double acc = 0;
        for (size_t kk = 0; kk < k; ++kk) {
          acc += a[ai + i * k + kk] * b[bi + (c.transpose_b ? j * k + kk : kk * n + j)];
        }
        y[o * m * n + i * n + j] = acc;
      }
  }
  return y;
}

Case RandomCase(std::mt19937& rng, ElementType type) {
  std::uniform_int_distribution<int> dim(1, 5), rank(2, 5), coin(0, 1);
  Case c;
  c.type = type;
  const int r = rank(rng);
  for (int d = 0; d < r - 2; ++d) {
    const int32_t o = dim(rng);
    c.out.push_back(o);
    c.a.push_back(coin(rng) ? o : 1);
    c.b.push_back(coin(rng) ? o : 1);
  }
  const int32_t m = dim(rng), k = dim(rng) * 3, n = dim(rng);
  c.transpose_b = coin(rng);
  c.a.insert(c.a.end(), {m, k});
  if (c.transpose_b)
    c.b.insert(c.b.end(), {n, k});
  else
    c.b.insert(c.b.end(), {k, n});
  c.out.insert(c.out.end(), {m, n});
  if (type == ElementType::Int8) {
    c.za = std::uniform_int_distribution<int>(-20, 20)(rng);
    c.zb = std::uniform_int_distribution<int>(-20, 20)(rng);
    c.zo = std::uniform_int_distribution<int>(-10, 10)(rng);
  }
  c.so = type == ElementType::Int16 ? 0.002f : 0.2f;
  c.mult = Quantize(static_cast<double>(c.sa) * c.sb / c.so);
  return c;
}

TEST(BatchMatMul, FloatMatchesOracle) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-2, 2);
  for (int t = 0; t < 60; ++t) {
    const Case c = RandomCase(rng, ElementType::Float32);
    std::vector<float> a(Count(c.a)), b(Count(c.b));
    for (float& v : a) v = u(rng);
    for (float& v : b) v = u(rng);
    const auto r = RunMote(BuildMote(Spec(c)), {Bytes(a), Bytes(b)});
    ASSERT_EQ(r.status, Status::kOk);
    const std::vector<double> want =
        Oracle(c, std::vector<double>(a.begin(), a.end()), std::vector<double>(b.begin(), b.end()));
    const auto* got = reinterpret_cast<const float*>(r.outputs[0].data());
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 1e-5 * (1 + std::fabs(want[i])));
  }
}

template <typename T>
void QuantizedMatchesOracle(ElementType type, int lo, int hi) {
  std::mt19937 rng(type == ElementType::Int8 ? 12 : 13);
  std::uniform_int_distribution<int> u(lo, hi);
  for (int t = 0; t < 60; ++t) {
    const Case c = RandomCase(rng, type);
    std::vector<T> a(Count(c.a)), b(Count(c.b));
    for (T& v : a) v = static_cast<T>(u(rng));
    for (T& v : b) v = static_cast<T>(u(rng));
    const auto r = RunMote(BuildMote(Spec(c)), {Bytes(a), Bytes(b)});
    ASSERT_EQ(r.status, Status::kOk);
    std::vector<double> da, db;
    for (T v : a) da.push_back((v - c.za) * double{c.sa});
    for (T v : b) db.push_back((v - c.zb) * double{c.sb});
    const std::vector<double> want = Oracle(c, da, db);
    const auto* got = reinterpret_cast<const T*>(r.outputs[0].data());
    for (size_t i = 0; i < want.size(); ++i) {
      const double q =
          std::clamp(std::round(want[i] / c.so) + c.zo, double(sizeof(T) == 1 ? -128 : -32768),
                     double(sizeof(T) == 1 ? 127 : 32767));
      // int16 requantizes with a Q15 multiplier (TFLite's 16x8 path).
      ASSERT_LE(std::fabs(got[i] - q), 1.0 + (sizeof(T) == 2 ? std::fabs(q) / 16384 : 0))
          << "case " << t << " element " << i;
    }
  }
}

TEST(BatchMatMul, Int8MatchesOracle) {
  QuantizedMatchesOracle<int8_t>(ElementType::Int8, -128, 127);
}
TEST(BatchMatMul, Int16MatchesOracle) {
  QuantizedMatchesOracle<int16_t>(ElementType::Int16, -3000, 3000);
}

Status LoadStatus(const ModelSpec& s) {
  const testing::Aligned a(BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(BatchMatMul, HostileFilesAreRefused) {
  Case c{ElementType::Int8, {2, 3, 4}, {1, 4, 5}, {2, 3, 5}, false};
  c.mult = Quantize(0.01);
  EXPECT_EQ(LoadStatus(Spec(c)), Status::kOk);
  Case bad = c;
  bad.b = {1, 3, 5};  // K disagrees
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile);
  bad = c;
  bad.b = {4, 5};  // ranks differ
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile);
  bad = c;
  bad.a = {3, 3, 4};  // batch neither out's nor 1
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile);
  bad = c;
  bad.out = {2, 3, 6};
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile);
  bad = c;
  bad.transpose_b = true;  // B would be [.., N=4, K=5]
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile);
  bad = c;
  bad.mult = {-5, 0};
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile);
  bad = c;
  bad.a = {1, 1, 40000};
  bad.b = {1, 40000, 1};
  bad.out = {1, 1, 1};
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "int8 accumulator could overflow";
  Case c16{ElementType::Int16, {3, 4}, {4, 5}, {3, 5}, false};
  c16.mult = Quantize(0.01);
  EXPECT_EQ(LoadStatus(Spec(c16)), Status::kOk);
  c16.za = 1;
  EXPECT_EQ(LoadStatus(Spec(c16)), Status::kCorruptFile) << "int16 must be symmetric";
  c16.za = 0;
  c16.mult.shift = 9;
  EXPECT_EQ(LoadStatus(Spec(c16)), Status::kCorruptFile) << "int16 shift above 7";
  ModelSpec s = Spec(c);
  s.options_builder = [](flatbuffers::FlatBufferBuilder&) { return flatbuffers::Offset<void>(0); };
  EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << "options table missing";
}

}  // namespace
}  // namespace mote
