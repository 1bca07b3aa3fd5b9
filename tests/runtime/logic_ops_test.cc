// Compare, Where, CumSum and Pad's reflect / edge / wrap modes through the
// interpreter, against oracles written here on real values (random shapes
// with broadcasting, every function and mode), and hostile options refused
// at load.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <type_traits>
#include <vector>

#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::Bytes;
using testing::TensorSpec;

using Shape = std::vector<int32_t>;

size_t Count(const Shape& s) {
  size_t n = 1;
  for (int32_t d : s) n *= static_cast<size_t>(d);
  return n;
}

// Flat index into `in` (numpy-broadcast to `out`) of output element `o`.
size_t SourceIndex(const Shape& in, const Shape& out, size_t o) {
  size_t index = 0;
  size_t stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    const size_t coord = o % static_cast<size_t>(out[d]);
    o /= static_cast<size_t>(out[d]);
    const size_t k = d + in.size();
    if (k < out.size()) continue;  // dims the input lacks
    const int32_t dim = in[k - out.size()];
    if (dim != 1) index += coord * stride;
    stride *= static_cast<size_t>(dim);
  }
  return index;
}

// A random output shape and input shapes broadcasting to it (the first of
// the output's rank, as numpy's output rank is the largest input rank).
struct Shapes {
  Shape out;
  std::vector<Shape> ins;
};

Shapes RandomShapes(std::mt19937& rng, int inputs) {
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Shapes s;
  const int rank = r(0, 4);
  for (int d = 0; d < rank; ++d) s.out.push_back(r(1, 4));
  for (int k = 0; k < inputs; ++k) {
    const int drop = k == 0 ? 0 : r(0, rank);  // leading dims left out
    Shape in;
    for (int d = drop; d < rank; ++d) in.push_back(r(0, 2) == 0 ? 1 : s.out[d]);
    s.ins.push_back(in);
  }
  for (size_t d = 0; d < s.out.size(); ++d) {  // the numpy output: the largest dim of each axis
    int32_t most = 1;
    for (const Shape& in : s.ins) {
      const size_t k = d + in.size();
      if (k >= s.out.size()) most = std::max(most, in[k - s.out.size()]);
    }
    if (inputs > 0) s.out[d] = most;
  }
  return s;
}

template <typename T>
std::vector<T> FromBytes(const std::vector<uint8_t>& b) {
  std::vector<T> v(b.size() / sizeof(T));
  std::memcpy(v.data(), b.data(), b.size());
  return v;
}

bool CompareReal(schema::CompareFunction f, double a, double b) {
  using F = schema::CompareFunction;
  switch (f) {
    case F::Equal:
      return a == b;
    case F::Less:
      return a < b;
    case F::LessOrEqual:
      return a <= b;
    case F::Greater:
      return a > b;
    case F::GreaterOrEqual:
      return a >= b;
    case F::And:
      return a != 0 && b != 0;
    case F::Or:
      return a != 0 || b != 0;
    case F::Xor:
      return (a != 0) != (b != 0);
  }
  return false;
}

std::vector<float> Quant(ElementType t, float s) {
  return t == ElementType::Float32 ? std::vector<float>{} : std::vector<float>{s};
}
std::vector<int32_t> Zp(ElementType t, int32_t z) {
  return t == ElementType::Float32 ? std::vector<int32_t>{} : std::vector<int32_t>{z};
}

// ------------------------------------------------------------------ Compare
struct CompareModel {
  ElementType type = ElementType::Float32;
  schema::CompareFunction function = schema::CompareFunction::Less;
  Shape a = {2, 3}, b = {3}, out = {2, 3};
  float sa = 0.5f, sb = 0.25f;
  int32_t za = 3, zb = -2, zout = 0;
  int left_shift = 8;
  int32_t m1 = 1 << 30, m2 = 1 << 30;
  int s1 = 0, s2 = -1;

