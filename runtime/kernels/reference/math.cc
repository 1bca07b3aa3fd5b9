#include "kernels/reference/math.h"

#include <stdint.h>
#include <string.h>

namespace mote::reference {
namespace {

float PowerOfTwo(int k) {  // 2^k for k in [-126, 127]
  const uint32_t bits = static_cast<uint32_t>(k + 127) << 23;
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

}  // namespace

float Exp(float x) {
  if (x != x) return x;
  if (x > 88.72283f) return PowerOfTwo(127) * 2.0f;  // +inf
  if (x < -103.97208f) return 0.0f;
  // x = k ln2 + r with |r| <= ln2 / 2; ln2 split in two for an exact k ln2.
  const float t = x * 1.44269504f;
  const int k = static_cast<int>(t < 0.0f ? t - 0.5f : t + 0.5f);
  const float kf = static_cast<float>(k);
  float r = x - kf * 0.693145751953125f;
  r = r - kf * 1.42860677e-06f;
  // Taylor polynomial to degree 7 in Horner form.
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  if (k > 127) return p * PowerOfTwo(127) * PowerOfTwo(k - 127);
  if (k < -126) return p * PowerOfTwo(k + 64) * PowerOfTwo(-64);
  return p * PowerOfTwo(k);
}

float Sigmoid(float x) { return 1.0f / (1.0f + Exp(-x)); }

float Tanh(float x) {
  if (x != x) return x;
  const float a = x < 0.0f ? -x : x;
  if (a < 2.44140625e-4f) return x;  // tanh(x) = x within float precision
  if (a > 9.1f) return x < 0.0f ? -1.0f : 1.0f;
  if (a < 0.125f) {  // odd Taylor series: 1 - e^(-2a) would cancel here
    const float x2 = x * x;
    float p = 62.0f / 2835.0f;
    p = p * x2 - 17.0f / 315.0f;
    p = p * x2 + 2.0f / 15.0f;
    p = p * x2 - 1.0f / 3.0f;
    return x + x * x2 * p;
  }
  const float e = Exp(-2.0f * a);
  const float t = (1.0f - e) / (1.0f + e);
  return x < 0.0f ? -t : t;
}

}  // namespace mote::reference
