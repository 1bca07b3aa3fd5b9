#include "kernels/reference/softmax.h"

#include "kernels/reference/math.h"
#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// round(e * one / sum), saturated to one - 1 (the largest representable).
uint32_t Normalize(uint32_t e, uint32_t sum, uint32_t one) {
  const uint64_t q = (uint64_t{e} * one + sum / 2) / sum;
  return q >= one ? one - 1 : static_cast<uint32_t>(q);
}

// max - x as a table index. x never exceeds the row's max in a valid model,
// but a hostile file may overlap the output with the input, so a value read
// again after earlier outputs were written may: the index stays in the table.
inline uint32_t Below(int32_t max, int32_t x) {
  return x < max ? static_cast<uint32_t>(max - x) : 0;
}

int32_t InterpolateExp(const int32_t* table, uint32_t d) {
  const uint32_t base = d >> 7;
  const int32_t frac = static_cast<int32_t>(d & 127u);
  const int32_t a = table[base];
  const int32_t b = table[base + 1];
  return a + (((b - a) * frac + 64) >> 7);
}

// TFLite's kAccumulationIntegerBits: format 1 sums exps as Q12.
constexpr int kSumIntegerBits = 12;

// gemmlowp's fixed-point helpers for the format-1 int8 kernel. A Qm value
// has m integer bits and 31 - m fractional bits in an int32; multiplying a Qm
// and a Qn value is SaturatingRoundingDoublingHighMul and gives a Q(m+n).

// Leading zero bits of x (32 for 0); portable, no compiler builtin.
int CountLeadingZeros(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  for (int step = 16; step > 0; step >>= 1) {
    if (x < (uint32_t{1} << (32 - step))) {
      n += step;
      x <<= step;
    }
  }
  return n;
}

// x * 2^exponent saturated to int32, exponent in [1, 30]
// (SaturatingRoundingMultiplyByPOT with a positive exponent).
int32_t SaturatingShiftLeft(int32_t x, int exponent) {
  const int32_t limit = INT32_MAX >> exponent;
  if (x > limit) return INT32_MAX;
  if (x < -limit) return INT32_MIN;
  return x * (int32_t{1} << exponent);
}

// (a + b) / 2 rounded half away from zero.
int32_t RoundingHalfSum(int32_t a, int32_t b) {
  const int64_t sum = int64_t{a} + b;
  return static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// 1 / (1 + a) for a Q0 value a in [0, 1): Newton-Raphson on d = (1 + a) / 2
// in Q2 from the estimate 48/17 - 32/17 d, three steps, then 1/(2d) as Q0
// (1.0 saturates to 2^31 - 1). For a in [0, 1) no sum below overflows.
int32_t OneOverOnePlusX(int32_t a) {
  constexpr int32_t kOneQ2 = int32_t{1} << 29;
  constexpr int32_t k48Over17Q2 = 1515870810;        // round(48/17 * 2^29)
  constexpr int32_t kMinus32Over17Q2 = -1010580540;  // round(-32/17 * 2^29)
  const int32_t half_denominator = RoundingHalfSum(a, INT32_MAX);
  int32_t x = k48Over17Q2 + SaturatingRoundingDoublingHighMul(half_denominator, kMinus32Over17Q2);
  for (int i = 0; i < 3; ++i) {
    const int32_t error = kOneQ2 - SaturatingRoundingDoublingHighMul(half_denominator, x);
    x += SaturatingShiftLeft(SaturatingRoundingDoublingHighMul(x, error), 2);  // Q4 -> Q2
  }
  return SaturatingShiftLeft(x, 1);  // x / 2 in Q1 read as Q0
}

}  // namespace

void SoftmaxFloat(size_t rows, size_t depth, float beta, const float* input, float* output) {
  for (size_t r = 0; r < rows; ++r) {
    const float* in = input + r * depth;
    float* out = output + r * depth;
    float max = in[0];
    for (size_t i = 1; i < depth; ++i) max = in[i] > max ? in[i] : max;
    float sum = 0.0f;
    for (size_t i = 0; i < depth; ++i) {
      out[i] = Exp((in[i] - max) * beta);
      sum += out[i];
    }
    for (size_t i = 0; i < depth; ++i) out[i] = out[i] / sum;
  }
}

