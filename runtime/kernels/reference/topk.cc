#include "kernels/reference/topk.h"

namespace mote::reference {
namespace {

// a > b in the total order: NaN above every number (NaN == NaN).
template <typename T>
bool Greater(T a, T b) {
  return a > b;
}
template <>
bool Greater(float a, float b) {
  const bool a_nan = a != a;
  const bool b_nan = b != b;
  if (a_nan || b_nan) return a_nan && !b_nan;
  return a > b;
}

// Element (a, i) is taken before (b, j): better value, or equal and lower
// index (higher with ties_to_last).
template <typename T>
bool Before(const TopKShape& s, T a, size_t i, T b, size_t j) {
  if (s.largest ? Greater(a, b) : Greater(b, a)) return true;
  if (s.largest ? Greater(b, a) : Greater(a, b)) return false;
  return s.ties_to_last ? i > j : i < j;  // equal values
}

}  // namespace

template <typename T>
void TopK(const TopKShape& s, const T* input, T* values, int64_t* indices) {
  for (size_t o = 0; o < s.outer; ++o) {
    for (size_t i = 0; i < s.inner; ++i) {
      const T* line = input + o * s.length * s.inner + i;
      const size_t out_base = o * s.k * s.inner + i;
      // Each pick is the first element (in the order) after the previous
      // pick, which is kept here (never read back from the outputs, which a
      // hostile file could overlap).
      size_t prev = 0;
      for (size_t j = 0; j < s.k; ++j) {
        size_t best = s.length;
        for (size_t n = 0; n < s.length; ++n) {
          const T v = line[n * s.inner];
          if (j > 0 && !Before(s, line[prev * s.inner], prev, v, n)) continue;
          if (best == s.length || Before(s, v, n, line[best * s.inner], best)) best = n;
        }
        // The order is total, so k <= length picks exist; an input a
        // hostile file overlaps with an output can change under the loop.
        if (best == s.length) best = 0;
        values[out_base + j * s.inner] = line[best * s.inner];
        indices[out_base + j * s.inner] = static_cast<int64_t>(best);
        prev = best;
      }
    }
  }
}

template void TopK<int8_t>(const TopKShape&, const int8_t*, int8_t*, int64_t*);
template void TopK<int16_t>(const TopKShape&, const int16_t*, int16_t*, int64_t*);
template void TopK<float>(const TopKShape&, const float*, float*, int64_t*);

}  // namespace mote::reference
