// The Unary op: the portable float functions against libm in double, the glue
// through the interpreter, and hostile options refused at load.
#include "kernels/reference/unary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/math.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using reference::UnaryFunction;
using schema::ElementType;
using testing::BuildMote;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;

// Probes: a log-spaced sweep of both signs plus the edges of the float range.
std::vector<float> Probes(float lo, float hi) {
  std::vector<float> xs = {0.0f, -0.0f, 1e-30f, 1e-7f, 0.5f, 1.0f, 2.0f, lo, hi};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(lo, hi);
  for (int i = 0; i < 20000; ++i) xs.push_back(u(rng));
  for (float m = 1e-6f; m < hi; m *= 1.37f) {
    xs.push_back(m);
    if (-m >= lo) xs.push_back(-m);
  }
  return xs;
}

// |got - want| <= rel * |want| + abs.
void ExpectClose(const char* what, float (*got)(float), double (*want)(double), float lo, float hi,
                 double rel, double abs) {
  for (float x : Probes(lo, hi)) {
    const double w = want(x);
    const double g = got(x);
    if (std::isinf(w)) {
      EXPECT_EQ(g, w) << what << "(" << x << ")";
      continue;
    }
    ASSERT_LE(std::fabs(g - w), rel * std::fabs(w) + abs)
        << what << "(" << x << ") = " << g << ", want " << w;
  }
}

TEST(UnaryMath, PortableFunctionsMatchLibm) {
  ExpectClose(
      "Log", reference::Log, [](double x) { return std::log(x); }, 1e-38f, 3e38f, 3e-7, 0);
  ExpectClose(
      "Log1p", reference::Log1p, [](double x) { return std::log1p(x); }, -0.999f, 1e30f, 3e-7, 0);
  ExpectClose(
      "Expm1", reference::Expm1, [](double x) { return std::expm1(x); }, -80.0f, 80.0f, 4e-7,
      1e-37);
  ExpectClose(
      "Sqrt", reference::Sqrt, [](double x) { return std::sqrt(x); }, 0.0f, 3.4e38f, 1.2e-7, 1e-30);
  ExpectClose(
      "Erf", reference::Erf, [](double x) { return std::erf(x); }, -12.0f, 12.0f, 4e-7, 2e-7);
  // Subnormals, zeros, infinities and NaN.
  EXPECT_EQ(reference::Sqrt(1e-40f), std::sqrt(1e-40f));
  EXPECT_NEAR(reference::Log(1e-40f), std::log(1e-40), 1e-5);
  EXPECT_EQ(reference::Log(0.0f), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(reference::Log(-1.0f)));
  EXPECT_TRUE(std::isnan(reference::Sqrt(-1.0f)));
  EXPECT_EQ(reference::Sqrt(std::numeric_limits<float>::infinity()),
            std::numeric_limits<float>::infinity());
  EXPECT_EQ(reference::Erf(-std::numeric_limits<float>::infinity()), -1.0f);
}

TEST(UnaryMath, RoundingFunctionsAreExact) {
  const float cases[] = {-2.5f,      -1.5f,        -0.5f,       0.5f,  1.5f,
                         2.5f,       -0.49999997f, 0.49999997f, 3.7f,  -3.7f,
                         8388607.5f, -8388607.5f,  16777216.0f, 1e30f, -1e30f};
  for (float x : cases) {
    EXPECT_EQ(reference::UnaryValue(UnaryFunction::kRound, 0, 0, x), std::nearbyint(x)) << x;
    EXPECT_EQ(reference::UnaryValue(UnaryFunction::kFloor, 0, 0, x), std::floor(x)) << x;
    EXPECT_EQ(reference::UnaryValue(UnaryFunction::kCeil, 0, 0, x), std::ceil(x)) << x;
  }
}

ModelSpec UnarySpec(ElementType type, schema::UnaryFunction f, size_t table_bytes, float alpha = 0,
                    float beta = 0) {
  const bool q = type != ElementType::Float32;
  const std::vector<float> s = q ? std::vector<float>{0.05f} : std::vector<float>{};
  const std::vector<int32_t> z = q ? std::vector<int32_t>{0} : std::vector<int32_t>{};
  ModelSpec spec =
      testing::OneOp(schema::OpCode::Unary, schema::OpOptions::UnaryOptions,
                     {{"x", type, {2, 4}, s, z}, {"y", type, {2, 4}, s, z}}, {0}, {1},
                     [=](flatbuffers::FlatBufferBuilder& fbb) {
                       return schema::CreateUnaryOptions(fbb, f, alpha, beta, q ? 0 : -1).Union();
                     });
  std::vector<uint8_t> table(table_bytes);
  for (size_t i = 0; i < table.size(); ++i)
    table[i] = static_cast<uint8_t>(i % 256);  // int8: out = in + 128 - 128
  spec.buffers.push_back(table);
  return spec;
}

Status LoadStatus(const ModelSpec& s) {
  const testing::Aligned a(BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(UnaryOp, FloatFunctionsAndTablesThroughGlue) {
  const std::vector<float> x = {-3, -1, -0.25f, 0, 0.25f, 1, 2, 5};
  testing::RunResult r = RunMote(
      BuildMote(UnarySpec(ElementType::Float32, schema::UnaryFunction::Selu, 0, 1.5f, 2.0f)),
      {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<float> want;
  for (float v : x) want.push_back(reference::UnaryValue(UnaryFunction::kSelu, 1.5f, 2.0f, v));
  EXPECT_EQ(r.outputs[0], Bytes(want));
  EXPECT_NEAR(want[0], 2.0 * 1.5 * std::expm1(-3.0), 1e-6);
  const std::vector<int8_t> q = {-128, -1, 0, 1, 2, 50, 126, 127};
  r = RunMote(BuildMote(UnarySpec(ElementType::Int8, schema::UnaryFunction::Table, 256)),
              {Bytes(q)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<int8_t> wq;
  for (int8_t v : q) wq.push_back(static_cast<int8_t>(static_cast<uint8_t>(v + 128)));
  EXPECT_EQ(r.outputs[0], Bytes(wq));
}

TEST(UnaryOp, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(UnarySpec(ElementType::Int8, schema::UnaryFunction::Gelu, 256)),
            Status::kOk);
  EXPECT_EQ(LoadStatus(UnarySpec(ElementType::Int8, schema::UnaryFunction::Gelu, 255)),
            Status::kCorruptFile);
  EXPECT_EQ(LoadStatus(UnarySpec(ElementType::Int16, schema::UnaryFunction::Gelu, 1026)),
            Status::kOk);
  EXPECT_EQ(LoadStatus(UnarySpec(ElementType::Int16, schema::UnaryFunction::Gelu, 513)),
            Status::kCorruptFile);
  EXPECT_EQ(LoadStatus(UnarySpec(ElementType::Float32, schema::UnaryFunction::Log, 0)),
            Status::kOk);
  EXPECT_EQ(LoadStatus(UnarySpec(ElementType::Float32, schema::UnaryFunction::Table, 0)),
            Status::kCorruptFile)
      << "a table has no float formula";
  EXPECT_EQ(LoadStatus(UnarySpec(ElementType::Float32, static_cast<schema::UnaryFunction>(200), 0)),
            Status::kCorruptFile)
      << "unknown function";
  ModelSpec s = UnarySpec(ElementType::Int8, schema::UnaryFunction::Exp, 256);
  s.options_builder = [](flatbuffers::FlatBufferBuilder&) { return flatbuffers::Offset<void>(0); };
  EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << "options table missing";
}

}  // namespace
}  // namespace mote
