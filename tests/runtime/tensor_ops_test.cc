// Mul, Concat, Pad, Transpose, HardSwish and LeakyRelu: kernels against
// references computed in the test, the glue through the interpreter, and
// hostile options refused at load.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "kernels/reference/elementwise.h"
#include "kernels/reference/mul.h"
#include "kernels/reference/pad.h"
#include "kernels/reference/requantize.h"
#include "kernels/reference/transpose.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::BuildMote;
using testing::OneOp;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;
using testing::TensorSpec;
using OptionsBuilder = std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)>;

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

size_t Count(const std::vector<int32_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), size_t{1}, [](size_t a, int32_t d) { return a * d; });
}

Status LoadStatus(const ModelSpec& s) {
  const testing::Aligned a(BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

// ---------------------------------------------------------------- Mul

TEST(MulKernel, Int8BroadcastWithinOneStepAndExact) {
  const int32_t a_shape[] = {2, 1, 3}, b_shape[] = {4, 1}, out_shape[] = {2, 4, 3};
  reference::Broadcast b;
  ASSERT_TRUE(reference::MakeBroadcast(a_shape, b_shape, out_shape, &b));
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> q(-128, 127);
  std::vector<int8_t> x(6), y(4), out(24);
  for (auto& v : x) v = static_cast<int8_t>(q(rng));
  for (auto& v : y) v = static_cast<int8_t>(q(rng));
  const int32_t zp1 = 3, zp2 = -7, zp_out = -2;
  const Multiplier m = Encode(0.05 * 0.03 / 0.02);
  reference::MulInt8(b, {-zp1, -zp2, zp_out, m.m, m.shift, -128, 127}, x.data(), y.data(), out.data());
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) {
        const int32_t prod = (x[i * 3 + k] - zp1) * (y[j] - zp2);
        const double want = std::clamp(prod * m.real() + zp_out, -128.0, 127.0);
        const int8_t got = out[(i * 4 + j) * 3 + k];
        ASSERT_LE(std::fabs(got - want), 1.0);
        ASSERT_EQ(got, std::clamp(reference::MultiplyByQuantizedMultiplier(prod, m.m, m.shift) + zp_out, -128, 127));
      }
}

TEST(MulKernel, Int16AndFloatBroadcast) {
  const int32_t a_shape[] = {3, 5}, b_shape[] = {5}, out_shape[] = {3, 5};
  reference::Broadcast b;
  ASSERT_TRUE(reference::MakeBroadcast(a_shape, b_shape, out_shape, &b));
  std::vector<int16_t> x(15), y(5), out(15);
  for (int i = 0; i < 15; ++i) x[i] = static_cast<int16_t>(-32768 + i * 4681);
  for (int i = 0; i < 5; ++i) y[i] = static_cast<int16_t>(32767 - i * 16000);
  const Multiplier m = Encode(1.0 / 40000.0);
  reference::MulInt16(b, {0, 0, 0, m.m, m.shift, -32768, 32767}, x.data(), y.data(), out.data());
  for (int i = 0; i < 15; ++i) {
    const double want = std::clamp(static_cast<double>(x[i]) * y[i % 5] * m.real(), -32768.0, 32767.0);
    EXPECT_LE(std::fabs(out[i] - want), 1.0) << i;
  }
  std::vector<float> fx(15), fy(5), fout(15);
  for (int i = 0; i < 15; ++i) fx[i] = static_cast<float>(i) * 0.37f - 2.0f;
  for (int i = 0; i < 5; ++i) fy[i] = static_cast<float>(i) - 1.5f;
  reference::MulFloat(b, -3.0f, 4.0f, fx.data(), fy.data(), fout.data());
  for (int i = 0; i < 15; ++i) {
    EXPECT_NEAR(fout[i], std::clamp(double{fx[i]} * fy[i % 5], -3.0, 4.0), 1e-6) << i;
  }
}

ModelSpec MulSpec(ElementType type, std::vector<int32_t> a, std::vector<int32_t> b, std::vector<int32_t> out,
                  int32_t mult, int8_t shift, int32_t zp = 4) {
  const bool q = type != ElementType::Float32;
  const std::vector<float> s = q ? std::vector<float>{0.1f} : std::vector<float>{};
  const std::vector<int32_t> z = q ? std::vector<int32_t>{zp} : std::vector<int32_t>{};
  return OneOp(schema::OpCode::Mul, schema::OpOptions::MulOptions,
               {{"a", type, a, s, z}, {"b", type, b, s, z}, {"y", type, out, s, z}}, {0, 1}, {2},
               [=](flatbuffers::FlatBufferBuilder& fbb) {
                 const auto act = schema::CreateActivationRange(fbb, q ? -128 : INT32_MIN, q ? 127 : INT32_MAX);
                 return schema::CreateMulOptions(fbb, act, mult, shift).Union();
               });
}

TEST(MulOp, GlueMatchesKernelAndHostileOptionsAreRefused) {
  const Multiplier m = Encode(0.1);
  const ModelSpec spec = MulSpec(ElementType::Int8, {2, 1, 3}, {4, 1}, {2, 4, 3}, m.m, m.shift);
  std::vector<int8_t> x(6), y(4);
  for (int i = 0; i < 6; ++i) x[i] = static_cast<int8_t>(i * 40 - 120);
  for (int i = 0; i < 4; ++i) y[i] = static_cast<int8_t>(i * 60 - 100);
  const testing::RunResult r = RunMote(BuildMote(spec), {Bytes(x), Bytes(y)});
  ASSERT_EQ(r.status, Status::kOk);
  const int32_t a_shape[] = {2, 1, 3}, b_shape[] = {4, 1}, out_shape[] = {2, 4, 3};
  reference::Broadcast b;
  ASSERT_TRUE(reference::MakeBroadcast(a_shape, b_shape, out_shape, &b));
  std::vector<int8_t> want(24);
  reference::MulInt8(b, {-4, -4, 4, m.m, m.shift, -128, 127}, x.data(), y.data(), want.data());
  EXPECT_EQ(r.outputs[0], Bytes(want));

  EXPECT_EQ(LoadStatus(MulSpec(ElementType::Int8, {2, 3}, {4}, {2, 3}, m.m, m.shift)), Status::kCorruptFile)
      << "shapes do not broadcast";
  EXPECT_EQ(LoadStatus(MulSpec(ElementType::Int8, {2, 3}, {3}, {2, 3}, m.m, 31)), Status::kCorruptFile) << "shift";
  EXPECT_EQ(LoadStatus(MulSpec(ElementType::Int8, {2, 3}, {3}, {2, 3}, -1, 0)), Status::kCorruptFile)
      << "negative multiplier";
  EXPECT_EQ(LoadStatus(MulSpec(ElementType::Int16, {2, 3}, {3}, {2, 3}, m.m, m.shift, 1)), Status::kCorruptFile)
      << "int16 zero point";
  EXPECT_EQ(LoadStatus(MulSpec(ElementType::Int16, {2, 3}, {3}, {2, 3}, m.m, m.shift, 0)), Status::kOk);
  ModelSpec no_options = MulSpec(ElementType::Float32, {2, 3}, {3}, {2, 3}, 0, 0);
  no_options.options_builder = [](flatbuffers::FlatBufferBuilder&) { return flatbuffers::Offset<void>(0); };
  EXPECT_EQ(LoadStatus(no_options), Status::kCorruptFile) << "options table missing";
}

// ---------------------------------------------------------------- Concat

struct ConcatModel {
  ElementType type = ElementType::Int8;
  std::vector<std::vector<int32_t>> in_shapes = {{2, 1, 3}, {2, 2, 3}, {2, 3, 3}};
  std::vector<int32_t> out_shape = {2, 6, 3};
  std::vector<float> in_scales = {0.1f, 0.05f, 0.2f};
  std::vector<int32_t> in_zps = {5, -10, 0};
  float out_scale = 0.1f;
  int32_t out_zp = 5;
  int32_t axis = 1;
  std::vector<int32_t> mult;  // filled from the scales unless set
  std::vector<int8_t> shift;

  ModelSpec Spec() const {
    const bool q = type != ElementType::Float32;
    std::vector<TensorSpec> tensors;
    std::vector<int32_t> inputs;
    std::vector<int32_t> m = mult;
    std::vector<int8_t> s = shift;
    for (size_t i = 0; i < in_shapes.size(); ++i) {
      tensors.push_back({"x", type, in_shapes[i], q ? std::vector<float>{in_scales[i]} : std::vector<float>{},
                         q ? std::vector<int32_t>{in_zps[i]} : std::vector<int32_t>{}});
      inputs.push_back(static_cast<int32_t>(i));
      if (mult.empty() && q) {
        const bool same = in_scales[i] == out_scale && in_zps[i] == out_zp;
        const Multiplier e = same ? Multiplier{0, 0} : Encode(double{in_scales[i]} / out_scale);
        m.push_back(e.m);
        s.push_back(e.shift);
      }
    }
    tensors.push_back({"y", type, out_shape, q ? std::vector<float>{out_scale} : std::vector<float>{},
                       q ? std::vector<int32_t>{out_zp} : std::vector<int32_t>{}});
    const int32_t a = axis;
    return OneOp(schema::OpCode::Concat, schema::OpOptions::ConcatOptions, tensors, inputs,
                 {static_cast<int32_t>(in_shapes.size())}, [=](flatbuffers::FlatBufferBuilder& fbb) {
                   return schema::CreateConcatOptions(fbb, a, fbb.CreateVector(m), fbb.CreateVector(s)).Union();
                 });
  }
};

TEST(ConcatOp, RequantizesEachInputWithinOneStep) {
  const ConcatModel m;
  std::vector<std::vector<int8_t>> xs;
  std::vector<std::vector<uint8_t>> inputs;
  for (size_t i = 0; i < m.in_shapes.size(); ++i) {
    std::vector<int8_t> x(Count(m.in_shapes[i]));
    for (size_t k = 0; k < x.size(); ++k)
      x[k] = static_cast<int8_t>(static_cast<int>((k + 1) * (i * 50 + 37) % 256) - 128);
    inputs.push_back(Bytes(x));
    xs.push_back(x);
  }
  const testing::RunResult r = RunMote(BuildMote(m.Spec()), inputs);
  ASSERT_EQ(r.status, Status::kOk);
  const auto* out = reinterpret_cast<const int8_t*>(r.outputs[0].data());
  for (int b = 0; b < 2; ++b) {
    int row = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const int rows = m.in_shapes[i][1];
      for (int j = 0; j < rows; ++j, ++row)
        for (int c = 0; c < 3; ++c) {
          const int8_t q = xs[i][(b * rows + j) * 3 + c];
          const double real = double{m.in_scales[i]} * (q - m.in_zps[i]);
          const double want = std::clamp(real / m.out_scale + m.out_zp, -128.0, 127.0);
          const int8_t got = out[(b * 6 + row) * 3 + c];
          if (i == 0) {
            ASSERT_EQ(got, q);  // same parameters: copied
          } else {
            ASSERT_LE(std::fabs(got - want), 1.0) << i << " " << j << " " << c;
          }
        }
    }
  }
}

