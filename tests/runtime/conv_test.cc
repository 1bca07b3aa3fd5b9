// Conv2D and DepthwiseConv2D: kernels against an independent reference (an
// explicitly zero-padded image, double arithmetic on the same integers), the
// op glue through the interpreter, and hostile options refused at load.
#include "kernels/reference/conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/reference/depthwise_conv.h"
#include "kernels/reference/in_place.h"
#include "kernels/reference/requantize.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote::reference {
namespace {

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

// One convolution geometry. pb and pr are the trailing pads (not stored in
// the file: the kernel sees them only through the output size).
struct Case {
  const char* name;
  int n, ih, iw, ic, oc;
  int kh, kw, sh, sw, dh, dw;
  int pt, pl, pb, pr;
  int groups;  // Conv2D: groups; DepthwiseConv2D: depth multiplier
  int oh() const { return (ih + pt + pb - ((kh - 1) * dh + 1)) / sh + 1; }
  int ow() const { return (iw + pl + pr - ((kw - 1) * dw + 1)) / sw + 1; }
  Window2D window() const { return {n, ih, iw, ic, oh(), ow(), oc, kh, kw, sh, sw, dh, dw, pt, pl}; }
  size_t in_size() const { return static_cast<size_t>(n) * ih * iw * ic; }
  size_t out_size() const { return static_cast<size_t>(n) * oh() * ow() * oc; }
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// sum over taps of x * w, x the real-domain input (zero in the padding),
// computed on an explicitly padded copy of the image.
std::vector<double> ReferenceAcc(const Case& c, bool depthwise, const std::vector<double>& x,
                                 const std::vector<double>& w) {
  const int ph = c.ih + c.pt + std::max(c.pb, 0);
  const int pw = c.iw + c.pl + std::max(c.pr, 0);
  std::vector<double> padded(static_cast<size_t>(c.n) * ph * pw * c.ic, 0.0);
  for (int b = 0; b < c.n; ++b)
    for (int y = 0; y < c.ih; ++y)
      for (int xx = 0; xx < c.iw; ++xx)
        for (int ch = 0; ch < c.ic; ++ch)
          padded[((static_cast<size_t>(b) * ph + y + c.pt) * pw + xx + c.pl) * c.ic + ch] =
              x[((static_cast<size_t>(b) * c.ih + y) * c.iw + xx) * c.ic + ch];
  const int icpg = depthwise ? 1 : c.ic / c.groups;
  const int ocpg = depthwise ? c.groups : c.oc / c.groups;
  std::vector<double> acc(c.out_size());
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < c.oh(); ++oy)
      for (int ox = 0; ox < c.ow(); ++ox)
        for (int o = 0; o < c.oc; ++o) {
          double sum = 0.0;
          const int first_in = (o / ocpg) * icpg;
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx)
              for (int i = 0; i < icpg; ++i) {
                const int y = oy * c.sh + ky * c.dh;
                const int xx = ox * c.sw + kx * c.dw;
                const double v = padded[((static_cast<size_t>(b) * ph + y) * pw + xx) * c.ic + first_in + i];
                const size_t wi = depthwise ? (static_cast<size_t>(ky) * c.kw + kx) * c.oc + o
                                            : ((static_cast<size_t>(o) * c.kh + ky) * c.kw + kx) * icpg + i;
                sum += v * w[wi];
              }
          acc[((static_cast<size_t>(b) * c.oh() + oy) * c.ow() + ox) * c.oc + o] = sum;
        }
  return acc;
}

size_t FilterSize(const Case& c, bool depthwise) {
  return depthwise ? static_cast<size_t>(c.kh) * c.kw * c.oc
                   : static_cast<size_t>(c.oc) * c.kh * c.kw * (c.ic / c.groups);
}

// Per-channel multipliers that map the largest |acc| of each channel to
// about `target` output steps.
std::vector<Multiplier> ChooseMultipliers(const Case& c, const std::vector<double>& acc, double target) {
  std::vector<double> peak(c.oc, 1.0);
  for (size_t i = 0; i < acc.size(); ++i) peak[i % c.oc] = std::max(peak[i % c.oc], std::fabs(acc[i]));
  std::vector<Multiplier> m;
  for (int o = 0; o < c.oc; ++o) m.push_back(Encode(target * (0.8 + 0.15 * (o % 3)) / peak[o]));
  return m;
}

class ConvKernelTest : public ::testing::TestWithParam<std::tuple<Case, bool>> {
 protected:
  const Case& c() const { return std::get<0>(GetParam()); }
  bool depthwise() const { return std::get<1>(GetParam()); }
};

