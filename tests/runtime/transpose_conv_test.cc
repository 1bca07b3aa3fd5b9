// TransposeConv2D: the gather kernel against an independent scatter
// reference (every input tap added to the output it reaches, in double), the
// op glue through the interpreter on random and hostile geometries.
#include "kernels/reference/transpose_conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/reference/requantize.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::Bytes;

// One geometry; the output size is (in - 1) * s + extent - pad - trail.
struct Geometry {
  int n = 1, ih = 3, iw = 4, ic = 4, oc = 6, groups = 2;
  int kh = 3, kw = 2, sh = 2, sw = 1, dh = 1, dw = 2, pt = 1, pl = 0;
  int oh = 6, ow = 5;
  reference::Window2D window() const {
    return {n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl};
  }
  size_t in_size() const { return static_cast<size_t>(n) * ih * iw * ic; }
  size_t out_size() const { return static_cast<size_t>(n) * oh * ow * oc; }
  size_t w_size() const { return static_cast<size_t>(oc) * kh * kw * (ic / groups); }
};

// Scatter: out[oy = iy * sh + ky * dh - pt][...] += x * w.
std::vector<double> Scatter(const Geometry& g, const std::vector<double>& x,
                            const std::vector<double>& w) {
  std::vector<double> out(g.out_size(), 0.0);
  const int icg = g.ic / g.groups, ocg = g.oc / g.groups;
  for (int b = 0; b < g.n; ++b)
    for (int iy = 0; iy < g.ih; ++iy)
      for (int ix = 0; ix < g.iw; ++ix)
        for (int ic = 0; ic < g.ic; ++ic) {
          const double v = x[((static_cast<size_t>(b) * g.ih + iy) * g.iw + ix) * g.ic + ic];
          const int grp = ic / icg;
          for (int ky = 0; ky < g.kh; ++ky)
            for (int kx = 0; kx < g.kw; ++kx) {
              const int oy = iy * g.sh + ky * g.dh - g.pt, ox = ix * g.sw + kx * g.dw - g.pl;
              if (oy < 0 || oy >= g.oh || ox < 0 || ox >= g.ow) continue;
              for (int o = grp * ocg; o < (grp + 1) * ocg; ++o) {
                out[((static_cast<size_t>(b) * g.oh + oy) * g.ow + ox) * g.oc + o] +=
                    v * w[((static_cast<size_t>(o) * g.kh + ky) * g.kw + kx) * icg + ic % icg];
              }
            }
        }
  return out;
}

// Random geometries the loader accepts, depthwise (groups == ic) among them.
Geometry RandomGeometry(std::mt19937& rng) {
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Geometry g;
  g.n = r(1, 2);
  g.ih = r(1, 5), g.iw = r(1, 5);
  g.groups = r(1, 3);
  g.ic = g.groups * r(1, 3);
  g.oc = g.groups * r(1, 3);
  if (r(0, 3) == 0) g.groups = g.ic, g.oc = g.ic * r(1, 2);  // depthwise
  g.kh = r(1, 4), g.kw = r(1, 4), g.sh = r(1, 3), g.sw = r(1, 3), g.dh = r(1, 2), g.dw = r(1, 2);
  const auto axis = [&](int in, int k, int s, int d, int& pad, int& out) {
    const int span = (in - 1) * s + (k - 1) * d + 1;
    pad = r(0, std::min(span - 1, k));
    const int extra = r(0, std::max(s, d) - 1);  // output_padding
    const int trail = r(0, 2);
    out = std::max(1, span - pad - trail + extra);
  };
  axis(g.ih, g.kh, g.sh, g.dh, g.pt, g.oh);
  axis(g.iw, g.kw, g.sw, g.dw, g.pl, g.ow);
  return g;
}

struct Multiplier {
  int32_t m;
  int8_t shift;
};

Multiplier Encode(double real) {
  int shift = 0;
  const double q = std::frexp(real, &shift);
  int64_t fixed = static_cast<int64_t>(std::round(q * (1ll << 31)));
  if (fixed == (1ll << 31)) fixed /= 2, ++shift;
  return {static_cast<int32_t>(fixed), static_cast<int8_t>(shift)};
}