TEST(ConcatOp, Int16AndFloatAlongFirstAndLastAxes) {
  ConcatModel f;
  f.type = ElementType::Float32;
  f.in_shapes = {{2, 2}, {2, 3}};
  f.out_shape = {2, 5};
  f.axis = 1;
  const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6, 7, 8, 9, 10};
  testing::RunResult r = RunMote(BuildMote(f.Spec()), {Bytes(a), Bytes(b)});
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.outputs[0], Bytes(std::vector<float>{1, 2, 5, 6, 7, 3, 4, 8, 9, 10}));
  ConcatModel s;
  s.type = ElementType::Int16;
  s.in_shapes = {{1, 2}, {2, 2}};
  s.out_shape = {3, 2};
  s.axis = 0;
  s.in_scales = {0.5f, 0.25f};
  s.in_zps = {0, 0};
  s.out_scale = 0.5f;
  s.out_zp = 0;
  const std::vector<int16_t> x = {100, -100}, y = {1000, -1001, 32767, -32768};
  r = RunMote(BuildMote(s.Spec()), {Bytes(x), Bytes(y)});
  ASSERT_EQ(r.status, Status::kOk);
  // y is halved (0.25 -> 0.5); TFLite's doubling high multiply rounds the
  // tie -500.5 up to -500.
  EXPECT_EQ(r.outputs[0], Bytes(std::vector<int16_t>{100, -100, 500, -500, 16384, -16384}));
}