TEST_P(ConvKernelTest, Int8WithinOneStepAndExactRequantization) {
  const Case& k = c();
  std::mt19937 rng(11 + k.oc);
  std::uniform_int_distribution<int> q8(-128, 127), w8(-127, 127), bias(-4000, 4000);
  const int32_t zp_in = -9, zp_out = 6, lo = -120, hi = 127;
  std::vector<int8_t> in(k.in_size()), w(FilterSize(k, depthwise())), out(k.out_size());
  std::vector<int32_t> b(k.oc);
  std::vector<double> x(in.size()), wd(w.size());
  for (size_t i = 0; i < in.size(); ++i) x[i] = (in[i] = static_cast<int8_t>(q8(rng))) - zp_in;
  for (size_t i = 0; i < w.size(); ++i) wd[i] = w[i] = static_cast<int8_t>(w8(rng));
  for (auto& v : b) v = bias(rng);
  std::vector<double> acc = ReferenceAcc(k, depthwise(), x, wd);
  for (size_t i = 0; i < acc.size(); ++i) acc[i] += b[i % k.oc];
  const std::vector<Multiplier> m = ChooseMultipliers(k, acc, 140.0);
  std::vector<int32_t> mult;
  std::vector<int8_t> shift;
  for (const auto& e : m) {
    mult.push_back(e.m);
    shift.push_back(e.shift);
  }
  const PerChannelParams p{-zp_in, zp_out, mult, shift, lo, hi};
  if (depthwise()) {
    DepthwiseConv2DInt8(k.window(), k.groups, p, in.data(), w.data(), b.data(), out.data());
  } else {
    Conv2DInt8(k.window(), k.groups, p, in.data(), w.data(), b.data(), out.data(), {});
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const int o = static_cast<int>(i % k.oc);
    const double want = std::clamp(acc[i] * m[o].real() + zp_out, double{lo}, double{hi});
    ASSERT_LE(std::fabs(out[i] - want), 1.0) << i;
    // TFLite's requantization of the exact accumulator, bit for bit.
    const int32_t exact = MultiplyByQuantizedMultiplier(static_cast<int32_t>(acc[i]), m[o].m, m[o].shift);
    ASSERT_EQ(out[i], std::clamp(exact + zp_out, lo, hi)) << i;
  }
}

TEST_P(ConvKernelTest, Int16WithinOneStepAndExactRequantization) {
  const Case& k = c();
  std::mt19937 rng(23 + k.oc);
  std::uniform_int_distribution<int> q16(-32768, 32767), w8(-128, 127), bias(-3000000, 3000000);
  std::vector<int16_t> in(k.in_size()), out(k.out_size());
  std::vector<int8_t> w(FilterSize(k, depthwise()));
  std::vector<int64_t> b(k.oc);
  std::vector<double> x(in.size()), wd(w.size());
  for (size_t i = 0; i < in.size(); ++i) x[i] = in[i] = static_cast<int16_t>(q16(rng));
  for (size_t i = 0; i < w.size(); ++i) wd[i] = w[i] = static_cast<int8_t>(w8(rng));
  for (auto& v : b) v = bias(rng);
  std::vector<double> acc = ReferenceAcc(k, depthwise(), x, wd);
  for (size_t i = 0; i < acc.size(); ++i) acc[i] += static_cast<double>(b[i % k.oc]);
  const std::vector<Multiplier> m = ChooseMultipliers(k, acc, 36000.0);
  std::vector<int32_t> mult;
  std::vector<int8_t> shift;
  for (const auto& e : m) {
    mult.push_back(e.m);
    shift.push_back(e.shift);
  }
  const PerChannelParams p{0, 0, mult, shift, -32768, 32767};
  if (depthwise()) {
    DepthwiseConv2DInt16(k.window(), k.groups, p, in.data(), w.data(), b.data(), out.data());
  } else {
    Conv2DInt16(k.window(), k.groups, p, in.data(), w.data(), b.data(), out.data(), {});
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const int o = static_cast<int>(i % k.oc);
    const double want = std::clamp(acc[i] * m[o].real(), -32768.0, 32767.0);
    // The 16x8 path reduces the multiplier to Q15: 2^-15 relative error.
    ASSERT_LE(std::fabs(out[i] - want), 1.0 + std::fabs(want) * std::exp2(-14)) << i;
    const int32_t exact = MultiplyByQuantizedMultiplier64(static_cast<int64_t>(acc[i]), m[o].m, m[o].shift);
    ASSERT_EQ(out[i], std::clamp(exact, -32768, 32767)) << i;
  }
}

