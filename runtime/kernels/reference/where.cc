#include "kernels/reference/where.h"

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// Calls f(out_index, cond_index, x_index, y_index) in row-major order.
template <typename F>
void ForEachWhere(const WhereShape& s, F f) {
  size_t counter[kMaxRank] = {};
  size_t idx[3] = {};
  for (size_t o = 0; o < s.num_elements; ++o) {
    f(o, idx[0], idx[1], idx[2]);
    for (int d = s.rank - 1; d >= 0; --d) {
      for (int k = 0; k < 3; ++k) idx[k] += s.stride[k][d];
      if (++counter[d] < static_cast<size_t>(s.dims[d])) break;
      for (int k = 0; k < 3; ++k) idx[k] -= s.stride[k][d] * counter[d];
      counter[d] = 0;
    }
  }
}

template <typename T>
T Requantized(T q, int32_t zero_point, int32_t multiplier, int shift, int32_t output_zero_point) {
  if (multiplier == 0) return q;
  constexpr int32_t kMin = sizeof(T) == 1 ? INT8_MIN : INT16_MIN;
  constexpr int32_t kMax = sizeof(T) == 1 ? INT8_MAX : INT16_MAX;
  int32_t v = output_zero_point + MultiplyByQuantizedMultiplier(q - zero_point, multiplier, shift);
  v = v < kMin ? kMin : v > kMax ? kMax : v;
  return static_cast<T>(v);
}

template <typename T>
void WhereQuantized(const WhereShape& s, const QuantizedWhereParams& p, const T* cond, const T* x,
                    const T* y, T* out) {
  ForEachWhere(s, [&](size_t o, size_t ic, size_t ix, size_t iy) {
    out[o] =
        cond[ic] != p.cond_zero_point
            ? Requantized(x[ix], p.x_zero_point, p.x_multiplier, p.x_shift, p.output_zero_point)
            : Requantized(y[iy], p.y_zero_point, p.y_multiplier, p.y_shift, p.output_zero_point);
  });
}

}  // namespace

bool MakeWhereShape(std::span<const int32_t> cond, std::span<const int32_t> x,
                    std::span<const int32_t> y, std::span<const int32_t> out, WhereShape* s) {
  const std::span<const int32_t> ins[3] = {cond, x, y};
  const size_t rank = out.size();
  if (rank > static_cast<size_t>(kMaxRank)) return false;
  *s = WhereShape();
  s->rank = static_cast<int>(rank);
  s->num_elements = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] < 0) return false;
    s->dims[d] = out[d];
    s->num_elements *= static_cast<size_t>(out[d]);
  }
  for (size_t d = 0; d < rank; ++d) {  // numpy: each output dim is the largest input dim
    int32_t most = 1;
    for (int k = 0; k < 3; ++k) {
      const size_t at = d + ins[k].size();
      if (at >= rank && ins[k][at - rank] > most) most = ins[k][at - rank];
    }
    if (out[d] != most) return false;
  }
  for (int k = 0; k < 3; ++k) {
    if (ins[k].size() > rank) return false;
    const size_t pad = rank - ins[k].size();
    size_t stride = 1;
    for (size_t d = rank; d-- > pad;) {
      const int32_t dim = ins[k][d - pad];
      if (dim != out[d] && dim != 1) return false;
      s->stride[k][d] = dim == 1 ? 0 : stride;
      stride *= static_cast<size_t>(dim);
    }
  }
  return true;
}

void WhereFloat(const WhereShape& s, const float* cond, const float* x, const float* y,
                float* out) {
  ForEachWhere(s, [&](size_t o, size_t ic, size_t ix, size_t iy) {
    out[o] = cond[ic] != 0.0f ? x[ix] : y[iy];
  });
}

void WhereInt8(const WhereShape& s, const QuantizedWhereParams& p, const int8_t* cond,
               const int8_t* x, const int8_t* y, int8_t* out) {
  WhereQuantized(s, p, cond, x, y, out);
}

void WhereInt16(const WhereShape& s, const QuantizedWhereParams& p, const int16_t* cond,
                const int16_t* x, const int16_t* y, int16_t* out) {
  WhereQuantized(s, p, cond, x, y, out);
}

}  // namespace mote::reference