TEST(TransposeConvKernel, Int8EqualsRequantizedScatter) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> q8(-128, 127), w8(-127, 127), bias(-3000, 3000);
  for (int iter = 0; iter < 300; ++iter) {
    const Geometry g = RandomGeometry(rng);
    const int32_t zp_in = -7, zp_out = 5, lo = -128, hi = 120;
    std::vector<int8_t> in(g.in_size()), w(g.w_size()), out(g.out_size());
    std::vector<int32_t> b(g.oc);
    std::vector<double> x(in.size()), wd(w.size());
    for (size_t i = 0; i < in.size(); ++i) x[i] = (in[i] = static_cast<int8_t>(q8(rng))) - zp_in;
    for (size_t i = 0; i < w.size(); ++i) wd[i] = w[i] = static_cast<int8_t>(w8(rng));
    for (auto& v : b) v = bias(rng);
    std::vector<int32_t> mult;
    std::vector<int8_t> shift;
    for (int o = 0; o < g.oc; ++o) {
      const Multiplier m = Encode(0.002 * (1 + o % 3));
      mult.push_back(m.m);
      shift.push_back(m.shift);
    }
    const reference::PerChannelParams p{-zp_in, zp_out, mult, shift, lo, hi};
    reference::TransposeConv2DInt8(g.window(), g.groups, p, in.data(), w.data(), b.data(),
                                   out.data());
    const std::vector<double> acc = Scatter(g, x, wd);
    for (size_t i = 0; i < out.size(); ++i) {
      const int o = static_cast<int>(i % g.oc);
      const int32_t exact = reference::MultiplyByQuantizedMultiplier(
          static_cast<int32_t>(acc[i]) + b[o], mult[o], shift[o]);
      ASSERT_EQ(out[i], std::clamp(exact + zp_out, lo, hi)) << "iteration " << iter << " at " << i;
    }
  }
}

TEST(TransposeConvKernel, Int16EqualsRequantizedScatter) {
  std::mt19937 rng(8);
  std::uniform_int_distribution<int> q16(-32768, 32767), w8(-127, 127);
  for (int iter = 0; iter < 200; ++iter) {
    const Geometry g = RandomGeometry(rng);
    std::vector<int16_t> in(g.in_size()), out(g.out_size());
    std::vector<int8_t> w(g.w_size());
    std::vector<int64_t> b(g.oc, 1 << 20);
    std::vector<double> x(in.size()), wd(w.size());
    for (size_t i = 0; i < in.size(); ++i) x[i] = in[i] = static_cast<int16_t>(q16(rng));
    for (size_t i = 0; i < w.size(); ++i) wd[i] = w[i] = static_cast<int8_t>(w8(rng));
    std::vector<int32_t> mult;
    std::vector<int8_t> shift;
    for (int o = 0; o < g.oc; ++o) {
      const Multiplier m = Encode(0.0003 * (1 + o % 4));
      mult.push_back(m.m);
      shift.push_back(m.shift);
    }
    const reference::PerChannelParams p{0, 0, mult, shift, -32768, 32767};
    reference::TransposeConv2DInt16(g.window(), g.groups, p, in.data(), w.data(), b.data(),
                                    out.data());
    const std::vector<double> acc = Scatter(g, x, wd);
    for (size_t i = 0; i < out.size(); ++i) {
      const int o = static_cast<int>(i % g.oc);
      const int32_t exact = reference::MultiplyByQuantizedMultiplier64(
          static_cast<int64_t>(acc[i]) + b[o], mult[o], shift[o]);
      ASSERT_EQ(out[i], std::clamp(exact, -32768, 32767)) << "iteration " << iter;
    }
  }
}

TEST(TransposeConvKernel, FloatMatchesScatter) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int iter = 0; iter < 300; ++iter) {
    const Geometry g = RandomGeometry(rng);
    std::vector<float> in(g.in_size()), w(g.w_size()), b(g.oc), out(g.out_size());
    for (auto& v : in) v = u(rng);
    for (auto& v : w) v = u(rng);
    for (auto& v : b) v = u(rng);
    reference::TransposeConv2DFloat(g.window(), g.groups, -2.0f, 2.5f, in.data(), w.data(),
                                    b.data(), out.data());
    const std::vector<double> acc = Scatter(g, std::vector<double>(in.begin(), in.end()),
                                            std::vector<double>(w.begin(), w.end()));
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_NEAR(out[i], std::clamp(acc[i] + b[i % g.oc], -2.0, 2.5), 1e-5) << iter;
    }
  }
}