TEST_P(ConvKernelTest, FloatMatchesDouble) {
  const Case& k = c();
  std::mt19937 rng(37 + k.oc);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> in(k.in_size()), w(FilterSize(k, depthwise())), b(k.oc), out(k.out_size());
  std::vector<double> x(in.size()), wd(w.size()), mag_x(in.size()), mag_w(w.size());
  for (size_t i = 0; i < in.size(); ++i) mag_x[i] = std::fabs(x[i] = in[i] = nd(rng));
  for (size_t i = 0; i < w.size(); ++i) mag_w[i] = std::fabs(wd[i] = w[i] = nd(rng));
  for (auto& v : b) v = nd(rng);
  const float lo = -2.5f, hi = 3.0f;
  if (depthwise()) {
    DepthwiseConv2DFloat(k.window(), k.groups, lo, hi, in.data(), w.data(), b.data(), out.data());
  } else {
    Conv2DFloat(k.window(), k.groups, lo, hi, in.data(), w.data(), b.data(), out.data());
  }
  const std::vector<double> acc = ReferenceAcc(k, depthwise(), x, wd);
  const std::vector<double> mag = ReferenceAcc(k, depthwise(), mag_x, mag_w);
  for (size_t i = 0; i < out.size(); ++i) {
    const double want = std::clamp(acc[i] + b[i % k.oc], double{lo}, double{hi});
    ASSERT_NEAR(out[i], want, 1e-5 * (mag[i] + 1.0)) << i;
  }
}

