#include "kernels/reference/batch_matmul.h"

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// Calls f(out_matrix, a_matrix, b_matrix) for every output batch index.
template <typename F>
void ForEachMatrix(const MatMulShape& s, F f) {
  size_t index[kMaxMatMulRank] = {};
  size_t total = 1;
  for (size_t d = 0; d < s.batch_rank; ++d) total *= s.out_batch[d];
  for (size_t o = 0; o < total; ++o) {
    size_t ai = 0, bi = 0;
    for (size_t d = 0; d < s.batch_rank; ++d) {
      ai += index[d] * s.a_stride[d];
      bi += index[d] * s.b_stride[d];
    }
    f(o, ai, bi);
    for (size_t d = s.batch_rank; d-- > 0;) {
      if (++index[d] < s.out_batch[d]) break;
      index[d] = 0;
    }
  }
}

// Element (kk, j) of a B matrix.
inline size_t BIndex(const MatMulShape& s, size_t kk, size_t j) {
  return s.transpose_b ? j * s.k + kk : kk * s.n + j;
}

template <typename T, typename Acc, typename Requantize>
void MatMulQuantized(const MatMulShape& s, const QuantizedMatMulParams& p, const T* a, const T* b,
                     T* out, Requantize requantize) {
  const size_t a_size = s.m * s.k, b_size = s.k * s.n, o_size = s.m * s.n;
  ForEachMatrix(s, [&](size_t o, size_t ai, size_t bi) {
    const T* am = a + ai * a_size;
    const T* bm = b + bi * b_size;
    T* om = out + o * o_size;
    for (size_t i = 0; i < s.m; ++i) {
      for (size_t j = 0; j < s.n; ++j) {
        Acc acc = 0;
        for (size_t kk = 0; kk < s.k; ++kk) {
          acc += static_cast<Acc>(static_cast<int32_t>(am[i * s.k + kk]) + p.a_offset) *
                 static_cast<Acc>(static_cast<int32_t>(bm[BIndex(s, kk, j)]) + p.b_offset);
        }
        const int32_t v = requantize(acc);
        om[i * s.n + j] = ClampTo<T>(SaturateToInt32(int64_t{v} + p.output_offset),
                                     p.activation_min, p.activation_max);
      }
    }
  });
}

}  // namespace

bool MakeMatMulShape(const int32_t* a, const int32_t* b, const int32_t* out, size_t rank,
                     bool transpose_b, MatMulShape* s) {
  if (rank < 2 || rank > kMaxMatMulRank) return false;
  for (size_t d = 0; d < rank; ++d) {
    if (a[d] <= 0 || b[d] <= 0 || out[d] <= 0) return false;
  }
  s->batch_rank = rank - 2;
  s->m = static_cast<size_t>(a[rank - 2]);
  s->k = static_cast<size_t>(a[rank - 1]);
  s->n = static_cast<size_t>(transpose_b ? b[rank - 2] : b[rank - 1]);
  s->transpose_b = transpose_b;
  const size_t b_k = static_cast<size_t>(transpose_b ? b[rank - 1] : b[rank - 2]);
  if (b_k != s->k || static_cast<size_t>(out[rank - 2]) != s->m ||
      static_cast<size_t>(out[rank - 1]) != s->n) {
    return false;
  }
  size_t a_step = 1, b_step = 1;
  for (size_t d = s->batch_rank; d-- > 0;) {
    if ((a[d] != out[d] && a[d] != 1) || (b[d] != out[d] && b[d] != 1)) return false;
    s->out_batch[d] = static_cast<size_t>(out[d]);
    s->a_stride[d] = a[d] == 1 ? 0 : a_step;
    s->b_stride[d] = b[d] == 1 ? 0 : b_step;
    a_step *= static_cast<size_t>(a[d]);
    b_step *= static_cast<size_t>(b[d]);
  }
  return true;
}

void BatchMatMulInt8(const MatMulShape& s, const QuantizedMatMulParams& p, const int8_t* a,
                     const int8_t* b, int8_t* out) {
  MatMulQuantized<int8_t, int32_t>(s, p, a, b, out, [&](int32_t acc) {
    return MultiplyByQuantizedMultiplier(acc, p.multiplier, p.shift);
  });
}

void BatchMatMulInt16(const MatMulShape& s, const QuantizedMatMulParams& p, const int16_t* a,
                      const int16_t* b, int16_t* out) {
  MatMulQuantized<int16_t, int64_t>(s, p, a, b, out, [&](int64_t acc) {
    return MultiplyByQuantizedMultiplier64(acc, p.multiplier, p.shift);
  });
}

void BatchMatMulFloat(const MatMulShape& s, float activation_min, float activation_max,
                      const float* a, const float* b, float* out) {
  const size_t a_size = s.m * s.k, b_size = s.k * s.n, o_size = s.m * s.n;
  ForEachMatrix(s, [&](size_t o, size_t ai, size_t bi) {
    const float* am = a + ai * a_size;
    const float* bm = b + bi * b_size;
    float* om = out + o * o_size;
    for (size_t i = 0; i < s.m; ++i) {
      for (size_t j = 0; j < s.n; ++j) {
        float acc = 0.0f;
        for (size_t kk = 0; kk < s.k; ++kk) acc += am[i * s.k + kk] * bm[BIndex(s, kk, j)];
        if (acc < activation_min) acc = activation_min;  // NaN stays NaN
        if (acc > activation_max) acc = activation_max;
        om[i * s.n + j] = acc;
      }
    }
  });
}

}  // namespace mote::reference
