#include "quantize/fixed_point.h"

#include <cmath>

namespace mote::modelc {

Multiplier QuantizeMultiplier(double real, int min_shift, int max_shift) {
  Multiplier m;
  if (!(real > 0.0) || !std::isfinite(real)) return m;
  int shift = 0;
  const double q = std::frexp(real, &shift);  // real = q * 2^shift, q in [0.5, 1)
  int64_t fixed = static_cast<int64_t>(std::round(q * (int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < min_shift) return m;  // smaller than the smallest step: 0
  if (shift > max_shift) {
    shift = max_shift;
    fixed = (int64_t{1} << 31) - 1;
  }
  m.multiplier = static_cast<int32_t>(fixed);
  m.shift = shift;
  return m;
}

int64_t RoundClamp(double x, int64_t lo, int64_t hi) {
  if (std::isnan(x)) return 0 < lo ? lo : (0 > hi ? hi : 0);
  const double r = std::round(x);
  if (r < static_cast<double>(lo)) return lo;
  if (r > static_cast<double>(hi)) return hi;
  return static_cast<int64_t>(r);
}

}  // namespace mote::modelc
