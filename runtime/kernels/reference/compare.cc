#include "kernels/reference/compare.h"

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// f on two values of one ordered domain (real values or rescaled codes);
// `t1`, `t2` say whether each input is true (not 0) for the logical ones.
template <typename V>
bool Apply(CompareFunction f, V a, V b, bool t1, bool t2) {
  switch (f) {
    case CompareFunction::kEqual:
      return a == b;
    case CompareFunction::kLess:
      return a < b;
    case CompareFunction::kLessOrEqual:
      return a <= b;
    case CompareFunction::kGreater:
      return a > b;
    case CompareFunction::kGreaterOrEqual:
      return a >= b;
    case CompareFunction::kAnd:
      return t1 && t2;
    case CompareFunction::kOr:
      return t1 || t2;
    case CompareFunction::kXor:
      return t1 != t2;
  }
  return false;
}

int32_t Rescaled(int32_t offset_code, int left_shift, int32_t multiplier, int shift) {
  return MultiplyByQuantizedMultiplier(offset_code * (1 << left_shift), multiplier, shift);
}

template <typename T>
void CompareQuantized(CompareFunction f, const Broadcast& b, const QuantizedCompareParams& p,
                      const T* in1, const T* in2, T* out) {
  ForEachElement(b, [&](size_t o, size_t i1, size_t i2) {
    const int32_t a = in1[i1] + p.input1_offset;
    const int32_t c = in2[i2] + p.input2_offset;
    bool r;
    if (f >= CompareFunction::kAnd) {
      r = Apply<int32_t>(f, 0, 0, a != 0, c != 0);
    } else {
      r = Apply(f, Rescaled(a, p.left_shift, p.input1_multiplier, p.input1_shift),
                Rescaled(c, p.left_shift, p.input2_multiplier, p.input2_shift), false, false);
    }
    out[o] = static_cast<T>(r ? 1 : 0);
  });
}

}  // namespace

void CompareFloat(CompareFunction f, const Broadcast& b, const float* in1, const float* in2,
                  float* out) {
  ForEachElement(b, [&](size_t o, size_t i1, size_t i2) {
    const float a = in1[i1];
    const float c = in2[i2];
    out[o] = Apply(f, a, c, a != 0.0f, c != 0.0f) ? 1.0f : 0.0f;
  });
}

void CompareInt8(CompareFunction f, const Broadcast& b, const QuantizedCompareParams& p,
                 const int8_t* in1, const int8_t* in2, int8_t* out) {
  CompareQuantized(f, b, p, in1, in2, out);
}

void CompareInt16(CompareFunction f, const Broadcast& b, const QuantizedCompareParams& p,
                  const int16_t* in1, const int16_t* in2, int16_t* out) {
  CompareQuantized(f, b, p, in1, in2, out);
}

}  // namespace mote::reference
