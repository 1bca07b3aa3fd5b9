#include "kernels/cortex_m_dsp/batch_matmul.h"

#include "kernels/cortex_m_dsp/dot.h"
#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/simd.h"

namespace mote::cortex_m_dsp {
namespace {

using reference::MatMulShape;
using reference::QuantizedMatMulParams;

// Calls f(out_matrix, a_matrix, b_matrix) for every output batch index (as
// the reference walks them).
template <typename F>
void ForEachMatrix(const MatMulShape& s, F f) {
  size_t index[reference::kMaxMatMulRank] = {};
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

// (lo16(lo), lo16(hi)) and (hi16(lo), hi16(hi)): PKHBT / PKHTB.
inline int32_t PackLow(int32_t lo, int32_t hi) {
  int32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
  return r;
}
inline int32_t PackHigh(int32_t lo, int32_t hi) {
  int32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
  return r;
}

inline int32_t Wrap(uint32_t v) { return static_cast<int32_t>(v); }

int8_t Requantize(const QuantizedMatMulParams& p, int32_t acc) {
  return RequantizeInt8(acc, p.multiplier, p.shift, p.output_offset, p.activation_min,
                        p.activation_max);
}

// One A row times B^T rows ([N, K]): Dot4 per four columns, B's offset folded
// out through the row's sum.
void RowTransposedInt8(const MatMulShape& s, const QuantizedMatMulParams& p, const int8_t* ar,
                       const int8_t* bm, int8_t* out) {
  const size_t k = s.k;
  const int32_t oa = p.a_offset, oa2 = OffsetPair(oa);
  uint32_t sum = static_cast<uint32_t>(oa) * static_cast<uint32_t>(k);
  for (size_t kk = 0; kk < k; ++kk) sum += static_cast<uint32_t>(ar[kk]);
  const uint32_t fold = sum * static_cast<uint32_t>(p.b_offset);
  size_t j = 0;
  for (; j + 4 <= s.n; j += 4) {
    int32_t acc[4] = {0, 0, 0, 0};
    Dot4(ar, bm + j * k, k, k, oa, oa2, acc);
    for (int r = 0; r < 4; ++r) out[j + r] = Requantize(p, Wrap(acc[r] + fold));
  }
  for (; j < s.n; ++j) {
    const int32_t acc = Dot1(ar, bm + j * k, k, oa, oa2, 0);
    out[j] = Requantize(p, Wrap(acc + fold));
  }
}

// One A row times B ([K, N]): four columns per pass, four depths per step.
// Even depths pair with A's (a0, a2), odd ones with (a1, a3); the B words of
// depths 0 and 2 (and 1 and 3) are unpacked to (b[j], b[j + 2]) and
// (b[j + 1], b[j + 3]) halves and regrouped per column.
void RowPlainInt8(const MatMulShape& s, const QuantizedMatMulParams& p, const int8_t* ar,
                  const int8_t* bm, int8_t* out) {
  const size_t k = s.k, n = s.n;
  const int32_t oa = p.a_offset, ob = p.b_offset;
  const int32_t oa2 = OffsetPair(oa), ob2 = OffsetPair(ob);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    const int8_t* x = ar;
    const int8_t* bp = bm + j;
    for (size_t blocks = k >> 2; blocks != 0; --blocks) {
      const int32_t xw = LoadInt8x4(x);
      x += 4;
      const int32_t xe = SignExtendEvenAdd(oa2, xw), xo = SignExtendOddAdd(oa2, xw);
      const int32_t w0 = LoadInt8x4(bp), w2 = LoadInt8x4(bp + 2 * n);
      int32_t lo = SignExtendEvenAdd(ob2, w0), hi = SignExtendEvenAdd(ob2, w2);
      c0 = __smlad(xe, PackLow(lo, hi), c0);
      c2 = __smlad(xe, PackHigh(lo, hi), c2);
      lo = SignExtendOddAdd(ob2, w0);
      hi = SignExtendOddAdd(ob2, w2);
      c1 = __smlad(xe, PackLow(lo, hi), c1);
      c3 = __smlad(xe, PackHigh(lo, hi), c3);
      const int32_t w1 = LoadInt8x4(bp + n), w3 = LoadInt8x4(bp + 3 * n);
      bp += 4 * n;
      lo = SignExtendEvenAdd(ob2, w1);
      hi = SignExtendEvenAdd(ob2, w3);
      c0 = __smlad(xo, PackLow(lo, hi), c0);
      c2 = __smlad(xo, PackHigh(lo, hi), c2);
      lo = SignExtendOddAdd(ob2, w1);
      hi = SignExtendOddAdd(ob2, w3);
      c1 = __smlad(xo, PackLow(lo, hi), c1);
      c3 = __smlad(xo, PackHigh(lo, hi), c3);
    }
    for (size_t r = 0; r < (k & 3); ++r) {
      const int32_t xv = x[r] + oa;
      const int8_t* br = bp + r * n;
      c0 += xv * (br[0] + ob);
      c1 += xv * (br[1] + ob);
      c2 += xv * (br[2] + ob);
      c3 += xv * (br[3] + ob);
    }
    out[j] = Requantize(p, c0);
    out[j + 1] = Requantize(p, c1);
    out[j + 2] = Requantize(p, c2);
    out[j + 3] = Requantize(p, c3);
  }
  for (; j < n; ++j) {
    int32_t acc = 0;
    for (size_t kk = 0; kk < k; ++kk) acc += (ar[kk] + oa) * (bm[kk * n + j] + ob);
    out[j] = Requantize(p, acc);
  }
}

inline int32_t LoadInt16x2(const int16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

int16_t RequantizeInt16(const QuantizedMatMulParams& p, int64_t acc) {
  const int32_t v = reference::MultiplyByQuantizedMultiplier64(acc, p.multiplier, p.shift);
  return reference::ClampTo<int16_t>(reference::SaturateToInt32(int64_t{v} + p.output_offset),
                                     p.activation_min, p.activation_max);
}

// int16 offsets are zero (symmetric, checked at load): plain SMLALD pairs.
void RowTransposedInt16(const MatMulShape& s, const QuantizedMatMulParams& p, const int16_t* ar,
                        const int16_t* bm, int16_t* out) {
  const size_t k = s.k;
  size_t j = 0;
  for (; j + 2 <= s.n; j += 2) {
    const int16_t* b0 = bm + j * k;
    const int16_t* b1 = b0 + k;
    int64_t c0 = 0, c1 = 0;
    for (size_t kk = 0; kk + 2 <= k; kk += 2) {
      const int32_t x = LoadInt16x2(ar + kk);
      c0 = __smlald(x, LoadInt16x2(b0 + kk), c0);
      c1 = __smlald(x, LoadInt16x2(b1 + kk), c1);
    }
    int64_t a0 = c0, a1 = c1;
    if (k & 1) {
      a0 += int32_t{ar[k - 1]} * b0[k - 1];
      a1 += int32_t{ar[k - 1]} * b1[k - 1];
    }
    out[j] = RequantizeInt16(p, a0);
    out[j + 1] = RequantizeInt16(p, a1);
  }
  if (j < s.n) {
    const int16_t* b0 = bm + j * k;
    int64_t acc = 0;
    for (size_t kk = 0; kk < k; ++kk) acc += int32_t{ar[kk]} * b0[kk];
    out[j] = RequantizeInt16(p, acc);
  }
}

// Two columns per pass, two depths per step: the B words of depths 0 and 1
// regrouped per column.
void RowPlainInt16(const MatMulShape& s, const QuantizedMatMulParams& p, const int16_t* ar,
                   const int16_t* bm, int16_t* out) {
  const size_t k = s.k, n = s.n;
  size_t j = 0;
  for (; j + 2 <= n; j += 2) {
    const int16_t* bp = bm + j;
    int64_t c0 = 0, c1 = 0;
    size_t kk = 0;
    for (; kk + 2 <= k; kk += 2) {
      const int32_t x = LoadInt16x2(ar + kk);
      const int32_t w0 = LoadInt16x2(bp), w1 = LoadInt16x2(bp + n);
      bp += 2 * n;
      c0 = __smlald(x, PackLow(w0, w1), c0);
      c1 = __smlald(x, PackHigh(w0, w1), c1);
    }
    int64_t a0 = c0, a1 = c1;
    if (kk < k) {
      a0 += int32_t{ar[kk]} * bp[0];
      a1 += int32_t{ar[kk]} * bp[1];
    }
    out[j] = RequantizeInt16(p, a0);
    out[j + 1] = RequantizeInt16(p, a1);
  }
  if (j < n) {
    int64_t acc = 0;
    for (size_t kk = 0; kk < k; ++kk) acc += int32_t{ar[kk]} * bm[kk * n + j];
    out[j] = RequantizeInt16(p, acc);
  }
}

template <typename T, typename Row>
void MatMul(const MatMulShape& s, const QuantizedMatMulParams& p, const T* a, const T* b, T* out,
            Row row) {
  const size_t a_size = s.m * s.k, b_size = s.k * s.n, o_size = s.m * s.n;
  ForEachMatrix(s, [&](size_t o, size_t ai, size_t bi) {
    const T* am = a + ai * a_size;
    const T* bm = b + bi * b_size;
    T* om = out + o * o_size;
    for (size_t i = 0; i < s.m; ++i) row(s, p, am + i * s.k, bm, om + i * s.n);
  });
}

}  // namespace

void BatchMatMulInt8(const MatMulShape& s, const QuantizedMatMulParams& p, const int8_t* a,
                     const int8_t* b, int8_t* out) {
  if (s.transpose_b) {
    MatMul(s, p, a, b, out, RowTransposedInt8);
  } else {
    MatMul(s, p, a, b, out, RowPlainInt8);
  }
}

void BatchMatMulInt16(const MatMulShape& s, const QuantizedMatMulParams& p, const int16_t* a,
                      const int16_t* b, int16_t* out) {
  if (s.transpose_b) {
    MatMul(s, p, a, b, out, RowTransposedInt16);
  } else {
    MatMul(s, p, a, b, out, RowPlainInt16);
  }
}

}  // namespace mote::cortex_m_dsp
