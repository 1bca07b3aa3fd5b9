#include "kernels/reference/rnn.h"

#include "kernels/reference/elementwise.h"
#include "kernels/reference/math.h"
#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// Gate g of unit j in direction d: its row of W and R, its two biases.
struct Row {
  size_t index;  // row of W and R
  size_t bias;   // input-side bias in B; the recurrent one is G H further
};

Row RowOf(const RnnShape& s, size_t d, size_t g, size_t j) {
  const size_t gh = s.gates() * s.hidden;
  return {d * gh + g * s.hidden + j, d * 2 * gh + g * s.hidden + j};
}

bool Backwards(const RnnShape& s, size_t d) { return s.directions == 2 ? d == 1 : s.reverse; }

// ---- float32 ----

float Dot(const float* a, const float* v, size_t n) {
  float acc = 0.0f;
  for (size_t k = 0; k < n; ++k) acc += a[k] * v[k];
  return acc;
}

struct FloatStep {
  const RnnShape& s;
  const float* w;
  const float* r;
  const float* b;
  const float* peep;  // this direction's [3 H], or null
  size_t d;

  float In(size_t g, size_t j, const float* x) const {
    const Row row = RowOf(s, d, g, j);
    return Dot(w + row.index * s.input, x, s.input) + b[row.bias];
  }
  float Rec(size_t g, size_t j, const float* h) const {
    const Row row = RowOf(s, d, g, j);
    return Dot(r + row.index * s.hidden, h, s.hidden) + b[row.bias + s.gates() * s.hidden];
  }
  float Peep(size_t k, size_t j, float c) const { return peep ? peep[k * s.hidden + j] * c : 0.0f; }

  // h -> next, with aux the cell (LSTM) or scratch for r * h (GRU).
  void Run(const float* x, const float* h, float* next, float* aux) const {
    const size_t hn = s.hidden;
    if (s.cell == RnnCell::kSimple) {
      for (size_t j = 0; j < hn; ++j) next[j] = Tanh(In(0, j, x) + Rec(0, j, h));
    } else if (s.cell == RnnCell::kGru) {
      if (!s.linear_before_reset) {
        for (size_t j = 0; j < hn; ++j) aux[j] = Sigmoid(In(1, j, x) + Rec(1, j, h)) * h[j];
      }
      for (size_t j = 0; j < hn; ++j) {
        const float z = Sigmoid(In(0, j, x) + Rec(0, j, h));
        float n;
        if (s.linear_before_reset) {
          const float rg = Sigmoid(In(1, j, x) + Rec(1, j, h));
          n = Tanh(In(2, j, x) + rg * Rec(2, j, h));
        } else {
          n = Tanh(In(2, j, x) + Rec(2, j, aux));
        }
        next[j] = (1.0f - z) * n + z * h[j];
      }
    } else {  // LSTM, gates i o f c
      for (size_t j = 0; j < hn; ++j) {
        const float c = aux[j];
        const float i = Sigmoid(In(0, j, x) + Rec(0, j, h) + Peep(0, j, c));
        const float f = Sigmoid(In(2, j, x) + Rec(2, j, h) + Peep(2, j, c));
        const float g = Tanh(In(3, j, x) + Rec(3, j, h));
        const float cn = f * c + i * g;
        const float o = Sigmoid(In(1, j, x) + Rec(1, j, h) + Peep(1, j, cn));
        aux[j] = cn;
        next[j] = o * Tanh(cn);
      }
    }
  }
};

}  // namespace

