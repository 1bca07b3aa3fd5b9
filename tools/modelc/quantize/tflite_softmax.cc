#include "quantize/tflite_softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "quantize/fixed_point.h"

namespace mote::modelc {
namespace {

constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();

// gemmlowp's scalar primitives on int32 raw values, written out with int64
// intermediates. Fixed-point multiplication of a Qm and a Qn value gives a
// Q(m+n) value; it is this on the raw integers.
int32_t Mul(int32_t a, int32_t b) {  // SaturatingRoundingDoublingHighMul
  if (a == kMin && b == kMin) return kMax;
  const int64_t ab = int64_t{a} * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // truncates toward zero
}

// round(x / 2^exponent), ties away from zero.
int32_t DivideByPot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + ((x & mask) > threshold ? 1 : 0);
}

// x * 2^exponent saturated to int32 (exponent in [1, 30]).
int32_t SaturatingMulByPot(int32_t x, int exponent) {
  const int32_t threshold = (int32_t{1} << (31 - exponent)) - 1;
  if (x > threshold) return kMax;
  if (x < -threshold) return kMin;
  return static_cast<int32_t>(int64_t{x} * (int64_t{1} << exponent));
}

// int32 addition as gemmlowp's (non-saturating) FixedPoint operator+; the
// arguments reached here never overflow, which this asserts.
int32_t Add(int64_t a, int64_t b) {
  const int64_t s = a + b;
  if (s > kMax || s < kMin) throw std::logic_error("gemmlowp fixed-point addition overflows");
  return static_cast<int32_t>(s);
}

// Raw constants of gemmlowp's exp (its Q0.31 / Q-format literals): exp(-1/8),
// 1/3, and exp(-2^k) for the barrel shifter, k = -2 .. 4. Each is
// round(value * 2^31); tests/modelc checks that.
constexpr int32_t kExpMinusOneEighth = 1895147668;
constexpr int32_t kOneThird = 715827883;
constexpr int32_t kExpMinusPow2[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242};

// exp(a) for a Q0.31 value a in [-1/4, 0): a Taylor expansion around -1/8
// in the variable x = a + 1/8, to the fourth power.
int32_t ExpOnNegativeQuarter(int32_t a) {
  const int32_t x = Add(a, int32_t{1} << 28);
  const int32_t x2 = Mul(x, x);
  const int32_t x3 = Mul(x2, x);
  const int32_t x4 = Mul(x2, x2);
  const int32_t x4_over_4 = DivideByPot(x4, 2);
  // (x^4/4 + x^3) / 3 + x^2, halved: x^4/24 + x^3/6 + x^2/2.
  const int32_t tail = DivideByPot(Add(Mul(Add(x4_over_4, x3), kOneThird), x2), 1);
  return Add(kExpMinusOneEighth, Mul(kExpMinusOneEighth, Add(x, tail)));
}

}  // namespace

std::optional<TfliteSoftmaxParams> ComputeTfliteSoftmaxParams(double beta, double input_scale) {
  constexpr int kBits = kTfliteSoftmaxDiffIntegerBits;
  // TFLite's double expression, capped at the largest Q31 multiplier.
  const double real = std::min<double>(beta * input_scale * static_cast<double>(int64_t{1} << (31 - kBits)),
                                       static_cast<double>((int64_t{1} << 31) - 1));
  if (!(real > 1.0)) return std::nullopt;  // QuantizeMultiplierGreaterThanOne's check
  const Multiplier m = QuantizeMultiplier(real, -31, 31);
  TfliteSoftmaxParams p;
  p.input_multiplier = m.multiplier;
  p.input_left_shift = m.shift;
  if (p.input_left_shift < 0 || p.input_left_shift > 31) throw std::logic_error("softmax shift out of range");
  // CalculateInputRadius(5, left_shift, 31): the largest |diff| whose
  // rescaled value stays inside Q5.26, floored.
  const double radius = 1.0 * ((1 << kBits) - 1) * static_cast<double>(int64_t{1} << (31 - kBits)) /
                        static_cast<double>(int64_t{1} << p.input_left_shift);
  p.diff_min = -static_cast<int32_t>(std::floor(radius));
  return p;
}

int32_t TfliteRescaledDiff(int32_t diff, const TfliteSoftmaxParams& p) {
  if (diff > 0 || diff < p.diff_min) throw std::logic_error("softmax difference outside [diff_min, 0]");
  const int64_t shifted = int64_t{diff} * (int64_t{1} << p.input_left_shift);
  if (shifted < kMin) throw std::logic_error("softmax difference overflows when shifted");
  return Mul(static_cast<int32_t>(shifted), p.input_multiplier);
}

int32_t GemmlowpExpOnNegativeValues(int32_t a) {
  if (a > 0) throw std::logic_error("exp_on_negative_values of a positive value");
  // Q5.26: 1/4 is 2^24. Split a into its part in [-1/4, 0) and a remainder
  // that is a non-negative multiple of 1/4.
  constexpr int kFractionalBits = 31 - kTfliteSoftmaxDiffIntegerBits;
  constexpr int32_t kQuarter = int32_t{1} << (kFractionalBits - 2);
  const int32_t a_mod_quarter_minus_quarter = (a & (kQuarter - 1)) - kQuarter;
  // Rescale<0>: Q5.26 -> Q0.31, a saturating shift left by 5.
  int32_t result = ExpOnNegativeQuarter(SaturatingMulByPot(a_mod_quarter_minus_quarter, kTfliteSoftmaxDiffIntegerBits));
  const int64_t remainder = int64_t{a_mod_quarter_minus_quarter} - a;
  // Each set bit of the remainder, worth 2^k, multiplies by exp(-2^k). The
  // bits above 2^4 do not exist in Q5.26 (gemmlowp's clamp at -32 is only
  // for more integer bits).
  for (int k = -2; k <= 4; ++k) {
    if ((remainder >> (kFractionalBits + k)) & 1) result = Mul(result, kExpMinusPow2[k + 2]);
  }
  return a == 0 ? kMax : result;
}

std::array<int32_t, 256> TfliteSoftmaxExpTable(const TfliteSoftmaxParams& p) {
  std::array<int32_t, 256> table{};
  for (int k = 0; k < 256; ++k) {
    table[static_cast<size_t>(k)] = -k < p.diff_min ? 0 : GemmlowpExpOnNegativeValues(TfliteRescaledDiff(-k, p));
  }
  return table;
}

}  // namespace mote::modelc
