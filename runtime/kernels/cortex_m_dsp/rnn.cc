#include "kernels/cortex_m_dsp/rnn.h"

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
    return reference::MultiplyByQuantizedMultiplier64(acc, q.input_multiplier[row.index],
                                                      q.input_shift[row.index]);
  }
  int32_t Rec(size_t g, size_t j, const int16_t* h) const {
    const Row row = RowOf(s, d, g, j);
    const int64_t acc =
        DotInt16(r + row.index * s.hidden, h, s.hidden, b[row.bias + s.gates() * s.hidden]);
    return reference::MultiplyByQuantizedMultiplier64(acc, q.recurrent_multiplier[row.index],
                                                      q.recurrent_shift[row.index]);
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
        const int64_t n = Tanh(pre);
        next[j] =
            static_cast<int16_t>(Saturate16(RoundShift((32768 - z) * n + int64_t{z} * h[j], 15)));
      }
    } else {  // LSTM, gates i o f c
      const int to_cell = 30 - q.cell_shift;
      for (size_t j = 0; j < hn; ++j) {
        const int64_t i = Sigmoid(Pre(0, j, x, h));
        const int64_t f = Sigmoid(Pre(2, j, x, h));
        const int64_t g = Tanh(Pre(3, j, x, h));
        const int64_t o = Sigmoid(Pre(1, j, x, h));
        const int32_t c = Saturate16(RoundShift(f * aux[j], 15) + RoundShift(i * g, to_cell));
        aux[j] = static_cast<int16_t>(c);
        next[j] = static_cast<int16_t>(Saturate16(RoundShift(o * Tanh(CellToQ3_12(c)), 15)));
      }
    }
  }
};

template <typename T>
T Output(const RnnQuantParams& q, int16_t h) {
  const int64_t v = int64_t{q.output_zero_point} + reference::MultiplyByQuantizedMultiplier(
                                                       h, q.output_multiplier, q.output_shift);
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