  testing::ModelSpec Spec() const {
    const CompareModel m = *this;
    return testing::OneOp(schema::OpCode::Compare, schema::OpOptions::CompareOptions,
                          {{"a", type, a, Quant(type, sa), Zp(type, za), -1, -1, 0, {}},
                           {"b", type, b, Quant(type, sb), Zp(type, zb), -1, -1, 0, {}},
                           {"y", type, out, Quant(type, 1.0f), Zp(type, zout), -1, -1, 0, {}}},
                          {0, 1}, {2}, [m](flatbuffers::FlatBufferBuilder& fbb) {
                            return schema::CreateCompareOptions(fbb, m.function, m.left_shift, m.m1,
                                                                static_cast<int8_t>(m.s1), m.m2,
                                                                static_cast<int8_t>(m.s2))
                                .Union();
                          });
  }
};

Status LoadStatus(const testing::ModelSpec& spec) {
  const testing::Aligned a(testing::BuildMote(spec));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(CompareOp, FloatEveryFunctionWithBroadcasting) {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 400; ++iter) {
    const Shapes s = RandomShapes(rng, 2);
    CompareModel m;
    m.function = static_cast<schema::CompareFunction>(iter % 8);
    m.a = s.ins[0];
    m.b = s.ins[1];
    m.out = s.out;
    std::vector<float> a(Count(m.a)), b(Count(m.b));
    for (auto& v : a) v = static_cast<float>(std::uniform_int_distribution<int>(-2, 2)(rng)) * 0.5f;
    for (auto& v : b) v = static_cast<float>(std::uniform_int_distribution<int>(-2, 2)(rng)) * 0.5f;
    const auto r = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(a), Bytes(b)});
    ASSERT_EQ(r.status, Status::kOk);
    const auto got = FromBytes<float>(r.outputs[0]);
    ASSERT_EQ(got.size(), Count(s.out));
    for (size_t o = 0; o < got.size(); ++o) {
      const bool want =
          CompareReal(m.function, a[SourceIndex(m.a, s.out, o)], b[SourceIndex(m.b, s.out, o)]);
      ASSERT_EQ(got[o], want ? 1.0f : 0.0f) << "iter " << iter << " element " << o;
    }
  }
}

// Scales 0.5 and 0.25 rescale exactly to twice the larger (multipliers 0.5
// and 0.25), so the integer comparison equals the real one.
template <typename T>
void ExpectQuantizedCompare(ElementType type, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const Shapes s = RandomShapes(rng, 2);
    CompareModel m;
    m.type = type;
    m.function = static_cast<schema::CompareFunction>(iter % 8);
    m.a = s.ins[0];
    m.b = s.ins[1];
    m.out = s.out;
    if (type == ElementType::Int16) m.za = m.zb = 0;
    std::vector<T> a(Count(m.a)), b(Count(m.b));
    // Values near each other (and near the zero points) so every outcome occurs.
    for (auto& v : a) v = static_cast<T>(m.za + std::uniform_int_distribution<int>(-4, 4)(rng));
    for (auto& v : b) v = static_cast<T>(m.zb + std::uniform_int_distribution<int>(-8, 8)(rng));
    const auto r = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(a), Bytes(b)});
    ASSERT_EQ(r.status, Status::kOk);
    const auto got = FromBytes<T>(r.outputs[0]);
    for (size_t o = 0; o < got.size(); ++o) {
      const double ra = m.sa * (a[SourceIndex(m.a, s.out, o)] - m.za);
      const double rb = m.sb * (b[SourceIndex(m.b, s.out, o)] - m.zb);
      ASSERT_EQ(got[o], CompareReal(m.function, ra, rb) ? 1 : 0) << "iter " << iter;
    }
  }
}

TEST(CompareOp, Int8MatchesRealValues) { ExpectQuantizedCompare<int8_t>(ElementType::Int8, 12); }
TEST(CompareOp, Int16MatchesRealValues) { ExpectQuantizedCompare<int16_t>(ElementType::Int16, 13); }

