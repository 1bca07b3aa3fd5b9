// An independent model of TFLite's int8 softmax for tests: the arithmetic of
// reference_ops::Softmax<int8_t, int8_t> (gemmlowp fixed point, Q5.26
// differences, Q12 sum, GetReciprocal) and of PreprocessSoftmaxScaling /
// CalculateInputRadius, element by element as TFLite runs it.
//
// It is written apart from modelc's and the runtime's code and in another
// form: every rounding is a floor division of an exact int64 value
// (gemmlowp's SaturatingRoundingDoublingHighMul rounds half up,
// RoundingDivideByPOT and RoundingHalfSum half away from zero), saturation
// is a clamp of the exact product, the exp barrel shifter walks the count of
// whole quarters, and gemmlowp's constants are derived here from their real
// values. Header-only, no exceptions (runtime_tests builds without them).
#ifndef MOTE_TESTS_UTIL_TFLITE_SOFTMAX_REFERENCE_H_
#define MOTE_TESTS_UTIL_TFLITE_SOFTMAX_REFERENCE_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace mote::testing::tflite_ref {

inline constexpr int64_t kQ31 = int64_t{1} << 31;

inline int64_t FloorDiv(int64_t a, int64_t b) {  // b > 0
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

inline int32_t ToInt32(int64_t v) {
  if (v > INT32_MAX || v < INT32_MIN) std::abort();  // TFLite would overflow here
  return static_cast<int32_t>(v);
}

inline int32_t ClampToInt32(int64_t v) {
  return static_cast<int32_t>(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}

// Fixed-point product of two Q0.31-scaled raw values: floor(a b / 2^31 + 1/2).
inline int32_t Mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return ToInt32(FloorDiv(int64_t{a} * b + kQ31 / 2, kQ31));
}

// x / 2^e rounded to nearest, ties away from zero.
inline int32_t DivPow2(int64_t x, int e) {
  if (e == 0) return ToInt32(x);
  const int64_t magnitude = FloorDiv((x < 0 ? -x : x) + (int64_t{1} << (e - 1)), int64_t{1} << e);
  return ToInt32(x < 0 ? -magnitude : magnitude);
}

// round(v * 2^31) for a real constant, as gemmlowp's checked constants.
inline int32_t Q31(double v) { return static_cast<int32_t>(std::llround(std::ldexp(v, 31))); }
inline int32_t Q2(double v) { return static_cast<int32_t>(std::llround(std::ldexp(v, 29))); }

// exp(a) for a Q0.31 a in [-1/4, 0).
inline int32_t ExpQuarter(int32_t a) {
  const int32_t c = Q31(std::exp(-0.125));
  const int32_t x = ToInt32(int64_t{a} + (int64_t{1} << 28));  // a + 1/8
  const int32_t x2 = Mul(x, x);
  const int32_t x3 = Mul(x2, x);
  const int32_t x4 = Mul(x2, x2);
  const int32_t inner = ToInt32(int64_t{Mul(ToInt32(int64_t{DivPow2(x4, 2)} + x3), Q31(1.0 / 3.0))} + x2);
  const int32_t poly = DivPow2(inner, 1);  // x^2/2 + x^3/6 + x^4/24
  return ToInt32(int64_t{c} + Mul(c, ToInt32(int64_t{x} + poly)));
}

// gemmlowp's exp_on_negative_values for a Q5.26 value a <= 0, Q0.31 result.
inline int32_t Exp(int32_t a) {
  if (a == 0) return INT32_MAX;
  constexpr int64_t kQuarter = int64_t{1} << 24;  // 1/4 in Q5.26
  const int64_t whole = FloorDiv(a, kQuarter);    // a = whole/4 + frac, frac in [0, 1/4)
  const int64_t frac = a - whole * kQuarter;
  // exp(frac - 1/4) from the polynomial (Q5.26 -> Q0.31 is x 32) ...
  int32_t result = ExpQuarter(ClampToInt32((frac - kQuarter) * 32));
  // ... times exp(-1/4) for each of the remaining (-whole - 1) quarters, by
  // the binary digits of that count: digit j is worth 2^j quarters.
  const int64_t quarters = -whole - 1;
  for (int j = 0; j < 7; ++j) {
    if ((quarters >> j) & 1) result = Mul(result, Q31(std::exp(-std::ldexp(1.0, j - 2))));
  }
  return result;
}

// 1 / (1 + a) for a Q0.31 a in [0, 1): gemmlowp's Newton-Raphson in Q2.29.
inline int32_t OneOverOnePlus(int32_t a) {
  const int32_t half = DivPow2(int64_t{a} + INT32_MAX, 1);  // RoundingHalfSum(a, 1.0)
  int32_t x = ToInt32(int64_t{Q2(48.0 / 17.0)} + Mul(half, Q2(-32.0 / 17.0)));
  for (int i = 0; i < 3; ++i) {
    const int32_t residual = ToInt32((int64_t{1} << 29) - Mul(half, x));
    x = ToInt32(int64_t{x} + ClampToInt32(int64_t{Mul(x, residual)} * 4));
  }
  return ClampToInt32(int64_t{x} * 2);
}

struct Params {
  bool valid = false;  // false where TFLite refuses the model
  int32_t multiplier = 0;
  int left_shift = 0;
  int32_t diff_min = 0;
};

// PreprocessSoftmaxScaling(beta, scale, 5) and -CalculateInputRadius(5, shift, 31).
inline Params ParamsFor(double beta, double input_scale) {
  Params p;
  double real = beta * input_scale * 67108864.0;  // x 2^26
  if (real > 2147483647.0) real = 2147483647.0;
  if (!(real > 1.0)) return p;
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);
  int64_t q = std::llround(fraction * 2147483648.0);
  if (q == kQ31) {
    q /= 2;
    ++exponent;
  }
  p.valid = true;
  p.multiplier = static_cast<int32_t>(q);
  p.left_shift = exponent;
  p.diff_min = -static_cast<int32_t>(std::floor(31.0 * 67108864.0 / std::ldexp(1.0, exponent)));
  return p;
}