// A float or quantized TransposeConv2D model of geometry g.
testing::ModelSpec Spec(const Geometry& g, ElementType type, const std::vector<float>& weights) {
  const bool q = type != ElementType::Float32;
  const std::vector<float> scale = q ? std::vector<float>{0.5f} : std::vector<float>{};
  const std::vector<int32_t> zp = q ? std::vector<int32_t>{0} : std::vector<int32_t>{};
  std::vector<uint8_t> w_bytes;
  if (q) {
    for (float f : weights) w_bytes.push_back(static_cast<uint8_t>(static_cast<int8_t>(f)));
  } else {
    w_bytes = Bytes(weights);
  }
  const ElementType w_type = q ? ElementType::Int8 : ElementType::Float32;
  const std::vector<float> w_scale = q ? std::vector<float>(g.oc, 0.01f) : std::vector<float>{};
  const std::vector<int32_t> w_zp = q ? std::vector<int32_t>(g.oc, 0) : std::vector<int32_t>{};
  testing::ModelSpec s = testing::OneOp(
      schema::OpCode::TransposeConv2D, schema::OpOptions::TransposeConv2DOptions,
      {{"x", type, {g.n, g.ih, g.iw, g.ic}, scale, zp, -1, -1, 0, {}},
       {"w",
        w_type,
        {g.oc, g.kh, g.kw, g.groups > 0 ? g.ic / std::max(g.groups, 1) : 1},
        w_scale,
        w_zp,
        q ? 0 : -1,
        0,
        0,
        {}},
       {"y", type, {g.n, g.oh, g.ow, g.oc}, scale, zp, -1, -1, 0, {}}},
      {0, 1}, {2}, [g, q](flatbuffers::FlatBufferBuilder& fbb) {
        const auto act = schema::CreateActivationRange(fbb, -32768 >> (q ? 8 : 0), q ? 127 : 32767);
        const auto mult = q ? fbb.CreateVector(std::vector<int32_t>(g.oc, 1 << 30)) : 0;
        const auto shift = q ? fbb.CreateVector(std::vector<int8_t>(g.oc, -3)) : 0;
        return schema::CreateTransposeConv2DOptions(fbb, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl,
                                                    g.groups, act, mult, shift)
            .Union();
      });
  s.tensors[1].buffer = 0;
  s.buffers = {w_bytes};
  return s;
}