// name, n, ih, iw, ic, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups
const Case kConvCases[] = {
    {"Same3x3", 1, 5, 5, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {"Stride2OddSizesAsymmetricPad", 2, 7, 9, 3, 5, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1, 1},
    {"Dilation2", 1, 9, 8, 2, 3, 3, 2, 1, 1, 2, 2, 2, 1, 2, 1, 1},
    {"AsymmetricPad", 1, 6, 5, 4, 6, 2, 3, 1, 1, 1, 1, 0, 2, 1, 0, 1},
    {"Groups3", 1, 6, 6, 6, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3},
    {"Pointwise1x1", 1, 4, 5, 8, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},
    {"Stride2Dilation2Groups2", 1, 11, 10, 4, 4, 3, 3, 2, 2, 2, 2, 2, 1, 2, 2, 2},
    {"ValidDropsRows", 1, 8, 8, 3, 2, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1},
    {"WideRectangular", 1, 1, 13, 5, 3, 1, 5, 1, 2, 1, 1, 0, 2, 0, 2, 1},
};
// For depthwise, `groups` is the depth multiplier and oc = ic * multiplier.
const Case kDepthwiseCases[] = {
    {"Same3x3", 1, 5, 5, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {"Multiplier2Stride2", 2, 7, 9, 3, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 2},
    {"Dilation2AsymmetricPad", 1, 9, 8, 2, 2, 3, 2, 1, 1, 2, 2, 2, 0, 1, 1, 1},
    {"Multiplier3Pointwise", 1, 4, 5, 2, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3},
    {"OddStride3", 1, 10, 11, 5, 5, 5, 4, 3, 2, 1, 1, 2, 1, 1, 2, 1},
};

INSTANTIATE_TEST_SUITE_P(Conv2D, ConvKernelTest,
                         ::testing::Combine(::testing::ValuesIn(kConvCases), ::testing::Values(false)),
                         [](const auto& info) { return std::string(std::get<0>(info.param).name); });
INSTANTIATE_TEST_SUITE_P(DepthwiseConv2D, ConvKernelTest,
                         ::testing::Combine(::testing::ValuesIn(kDepthwiseCases), ::testing::Values(true)),
                         [](const auto& info) { return std::string(std::get<0>(info.param).name); });

TEST(ConvKernel, TapsInThePaddingAreSkipped) {
  // 1x1 input, 3x3 filter, dilation 2, pad 2: only the centre tap is inside.
  const Window2D w{1, 1, 1, 1, 1, 1, 1, 3, 3, 1, 1, 2, 2, 2, 2};
  const float in[2] = {5.0f, 7.0f};
  float filter[9];
  for (int i = 0; i < 9; ++i) filter[i] = static_cast<float>(i + 1);
  const float bias[1] = {0.5f};
  float out[1];
  Conv2DFloat(w, 1, -1e30f, 1e30f, in, filter, bias, out);
  EXPECT_EQ(out[0], 5.0f * 5.0f + 0.5f);
  // 2x1 input, 2x1 filter, dilation 3, pad 1: the taps (rows -1 and 2) both
  // miss the input, leaving the bias alone.
  const Window2D skip{1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 3, 1, 1, 0};
  Conv2DFloat(skip, 1, -1e30f, 1e30f, in, filter, bias, out);
  EXPECT_EQ(out[0], 0.5f);
}

// The in-place rule: every pixel's output ends at most `margin` bytes past
// the lowest input byte still to be read. By hand for a ResNet block's 3x3
// "same" conv (32x32x16): the window starts one row and one pixel behind its
// pixel, the pixel itself ends one later, plus the kernels' lookahead.
TEST(ConvInPlace, MarginOfASameConv) {
  const Window2D w{1, 32, 32, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1};
  EXPECT_EQ(ConvInPlaceMargin(w, 1, 1), (32 + 2 + kInPlaceLookahead) * 16);
  // int16 in and out: twice the bytes.
  EXPECT_EQ(ConvInPlaceMargin(w, 2, 2), 2 * (32 + 2 + kInPlaceLookahead) * 16);
  Window2D wide = w;
  wide.out_c = kInPlaceMaxChannels + 1;
  EXPECT_EQ(ConvInPlaceMargin(wide, 1, 1), -1);
  // A 1x1 conv that halves the channels: the output trails its input.
  const Window2D narrow{1, 8, 8, 32, 8, 8, 16, 1, 1, 1, 1, 1, 1, 0, 0};
  EXPECT_EQ(ConvInPlaceMargin(narrow, 1, 1), (1 + kInPlaceLookahead) * 16);
}

// Random geometries: the output written over the input from exactly the
// margin equals the output written to a buffer of its own, for every type.
template <typename T, typename Run>
void ExpectInPlaceMatches(const Window2D& w, std::mt19937& rng, Run run) {
  const int64_t margin = ConvInPlaceMargin(w, sizeof(T), sizeof(T));
  if (margin < 0) return;
  const size_t in_n = static_cast<size_t>(w.batches) * w.in_h * w.in_w * w.in_c;
  const size_t out_n = static_cast<size_t>(w.batches) * w.out_h * w.out_w * w.out_c;
  std::vector<T> x(in_n);
  for (T& v : x) v = static_cast<T>(std::uniform_int_distribution<int>(-100, 100)(rng));
  std::vector<T> want(out_n);
  run(x.data(), want.data());
  // Margins are whole elements: every kernel's bytes per element divide them.
  ASSERT_EQ(margin % static_cast<int64_t>(sizeof(T)), 0);
  const size_t shift = static_cast<size_t>(margin) / sizeof(T);
  std::vector<T> shared(std::max(out_n, shift + in_n));
  std::copy(x.begin(), x.end(), shared.begin() + static_cast<ptrdiff_t>(shift));
  run(shared.data() + shift, shared.data());
  ASSERT_TRUE(std::equal(want.begin(), want.end(), shared.begin()))
      << "in " << w.in_h << "x" << w.in_w << "x" << w.in_c << " out " << w.out_h << "x" << w.out_w << "x"
      << w.out_c << " filter " << w.filter_h << "x" << w.filter_w << " stride " << w.stride_h << "," << w.stride_w
      << " margin " << margin;
}

TEST(ConvInPlace, OutputOverItsInputMatchesSeparateBuffers) {
  std::mt19937 rng(77);
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int overlapped = 0;
  for (int i = 0; i < 400; ++i) {
    Window2D w{};
    w.batches = r(1, 2);
    w.in_h = r(1, 9);
    w.in_w = r(1, 9);
    w.in_c = r(1, 12);
    w.out_c = r(1, 12);
    w.filter_h = r(1, 4);
    w.filter_w = r(1, 4);
    w.stride_h = r(1, 3);
    w.stride_w = r(1, 3);
    w.dilation_h = r(1, 2);
    w.dilation_w = r(1, 2);
    w.pad_top = r(0, 3);
    w.pad_left = r(0, 3);
    const int32_t span_h = w.in_h + 2 * w.pad_top - w.dilation_h * (w.filter_h - 1) - 1;
    const int32_t span_w = w.in_w + 2 * w.pad_left - w.dilation_w * (w.filter_w - 1) - 1;
    w.out_h = span_h < 0 ? 1 : span_h / w.stride_h + 1;
    w.out_w = span_w < 0 ? 1 : span_w / w.stride_w + 1;
    const int32_t groups = w.in_c % 2 == 0 && w.out_c % 2 == 0 && r(0, 3) == 0 ? 2 : 1;
    const size_t depth = static_cast<size_t>(w.filter_h) * w.filter_w * (w.in_c / groups);
    std::vector<int8_t> filter(depth * w.out_c);
    for (int8_t& v : filter) v = static_cast<int8_t>(r(-127, 127));
    std::vector<int32_t> mult(w.out_c, 1 << 30);
    std::vector<int8_t> shift(w.out_c, -5);
    std::vector<int32_t> bias(w.out_c, 7);
    const PerChannelParams p{3, -2, mult, shift, -128, 127};
    ExpectInPlaceMatches<int8_t>(w, rng, [&](const int8_t* x, int8_t* y) {
      Conv2DInt8(w, groups, p, x, filter.data(), bias.data(), y, {});
    });
    const PerChannelParams p16{0, 0, mult, shift, -32768, 32767};
    const std::vector<int64_t> bias64(bias.begin(), bias.end());
    ExpectInPlaceMatches<int16_t>(w, rng, [&](const int16_t* x, int16_t* y) {
      Conv2DInt16(w, groups, p16, x, filter.data(), bias64.data(), y, {});
    });
    const std::vector<float> ffilter(filter.begin(), filter.end());
    const std::vector<float> fbias(bias.begin(), bias.end());
    ExpectInPlaceMatches<float>(w, rng, [&](const float* x, float* y) {
      Conv2DFloat(w, groups, -1e30f, 1e30f, x, ffilter.data(), fbias.data(), y);
    });
    if (HasFatalFailure()) return;
    overlapped += ConvInPlaceMargin(w, 1, 1) < static_cast<int64_t>(static_cast<size_t>(w.batches) * w.out_h * w.out_w * w.out_c);
  }
  EXPECT_GT(overlapped, 100);  // most cases really do share bytes
}

}  // namespace
}  // namespace mote::reference

