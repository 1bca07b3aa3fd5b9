#include "kernels/cortex_m_dsp/batch_matmul.h"

#include "kernels/cortex_m_dsp/dot.h"
#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/rescale64.h"
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
__attribute__((noinline)) void RowTransposedInt8(const MatMulShape& s,
                                                 const QuantizedMatMulParams& p, const int8_t* ar,
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
__attribute__((noinline)) void RowPlainInt8(const MatMulShape& s, const QuantizedMatMulParams& p,
                                            const int8_t* ar, const int8_t* bm, int8_t* out) {
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

// ---- int8, K <= kTileDepth: four columns of B packed once per matrix ----
//
// Tile layout: per block of four depths d0..d3 and column c, the int16 words
// (b(d0, c) + ob, b(d2, c) + ob) and (b(d1, c) + ob, b(d3, c) + ob): the
// lanes SXTAB16 gives A's word, so one SMLAD pair per column and block; the
// K % 4 last depths follow as plain int16 per column. Columns past N are 0.
// Packed once per four columns and reused by every row of A, so each row pays
// only for widening its own word (on the stack: 4 K int16, bounded).
constexpr size_t kTileDepth = 64;
constexpr size_t kTileWords = 2 * kTileDepth + 6;  // blocks, then 4 x 3 tail int16

struct OutputStep {
  int32_t multiplier, offset, lo, hi;
  int e;      // -shift
  bool fast;  // shift < 0 and every |acc| < 2^30: ShortScale alone
  bool full_range;
};

// |acc| <= K 255^2 < 2^30 for K <= 16512: the short path needs no test per output.
OutputStep MakeOutputStep(const QuantizedMatMulParams& p, size_t k) {
  return {p.multiplier,
          p.output_offset,
          p.activation_min,
          p.activation_max,
          -p.shift,
          p.shift < 0 && k <= 16512,
          p.activation_min == -128 && p.activation_max == 127};
}

inline int8_t Output(const OutputStep& o, const QuantizedMatMulParams& p, int32_t acc) {
  if (!o.fast) return Requantize(p, acc);
  int32_t v = ShortScale(acc, o.multiplier, o.e) + o.offset;
  if (o.full_range) return static_cast<int8_t>(SaturateInt8(v));
  if (v < o.lo) v = o.lo;
  if (v > o.hi) v = o.hi;
  return static_cast<int8_t>(v);
}

// Packs columns [j, j + 4) of B (those below N) into `tile`.
void PackTile(const MatMulShape& s, int32_t ob, const int8_t* bm, size_t j, int32_t* tile) {
  const size_t k = s.k, blocks = k >> 2, tail = k & 3;
  int16_t* t = reinterpret_cast<int16_t*>(tile);
  int16_t* tail_out = t + 16 * blocks;
  const bool full = j + 4 <= s.n;
  const int32_t ob2 = OffsetPair(ob);
  // Four whole columns: the blocks by words, unpacked as they are stored.
  if (full && s.transpose_b) {
    const int8_t* col = bm + j * k;
    for (size_t kb = 0; kb < blocks; ++kb) {
      for (size_t c = 0; c < 4; ++c) {
        const int32_t v = LoadInt8x4(col + c * k + 4 * kb);
        tile[8 * kb + 2 * c] = SignExtendEvenAdd(ob2, v);
        tile[8 * kb + 2 * c + 1] = SignExtendOddAdd(ob2, v);
      }
    }
  } else if (full) {
    // Rows d0..d3 hold (b(d, j) .. b(d, j + 3)); the halves of d0 and d2 (d1
    // and d3) regrouped per column.
    const size_t n = s.n;
    const int8_t* row = bm + j;
    for (size_t kb = 0; kb < blocks; ++kb, row += 4 * n) {
      int32_t* w = tile + 8 * kb;
      for (size_t half = 0; half < 2; ++half) {  // depths (0, 2), then (1, 3)
        const int32_t lo = LoadInt8x4(row + half * n), hi = LoadInt8x4(row + (half + 2) * n);
        const int32_t lo_e = SignExtendEvenAdd(ob2, lo), hi_e = SignExtendEvenAdd(ob2, hi);
        const int32_t lo_o = SignExtendOddAdd(ob2, lo), hi_o = SignExtendOddAdd(ob2, hi);
        w[0 + half] = PackLow(lo_e, hi_e);   // column j
        w[4 + half] = PackHigh(lo_e, hi_e);  // column j + 2
        w[2 + half] = PackLow(lo_o, hi_o);   // column j + 1
        w[6 + half] = PackHigh(lo_o, hi_o);  // column j + 3
      }
    }
  }
  for (size_t c = 0; c < 4; ++c) {
    const size_t col = j + c;
    const bool valid = col < s.n;
    // b(kk, col) at bm[kk * step + base].
    const size_t step = s.transpose_b ? 1 : s.n, base = s.transpose_b ? col * k : col;
    auto value = [&](size_t kk) -> int16_t {
      return valid ? static_cast<int16_t>(bm[kk * step + base] + ob) : 0;
    };
    for (size_t kb = 0; kb < blocks && !full; ++kb) {
      int16_t* w = t + 16 * kb + 4 * c;
      const size_t kk = 4 * kb;
      w[0] = value(kk);
      w[1] = value(kk + 2);
      w[2] = value(kk + 1);
      w[3] = value(kk + 3);
    }
    for (size_t r = 0; r < tail; ++r) tail_out[3 * c + r] = value(4 * blocks + r);
  }
}

// acc[c] = sum_kk (a[kk] + oa) tile(kk, c), c < 4.
void DotTile(const int8_t* a, const int32_t* tile, size_t k, int32_t oa, int32_t oa2,
             int32_t* acc) {
  int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  const size_t blocks = k >> 2;
  const int32_t* t = tile;
  for (size_t kb = blocks; kb != 0; --kb) {
    const int32_t aw = LoadInt8x4(a);
    a += 4;
    const int32_t ae = SignExtendEvenAdd(oa2, aw), ao = SignExtendOddAdd(oa2, aw);
    c0 = __smlad(ae, t[0], c0);
    c0 = __smlad(ao, t[1], c0);
    c1 = __smlad(ae, t[2], c1);
    c1 = __smlad(ao, t[3], c1);
    c2 = __smlad(ae, t[4], c2);
    c2 = __smlad(ao, t[5], c2);
    c3 = __smlad(ae, t[6], c3);
    c3 = __smlad(ao, t[7], c3);
    t += 8;
  }
  const int16_t* tail = reinterpret_cast<const int16_t*>(tile + 8 * blocks);
  for (size_t r = 0; r < (k & 3); ++r) {
    const int32_t x = a[r] + oa;
    c0 += x * tail[r];
    c1 += x * tail[3 + r];
    c2 += x * tail[6 + r];
    c3 += x * tail[9 + r];
  }
  acc[0] = c0;
  acc[1] = c1;
  acc[2] = c2;
  acc[3] = c3;
}

void MatrixTiledInt8(const MatMulShape& s, const QuantizedMatMulParams& p, const int8_t* am,
                     const int8_t* bm, int8_t* om) {
  alignas(4) int32_t tile[kTileWords];
  const OutputStep step = MakeOutputStep(p, s.k);
  const int32_t oa = p.a_offset, oa2 = OffsetPair(oa);
  for (size_t j = 0; j < s.n; j += 4) {
    PackTile(s, p.b_offset, bm, j, tile);
    const size_t columns = s.n - j < 4 ? s.n - j : 4;
    for (size_t i = 0; i < s.m; ++i) {
      int32_t acc[4];
      DotTile(am + i * s.k, tile, s.k, oa, oa2, acc);
      int8_t* out = om + i * s.n + j;
      if (columns == 4) {
        out[0] = Output(step, p, acc[0]);
        out[1] = Output(step, p, acc[1]);
        out[2] = Output(step, p, acc[2]);
        out[3] = Output(step, p, acc[3]);
      } else {
        for (size_t c = 0; c < columns; ++c) out[c] = Output(step, p, acc[c]);
      }
    }
  }
}

inline int32_t LoadInt16x2(const int16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

int16_t RequantizeInt16(const QuantizedMatMulParams& p, int64_t acc) {
  const int32_t v = Rescale64(acc, p.multiplier, p.shift);
  return reference::ClampTo<int16_t>(reference::SaturateToInt32(int64_t{v} + p.output_offset),
                                     p.activation_min, p.activation_max);
}

// int16 offsets are zero (symmetric, checked at load): plain SMLALD pairs.
__attribute__((noinline)) void RowTransposedInt16(const MatMulShape& s,
                                                  const QuantizedMatMulParams& p, const int16_t* ar,
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
__attribute__((noinline)) void RowPlainInt16(const MatMulShape& s, const QuantizedMatMulParams& p,
                                             const int16_t* ar, const int16_t* bm, int16_t* out) {
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

// `row` a lambda calling a row kernel by name: no indirect call, which the
// stack analysis (targets/cortex-m/tools/stack_report.py) would refuse. The
// row kernels stay out of line : inlined into this loop, the int16
// ones ran 16% slower (registers).
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
  if (s.k <= kTileDepth) {
    const size_t a_size = s.m * s.k, b_size = s.k * s.n, o_size = s.m * s.n;
    ForEachMatrix(s, [&](size_t o, size_t ai, size_t bi) {
      MatrixTiledInt8(s, p, a + ai * a_size, b + bi * b_size, out + o * o_size);
    });
  } else if (s.transpose_b) {
    MatMul(s, p, a, b, out,
           [](const MatMulShape& shape, const QuantizedMatMulParams& params, const int8_t* ar,
              const int8_t* bm, int8_t* om) { RowTransposedInt8(shape, params, ar, bm, om); });
  } else {
    MatMul(s, p, a, b, out,
           [](const MatMulShape& shape, const QuantizedMatMulParams& params, const int8_t* ar,
              const int8_t* bm, int8_t* om) { RowPlainInt8(shape, params, ar, bm, om); });
  }
}

void BatchMatMulInt16(const MatMulShape& s, const QuantizedMatMulParams& p, const int16_t* a,
                      const int16_t* b, int16_t* out) {
  if (s.transpose_b) {
    MatMul(s, p, a, b, out,
           [](const MatMulShape& shape, const QuantizedMatMulParams& params, const int16_t* ar,
              const int16_t* bm, int16_t* om) { RowTransposedInt16(shape, params, ar, bm, om); });
  } else {
    MatMul(s, p, a, b, out,
           [](const MatMulShape& shape, const QuantizedMatMulParams& params, const int16_t* ar,
              const int16_t* bm, int16_t* om) { RowPlainInt16(shape, params, ar, bm, om); });
  }
}

}  // namespace mote::cortex_m_dsp
