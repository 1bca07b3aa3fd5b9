#include "kernels/reference/unary.h"

#include <stddef.h>

#include "kernels/reference/math.h"

namespace mote::reference {
namespace {

constexpr float kNoFraction = 8388608.0f;  // 2^23: every float this large is an integer

float Softplus(float x) {
  if (x > 20.0f) return x;  // ln(1 + e^x) = x within float precision
  if (x < -15.0f) return Exp(x);
  return Log1p(Exp(x));
}

// Toward zero, for |x| < 2^23.
float Truncated(float x) { return static_cast<float>(static_cast<int32_t>(x)); }

float Floor(float x) {
  if (!(x < kNoFraction && x > -kNoFraction) || x == 0.0f) return x;  // NaN, inf, +-0, integers
  const float t = Truncated(x);
  return t > x ? t - 1.0f : t;
}

float Ceil(float x) {
  if (!(x < kNoFraction && x > -kNoFraction) || x == 0.0f) return x;
  const float t = Truncated(x);
  return t < x ? t + 1.0f : t;
}

float Round(float x) {
  if (!(x < kNoFraction && x > -kNoFraction) || x == 0.0f) return x;
  const float t = Truncated(x);
  const float frac = x - t;  // exact
  const float away = x < 0.0f ? t - 1.0f : t + 1.0f;
  const float half = x < 0.0f ? -frac : frac;
  if (half > 0.5f) return away;
  if (half < 0.5f) return t;
  return static_cast<int32_t>(t) % 2 == 0 ? t : away;  // a tie: the even neighbour
}

}  // namespace

float UnaryValue(UnaryFunction f, float alpha, float beta, float x) {
  switch (f) {
    case UnaryFunction::kAbs:
      return x < 0.0f ? -x : (x == 0.0f ? 0.0f : x);
    case UnaryFunction::kNeg:
      return -x;
    case UnaryFunction::kExp:
      return Exp(x);
    case UnaryFunction::kLog:
      return Log(x);
    case UnaryFunction::kSqrt:
      return Sqrt(x);
    case UnaryFunction::kReciprocal:
      return 1.0f / x;
    case UnaryFunction::kElu:
      return x > 0.0f ? x : alpha * Expm1(x);
    case UnaryFunction::kSelu:
      return beta * (x > 0.0f ? x : alpha * Expm1(x));
    case UnaryFunction::kCelu: {
      const float neg = alpha * Expm1(x / alpha);
      return (x > 0.0f ? x : 0.0f) + (neg < 0.0f ? neg : 0.0f);
    }
    case UnaryFunction::kSoftplus:
      return Softplus(x);
    case UnaryFunction::kHardSigmoid: {
      const float y = alpha * x + beta;
      return y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y);
    }
    case UnaryFunction::kSilu:
      return x * Sigmoid(x);
    case UnaryFunction::kGelu:
      return 0.5f * x * (1.0f + Erf(x * 0.707106781f));
    case UnaryFunction::kGeluTanh:
      return 0.5f * x * (1.0f + Tanh(0.797884561f * (x + 0.044715f * x * x * x)));
    case UnaryFunction::kErf:
      return Erf(x);
    case UnaryFunction::kSoftsign:
      return x / (1.0f + (x < 0.0f ? -x : x));
    case UnaryFunction::kMish:
      return x * Tanh(Softplus(x));
    case UnaryFunction::kThresholdedRelu:
      return x > alpha ? x : 0.0f;
    case UnaryFunction::kFloor:
      return Floor(x);
    case UnaryFunction::kCeil:
      return Ceil(x);
    case UnaryFunction::kRound:
      return Round(x);
    case UnaryFunction::kSign:
      return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);
    case UnaryFunction::kTable:
      break;  // refused for float tensors at load
  }
  return x;
}

void UnaryFloat(UnaryFunction f, float alpha, float beta, std::span<const float> input,
                std::span<float> output) {
  for (size_t i = 0; i < input.size(); ++i) output[i] = UnaryValue(f, alpha, beta, input[i]);
}

}  // namespace mote::reference