// ---- The op glue: bound through the interpreter, and hostile files refused. ----
namespace mote {
namespace {

using schema::ElementType;
using testing::BuildMote;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;

// A single Conv2D or DepthwiseConv2D model; fields are what tests perturb.
struct ConvModel {
  bool depthwise = false;
  ElementType type = ElementType::Int8;
  std::vector<int32_t> in_shape = {1, 5, 6, 4};
  std::vector<int32_t> w_shape = {6, 3, 3, 2};  // groups 2
  std::vector<int32_t> out_shape = {1, 3, 3, 6};
  int32_t sh = 2, sw = 2, dh = 1, dw = 1, pt = 1, pl = 1, groups = 2;
  std::vector<int32_t> mult = std::vector<int32_t>(6, 1 << 30);
  std::vector<int8_t> shift = std::vector<int8_t>(6, -6);
  std::vector<int32_t> bias32 = std::vector<int32_t>(6, 100);
  bool has_bias = true;
  bool weights_constant = true;
  int32_t act_min = -128, act_max = 127;
  int32_t zp_in = -3, zp_out = 2;
  bool no_options = false;

  reference::Window2D Window() const {
    return {in_shape[0],  in_shape[1],  in_shape[2], in_shape[3], out_shape[1], out_shape[2], out_shape[3],
            w_shape[1],   w_shape[2],   sh,          sw,          dh,           dw,           pt,
            pl};
  }

  size_t weight_count() const {
    size_t n = 1;
    for (int32_t d : w_shape) n *= static_cast<size_t>(d);
    return n;
  }

