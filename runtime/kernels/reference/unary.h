// Unary: one elementwise float function of one input (the Unary op's float
// path; quantized tensors use a lookup table instead, elementwise.h).
#ifndef MOTE_KERNELS_REFERENCE_UNARY_H_
#define MOTE_KERNELS_REFERENCE_UNARY_H_

#include <stdint.h>

#include <span>

namespace mote::reference {

// Same values as schema::UnaryFunction. alpha / beta as ONNX names them.
enum class UnaryFunction : uint8_t {
  kAbs,              // |x|
  kNeg,              // -x
  kExp,              // e^x
  kLog,              // ln x
  kSqrt,             // sqrt(x)
  kReciprocal,       // 1 / x
  kElu,              // x > 0 ? x : alpha (e^x - 1)
  kSelu,             // beta (x > 0 ? x : alpha (e^x - 1)); beta is ONNX's gamma
  kCelu,             // max(0, x) + min(0, alpha (e^(x / alpha) - 1))
  kSoftplus,         // ln(1 + e^x)
  kHardSigmoid,      // max(0, min(1, alpha x + beta))
  kSilu,             // x sigmoid(x)
  kGelu,             // x (1 + erf(x / sqrt 2)) / 2
  kGeluTanh,         // x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) / 2
  kErf,              // erf(x)
  kSoftsign,         // x / (1 + |x|)
  kMish,             // x tanh(ln(1 + e^x))
  kThresholdedRelu,  // x > alpha ? x : 0
  kFloor,
  kCeil,
  kRound,  // to nearest, ties to even
  kSign,   // -1, 0 or 1 (NaN stays NaN)
  kTable,  // tabulated by modelc: quantized tensors only (no float formula)
  kLast = kTable,
};

float UnaryValue(UnaryFunction f, float alpha, float beta, float x);
void UnaryFloat(UnaryFunction f, float alpha, float beta, std::span<const float> input,
                std::span<float> output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_UNARY_H_