Status LoadStatus(const testing::ModelSpec& s) {
  const testing::Aligned a(testing::BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(TransposeConvOp, Int8GlueMatchesKernel) {
  Geometry g;
  std::vector<float> w(g.w_size());
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = static_cast<float>(static_cast<int>(i * 37 % 255) - 127);
  std::vector<int8_t> x(g.in_size());
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<int8_t>(static_cast<int>(i * 29 % 256) - 128);
  const testing::RunResult r =
      testing::RunMote(testing::BuildMote(Spec(g, ElementType::Int8, w)), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<int8_t> wq(w.begin(), w.end()), want(g.out_size());
  const std::vector<int32_t> mult(g.oc, 1 << 30);
  const std::vector<int8_t> shift(g.oc, -3);
  const reference::PerChannelParams p{0, 0, mult, shift, -128, 127};
  reference::TransposeConv2DInt8(g.window(), g.groups, p, x.data(), wq.data(), nullptr,
                                 want.data());
  EXPECT_EQ(r.outputs[0], Bytes(want));
}

// Random, often hostile, geometries: a model that loads computes what the
// scatter computes; under ASan no access leaves its tensor.
TEST(TransposeConvOp, RandomGeometriesAreRefusedOrComputedExactly) {
  std::mt19937 rng(2026);
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int accepted = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    Geometry g = RandomGeometry(rng);
    const auto param = [&](int v) { return r(0, 12) == 0 ? r(-2, 0) : v; };
    g.sh = param(g.sh), g.sw = param(g.sw), g.dh = param(g.dh), g.dw = param(g.dw);
    g.pt = param(g.pt), g.pl = param(g.pl), g.groups = param(g.groups);
    if (r(0, 6) == 0) g.oh = r(1, 20);
    if (r(0, 6) == 0) g.ow = r(1, 20);
    if (r(0, 10) == 0) g.pt = r(0, 30);
    const int groups = std::max(g.groups, 1);
    std::vector<float> w(static_cast<size_t>(g.oc) * g.kh * g.kw * (g.ic / groups));
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
    const testing::ModelSpec spec = Spec(g, ElementType::Float32, w);
    std::vector<float> x(g.in_size());
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i % 5) - 2);
    const testing::RunResult run = testing::RunMote(testing::BuildMote(spec), {Bytes(x)});
    if (run.status != Status::kOk) {
      ASSERT_EQ(run.status, Status::kCorruptFile) << iter;
      continue;
    }
    ++accepted;
    const std::vector<double> want = Scatter(g, std::vector<double>(x.begin(), x.end()),
                                             std::vector<double>(w.begin(), w.end()));
    ASSERT_EQ(run.outputs[0].size(), want.size() * 4);
    const auto* y = reinterpret_cast<const float*>(run.outputs[0].data());
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(y[i], want[i], 1e-4) << iter;
  }
  EXPECT_GT(accepted, 1000);
}

TEST(TransposeConvOp, HostileOptionsAreRefused) {
  const Geometry base;
  const std::vector<float> w(base.w_size(), 1.0f);
  EXPECT_EQ(LoadStatus(Spec(base, ElementType::Float32, w)), Status::kOk);
  EXPECT_EQ(LoadStatus(Spec(base, ElementType::Int8, w)), Status::kOk);
  EXPECT_EQ(LoadStatus(Spec(base, ElementType::Int16, w)), Status::kOk);
  const auto refused = [&](Geometry g, const char* why) {
    EXPECT_EQ(LoadStatus(Spec(g, ElementType::Float32, w)), Status::kCorruptFile) << why;
  };
  Geometry g = base;
  g.sh = 0;
  refused(g, "stride 0");
  g = base;
  g.dw = -1;
  refused(g, "negative dilation");
  g = base;
  g.pt = -1;
  refused(g, "negative pad");
  g = base;
  g.pt = 7;  // span (3 - 1) * 2 + 3 = 7
  refused(g, "padding past the span");
  g = base;
  g.oh = 9;  // span 7 - pad 1 + output_padding at most 1 = 7
  refused(g, "output rows past the output padding");
  g = base;
  g.sh = 0x40000000;
  refused(g, "huge stride");
  g = base;
  g.groups = 3;
  refused(g, "groups do not divide");
  g = base;
  g.oc = 5;
  refused(g, "output channels");
  g = base;
  g.n = 2;
  testing::ModelSpec s = Spec(g, ElementType::Float32, w);
  s.tensors[2].shape[0] = 1;
  EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << "batch differs";
  s = Spec(base, ElementType::Int8, w);
  s.options_builder = [](flatbuffers::FlatBufferBuilder& fbb) {
    const auto act = schema::CreateActivationRange(fbb, -128, 127);
    return schema::CreateTransposeConv2DOptions(fbb, 2, 1, 1, 2, 1, 0, 2, act,
                                                fbb.CreateVector(std::vector<int32_t>(5, 1 << 30)),
                                                fbb.CreateVector(std::vector<int8_t>(6, -3)))
        .Union();
  };
  EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << "multiplier count";
  s = Spec(base, ElementType::Int8, w);
  s.options_builder = [](flatbuffers::FlatBufferBuilder& fbb) {
    return schema::CreateTransposeConv2DOptions(fbb, 2, 1, 1, 2, 1, 0, 2, 0).Union();
  };
  EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << "activation range missing";
  s = Spec(base, ElementType::Float32, w);
  s.tensors[1].buffer = -1;
  EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << "weights not constant";
}

}  // namespace
}  // namespace mote
