// Reduce: every function in float32 and the linear ones in int8/int16
// through the interpreter against a double oracle, and hostile files.
#include "kernels/reference/reduce.h"

#include <gtest/gtest.h>

#include <algorithm>
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
  schema::ReduceFunction f;
  std::vector<int32_t> in, out;
  int axis;
  float s_in = 0.05f, s_out = 0.1f;
  int32_t z_in = 0, z_out = 0;
  Multiplier mult = {0, 0};
};

ModelSpec Spec(const Case& c) {
  const bool q = c.type != ElementType::Float32;
  auto quant = [&](float s) { return q ? std::vector<float>{s} : std::vector<float>{}; };
  auto zero = [&](int32_t z) { return q ? std::vector<int32_t>{z} : std::vector<int32_t>{}; };
  return testing::OneOp(schema::OpCode::Reduce, schema::OpOptions::ReduceOptions,
                        {{"x", c.type, c.in, quant(c.s_in), zero(c.z_in)},
                         {"y", c.type, c.out, quant(c.s_out), zero(c.z_out)}},
                        {0}, {1}, [=](flatbuffers::FlatBufferBuilder& fbb) {
                          return schema::CreateReduceOptions(fbb, c.f, c.axis, c.mult.m,
                                                             static_cast<int8_t>(c.mult.shift))
                              .Union();
                        });
}

double Oracle(schema::ReduceFunction f, const std::vector<double>& row) {
  using F = schema::ReduceFunction;
  double acc = f == F::Prod ? 1 : 0;
  const double mx = *std::max_element(row.begin(), row.end());
  switch (f) {
    case F::Max:
      return mx;
    case F::Min:
      return *std::min_element(row.begin(), row.end());
    case F::LogSumExp:
      for (double v : row) acc += std::exp(v - mx);
      return mx + std::log(acc);
    default:
      break;
  }
  for (double v : row) {
    if (f == F::Prod)
      acc *= v;
    else if (f == F::L1)
      acc += std::fabs(v);
    else if (f == F::L2 || f == F::SumSquare)
      acc += v * v;
    else
      acc += v;
  }
  if (f == F::Mean) acc /= row.size();
  if (f == F::L2) acc = std::sqrt(acc);
  return acc;
}

Case RandomCase(std::mt19937& rng, ElementType type, schema::ReduceFunction f) {
  std::uniform_int_distribution<int> dim(1, 5), rank(1, 4);
  Case c{type, f};
  const int r = rank(rng);
  for (int k = 0; k < r; ++k) c.in.push_back(dim(rng));
  c.axis = std::uniform_int_distribution<int>(0, r - 1)(rng);
  c.out.assign(c.in.begin(), c.in.begin() + c.axis);
  if (c.out.empty()) c.out = {1};
  size_t depth = 1;
  for (int k = c.axis; k < r; ++k) depth *= c.in[k];
  if (type != ElementType::Float32) {
    c.z_in = type == ElementType::Int8 ? std::uniform_int_distribution<int>(-20, 20)(rng) : 0;
    c.s_out =
        f == schema::ReduceFunction::Sum || f == schema::ReduceFunction::L1 ? 0.05f * depth : 0.05f;
    if (type == ElementType::Int16) c.s_in = c.s_out = c.s_out / 200;
    c.mult = Quantize(double{c.s_in} / c.s_out / (f == schema::ReduceFunction::Mean ? depth : 1));
  }
  return c;
}

size_t Count(const std::vector<int32_t>& d) {
  size_t n = 1;
  for (int32_t v : d) n *= v;
  return n;
}