TEST(CompareOp, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(CompareModel{}.Spec()), Status::kOk);
  CompareModel q;
  q.type = ElementType::Int8;
  EXPECT_EQ(LoadStatus(q.Spec()), Status::kOk);
  const auto refused = [](CompareModel m, const char* why) {
    EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << why;
  };
  CompareModel m;
  m.function = static_cast<schema::CompareFunction>(8);
  refused(m, "unknown function");
  m = CompareModel{};
  m.b = {4};
  refused(m, "shapes that do not broadcast");
  m = CompareModel{};
  m.out = {2, 4};
  refused(m, "wrong output shape");
  m = q;
  m.zout = 1;
  refused(m, "a boolean output off zero point 0");
  m = q;
  m.left_shift = 23;
  refused(m, "left shift past int32");
  m = q;
  m.m1 = -5;
  refused(m, "multiplier out of range");
  m = q;
  m.s2 = 40;
  refused(m, "shift out of range");
}

// -------------------------------------------------------------------- Where
struct WhereModel {
  ElementType type = ElementType::Float32;
  Shape c = {2, 1}, x = {3}, y = {2, 3}, out = {2, 3};
  float sc = 1.0f, sx = 0.5f, sy = 0.125f, so = 0.25f;
  int32_t zc = 0, zx = 5, zy = -7, zo = 2;
  int32_t mx = 1 << 30, my = 1 << 30;
  int shx = 2, shy = 0;  // 0.5 / 0.25 = 2 = 0.5 * 2^2; 0.125 / 0.25 = 0.5

  testing::ModelSpec Spec() const {
    const WhereModel m = *this;
    return testing::OneOp(schema::OpCode::Where, schema::OpOptions::WhereOptions,
                          {{"c", type, c, Quant(type, sc), Zp(type, zc), -1, -1, 0, {}},
                           {"x", type, x, Quant(type, sx), Zp(type, zx), -1, -1, 0, {}},
                           {"y", type, y, Quant(type, sy), Zp(type, zy), -1, -1, 0, {}},
                           {"o", type, out, Quant(type, so), Zp(type, zo), -1, -1, 0, {}}},
                          {0, 1, 2}, {3}, [m](flatbuffers::FlatBufferBuilder& fbb) {
                            return schema::CreateWhereOptions(fbb, m.mx, static_cast<int8_t>(m.shx),
                                                              m.my, static_cast<int8_t>(m.shy))
                                .Union();
                          });
  }
};

TEST(WhereOp, FloatSelectsWithBroadcasting) {
  std::mt19937 rng(21);
  for (int iter = 0; iter < 300; ++iter) {
    const Shapes s = RandomShapes(rng, 3);
    WhereModel m;
    m.c = s.ins[0];
    m.x = s.ins[1];
    m.y = s.ins[2];
    m.out = s.out;
    std::vector<float> c(Count(m.c)), x(Count(m.x)), y(Count(m.y));
    for (auto& v : c) v = std::uniform_int_distribution<int>(0, 1)(rng) ? 0.0f : 0.75f;
    for (auto& v : x) v = std::uniform_real_distribution<float>(-5, 5)(rng);
    for (auto& v : y) v = std::uniform_real_distribution<float>(-5, 5)(rng);
    const auto r = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(c), Bytes(x), Bytes(y)});
    ASSERT_EQ(r.status, Status::kOk);
    const auto got = FromBytes<float>(r.outputs[0]);
    ASSERT_EQ(got.size(), Count(s.out));
    for (size_t o = 0; o < got.size(); ++o) {
      const float want = c[SourceIndex(m.c, s.out, o)] != 0.0f ? x[SourceIndex(m.x, s.out, o)]
                                                               : y[SourceIndex(m.y, s.out, o)];
      ASSERT_EQ(got[o], want);
    }
  }
}

