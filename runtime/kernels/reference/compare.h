// Compare: comparisons and logical functions of two tensors with numpy
// broadcasting (ONNX Equal, Less, LessOrEqual, Greater, GreaterOrEqual, And,
// Or, Xor). Booleans are carried in the activation type: the output is 1 or
// 0 (int8/int16: codes of scale 1, zero point 0); an input is true when its
// real value is not 0. Quantized comparisons rescale both inputs to a
// common scale as TFLite's comparison kernels do.
#ifndef MOTE_KERNELS_REFERENCE_COMPARE_H_
#define MOTE_KERNELS_REFERENCE_COMPARE_H_

#include <stdint.h>

#include "kernels/reference/broadcast.h"

namespace mote::reference {

// Values of schema::CompareFunction.
enum class CompareFunction : uint8_t {
  kEqual,
  kLess,
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
  kAnd,
  kOr,
  kXor,
  kLast = kXor,
};

struct QuantizedCompareParams {
  int32_t input1_offset;  // -zero point
  int32_t input2_offset;
  int left_shift;
  int32_t input1_multiplier;
  int input1_shift;
  int32_t input2_multiplier;
  int input2_shift;
};

void CompareFloat(CompareFunction f, const Broadcast& b, const float* in1, const float* in2,
                  float* out);
void CompareInt8(CompareFunction f, const Broadcast& b, const QuantizedCompareParams& p,
                 const int8_t* in1, const int8_t* in2, int8_t* out);
void CompareInt16(CompareFunction f, const Broadcast& b, const QuantizedCompareParams& p,
                  const int16_t* in1, const int16_t* in2, int16_t* out);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_COMPARE_H_
