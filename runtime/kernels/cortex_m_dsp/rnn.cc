#include "kernels/cortex_m_dsp/rnn.h"

#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/rescale64.h"
#include "kernels/cortex_m_dsp/simd.h"
#include "kernels/reference/elementwise.h"
#include "kernels/reference/requantize.h"

namespace mote::cortex_m_dsp {
namespace {

using reference::RnnCell;
using reference::RnnQuantParams;
using reference::RnnShape;

inline int32_t LoadInt16x2(const int16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

// (lo16(lo), lo16(hi)) and (hi16(lo), hi16(hi)): PKHBT / PKHTB.
inline int32_t PackLow(int32_t lo, int32_t hi) {
  int32_t v;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(v) : "r"(lo), "r"(hi));
  return v;
}
inline int32_t PackHigh(int32_t lo, int32_t hi) {
  int32_t v;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(v) : "r"(hi), "r"(lo));
  return v;
}

// acc + sum_{k<n} w[k] (x[k] + offset) for an int8 run x; offset an int8
// zero point negated, so x + offset fits int16.
int64_t DotInt8(const int8_t* w, const int8_t* x, size_t n, int32_t offset, int64_t acc) {
  const int32_t offset_pair = OffsetPair(offset);
  for (size_t blocks = n >> 2; blocks != 0; --blocks) {
    const int32_t xv = LoadInt8x4(x), wv = LoadInt8x4(w);
    x += 4;
    w += 4;
    acc = __smlald(SignExtendEvenAdd(offset_pair, xv), SignExtendEven(wv), acc);
    acc = __smlald(SignExtendOddAdd(offset_pair, xv), SignExtendOdd(wv), acc);
  }
  for (size_t k = 0; k < (n & 3); ++k) acc += int32_t{w[k]} * (x[k] + offset);
  return acc;
}

// acc + sum_{k<n} w[k] x[k] for an int16 run x: its pairs (x0, x1), (x2, x3)
// regrouped to the (x0, x2), (x1, x3) halves SXTB16 gives the weights.
int64_t DotInt16(const int8_t* w, const int16_t* x, size_t n, int64_t acc) {
  for (size_t blocks = n >> 2; blocks != 0; --blocks) {
    const int32_t x01 = LoadInt16x2(x), x23 = LoadInt16x2(x + 2), wv = LoadInt8x4(w);
    x += 4;
    w += 4;
    acc = __smlald(PackLow(x01, x23), SignExtendEven(wv), acc);
    acc = __smlald(PackHigh(x01, x23), SignExtendOdd(wv), acc);
  }
  for (size_t k = 0; k < (n & 3); ++k) acc += int32_t{w[k]} * x[k];
  return acc;
}

int64_t DotInput(const int8_t* w, const int8_t* x, size_t n, int32_t offset, int64_t acc) {
  return DotInt8(w, x, n, offset, acc);
}

// int16 X: an offset (which the loader does not forbid) could leave int16,
// so only offset 0 takes the pairs.
int64_t DotInput(const int8_t* w, const int16_t* x, size_t n, int32_t offset, int64_t acc) {
  if (offset == 0) return DotInt16(w, x, n, acc);
  for (size_t k = 0; k < n; ++k) acc += int64_t{w[k]} * (int32_t{x[k]} + offset);
  return acc;
}

// acc[g] = sum_{k<n} w[g * stride + k] v[k], g < G, for G gate rows sharing
// one run v: each word of v unpacked once for all G rows. int32 sums: the
// caller checks that n products of the run's range cannot leave int32.
template <size_t G, typename Unpack>
void DotRows(const int8_t* w, size_t stride, size_t n, Unpack unpack, int32_t* acc) {
  const int8_t* rows[G];
  int32_t c[G];
  for (size_t g = 0; g < G; ++g) {
    rows[g] = w + g * stride;
    c[g] = 0;
  }
  for (size_t blocks = n >> 2, k = 0; blocks != 0; --blocks, k += 4) {
    int32_t even, odd;
    unpack(k, &even, &odd);
    for (size_t g = 0; g < G; ++g) {
      const int32_t wv = LoadInt8x4(rows[g]);
      rows[g] += 4;
      c[g] = __smlad(even, SignExtendEven(wv), c[g]);
      c[g] = __smlad(odd, SignExtendOdd(wv), c[g]);
    }
  }
  for (size_t g = 0; g < G; ++g) acc[g] = c[g];
}

template <size_t G>
void DotRowsInt8(const int8_t* w, size_t stride, const int8_t* x, size_t n, int32_t offset,
                 int32_t* acc) {
  const int32_t offset_pair = OffsetPair(offset);
  DotRows<G>(
      w, stride, n,
      [&](size_t k, int32_t* even, int32_t* odd) {
        const int32_t xv = LoadInt8x4(x + k);
        *even = SignExtendEvenAdd(offset_pair, xv);
        *odd = SignExtendOddAdd(offset_pair, xv);
      },
      acc);
  for (size_t k = n & ~size_t{3}; k < n; ++k) {
    for (size_t g = 0; g < G; ++g) acc[g] += w[g * stride + k] * (x[k] + offset);
  }
}

// acc[g] = sum_{k < n & ~3} w[g * stride + k] v[k], g < G (3 or 4): per four
// values of v, two loads and PKHTB/PKHBT give the (v0, v2), (v1, v3) halves
// SXTB16 gives a weight word, then each row costs a load, two SXTB16 and two
// SMLAD. Written out as Dot4 (dot.cc) is: GCC 12 reloads the row pointers
// from the stack in this loop; rows 1 and 3 are read at a register offset.
template <size_t G>
void DotRowsInt16Blocks(const int8_t* w, size_t stride, const int16_t* v, size_t n, int32_t* acc) {
  static_assert(G == 3 || G == 4);
  const int8_t* w0 = w;
  const int8_t* w2 = w + 2 * stride;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const int16_t* const end = v + (n & ~size_t{3});
  if (v != end) {
    int32_t t, x, f, fe;
    if constexpr (G == 4) {
      __asm__ volatile(
          "1:\n\t"
          "ldr %[t], [%[v]], #4\n\t"
          "ldr %[f], [%[v]], #4\n\t"
          "pkhtb %[x], %[f], %[t], asr #16\n\t"  // x = (v1, v3)
          "pkhbt %[t], %[t], %[f], lsl #16\n\t"  // t = (v0, v2)
          "ldr %[f], [%[w0], %[s]]\n\t"
          "sxtb16 %[fe], %[f]\n\t"
          "smlad %[a1], %[t], %[fe], %[a1]\n\t"
          "sxtb16 %[f], %[f], ror #8\n\t"
          "smlad %[a1], %[x], %[f], %[a1]\n\t"
          "ldr %[f], [%[w0]], #4\n\t"
          "sxtb16 %[fe], %[f]\n\t"
          "smlad %[a0], %[t], %[fe], %[a0]\n\t"
          "sxtb16 %[f], %[f], ror #8\n\t"
          "smlad %[a0], %[x], %[f], %[a0]\n\t"
          "ldr %[f], [%[w2], %[s]]\n\t"
          "sxtb16 %[fe], %[f]\n\t"
          "smlad %[a3], %[t], %[fe], %[a3]\n\t"
          "sxtb16 %[f], %[f], ror #8\n\t"
          "smlad %[a3], %[x], %[f], %[a3]\n\t"
          "ldr %[f], [%[w2]], #4\n\t"
          "sxtb16 %[fe], %[f]\n\t"
          "smlad %[a2], %[t], %[fe], %[a2]\n\t"
          "sxtb16 %[f], %[f], ror #8\n\t"
          "smlad %[a2], %[x], %[f], %[a2]\n\t"
          "cmp %[v], %[end]\n\t"
          "bne 1b\n\t"
          : [v] "+&r"(v), [w0] "+&r"(w0), [w2] "+&r"(w2), [a0] "+&r"(a0), [a1] "+&r"(a1),
            [a2] "+&r"(a2), [a3] "+&r"(a3), [t] "=&r"(t), [x] "=&r"(x), [f] "=&r"(f), [fe] "=&r"(fe)
          : [end] "r"(end), [s] "r"(stride)
          : "cc", "memory");
    } else {
      __asm__ volatile(
          "1:\n\t"
          "ldr %[t], [%[v]], #4\n\t"
          "ldr %[f], [%[v]], #4\n\t"
          "pkhtb %[x], %[f], %[t], asr #16\n\t"
          "pkhbt %[t], %[t], %[f], lsl #16\n\t"
          "ldr %[f], [%[w0], %[s]]\n\t"
          "sxtb16 %[fe], %[f]\n\t"
          "smlad %[a1], %[t], %[fe], %[a1]\n\t"
          "sxtb16 %[f], %[f], ror #8\n\t"
          "smlad %[a1], %[x], %[f], %[a1]\n\t"
          "ldr %[f], [%[w0]], #4\n\t"
          "sxtb16 %[fe], %[f]\n\t"
          "smlad %[a0], %[t], %[fe], %[a0]\n\t"
          "sxtb16 %[f], %[f], ror #8\n\t"
          "smlad %[a0], %[x], %[f], %[a0]\n\t"
          "ldr %[f], [%[w2]], #4\n\t"
          "sxtb16 %[fe], %[f]\n\t"
          "smlad %[a2], %[t], %[fe], %[a2]\n\t"
          "sxtb16 %[f], %[f], ror #8\n\t"
          "smlad %[a2], %[x], %[f], %[a2]\n\t"
          "cmp %[v], %[end]\n\t"
          "bne 1b\n\t"
          : [v] "+&r"(v), [w0] "+&r"(w0), [w2] "+&r"(w2), [a0] "+&r"(a0), [a1] "+&r"(a1),
            [a2] "+&r"(a2), [t] "=&r"(t), [x] "=&r"(x), [f] "=&r"(f), [fe] "=&r"(fe)
          : [end] "r"(end), [s] "r"(stride)
          : "cc", "memory");
    }
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  if constexpr (G == 4) acc[3] = a3;
}

template <size_t G>
void DotRowsInt16(const int8_t* w, size_t stride, const int16_t* v, size_t n, int32_t* acc) {
  DotRowsInt16Blocks<G>(w, stride, v, n, acc);
  for (size_t k = n & ~size_t{3}; k < n; ++k) {
    for (size_t g = 0; g < G; ++g) acc[g] += w[g * stride + k] * v[k];
  }
}

// Runs of at most this many int16 (or offset int8) values keep int32 sums:
// 511 * 2^22 < 2^31 (|w v| <= 128 * 2^15), 65535 * 128 * 255 < 2^31.
constexpr size_t kMaxInt32RunInt16 = 511;
constexpr size_t kMaxInt32RunInt8 = 65535;

template <size_t G>
void InputSums(const int8_t* w, size_t stride, const int8_t* x, size_t n, int32_t offset,
               int32_t* acc) {
  DotRowsInt8<G>(w, stride, x, n, offset, acc);
}
template <size_t G>
void InputSums(const int8_t* w, size_t stride, const int16_t* x, size_t n, int32_t, int32_t* acc) {
  DotRowsInt16<G>(w, stride, x, n, acc);
}

// ---- the reference's cell arithmetic (kernels/reference/rnn.cc) ----

struct Row {
  size_t index;  // row of W and R
  size_t bias;   // input-side bias in B; the recurrent one is G H further
};

Row RowOf(const RnnShape& s, size_t d, size_t g, size_t j) {
  const size_t gh = s.gates() * s.hidden;
  return {d * gh + g * s.hidden + j, d * 2 * gh + g * s.hidden + j};
}

bool Backwards(const RnnShape& s, size_t d) { return s.directions == 2 ? d == 1 : s.reverse; }

int32_t Saturate16(int64_t v) {
  return v > 32767 ? 32767 : (v < -32768 ? -32768 : static_cast<int32_t>(v));
}

int64_t RoundShift(int64_t v, int n) { return (v + (int64_t{1} << (n - 1))) >> n; }

int32_t Lookup(const int16_t* table, int32_t q3_12) {
  return reference::InterpolateTable513(table, static_cast<uint32_t>(q3_12 + 32768));
}

template <typename T>
struct QuantStep {
  const RnnShape& s;
  const RnnQuantParams& q;
  const int8_t* w;
  const int8_t* r;
  const int64_t* b;
  size_t d;

  int32_t In(size_t g, size_t j, const T* x) const {
    const Row row = RowOf(s, d, g, j);
    const int64_t acc = DotInput(w + row.index * s.input, x, s.input, q.input_offset, b[row.bias]);
    return Rescale64(acc, q.input_multiplier[row.index], q.input_shift[row.index]);
  }
  int32_t Rec(size_t g, size_t j, const int16_t* h) const {
    const Row row = RowOf(s, d, g, j);
    const int64_t acc =
        DotInt16(r + row.index * s.hidden, h, s.hidden, b[row.bias + s.gates() * s.hidden]);
    return Rescale64(acc, q.recurrent_multiplier[row.index], q.recurrent_shift[row.index]);
  }
  // In(g, j, x) and Rec(g, j, h) of every gate g < G of unit j, the runs x
  // and h unpacked once for all G rows (Grouped() says when this is exact).
  template <size_t G>
  void Gates(size_t j, const T* x, const int16_t* h, int32_t* in, int32_t* rec) const {
    const Row first = RowOf(s, d, 0, j);
    int32_t in_sum[G], rec_sum[G];
    InputSums<G>(w + first.index * s.input, s.hidden * s.input, x, s.input, q.input_offset, in_sum);
    DotRowsInt16<G>(r + first.index * s.hidden, s.hidden * s.hidden, h, s.hidden, rec_sum);
    for (size_t g = 0; g < G; ++g) {
      const size_t row = first.index + g * s.hidden, bias = first.bias + g * s.hidden;
      in[g] = Rescale64(b[bias] + in_sum[g], q.input_multiplier[row], q.input_shift[row]);
      rec[g] = Rescale64(b[bias + G * s.hidden] + rec_sum[g], q.recurrent_multiplier[row],
                         q.recurrent_shift[row]);
    }
  }
  // int32 sums cannot overflow, and int16 X comes without an offset.
  bool Grouped() const {
    const bool wide = sizeof(T) == 2;
    return s.hidden <= kMaxInt32RunInt16 &&
           s.input <= (wide ? kMaxInt32RunInt16 : kMaxInt32RunInt8) &&
           (!wide || q.input_offset == 0);
  }

  int32_t Pre(size_t g, size_t j, const T* x, const int16_t* h) const {
    return Saturate16(int64_t{In(g, j, x)} + Rec(g, j, h));
  }
  int32_t Sigmoid(int32_t pre) const { return Lookup(q.sigmoid_table, pre); }
  int32_t Tanh(int32_t pre) const { return Lookup(q.tanh_table, pre); }

  int32_t CellToQ3_12(int32_t c) const {
    const int shift = q.cell_shift - 12;
    if (shift > 0) return static_cast<int32_t>(RoundShift(c, shift));
    return Saturate16(int64_t{c} * (int64_t{1} << -shift));
  }

  // GRU: (1 - z) n + z h.
  static int16_t Blend(int32_t z, int64_t n, int16_t h) {
    return static_cast<int16_t>(Saturate16(RoundShift((32768 - z) * n + int64_t{z} * h, 15)));
  }

  void Run(const T* x, const int16_t* h, int16_t* next, int16_t* aux) const {
    const size_t hn = s.hidden;
    if (s.cell == RnnCell::kSimple) {
      for (size_t j = 0; j < hn; ++j) next[j] = static_cast<int16_t>(Tanh(Pre(0, j, x, h)));
    } else if (s.cell == RnnCell::kGru) {
      if (!s.linear_before_reset) {
        for (size_t j = 0; j < hn; ++j) {
          aux[j] = static_cast<int16_t>(RoundShift(int64_t{Sigmoid(Pre(1, j, x, h))} * h[j], 15));
        }
      }
      if (s.linear_before_reset && Grouped()) {
        for (size_t j = 0; j < hn; ++j) {
          int32_t in[3], rec[3];
          Gates<3>(j, x, h, in, rec);
          const int32_t z = Sigmoid(Saturate16(int64_t{in[0]} + rec[0]));
          const int32_t rg = Sigmoid(Saturate16(int64_t{in[1]} + rec[1]));
          const int64_t rec_n = Saturate16(rec[2]);
          const int32_t pre = Saturate16(int64_t{in[2]} + RoundShift(rg * rec_n, 15));
          next[j] = Blend(z, Tanh(pre), h[j]);
        }
        return;
      }
      for (size_t j = 0; j < hn; ++j) {
        const int32_t z = Sigmoid(Pre(0, j, x, h));
        int32_t pre;
        if (s.linear_before_reset) {
          const int32_t rg = Sigmoid(Pre(1, j, x, h));
          const int64_t rec = Saturate16(Rec(2, j, h));
          pre = Saturate16(int64_t{In(2, j, x)} + RoundShift(rg * rec, 15));
        } else {
          pre = Pre(2, j, x, aux);
        }
        next[j] = Blend(z, Tanh(pre), h[j]);
      }
    } else {  // LSTM, gates i o f c
      const int to_cell = 30 - q.cell_shift;
      const bool grouped = Grouped();
      for (size_t j = 0; j < hn; ++j) {
        int32_t pre[4];
        if (grouped) {
          int32_t in[4], rec[4];
          Gates<4>(j, x, h, in, rec);
          for (int k = 0; k < 4; ++k) pre[k] = Saturate16(int64_t{in[k]} + rec[k]);
        } else {
          for (int k = 0; k < 4; ++k) pre[k] = Pre(static_cast<size_t>(k), j, x, h);
        }
        const int64_t i = Sigmoid(pre[0]);
        const int64_t f = Sigmoid(pre[2]);
        const int64_t g = Tanh(pre[3]);
        const int64_t o = Sigmoid(pre[1]);
        const int32_t c = Saturate16(RoundShift(f * aux[j], 15) + RoundShift(i * g, to_cell));
        aux[j] = static_cast<int16_t>(c);
        next[j] = static_cast<int16_t>(Saturate16(RoundShift(o * Tanh(CellToQ3_12(c)), 15)));
      }
    }
  }
};

template <typename T>
T Output(const RnnQuantParams& q, int16_t h) {
  // The DSP rescale: the reference's for a multiplier >= 0 (checked at load).
  const int64_t v = int64_t{q.output_zero_point} +
                    MultiplyByQuantizedMultiplier(h, q.output_multiplier, q.output_shift);
  return reference::ClampTo<T>(reference::SaturateToInt32(v), q.output_min, q.output_max);
}

template <typename T>
int16_t State(const T* given, size_t k, int32_t zero_point, int32_t multiplier, int32_t shift) {
  if (given == nullptr) return 0;
  const int32_t v = reference::SaturateToInt32(int64_t{given[k]} - zero_point);
  return static_cast<int16_t>(
      Saturate16(reference::MultiplyByQuantizedMultiplier(v, multiplier, shift)));
}

}  // namespace

template <typename T>
void RnnQuantized(const RnnShape& s, const RnnQuantParams& q, const T* x, const int8_t* w,
                  const int8_t* r, const int64_t* b, const T* h0, const T* c0, T* y, T* y_h,
                  int16_t* work) {
  const size_t hn = s.hidden, n = s.batch;
  for (size_t d = 0; d < s.directions; ++d) {
    const QuantStep<T> step = {s, q, w, r, b, d};
    for (size_t bi = 0; bi < n; ++bi) {
      const size_t state = (d * n + bi) * hn;
      int16_t* h = work + state * 3;
      int16_t* next = h + hn;
      int16_t* aux = next + hn;
      for (size_t j = 0; j < hn && !s.stateful; ++j) {
        h[j] = State(h0, state + j, q.h0_zero_point, q.h0_multiplier, q.h0_shift);
        aux[j] = State(c0, state + j, q.c0_zero_point, q.c0_multiplier, q.c0_shift);
      }
      for (size_t k = 0; k < s.steps; ++k) {
        const size_t t = Backwards(s, d) ? s.steps - 1 - k : k;
        step.Run(x + (t * n + bi) * s.input, h, next, aux);
        T* out = y + ((t * s.directions + d) * n + bi) * hn;
        for (size_t j = 0; j < hn; ++j) {
          h[j] = next[j];
          out[j] = Output<T>(q, next[j]);
        }
      }
      for (size_t j = 0; j < hn; ++j) y_h[state + j] = Output<T>(q, h[j]);
    }
  }
}

template void RnnQuantized<int8_t>(const RnnShape&, const RnnQuantParams&, const int8_t*,
                                   const int8_t*, const int8_t*, const int64_t*, const int8_t*,
                                   const int8_t*, int8_t*, int8_t*, int16_t*);
template void RnnQuantized<int16_t>(const RnnShape&, const RnnQuantParams&, const int16_t*,
                                    const int8_t*, const int8_t*, const int64_t*, const int16_t*,
                                    const int16_t*, int16_t*, int16_t*, int16_t*);

}  // namespace mote::cortex_m_dsp