// Each branch's real value in the output's parameters (the rescales are
// powers of two, so the only rounding is of ties: upward, as TFLite's).
TEST(WhereOp, Int8RequantizesEachBranch) {
  std::mt19937 rng(22);
  for (int iter = 0; iter < 200; ++iter) {
    const Shapes s = RandomShapes(rng, 3);
    WhereModel m;
    m.type = ElementType::Int8;
    m.c = s.ins[0];
    m.x = s.ins[1];
    m.y = s.ins[2];
    m.out = s.out;
    const bool copy_x = iter % 3 == 0;
    if (copy_x) {  // x already has the output's parameters: copied
      m.sx = m.so;
      m.zx = m.zo;
      m.mx = 0;
      m.shx = 0;
    }
    std::vector<int8_t> c(Count(m.c)), x(Count(m.x)), y(Count(m.y));
    for (auto& v : c) v = static_cast<int8_t>(std::uniform_int_distribution<int>(0, 1)(rng));
    for (auto& v : x) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    for (auto& v : y) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    const auto r = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(c), Bytes(x), Bytes(y)});
    ASSERT_EQ(r.status, Status::kOk);
    const auto got = FromBytes<int8_t>(r.outputs[0]);
    for (size_t o = 0; o < got.size(); ++o) {
      const bool take_x = c[SourceIndex(m.c, s.out, o)] != m.zc;
      const double real = take_x ? m.sx * (x[SourceIndex(m.x, s.out, o)] - m.zx)
                                 : m.sy * (y[SourceIndex(m.y, s.out, o)] - m.zy);
      const double q = real / m.so;
      const double rounded = std::floor(q + 0.5);  // TFLite's doubling high multiply: ties up
      const double want = std::clamp(rounded + m.zo, -128.0, 127.0);
      ASSERT_EQ(got[o], want) << "iter " << iter << " element " << o;
    }
  }
}

TEST(WhereOp, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(WhereModel{}.Spec()), Status::kOk);
  WhereModel q;
  q.type = ElementType::Int8;
  EXPECT_EQ(LoadStatus(q.Spec()), Status::kOk);
  WhereModel m = WhereModel{};
  m.x = {4};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "shapes that do not broadcast";
  m = WhereModel{};
  m.out = {2, 3, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_NE(LoadStatus(m.Spec()), Status::kOk) << "rank past kMaxRank";
  m = WhereModel{};
  m.out = {4, 2, 3};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile)
      << "an output larger than the inputs' broadcast";
  m = q;
  m.mx = 0;  // copied, but x's parameters differ from the output's
  m.shx = 0;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "copy of other parameters";
  m = q;
  m.my = -7;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "multiplier out of range";
  m = q;
  m.mx = 0;
  m.shx = 3;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "a copy with a shift";
}

// ------------------------------------------------------------------- CumSum
struct CumSumModel {
  ElementType type = ElementType::Float32;
  Shape shape = {2, 3, 4};
  int axis = 1;
  bool exclusive = false, reverse = false;
  float si = 0.5f, so = 1.0f;
  int32_t zi = 3, zo = -5;
  int32_t multiplier = 1 << 30;
  int shift = 0;  // 0.5 / 1.0

  testing::ModelSpec Spec() const {
    const CumSumModel m = *this;
    return testing::OneOp(schema::OpCode::CumSum, schema::OpOptions::CumSumOptions,
                          {{"x", type, shape, Quant(type, si), Zp(type, zi), -1, -1, 0, {}},
                           {"y", type, shape, Quant(type, so), Zp(type, zo), -1, -1, 0, {}}},
                          {0}, {1}, [m](flatbuffers::FlatBufferBuilder& fbb) {
                            return schema::CreateCumSumOptions(fbb, m.axis, m.exclusive, m.reverse,
                                                               m.multiplier,
                                                               static_cast<int8_t>(m.shift))
                                .Union();
                          });
  }
};

// Running sums by explicit index arithmetic on the real values.
std::vector<double> CumSumOracle(const Shape& shape, int axis, bool exclusive, bool reverse,
                                 const std::vector<double>& x) {
  std::vector<double> y(x.size());
  size_t inner = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  const size_t n = static_cast<size_t>(shape[static_cast<size_t>(axis)]);
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t k = i / inner % n;
    const size_t base = i - k * inner;
    double sum = 0;
    for (size_t j = 0; j < n; ++j) {
      const bool in = reverse ? (exclusive ? j > k : j >= k) : (exclusive ? j < k : j <= k);
      if (in) sum += x[base + j * inner];
    }
    y[i] = sum;
  }
  return y;
}

