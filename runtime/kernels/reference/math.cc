#include "kernels/reference/math.h"

#include <stdint.h>
#include <string.h>

namespace mote::reference {
namespace {

uint32_t BitsOf(float x) {
  uint32_t b;
  memcpy(&b, &x, sizeof(b));
  return b;
}

float FromBits(uint32_t b) {
  float x;
  memcpy(&x, &b, sizeof(x));
  return x;
}

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

float Expm1(float x) {
  const float a = x < 0.0f ? -x : x;
  if (!(a < 0.25f)) return Exp(x) - 1.0f;  // NaN too
  // Taylor series: e^x - 1 = x + x^2/2! + ... + x^8/8! (|x| < 1/4: error < 1e-10 relative).
  float p = 1.0f / 40320.0f;
  p = p * x + 1.0f / 5040.0f;
  p = p * x + 1.0f / 720.0f;
  p = p * x + 1.0f / 120.0f;
  p = p * x + 1.0f / 24.0f;
  p = p * x + 1.0f / 6.0f;
  p = p * x + 0.5f;
  return x + x * x * p;
}

float Log(float x) {
  if (x != x) return x;
  if (x < 0.0f) return FromBits(0x7fc00000u);  // NaN
  if (x == 0.0f) return -PowerOfTwo(127) * 2.0f;  // -inf
  if (x > 3.40282347e38f) return x;                 // +inf
  int e = 0;
  uint32_t bits = BitsOf(x);
  if ((bits >> 23) == 0) {  // subnormal: scale into the normal range
    bits = BitsOf(x * PowerOfTwo(23));
    e = -23;
  }
  e += static_cast<int>(bits >> 23) - 127;
  float m = FromBits((bits & 0x007fffffu) | 0x3f800000u);  // [1, 2)
  if (m > 1.41421356f) {
    m *= 0.5f;
    ++e;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: odd series to s^11.
  const float s = (m - 1.0f) / (m + 1.0f);
  const float s2 = s * s;
  float p = 1.0f / 11.0f;
  p = p * s2 + 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  const float log_m = 2.0f * s + 2.0f * s * s2 * p;
  // e ln2 with ln2 split in two (as Exp does) so that large e stays exact.
  const float ef = static_cast<float>(e);
  return ef * 0.693145751953125f + (ef * 1.42860677e-06f + log_m);
}

float Log1p(float x) {
  const float u = 1.0f + x;
  if (u == 1.0f) return x;  // |x| below half an ulp of 1
  if (!(u > 0.0f) || u > 3.40282347e38f) return Log(u);
  // Corrects the rounding of 1 + x (Goldberg): log(u) * x / (u - 1).
  return Log(u) * (x / (u - 1.0f));
}

float Sqrt(float x) {
  if (x != x || x == 0.0f || x > 3.40282347e38f) return x;  // NaN, +-0, +inf
  if (x < 0.0f) return FromBits(0x7fc00000u);                 // NaN
  float scale = 1.0f;
  if (x < 1.17549435e-38f) {  // subnormal: sqrt(x 2^24) = sqrt(x) 2^12
    x *= PowerOfTwo(24);
    scale = PowerOfTwo(-12);
  }
  // Halving the exponent gives a guess within 6%; Newton doubles the digits.
  float r = FromBits((BitsOf(x) >> 1) + 0x1fc00000u);
  for (int i = 0; i < 4; ++i) r = 0.5f * (r + x / r);
  // Newton from above ends within 1 ulp; step down while r^2 > x.
  for (int i = 0; i < 2; ++i) {
    const float below = FromBits(BitsOf(r) - 1);
    if (static_cast<double>(below) * below >= x) r = below;
  }
  return r * scale;
}

float Erf(float x) {
  if (x != x) return x;
  const float a = x < 0.0f ? -x : x;
  float y;
  if (a < 1.0f) {
    // Maclaurin series 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)) to n = 11.
    const float a2 = a * a;
    float term = a, sum = a;
    for (int n = 1; n <= 11; ++n) {
      term = -term * a2 / static_cast<float>(n);
      sum += term / static_cast<float>(2 * n + 1);
    }
    y = 1.12837917f * sum;
  } else if (a < 9.0f) {
    // Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
    const float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    y = 1.0f - p * t * Exp(-a * a);
  } else {
    y = 1.0f;
  }
  return x < 0.0f ? -y : y;
}

}  // namespace mote::reference