TEST(ConcatOp, HostileOptionsAreRefused) {
  EXPECT_EQ(LoadStatus(ConcatModel{}.Spec()), Status::kOk);
  ConcatModel m;
  m.axis = 3;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "axis out of range";
  m = ConcatModel{};
  m.axis = -1;
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "negative axis";
  m = ConcatModel{};
  m.out_shape = {2, 7, 3};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "sizes do not add up";
  m = ConcatModel{};
  m.in_shapes[1] = {2, 2, 4};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "off-axis dim differs";
  m = ConcatModel{};
  m.in_shapes[2] = {2, 9};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "rank differs";
  m = ConcatModel{};
  m.mult = {0, 1 << 30};
  m.shift = {0, 0};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "multiplier count";
  m = ConcatModel{};
  m.mult = {0, 0, 1 << 30};
  m.shift = {0, 0, 0};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "copy between different parameters";
  m = ConcatModel{};
  m.mult = {0, 1 << 30, 1 << 30};
  m.shift = {0, 0, 40};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << "shift";
}

// ---------------------------------------------------------------- Pad

TEST(PadKernel, FourDimensionsAgainstIndexMapping) {
  const std::vector<int32_t> in = {2, 3, 1, 4}, before = {1, 0, 2, 1}, after = {0, 1, 0, 2};
  reference::PadShape s;
  s.rank = 4;
  for (int d = 0; d < 4; ++d) {
    s.in_dims[d] = in[d];
    s.before[d] = before[d];
    s.out_dims[d] = in[d] + before[d] + after[d];
  }
  std::vector<int8_t> x(Count(in));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(i + 1);
  const std::vector<int32_t> out_shape(s.out_dims, s.out_dims + 4);
  std::vector<int8_t> y(Count(out_shape));
  reference::Pad<int8_t>(s, x.data(), -3, y.data());
  size_t o = 0;
  for (int a = 0; a < s.out_dims[0]; ++a)
    for (int b = 0; b < s.out_dims[1]; ++b)
      for (int c = 0; c < s.out_dims[2]; ++c)
        for (int d = 0; d < s.out_dims[3]; ++d, ++o) {
          const int ia = a - before[0], ib = b - before[1], ic = c - before[2], id = d - before[3];
          const bool inside =
              ia >= 0 && ia < in[0] && ib >= 0 && ib < in[1] && ic >= 0 && ic < in[2] && id >= 0 && id < in[3];
          const int8_t want = inside ? x[((ia * in[1] + ib) * in[2] + ic) * in[3] + id] : -3;
          ASSERT_EQ(y[o], want) << a << b << c << d;
        }
  EXPECT_EQ(o, y.size());
}