TEST(CumSumOp, FloatEveryAxisAndFlag) {
  std::mt19937 rng(31);
  for (int iter = 0; iter < 200; ++iter) {
    CumSumModel m;
    m.shape = RandomShapes(rng, 0).out;
    if (m.shape.empty()) m.shape = {5};
    m.axis = std::uniform_int_distribution<int>(0, static_cast<int>(m.shape.size()) - 1)(rng);
    m.exclusive = iter % 2;
    m.reverse = iter / 2 % 2;
    std::vector<float> x(Count(m.shape));
    for (auto& v : x) v = std::uniform_real_distribution<float>(-3, 3)(rng);
    const auto r = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(x)});
    ASSERT_EQ(r.status, Status::kOk);
    const auto got = FromBytes<float>(r.outputs[0]);
    const auto want = CumSumOracle(m.shape, m.axis, m.exclusive, m.reverse,
                                   std::vector<double>(x.begin(), x.end()));
    for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-5) << iter;
  }
}

template <typename T>
void ExpectQuantizedCumSum(ElementType type, uint32_t seed) {
  std::mt19937 rng(seed);
  const int lo = type == ElementType::Int8 ? -128 : -32768;
  const int hi = -lo - 1;
  for (int iter = 0; iter < 200; ++iter) {
    CumSumModel m;
    m.type = type;
    if (type == ElementType::Int16) m.zi = m.zo = 0;
    m.shape = RandomShapes(rng, 0).out;
    if (m.shape.empty()) m.shape = {7};
    m.axis = std::uniform_int_distribution<int>(0, static_cast<int>(m.shape.size()) - 1)(rng);
    m.exclusive = iter % 2;
    m.reverse = iter / 2 % 2;
    std::vector<T> x(Count(m.shape));
    for (auto& v : x) v = static_cast<T>(std::uniform_int_distribution<int>(lo, hi)(rng));
    const auto r = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(x)});
    ASSERT_EQ(r.status, Status::kOk);
    const auto got = FromBytes<T>(r.outputs[0]);
    std::vector<double> real;
    for (T v : x) real.push_back(m.si * (v - m.zi));
    const auto want = CumSumOracle(m.shape, m.axis, m.exclusive, m.reverse, real);
    for (size_t i = 0; i < got.size(); ++i) {
      const double q = want[i] / m.so;             // k / 2
      const double rounded = std::floor(q + 0.5);  // TFLite's doubling high multiply: ties up
      ASSERT_EQ(got[i], std::clamp<double>(rounded + m.zo, lo, hi)) << iter;
    }
  }
}

TEST(CumSumOp, Int8SumsInInt32) { ExpectQuantizedCumSum<int8_t>(ElementType::Int8, 32); }
TEST(CumSumOp, Int16SumsInInt32) { ExpectQuantizedCumSum<int16_t>(ElementType::Int16, 33); }

TEST(CumSumOp, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(CumSumModel{}.Spec()), Status::kOk);
  CumSumModel m;
  m.axis = 3;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "axis past the rank";
  m.axis = -1;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "negative axis";
  m = CumSumModel{};
  m.type = ElementType::Int16;
  m.zi = m.zo = 0;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kOk);
  m.shape = {1, 40000, 1};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "int32 sums could overflow";
  m = CumSumModel{};
  m.type = ElementType::Int8;
  m.multiplier = -3;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "multiplier out of range";
}

// ---------------------------------------------------------------- Pad modes
struct PadModel {
  ElementType type = ElementType::Float32;
  schema::PadMode mode = schema::PadMode::Reflect;
  Shape in = {3, 4};
  std::vector<int32_t> pads = {2, 1, 3, 0};  // (before, after) per dim

  Shape Out() const {
    Shape out = in;
    for (size_t d = 0; d < in.size(); ++d) out[d] += pads[2 * d] + pads[2 * d + 1];
    return out;
  }
  testing::ModelSpec Spec() const {
    const PadModel m = *this;
    return testing::OneOp(
        schema::OpCode::Pad, schema::OpOptions::PadOptions,
        {{"x", type, in, Quant(type, 0.5f), Zp(type, 1), -1, -1, 0, {}},
         {"y", type, Out(), Quant(type, 0.5f), Zp(type, 1), -1, -1, 0, {}}},
        {0}, {1}, [m](flatbuffers::FlatBufferBuilder& fbb) {
          return schema::CreatePadOptions(fbb, fbb.CreateVector(m.pads), 0, 0.0f, m.mode).Union();
        });
  }
};