void RnnFloat(const RnnShape& s, const float* x, const float* w, const float* r, const float* b,
              const float* h0, const float* c0, const float* peepholes, float* y, float* y_h,
              float* work) {
  const size_t hn = s.hidden, n = s.batch;
  for (size_t d = 0; d < s.directions; ++d) {
    const FloatStep step = {s, w, r, b, peepholes ? peepholes + d * 3 * hn : nullptr, d};
    for (size_t bi = 0; bi < n; ++bi) {
      const size_t state = (d * n + bi) * hn;
      float* h = work + state * 3;
      float* next = h + hn;
      float* aux = next + hn;
      for (size_t j = 0; j < hn && !s.stateful; ++j) {
        h[j] = h0 ? h0[state + j] : 0.0f;
        aux[j] = c0 ? c0[state + j] : 0.0f;
      }
      for (size_t k = 0; k < s.steps; ++k) {
        const size_t t = Backwards(s, d) ? s.steps - 1 - k : k;
        step.Run(x + (t * n + bi) * s.input, h, next, aux);
        float* out = y + ((t * s.directions + d) * n + bi) * hn;
        for (size_t j = 0; j < hn; ++j) h[j] = out[j] = next[j];
      }
      for (size_t j = 0; j < hn; ++j) y_h[state + j] = h[j];
    }
  }
}

namespace {

// ---- quantized ----

int32_t Saturate16(int64_t v) {
  return v > 32767 ? 32767 : (v < -32768 ? -32768 : static_cast<int32_t>(v));
}

// round(v / 2^n), ties up; n in [1, 62].
int64_t RoundShift(int64_t v, int n) { return (v + (int64_t{1} << (n - 1))) >> n; }

int32_t Lookup(const int16_t* table, int32_t q3_12) {
  return InterpolateTable513(table, static_cast<uint32_t>(q3_12 + 32768));
}

template <typename T>
struct QuantStep {
  const RnnShape& s;
  const RnnQuantParams& q;
  const int8_t* w;
  const int8_t* r;
  const int64_t* b;
  size_t d;

  // The input-side sum of a gate requantized to Q3.12 (int32, unsaturated).
  int32_t In(size_t g, size_t j, const T* x) const {
    const Row row = RowOf(s, d, g, j);
    const int8_t* wr = w + row.index * s.input;
    int64_t acc = b[row.bias];
    for (size_t k = 0; k < s.input; ++k) acc += int64_t{wr[k]} * (int32_t{x[k]} + q.input_offset);
    return MultiplyByQuantizedMultiplier64(acc, q.input_multiplier[row.index],
                                           q.input_shift[row.index]);
  }
  int32_t Rec(size_t g, size_t j, const int16_t* h) const {
    const Row row = RowOf(s, d, g, j);
    const int8_t* rr = r + row.index * s.hidden;
    int64_t acc = b[row.bias + s.gates() * s.hidden];
    for (size_t k = 0; k < s.hidden; ++k) acc += int64_t{rr[k]} * h[k];
    return MultiplyByQuantizedMultiplier64(acc, q.recurrent_multiplier[row.index],
                                           q.recurrent_shift[row.index]);
  }
  int32_t Pre(size_t g, size_t j, const T* x, const int16_t* h) const {
    return Saturate16(int64_t{In(g, j, x)} + Rec(g, j, h));
  }
  int32_t Sigmoid(int32_t pre) const { return Lookup(q.sigmoid_table, pre); }
  int32_t Tanh(int32_t pre) const { return Lookup(q.tanh_table, pre); }

  // The cell (scale 2^-cell_shift) as Q3.12 for tanh.
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
    } else {                                  // LSTM, gates i o f c
      const int to_cell = 30 - q.cell_shift;  // Q0.30 products -> the cell's scale
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
  // In int64: a hostile multiplier can reach INT32_MIN, and the zero point is added after.
  const int64_t v = int64_t{q.output_zero_point} +
                    MultiplyByQuantizedMultiplier(h, q.output_multiplier, q.output_shift);
  return ClampTo<T>(SaturateToInt32(v), q.output_min, q.output_max);
}

template <typename T>
int16_t State(const T* given, size_t k, int32_t zero_point, int32_t multiplier, int32_t shift) {
  if (given == nullptr) return 0;
  const int32_t v = SaturateToInt32(int64_t{given[k]} - zero_point);
  return static_cast<int16_t>(Saturate16(MultiplyByQuantizedMultiplier(v, multiplier, shift)));
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

}  // namespace mote::reference