ModelSpec PadSpec(ElementType type, std::vector<int32_t> in, std::vector<int32_t> out, std::vector<int32_t> pads,
                  int32_t value, float fvalue = 0.0f) {
  const bool q = type != ElementType::Float32;
  const std::vector<float> s = q ? std::vector<float>{0.1f} : std::vector<float>{};
  const std::vector<int32_t> z = q ? std::vector<int32_t>{-1} : std::vector<int32_t>{};
  return OneOp(schema::OpCode::Pad, schema::OpOptions::PadOptions, {{"x", type, in, s, z}, {"y", type, out, s, z}}, {0},
               {1}, [=](flatbuffers::FlatBufferBuilder& fbb) {
                 return schema::CreatePadOptions(fbb, fbb.CreateVector(pads), value, fvalue).Union();
               });
}

TEST(PadOp, GlueAndHostileOptions) {
  const ModelSpec spec = PadSpec(ElementType::Float32, {2, 3}, {3, 6}, {1, 0, 2, 1}, 0, -1.5f);
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  const testing::RunResult r = RunMote(BuildMote(spec), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  const float p = -1.5f;
  EXPECT_EQ(r.outputs[0], Bytes(std::vector<float>{p, p, p, p, p, p, p, p, 1, 2, 3, p, p, p, 4, 5, 6, p}));
  const ModelSpec i16 = PadSpec(ElementType::Int16, {3}, {5}, {0, 2}, 7);
  const testing::RunResult r16 = RunMote(BuildMote(i16), {Bytes(std::vector<int16_t>{-1, -2, -3})});
  ASSERT_EQ(r16.status, Status::kOk);
  EXPECT_EQ(r16.outputs[0], Bytes(std::vector<int16_t>{-1, -2, -3, 7, 7}));

  EXPECT_EQ(LoadStatus(PadSpec(ElementType::Int8, {2, 3}, {3, 3}, {1, 0, 0, 0}, -1)), Status::kOk);
  EXPECT_EQ(LoadStatus(PadSpec(ElementType::Int8, {2, 3}, {2, 3}, {1, -1, 0, 0}, -1)), Status::kCorruptFile)
      << "negative pad";
  EXPECT_EQ(LoadStatus(PadSpec(ElementType::Int8, {2, 3}, {3, 3}, {1, 0}, -1)), Status::kCorruptFile) << "pads count";
  EXPECT_EQ(LoadStatus(PadSpec(ElementType::Int8, {2, 3}, {3, 4}, {1, 0, 0, 0}, -1)), Status::kCorruptFile)
      << "output shape";
  EXPECT_EQ(LoadStatus(PadSpec(ElementType::Int8, {2, 3}, {3, 3}, {1, 0, 0, 0}, 300)), Status::kCorruptFile)
      << "value outside int8";
  EXPECT_EQ(LoadStatus(PadSpec(ElementType::Int8, {2, 3}, {3, 3, 1}, {1, 0, 0, 0, 0, 1}, -1)), Status::kCorruptFile)
      << "rank differs";
}

// ---------------------------------------------------------------- Transpose

TEST(TransposeKernel, AllPermutationsOf4D) {
  const std::vector<int32_t> dims = {2, 3, 4, 5};
  std::vector<int16_t> x(Count(dims));
  std::iota(x.begin(), x.end(), int16_t{-60});
  std::vector<int32_t> perm = {0, 1, 2, 3};
  int tested = 0;
  do {
    const reference::TransposeShape s = reference::MakeTransposeShape(dims, perm);
    std::vector<int16_t> y(x.size());
    reference::Transpose<int16_t>(s, x.data(), y.data());
    // Walk the output and map each index back: out[k] indexes input dim perm[k].
    size_t o = 0;
    int idx[4];
    for (idx[0] = 0; idx[0] < dims[perm[0]]; ++idx[0])
      for (idx[1] = 0; idx[1] < dims[perm[1]]; ++idx[1])
        for (idx[2] = 0; idx[2] < dims[perm[2]]; ++idx[2])
          for (idx[3] = 0; idx[3] < dims[perm[3]]; ++idx[3], ++o) {
            int in[4];
            for (int k = 0; k < 4; ++k) in[perm[k]] = idx[k];
            ASSERT_EQ(y[o], x[((in[0] * dims[1] + in[1]) * dims[2] + in[2]) * dims[3] + in[3]]);
          }
    ++tested;
  } while (std::next_permutation(perm.begin(), perm.end()));
  EXPECT_EQ(tested, 24);
}

ModelSpec TransposeSpec(std::vector<int32_t> in, std::vector<int32_t> out, std::vector<int32_t> perm) {
  return OneOp(schema::OpCode::Transpose, schema::OpOptions::TransposeOptions,
               {{"x", ElementType::Float32, in, {}, {}}, {"y", ElementType::Float32, out, {}, {}}}, {0}, {1},
               [=](flatbuffers::FlatBufferBuilder& fbb) {
                 return schema::CreateTransposeOptions(fbb, fbb.CreateVector(perm)).Union();
               });
}

TEST(TransposeOp, SixDimensionsThroughGlueAndHostilePerms) {
  const std::vector<int32_t> in = {2, 1, 3, 2, 1, 2}, perm = {5, 2, 0, 4, 3, 1};
  std::vector<int32_t> out(6);
  for (int k = 0; k < 6; ++k) out[k] = in[perm[k]];
  std::vector<float> x(Count(in));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  const testing::RunResult r = RunMote(BuildMote(TransposeSpec(in, out, perm)), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  const auto* y = reinterpret_cast<const float*>(r.outputs[0].data());
  size_t o = 0;
  int idx[6];
  for (idx[0] = 0; idx[0] < out[0]; ++idx[0])
    for (idx[1] = 0; idx[1] < out[1]; ++idx[1])
      for (idx[2] = 0; idx[2] < out[2]; ++idx[2])
        for (idx[3] = 0; idx[3] < out[3]; ++idx[3])
          for (idx[4] = 0; idx[4] < out[4]; ++idx[4])
            for (idx[5] = 0; idx[5] < out[5]; ++idx[5], ++o) {
              int src[6];
              for (int k = 0; k < 6; ++k) src[perm[k]] = idx[k];
              size_t flat = 0;
              for (int d = 0; d < 6; ++d) flat = flat * in[d] + src[d];
              ASSERT_EQ(y[o], x[flat]);
            }

  EXPECT_EQ(LoadStatus(TransposeSpec({2, 3}, {3, 2}, {1, 0})), Status::kOk);
  EXPECT_EQ(LoadStatus(TransposeSpec({2, 3}, {3, 2}, {1, 1})), Status::kCorruptFile) << "repeated axis";
  EXPECT_EQ(LoadStatus(TransposeSpec({2, 3}, {3, 2}, {1, 2})), Status::kCorruptFile) << "axis out of range";
  EXPECT_EQ(LoadStatus(TransposeSpec({2, 3}, {3, 2}, {-1, 0})), Status::kCorruptFile) << "negative axis";
  EXPECT_EQ(LoadStatus(TransposeSpec({2, 3}, {2, 3}, {1, 0})), Status::kCorruptFile) << "output shape";
  EXPECT_EQ(LoadStatus(TransposeSpec({2, 3}, {3, 2}, {1, 0, 2})), Status::kCorruptFile) << "perm length";
}

// ---------------------------------------------------------------- HardSwish and LeakyRelu

TEST(ActivationKernels, HardSwishAndLeakyReluFloat) {
  std::vector<float> x;
  for (float v = -8.0f; v <= 8.0f; v += 0.173f) x.push_back(v);
  std::vector<float> h(x.size()), l(x.size());
  reference::HardSwishFloat(x, h);
  reference::LeakyReluFloat(x, 0.1f, l);
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    EXPECT_NEAR(h[i], v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0, 1e-6 * (std::fabs(v) + 1)) << v;
    EXPECT_NEAR(l[i], v < 0 ? 0.1 * v : v, 1e-6 * (std::fabs(v) + 1)) << v;
  }
  EXPECT_EQ(h[0], -0.0f);  // below -3 the gate is 0
}

ModelSpec LutSpec(schema::OpCode opcode, ElementType type, size_t table_bytes, float alpha = 0.01f) {
  const bool q = type != ElementType::Float32;
  const std::vector<float> s = q ? std::vector<float>{0.05f} : std::vector<float>{};
  const std::vector<int32_t> z = q ? std::vector<int32_t>{0} : std::vector<int32_t>{};
  ModelSpec spec = OneOp(
      opcode, schema::OpOptions::LutOptions, {{"x", type, {2, 4}, s, z}, {"y", type, {2, 4}, s, z}}, {0}, {1},
      [=](flatbuffers::FlatBufferBuilder& fbb) { return schema::CreateLutOptions(fbb, q ? 0 : -1, alpha).Union(); });
  std::vector<uint8_t> table(table_bytes);
  // int8: entry k is 127 - k, so out = 127 - (in + 128) = -1 - in.
  for (size_t i = 0; i < table.size(); ++i)
    table[i] = static_cast<uint8_t>(static_cast<int8_t>(127 - static_cast<int>(i % 256)));
  spec.buffers.push_back(table);
  return spec;
}

TEST(ActivationOps, TablesAndAlphaThroughGlue) {
  const std::vector<int8_t> x = {-128, -1, 0, 1, 2, 50, 126, 127};
  testing::RunResult r = RunMote(BuildMote(LutSpec(schema::OpCode::HardSwish, ElementType::Int8, 256)), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<int8_t> want;
  for (int8_t v : x) want.push_back(static_cast<int8_t>(-1 - v));
  EXPECT_EQ(r.outputs[0], Bytes(want));
  const std::vector<float> f = {-4, -1, -0.5f, 0, 0.5f, 1, 3, 10};
  r = RunMote(BuildMote(LutSpec(schema::OpCode::LeakyRelu, ElementType::Float32, 0, 0.25f)), {Bytes(f)});
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.outputs[0], Bytes(std::vector<float>{-1, -0.25f, -0.125f, 0, 0.5f, 1, 3, 10}));
  r = RunMote(BuildMote(LutSpec(schema::OpCode::HardSwish, ElementType::Float32, 0)), {Bytes(f)});
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.outputs[0], Bytes(std::vector<float>{-0.0f, -1.0f / 3.0f, -0.5f * 2.5f / 6.0f, 0, 0.5f * 3.5f / 6.0f,
                                                   4.0f / 6.0f, 3, 10}));
}

TEST(ActivationOps, HostileTablesAreRefused) {
  for (schema::OpCode op : {schema::OpCode::HardSwish, schema::OpCode::LeakyRelu}) {
    EXPECT_EQ(LoadStatus(LutSpec(op, ElementType::Int8, 256)), Status::kOk);
    EXPECT_EQ(LoadStatus(LutSpec(op, ElementType::Int8, 255)), Status::kCorruptFile) << "int8 table size";
    EXPECT_EQ(LoadStatus(LutSpec(op, ElementType::Int16, 513)), Status::kCorruptFile) << "int16 table size";
    EXPECT_EQ(LoadStatus(LutSpec(op, ElementType::Int16, 1026)), Status::kOk);
    ModelSpec s = LutSpec(op, ElementType::Int8, 256);
    s.options_builder = [](flatbuffers::FlatBufferBuilder&) { return flatbuffers::Offset<void>(0); };
    EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << "options table missing";
  }
}

}  // namespace
}  // namespace mote