// numpy.pad's index rules, written per mode from their definitions.
int32_t PadSource(schema::PadMode mode, int32_t i, int32_t n) {
  if (mode == schema::PadMode::Edge) return std::clamp(i, 0, n - 1);
  if (mode == schema::PadMode::Wrap) return ((i % n) + n) % n;
  if (n == 1) return 0;
  const int32_t period = 2 * (n - 1);  // reflect: the sequence 0..n-1..1 repeats
  int32_t j = ((i % period) + period) % period;
  return j < n ? j : period - j;
}

template <typename T>
void ExpectPadModes(ElementType type, uint32_t seed) {
  std::mt19937 rng(seed);
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int iter = 0; iter < 300; ++iter) {
    PadModel m;
    m.type = type;
    m.mode = static_cast<schema::PadMode>(1 + iter % 3);
    m.in.clear();
    m.pads.clear();
    const int rank = r(1, 4);
    for (int d = 0; d < rank; ++d) {
      m.in.push_back(r(1, 5));
      const int most = m.mode == schema::PadMode::Reflect ? m.in.back() - 1 : 2 * m.in.back();
      m.pads.push_back(r(0, most));
      m.pads.push_back(r(0, most));
    }
    std::vector<T> x(Count(m.in));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(static_cast<int>(i % 100) - 50);
    const auto res = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(x)});
    ASSERT_EQ(res.status, Status::kOk);
    const auto got = FromBytes<T>(res.outputs[0]);
    const Shape out = m.Out();
    ASSERT_EQ(got.size(), Count(out));
    for (size_t o = 0; o < got.size(); ++o) {
      size_t rest = o, src = 0, stride = 1;
      for (size_t d = out.size(); d-- > 0;) {
        const int32_t coord = static_cast<int32_t>(rest % static_cast<size_t>(out[d]));
        rest /= static_cast<size_t>(out[d]);
        src += static_cast<size_t>(PadSource(m.mode, coord - m.pads[2 * d], m.in[d])) * stride;
        stride *= static_cast<size_t>(m.in[d]);
      }
      ASSERT_EQ(got[o], x[src]) << "iter " << iter << " element " << o;
    }
  }
}

TEST(PadModes, FloatReflectEdgeWrap) { ExpectPadModes<float>(ElementType::Float32, 41); }
TEST(PadModes, Int8ReflectEdgeWrap) { ExpectPadModes<int8_t>(ElementType::Int8, 42); }
TEST(PadModes, Int16ReflectEdgeWrap) { ExpectPadModes<int16_t>(ElementType::Int16, 43); }

TEST(PadModes, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(PadModel{}.Spec()), Status::kOk);
  PadModel m;
  m.pads = {3, 0, 0, 0};  // reflect: 3 >= dim 3
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "reflect pad as large as the dim";
  m = PadModel{};
  m.mode = static_cast<schema::PadMode>(4);
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "unknown mode";
  for (schema::PadMode mode : {schema::PadMode::Edge, schema::PadMode::Wrap}) {
    m = PadModel{};
    m.mode = mode;
    m.in = {0, 4};
    m.pads = {1, 0, 0, 0};
    // (The model checks refuse empty dims first; the op's own check stays as a second line.)
    EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "padding an empty dim";
  }
}

}  // namespace
}  // namespace mote

namespace mote {
namespace {

// --------------------------------------------------------------------- TopK
struct TopKModel {
  ElementType type = ElementType::Float32;
  Shape in = {2, 5, 3};
  int axis = 1, k = 2;
  bool largest = true;
  bool ties_to_last = false;
  ElementType index_type = ElementType::Int64;
  Shape values_shape = {2, 2, 3}, indices_shape = {2, 2, 3};