// MultiplyByQuantizedMultiplierGreaterThanOne for diff in [diff_min, 0].
inline int32_t Rescale(int32_t diff, const Params& p) {
  return Mul(ToInt32(int64_t{diff} * (int64_t{1} << p.left_shift)), p.multiplier);
}

// SoftmaxOptions.exp_format 1's table as the format's spec states it.
inline std::array<int32_t, 256> ExpTable(const Params& p) {
  std::array<int32_t, 256> t{};
  for (int k = 0; k < 256; ++k) t[static_cast<size_t>(k)] = -k < p.diff_min ? 0 : Exp(Rescale(-k, p));
  return t;
}

// GetReciprocal(sum, 12, &bits_over_unit) for a Q12 sum > 0.
inline int32_t Reciprocal(int32_t sum, int* bits_over_unit) {
  int headroom_plus_one = 0;  // leading zeros of the 32-bit sum
  while (((static_cast<uint64_t>(sum) << headroom_plus_one) & 0x80000000u) == 0) ++headroom_plus_one;
  *bits_over_unit = 12 - headroom_plus_one;
  const int64_t normalized = static_cast<int64_t>(static_cast<uint64_t>(sum) << headroom_plus_one);
  return OneOverOnePlus(ToInt32(normalized - kQ31));
}

// The per-row tail of TFLite's kernel given each element's exp (0 for a
// skipped element): Q12 sum, GetReciprocal, scaling to 1/256 steps.
// Returns false where TFLite aborts (TFLITE_CHECK on the shift exceeding 31).
inline bool Normalize(const std::vector<int32_t>& exps, const std::vector<bool>& skipped, int8_t* out) {
  int64_t sum = 0;
  for (int32_t e : exps) sum += DivPow2(e, 12);  // Rescale<12> of a Q0.31 value
  if (sum <= 0 || sum > INT32_MAX) return false;
  int bits_over_unit = 0;
  const int32_t reciprocal = Reciprocal(static_cast<int32_t>(sum), &bits_over_unit);
  const int shift = bits_over_unit + 31 - 8;
  if (shift < 0 || shift > 31) return false;
  for (size_t i = 0; i < exps.size(); ++i) {
    int32_t v = -128;
    if (!skipped[i]) {
      v = DivPow2(Mul(reciprocal, exps[i]), shift) - 128;
      v = v < -128 ? -128 : (v > 127 ? 127 : v);
    }
    out[i] = static_cast<int8_t>(v);
  }
  return true;
}

// TFLite's int8 softmax of one row, computing each exp from the input.
inline bool SoftmaxRow(const Params& p, const int8_t* in, size_t depth, int8_t* out) {
  int max = -128;
  for (size_t i = 0; i < depth; ++i) max = in[i] > max ? in[i] : max;
  std::vector<int32_t> exps(depth, 0);
  std::vector<bool> skipped(depth, false);
  for (size_t i = 0; i < depth; ++i) {
    const int32_t diff = in[i] - max;
    skipped[i] = diff < p.diff_min;
    if (!skipped[i]) exps[i] = Exp(Rescale(diff, p));
  }
  return Normalize(exps, skipped, out);
}

// The same tail over an arbitrary table (any entries, table[0] = 2^31 - 1),
// as the runtime's kernel must handle whatever a file holds.
inline bool SoftmaxRowFromTable(const int32_t* table, const int8_t* in, size_t depth, int8_t* out) {
  int max = -128;
  for (size_t i = 0; i < depth; ++i) max = in[i] > max ? in[i] : max;
  std::vector<int32_t> exps(depth);
  for (size_t i = 0; i < depth; ++i) exps[i] = table[max - in[i]];
  return Normalize(exps, std::vector<bool>(depth, false), out);
}

}  // namespace mote::testing::tflite_ref

#endif  // MOTE_TESTS_UTIL_TFLITE_SOFTMAX_REFERENCE_H_