TEST(Reduce, FloatMatchesOracle) {
  std::mt19937 rng(31);
  std::uniform_real_distribution<float> u(-2, 2);
  for (int fi = 0; fi <= 8; ++fi) {
    const auto f = static_cast<schema::ReduceFunction>(fi);
    for (int t = 0; t < 20; ++t) {
      const Case c = RandomCase(rng, ElementType::Float32, f);
      std::vector<float> x(Count(c.in));
      for (float& v : x) v = u(rng);
      const auto r = RunMote(BuildMote(Spec(c)), {Bytes(x)});
      ASSERT_EQ(r.status, Status::kOk);
      const size_t depth = x.size() / Count(c.out);
      const auto* got = reinterpret_cast<const float*>(r.outputs[0].data());
      for (size_t o = 0; o < Count(c.out); ++o) {
        const double want =
            Oracle(f, std::vector<double>(x.begin() + o * depth, x.begin() + (o + 1) * depth));
        ASSERT_NEAR(got[o], want, 1e-5 * (1 + std::fabs(want))) << "function " << fi;
      }
    }
  }
}

template <typename T>
void QuantizedMatchesOracle(ElementType type, int lo, int hi) {
  std::mt19937 rng(type == ElementType::Int8 ? 32 : 33);
  std::uniform_int_distribution<int> u(lo, hi);
  for (auto f :
       {schema::ReduceFunction::Sum, schema::ReduceFunction::Mean, schema::ReduceFunction::Max,
        schema::ReduceFunction::Min, schema::ReduceFunction::L1}) {
    for (int t = 0; t < 30; ++t) {
      const Case c = RandomCase(rng, type, f);
      std::vector<T> x(Count(c.in));
      for (T& v : x) v = static_cast<T>(u(rng));
      const auto r = RunMote(BuildMote(Spec(c)), {Bytes(x)});
      ASSERT_EQ(r.status, Status::kOk);
      const size_t depth = x.size() / Count(c.out);
      const auto* got = reinterpret_cast<const T*>(r.outputs[0].data());
      for (size_t o = 0; o < Count(c.out); ++o) {
        std::vector<double> row;
        for (size_t k = 0; k < depth; ++k)
          row.push_back((x[o * depth + k] - c.z_in) * double{c.s_in});
        const double want = std::clamp(std::round(Oracle(f, row) / c.s_out) + c.z_out,
                                       double{sizeof(T) == 1 ? -128 : -32768},
                                       double{sizeof(T) == 1 ? 127 : 32767});
        ASSERT_LE(std::fabs(got[o] - want), 1.0) << "function " << static_cast<int>(f);
      }
    }
  }
}

TEST(Reduce, Int8MatchesOracle) { QuantizedMatchesOracle<int8_t>(ElementType::Int8, -128, 127); }
TEST(Reduce, Int16MatchesOracle) {
  QuantizedMatchesOracle<int16_t>(ElementType::Int16, -30000, 30000);
}

Status LoadStatus(const ModelSpec& s) {
  const testing::Aligned a(BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(Reduce, HostileFilesAreRefused) {
  Case c{ElementType::Int8, schema::ReduceFunction::Sum, {2, 3, 4}, {2}, 1};
  c.mult = Quantize(0.5);
  EXPECT_EQ(LoadStatus(Spec(c)), Status::kOk);
  Case bad = c;
  bad.out = {3};
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "output size";
  bad = c;
  bad.axis = 3;
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "axis out of range";
  bad = c;
  bad.f = schema::ReduceFunction::LogSumExp;
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "no integer LogSumExp";
  bad = c;
  bad.f = static_cast<schema::ReduceFunction>(9);
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile) << "unknown function";
  bad = c;
  bad.mult = {-1, 0};
  EXPECT_EQ(LoadStatus(Spec(bad)), Status::kCorruptFile);
  Case big{ElementType::Int16, schema::ReduceFunction::Sum, {1, 40000}, {1}, 1};
  big.mult = Quantize(0.5);
  EXPECT_EQ(LoadStatus(Spec(big)), Status::kCorruptFile) << "int16 sum could overflow";
  Case f{ElementType::Float32, schema::ReduceFunction::Prod, {2, 3}, {2}, 1};
  EXPECT_EQ(LoadStatus(Spec(f)), Status::kOk);
}

}  // namespace
}  // namespace mote