  testing::ModelSpec Spec() const {
    const TopKModel m = *this;
    return testing::OneOp(schema::OpCode::TopK, schema::OpOptions::TopKOptions,
                          {{"x", type, in, Quant(type, 0.5f), Zp(type, 1), -1, -1, 0, {}},
                           {"v", type, values_shape, Quant(type, 0.5f), Zp(type, 1), -1, -1, 0, {}},
                           {"i", index_type, indices_shape, {}, {}, -1, -1, 0, {}}},
                          {0}, {1, 2}, [m](flatbuffers::FlatBufferBuilder& fbb) {
                            return schema::CreateTopKOptions(fbb, m.axis, m.k, m.largest,
                                                             m.ties_to_last)
                                .Union();
                          });
  }
};

// A stable sort of each line: equal values keep index order (reversed with
// ties_to_last).
template <typename T>
void ExpectTopK(ElementType type, uint32_t seed) {
  std::mt19937 rng(seed);
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int iter = 0; iter < 300; ++iter) {
    TopKModel m;
    m.type = type;
    m.in.clear();
    const int rank = r(1, 4);
    for (int d = 0; d < rank; ++d) m.in.push_back(r(1, 6));
    m.axis = r(0, rank - 1);
    const size_t axis = static_cast<size_t>(m.axis);
    m.k = r(1, m.in[axis]);  // (empty tensors are refused at load)
    m.largest = iter % 2 == 0;
    m.ties_to_last = iter % 4 >= 2;
    m.values_shape = m.in;
    m.values_shape[axis] = m.k;
    m.indices_shape = m.values_shape;
    std::vector<T> x(Count(m.in));
    for (auto& v : x) v = static_cast<T>(r(-3, 3));  // many ties
    if constexpr (std::is_same_v<T, float>) {
      if (iter % 5 == 0 && !x.empty())
        x[static_cast<size_t>(r(0, static_cast<int>(x.size()) - 1))] = NAN;
    }
    const auto res = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(x)});
    ASSERT_EQ(res.status, Status::kOk);
    const auto values = FromBytes<T>(res.outputs[0]);
    const auto indices = FromBytes<int64_t>(res.outputs[1]);
    size_t outer = 1, inner = 1;
    for (size_t d = 0; d < axis; ++d) outer *= static_cast<size_t>(m.in[d]);
    for (size_t d = axis + 1; d < m.in.size(); ++d) inner *= static_cast<size_t>(m.in[d]);
    const size_t n = static_cast<size_t>(m.in[axis]);
    const size_t k = static_cast<size_t>(m.k);
    for (size_t o = 0; o < outer; ++o) {
      for (size_t i = 0; i < inner; ++i) {
        std::vector<size_t> order(n);
        for (size_t j = 0; j < n; ++j) order[j] = m.ties_to_last ? n - 1 - j : j;
        auto key = [&](size_t j) {  // NaN above everything
          const double v = static_cast<double>(x[(o * n + j) * inner + i]);
          return std::isnan(v) ? INFINITY : v;
        };
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
          return m.largest ? key(a) > key(b) : key(a) < key(b);
        });
        for (size_t j = 0; j < k; ++j) {
          const size_t at = (o * k + j) * inner + i;
          ASSERT_EQ(indices[at], static_cast<int64_t>(order[j])) << "iter " << iter;
          const T want = x[(o * n + order[j]) * inner + i];
          ASSERT_EQ(std::memcmp(&values[at], &want, sizeof(T)), 0) << "iter " << iter;
        }
      }
    }
  }
}

TEST(TopKOp, FloatSortedWithTiesAndNaN) { ExpectTopK<float>(ElementType::Float32, 51); }
TEST(TopKOp, Int8SortedWithTies) { ExpectTopK<int8_t>(ElementType::Int8, 52); }
TEST(TopKOp, Int16SortedWithTies) { ExpectTopK<int16_t>(ElementType::Int16, 53); }

TEST(TopKOp, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(TopKModel{}.Spec()), Status::kOk);
  const auto refused = [](TopKModel m, const char* why) {
    EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << why;
  };
  TopKModel m;
  m.k = 6;
  refused(m, "k past the axis");
  m = TopKModel{};
  m.k = -1;
  refused(m, "negative k");
  m = TopKModel{};
  m.axis = 3;
  refused(m, "axis past the rank");
  m = TopKModel{};
  m.index_type = ElementType::Int32;
  refused(m, "indices not int64");
  m = TopKModel{};
  m.indices_shape = {2, 3, 3};
  refused(m, "indices of another shape");
  m = TopKModel{};
  m.values_shape = {2, 2};
  refused(m, "values of another rank");
}

}  // namespace
}  // namespace mote