void SoftmaxInt8(size_t rows, size_t depth, const int32_t* exp_table, const int8_t* input,
                 int8_t* output) {
  for (size_t r = 0; r < rows; ++r) {
    const int8_t* in = input + r * depth;
    int8_t* out = output + r * depth;
    int32_t max = in[0];
    for (size_t i = 1; i < depth; ++i) max = in[i] > max ? in[i] : max;
    uint32_t sum = 0;
    for (size_t i = 0; i < depth; ++i) sum += static_cast<uint32_t>(exp_table[Below(max, in[i])]);
    // Every output reads its own input only, so this may run in place.
    for (size_t i = 0; i < depth; ++i) {
      const uint32_t e = static_cast<uint32_t>(exp_table[Below(max, in[i])]);
      out[i] = static_cast<int8_t>(static_cast<int32_t>(Normalize(e, sum, 256)) - 128);
    }
  }
}

int32_t SoftmaxInt8TfliteReciprocal(int32_t sum, int* bits_over_unit) {
  const uint32_t usum = static_cast<uint32_t>(sum);
  const int headroom_plus_one = CountLeadingZeros(usum);
  *bits_over_unit = kSumIntegerBits - headroom_plus_one;
  // The sum scaled into [1, 2), minus 1, as Q0; its reciprocal is in (1/2, 1].
  return OneOverOnePlusX(static_cast<int32_t>((usum << headroom_plus_one) - (uint32_t{1} << 31)));
}

void SoftmaxInt8Tflite(size_t rows, size_t depth, const int32_t* exp_table, const int8_t* input,
                       int8_t* output) {
  // From a sum of 512.0 (Q12 raw 2^28) the shift below exceeds 31 (TFLite
  // aborts); the exact quotient then rounds to 0 for every entry.
  constexpr int64_t kSumLimit = int64_t{1} << 28;
  for (size_t r = 0; r < rows; ++r) {
    const int8_t* in = input + r * depth;
    int8_t* out = output + r * depth;
    int32_t max = in[0];
    for (size_t i = 1; i < depth; ++i) max = in[i] > max ? in[i] : max;
    // Each term is at most 2^19, so 64 bits hold any depth; gemmlowp's int32
    // sum is the same wherever TFLite's result is defined (below kSumLimit).
    int64_t sum = 0;
    for (size_t i = 0; i < depth; ++i) {
      sum += RoundingDivideByPOT(exp_table[Below(max, in[i])], kSumIntegerBits);
    }
    if (sum >= kSumLimit) {
      for (size_t i = 0; i < depth; ++i) out[i] = -128;
      continue;
    }
    // exp_table[0] is exp(0), so sum >= 2^19 (1.0): the shift is in [23, 31].
    int bits_over_unit = 0;
    const int32_t reciprocal =
        SoftmaxInt8TfliteReciprocal(static_cast<int32_t>(sum), &bits_over_unit);
    const int shift = bits_over_unit + 31 - 8;
    // Every output reads its own input only, so this may run in place.
    for (size_t i = 0; i < depth; ++i) {
      const int32_t p = RoundingDivideByPOT(
          SaturatingRoundingDoublingHighMul(reciprocal, exp_table[Below(max, in[i])]), shift);
      out[i] = ClampTo<int8_t>(p - 128, -128, 127);
    }
  }
}

void SoftmaxInt16(size_t rows, size_t depth, const int32_t* exp_table, const int16_t* input,
                  int16_t* output) {
  for (size_t r = 0; r < rows; ++r) {
    const int16_t* in = input + r * depth;
    int16_t* out = output + r * depth;
    int32_t max = in[0];
    for (size_t i = 1; i < depth; ++i) max = in[i] > max ? in[i] : max;
    uint32_t sum = 0;
    for (size_t i = 0; i < depth; ++i) {
      sum += static_cast<uint32_t>(InterpolateExp(exp_table, Below(max, in[i])));
    }
    for (size_t i = 0; i < depth; ++i) {
      const uint32_t e = static_cast<uint32_t>(InterpolateExp(exp_table, Below(max, in[i])));
      out[i] = static_cast<int16_t>(Normalize(e, sum, 32768));
    }
  }
}

}  // namespace mote::reference