  ModelSpec Spec() const {
    ModelSpec s;
    const bool q = type != ElementType::Float32;
    const std::vector<float> scale = q ? std::vector<float>{0.05f} : std::vector<float>{};
    const ElementType bias_type = type == ElementType::Float32 ? ElementType::Float32
                                  : type == ElementType::Int8  ? ElementType::Int32
                                                               : ElementType::Int64;
    std::vector<uint8_t> weights(weight_count() * (q ? 1 : 4));
    for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<uint8_t>(i * 37 % 251);
    if (!q) {
      for (size_t i = 0; i < weight_count(); ++i) {
        const float f = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.25f;
        std::memcpy(weights.data() + 4 * i, &f, 4);
      }
    }
    s.buffers.push_back(weights);
    if (type == ElementType::Int8) {
      s.buffers.push_back(Bytes(bias32));
    } else if (type == ElementType::Int16) {
      s.buffers.push_back(Bytes(std::vector<int64_t>(bias32.begin(), bias32.end())));
    } else {
      s.buffers.push_back(Bytes(std::vector<float>(bias32.size(), 0.25f)));
    }
    const std::vector<int32_t> zp_i =
        q ? std::vector<int32_t>{type == ElementType::Int16 ? 0 : zp_in} : std::vector<int32_t>{};
    const std::vector<int32_t> zp_o =
        q ? std::vector<int32_t>{type == ElementType::Int16 ? 0 : zp_out} : std::vector<int32_t>{};
    const ElementType w_type = q ? ElementType::Int8 : ElementType::Float32;
    s.tensors = {{"x", type, in_shape, scale, zp_i, -1, -1, 0},
                 {"w", w_type, w_shape, {}, {}, -1, weights_constant ? 0 : -1, 0},
                 {"b", bias_type, {static_cast<int32_t>(bias32.size())}, {}, {}, -1, 1, 0},
                 {"y", type, out_shape, scale, zp_o, -1, -1, 0}};
    s.opcode = depthwise ? schema::OpCode::DepthwiseConv2D : schema::OpCode::Conv2D;
    s.options_type = depthwise ? schema::OpOptions::DepthwiseConv2DOptions : schema::OpOptions::Conv2DOptions;
    s.op_inputs = has_bias ? std::vector<int32_t>{0, 1, 2} : std::vector<int32_t>{0, 1};
    s.op_outputs = {3};
    s.inputs = {0};
    s.outputs = {3};
    const ConvModel m = *this;
    s.options_builder = [m](flatbuffers::FlatBufferBuilder& fbb) -> flatbuffers::Offset<void> {
      if (m.no_options) return 0;
      const auto act = schema::CreateActivationRange(fbb, m.act_min, m.act_max, -6.0f, 6.0f);
      const bool q = m.type != ElementType::Float32;
      const auto mult = q ? fbb.CreateVector(m.mult) : 0;
      const auto shift = q ? fbb.CreateVector(m.shift) : 0;
      if (m.depthwise) {
        return schema::CreateDepthwiseConv2DOptions(fbb, m.sh, m.sw, m.dh, m.dw, m.pt, m.pl, m.groups, act, mult, shift)
            .Union();
      }
      return schema::CreateConv2DOptions(fbb, m.sh, m.sw, m.dh, m.dw, m.pt, m.pl, m.groups, act, mult, shift).Union();
    };
    testing::PlanArena(s);
    return s;
  }
};

size_t Count(const std::vector<int32_t>& shape) {
  size_t n = 1;
  for (int32_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

Status LoadStatus(const ConvModel& m) {
  const testing::Aligned a(BuildMote(m.Spec()));
  return Model::Load({a.data(), a.size()}).status();
}

ConvModel Depthwise() {
  ConvModel m;
  m.depthwise = true;
  m.w_shape = {1, 3, 3, 8};  // multiplier 2
  m.out_shape = {1, 3, 3, 8};
  m.groups = 2;
  m.mult.assign(8, 1 << 30);
  m.shift.assign(8, -4);
  m.bias32.assign(8, -50);
  return m;
}

// Runs the model and the kernel directly on the same data; the bytes must agree.
template <typename T, typename Kernel>
void ExpectGlueMatchesKernel(const ConvModel& m, Kernel kernel) {
  std::vector<T> x(static_cast<size_t>(m.in_shape[0]) * m.in_shape[1] * m.in_shape[2] * m.in_shape[3]);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(static_cast<int>(i * 29 % 200) - 100);
  const ModelSpec spec = m.Spec();
  const testing::RunResult r = RunMote(BuildMote(spec), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<T> want(r.outputs[0].size() / sizeof(T));
  const reference::Window2D w = m.Window();
  kernel(w, spec, x.data(), want.data());
  EXPECT_EQ(r.outputs[0], Bytes(want));
}

TEST(ConvOp, Int8GlueMatchesKernel) {
  const ConvModel m;
  ExpectGlueMatchesKernel<int8_t>(m, [&](const reference::Window2D& w, const ModelSpec& s, const int8_t* x, int8_t* y) {
    const reference::PerChannelParams p{-m.zp_in, m.zp_out, m.mult, m.shift, m.act_min, m.act_max};
    reference::Conv2DInt8(w, m.groups, p, x, reinterpret_cast<const int8_t*>(s.buffers[0].data()), m.bias32.data(), y, {});
  });
}

TEST(ConvOp, Int16AndFloatGlueMatchKernel) {
  ConvModel m;
  m.type = ElementType::Int16;
  m.act_min = -32768;
  m.act_max = 32767;
  m.shift.assign(6, 0);
  ExpectGlueMatchesKernel<int16_t>(
      m, [&](const reference::Window2D& w, const ModelSpec& s, const int16_t* x, int16_t* y) {
        const reference::PerChannelParams p{0, 0, m.mult, m.shift, m.act_min, m.act_max};
        const std::vector<int64_t> b(m.bias32.begin(), m.bias32.end());
        reference::Conv2DInt16(w, m.groups, p, x, reinterpret_cast<const int8_t*>(s.buffers[0].data()), b.data(), y, {});
      });
  ConvModel f;
  f.type = ElementType::Float32;
  ExpectGlueMatchesKernel<float>(f, [&](const reference::Window2D& w, const ModelSpec& s, const float* x, float* y) {
    const std::vector<float> b(6, 0.25f);
    reference::Conv2DFloat(w, f.groups, -6.0f, 6.0f, x, reinterpret_cast<const float*>(s.buffers[0].data()), b.data(),
                           y);
  });
}

TEST(DepthwiseConvOp, Int8GlueMatchesKernel) {
  ConvModel m = Depthwise();
  m.has_bias = false;
  ExpectGlueMatchesKernel<int8_t>(m, [&](const reference::Window2D& w, const ModelSpec& s, const int8_t* x, int8_t* y) {
    const reference::PerChannelParams p{-m.zp_in, m.zp_out, m.mult, m.shift, m.act_min, m.act_max};
    reference::DepthwiseConv2DInt8(w, m.groups, p, x, reinterpret_cast<const int8_t*>(s.buffers[0].data()), nullptr, y);
  });
}

// A file may place a conv's output over its input only from the margin on
// (kernels/reference/in_place.h); there it computes what separate buffers do.
TEST(ConvOp, OutputOverlappingItsInputIsCheckedAtLoad) {
  const ConvModel m;
  const reference::Window2D w = m.Window();
  const int64_t margin = reference::ConvInPlaceMargin(w, 1, 1);
  ASSERT_GT(margin, 0);
  const auto placed = [&](int64_t in_offset, int64_t out_offset) {
    ModelSpec s = m.Spec();
    s.tensors[0].arena_offset = static_cast<uint32_t>(in_offset);
    s.tensors[3].arena_offset = static_cast<uint32_t>(out_offset);
    s.arena_size = 256;
    return s;
  };
  const std::vector<int8_t> x(Count(m.in_shape), 5);
  const testing::RunResult apart = RunMote(BuildMote(m.Spec()), {Bytes(x)});
  ASSERT_EQ(apart.status, Status::kOk);
  const testing::RunResult shared = RunMote(BuildMote(placed(margin, 0)), {Bytes(x)});
  ASSERT_EQ(shared.status, Status::kOk);
  EXPECT_EQ(shared.outputs[0], apart.outputs[0]);
  EXPECT_EQ(RunMote(BuildMote(placed(margin - 1, 0)), {Bytes(x)}).status, Status::kCorruptFile);
  EXPECT_EQ(RunMote(BuildMote(placed(0, 8)), {Bytes(x)}).status, Status::kCorruptFile);  // output above
}

TEST(ConvOp, ValidModelsLoad) {
  EXPECT_EQ(LoadStatus(ConvModel{}), Status::kOk);
  ConvModel m;
  m.has_bias = false;
  EXPECT_EQ(LoadStatus(m), Status::kOk);
  m = ConvModel{};
  m.out_shape = {1, 2, 2, 6};  // VALID: pad 0 and the last row dropped
  m.pt = m.pl = 0;
  EXPECT_EQ(LoadStatus(m), Status::kOk);
  EXPECT_EQ(LoadStatus(Depthwise()), Status::kOk);
}

// Random (often hostile) geometries: a model that loads must compute what
// the independent reference computes, with the trailing padding implied by
// its output size; under ASan this also shows no access leaves its tensor.
TEST(ConvOp, RandomGeometriesAreRefusedOrComputedExactly) {
  std::mt19937 rng(2024);
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int accepted = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    ConvModel m;
    m.type = ElementType::Float32;
    m.depthwise = iter % 2 == 1;
    // Each parameter is out of range now and then.
    const auto param = [&](int lo, int hi) { return r(0, 15) == 0 ? r(-1, 0) : r(lo, hi); };
    const int ih = r(1, 7), iw = r(1, 7), ic = r(1, 4), kh = r(1, 4), kw = r(1, 4);
    m.sh = param(1, 3), m.sw = param(1, 3), m.dh = param(1, 3), m.dw = param(1, 3);
    m.pt = param(0, 3), m.pl = param(0, 3);
    m.groups = m.depthwise ? param(1, 3) : (ic % 2 == 0 && r(0, 1) == 0 ? 2 : param(1, 1));
    const int g = std::max(m.groups, 1);
    const int oc = m.depthwise ? ic * g * (r(0, 9) == 0 ? 2 : 1) : g * r(1, 3) + (r(0, 9) == 0 ? 1 : 0);
    m.in_shape = {r(1, 2), ih, iw, ic};
    m.w_shape =
        m.depthwise ? std::vector<int32_t>{1, kh, kw, oc} : std::vector<int32_t>{oc, kh, kw, std::max(1, ic / g)};
    // Mostly an output size some trailing pad in [-2, extent] gives, else anything.
    const auto out_size = [&](int in, int k, int s, int d, int lead) {
      if (r(0, 3) == 0 || s < 1 || d < 1) return r(1, 8);
      const int extent = (k - 1) * d + 1;
      return std::max(1, (in + lead + r(-2, extent) - extent) / s + 1);
    };
    m.out_shape = {m.in_shape[0], out_size(ih, kh, m.sh, m.dh, m.pt), out_size(iw, kw, m.sw, m.dw, m.pl), oc};
    m.bias32.assign(oc, 0);
    const ModelSpec spec = m.Spec();
    std::vector<float> x(Count(m.in_shape));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i % 5) - 2);
    const testing::RunResult run = RunMote(BuildMote(spec), {Bytes(x)});
    if (run.status != Status::kOk) {
      ASSERT_EQ(run.status, Status::kCorruptFile);
      continue;
    }
    ++accepted;
    const int oh = m.out_shape[1], ow = m.out_shape[2];
    const int pb = (oh - 1) * m.sh + (kh - 1) * m.dh + 1 - ih - m.pt;
    const int pr = (ow - 1) * m.sw + (kw - 1) * m.dw + 1 - iw - m.pl;
    const reference::Case c{"",   m.in_shape[0], ih,   iw,   ic,   oc, kh, kw,      m.sh,
                            m.sw, m.dh,          m.dw, m.pt, m.pl, pb, pr, m.groups};
    ASSERT_EQ(c.oh(), oh);
    ASSERT_EQ(c.ow(), ow);
    const auto* wf = reinterpret_cast<const float*>(spec.buffers[0].data());
    const std::vector<double> acc = reference::ReferenceAcc(c, m.depthwise, std::vector<double>(x.begin(), x.end()),
                                                            std::vector<double>(wf, wf + spec.buffers[0].size() / 4));
    const auto* y = reinterpret_cast<const float*>(run.outputs[0].data());
    ASSERT_EQ(run.outputs[0].size(), acc.size() * 4);
    for (size_t i = 0; i < acc.size(); ++i) {
      ASSERT_NEAR(y[i], std::clamp(acc[i] + 0.25, -6.0, 6.0), 1e-4) << "iteration " << iter;
    }
  }
  EXPECT_GT(accepted, 500);
}

TEST(ConvOp, HostileOptionsAreRefused) {
  const auto refused = [](ConvModel m) { return LoadStatus(m) == Status::kCorruptFile; };
  ConvModel m;
  m.sh = 0;
  EXPECT_TRUE(refused(m)) << "stride 0";
  m = ConvModel{};
  m.dw = -1;
  EXPECT_TRUE(refused(m)) << "negative dilation";
  m = ConvModel{};
  m.out_shape = {1, 4, 3, 6};  // stride 2 over 5 rows with pad 1 gives 3, not 4
  EXPECT_TRUE(refused(m)) << "output rows inconsistent";
  m = ConvModel{};
  m.out_shape = {1, 1, 3, 6};  // would leave a full stride of rows unused
  EXPECT_TRUE(refused(m)) << "output rows too few";
  m = ConvModel{};
  m.pt = 3;  // padding as large as the filter
  EXPECT_TRUE(refused(m)) << "pad >= filter";
  m = ConvModel{};
  m.pl = -1;
  EXPECT_TRUE(refused(m)) << "negative pad";
  m = ConvModel{};
  m.sh = 0x40000000;
  m.dh = 0x40000000;
  EXPECT_TRUE(refused(m)) << "huge stride and dilation";
  m = ConvModel{};
  m.mult.pop_back();
  EXPECT_TRUE(refused(m)) << "multiplier count";
  m = ConvModel{};
  m.shift[3] = 31;
  EXPECT_TRUE(refused(m)) << "shift range";
  m = ConvModel{};
  m.mult[0] = -5;
  EXPECT_TRUE(refused(m)) << "negative multiplier";
  m = ConvModel{};
  m.groups = 3;
  EXPECT_TRUE(refused(m)) << "groups do not divide";
  m = ConvModel{};
  m.groups = 0;
  EXPECT_TRUE(refused(m)) << "groups 0";
  m = ConvModel{};
  m.out_shape = {1, 3, 3, 5};
  EXPECT_TRUE(refused(m)) << "output channels";
  m = ConvModel{};
  m.weights_constant = false;
  EXPECT_TRUE(refused(m)) << "weights not constant";
  m = ConvModel{};
  m.bias32[2] = INT32_MAX - 1000;  // 18 * 255 * 128 + bias > INT32_MAX
  EXPECT_TRUE(refused(m)) << "accumulator overflow";
  m = ConvModel{};
  m.bias32.pop_back();
  EXPECT_TRUE(refused(m)) << "bias count";
  m = ConvModel{};
  m.act_min = -200;
  EXPECT_TRUE(refused(m)) << "activation range";
  m = ConvModel{};
  m.no_options = true;
  EXPECT_TRUE(refused(m)) << "options table missing";
  m = ConvModel{};
  m.in_shape = {5, 6, 4};
  EXPECT_TRUE(refused(m)) << "rank 3 input";
  m = ConvModel{};
  m.type = ElementType::Int16;
  m.shift.assign(6, 8);  // beyond the 64-bit requantization's range
  EXPECT_TRUE(refused(m)) << "int16 shift";
}

TEST(DepthwiseConvOp, HostileOptionsAreRefused) {
  const auto refused = [](ConvModel m) { return LoadStatus(m) == Status::kCorruptFile; };
  ConvModel m = Depthwise();
  m.groups = 3;  // multiplier 3 needs 12 output channels
  EXPECT_TRUE(refused(m)) << "depth multiplier";
  m = Depthwise();
  m.w_shape = {2, 3, 3, 4};
  EXPECT_TRUE(refused(m)) << "weights layout";
  m = Depthwise();
  m.sw = 0;
  EXPECT_TRUE(refused(m)) << "stride 0";
  m = Depthwise();
  m.out_shape = {1, 3, 5, 8};  // the fifth window would start past the input
  EXPECT_TRUE(refused(m)) << "output columns";
  m = Depthwise();
  m.shift.resize(7);
  EXPECT_TRUE(refused(m)) << "shift count";
  m = Depthwise();
  m.no_options = true;
  EXPECT_TRUE(refused(m)) << "options table missing";
}

}  // namespace
}  // namespace mote
