#include "matmul_rnn_check.h"

#include <stdio.h>
#include <string.h>

#include "kernels/selected.h"

namespace {

using mote::reference::MatMulShape;
using mote::reference::QuantizedMatMulParams;
using mote::reference::RnnCell;
using mote::reference::RnnQuantParams;
using mote::reference::RnnShape;

constexpr size_t kMaxBytes = 12 * 1024;
constexpr size_t kGuard = 16;
alignas(4) uint8_t g_a[kMaxBytes];
alignas(4) uint8_t g_b[kMaxBytes];
alignas(4) uint8_t g_expected[kMaxBytes];
alignas(4) uint8_t g_actual[kMaxBytes + kGuard];

// Rnn operands beyond X (g_a) and the weights W (g_b): R, B, the states and
// per-row requantization.
constexpr size_t kMaxRows = 2 * 4 * 24;  // D G H
alignas(4) int8_t g_r[kMaxRows * 24];
int64_t g_bias[2 * kMaxRows];
int32_t g_in_multiplier[kMaxRows], g_rec_multiplier[kMaxRows];
int8_t g_in_shift[kMaxRows], g_rec_shift[kMaxRows];
int16_t g_sigmoid[513], g_tanh[513];
alignas(4) uint8_t g_h0[2 * 3 * 24 * 2], g_c0[2 * 3 * 24 * 2];
alignas(4) int16_t g_work_expected[2 * 3 * 3 * 24], g_work_actual[2 * 3 * 3 * 24];
alignas(4) uint8_t g_yh_expected[2 * 3 * 24 * 2], g_yh_actual[2 * 3 * 24 * 2 + kGuard];

uint32_t g_state = 1;

uint32_t Next() {  // xorshift32
  g_state ^= g_state << 13;
  g_state ^= g_state >> 17;
  g_state ^= g_state << 5;
  return g_state;
}

int32_t Uniform(int32_t lo, int32_t hi) {
  return lo + static_cast<int32_t>(Next() % (static_cast<uint32_t>(hi - lo) + 1));
}

bool OneIn(uint32_t n) { return Next() % n == 0; }

// Mostly full range; sometimes only the extremes, to stress the sums.
template <typename T>
void Fill(T* p, size_t n, int32_t lo, int32_t hi) {
  const bool extremes = OneIn(6);
  for (size_t i = 0; i < n; ++i) {
    p[i] = static_cast<T>(extremes ? (OneIn(2) ? lo : hi) : Uniform(lo, hi));
  }
}

void RandomMultiplier(int min_shift, int max_shift, int32_t* multiplier, int* shift) {
  const int kind = Uniform(0, 9);
  *multiplier = kind == 0   ? 0
                : kind == 1 ? INT32_MAX
                : kind == 2 ? (1 << 30)
                            : Uniform(1 << 30, INT32_MAX);
  *shift = OneIn(3)   ? Uniform(-12, -1)
           : OneIn(4) ? (OneIn(2) ? min_shift : max_shift)
                      : Uniform(min_shift, max_shift);
}

bool Same(const char* kernel, int index, const uint8_t* expected, const uint8_t* actual, size_t n) {
  for (size_t i = 0; i < kGuard; ++i) {
    if (actual[n + i] != 0x5A) {
      printf("%s case %d: wrote past its output (%u bytes)\n", kernel, index,
             static_cast<unsigned>(n));
      return false;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (expected[i] != actual[i]) {
      printf("%s case %d: byte %u is %d, reference %d\n", kernel, index, static_cast<unsigned>(i),
             actual[i], expected[i]);
      return false;
    }
  }
  return true;
}

// ---- BatchMatMul ----

// Random broadcast batch axes (rank 2 to 5), M, K, N: odd and tiny, K = 1,
// sometimes deep; false if the operands do not fit the buffers.
bool RandomMatMulShape(size_t element, MatMulShape* s, size_t* a_n, size_t* b_n, size_t* o_n) {
  const int rank = OneIn(3) ? 2 : Uniform(3, 5);
  int32_t a[6], b[6], out[6];
  for (int d = 0; d < rank - 2; ++d) {
    out[d] = OneIn(2) ? 1 : Uniform(1, 3);
    a[d] = out[d] > 1 && OneIn(3) ? 1 : out[d];
    b[d] = out[d] > 1 && OneIn(3) ? 1 : out[d];
  }
  const int32_t m = OneIn(4) ? 1 : Uniform(1, 20);
  const int32_t k = OneIn(5) ? 1 : (OneIn(6) ? Uniform(200, 700) : Uniform(1, 40));
  const int32_t n = OneIn(5) ? Uniform(1, 3) : Uniform(1, 24);
  const bool transpose_b = OneIn(2);
  a[rank - 2] = m;
  a[rank - 1] = k;
  b[rank - 2] = transpose_b ? n : k;
  b[rank - 1] = transpose_b ? k : n;
  out[rank - 2] = m;
  out[rank - 1] = n;
  size_t an = 1, bn = 1, on = 1;
  for (int d = 0; d < rank; ++d) {
    an *= static_cast<size_t>(a[d]);
    bn *= static_cast<size_t>(b[d]);
    on *= static_cast<size_t>(out[d]);
  }
  if ((an + 2) * element > kMaxBytes || (bn + 2) * element > kMaxBytes ||
      on * element > kMaxBytes) {
    return false;
  }
  *a_n = an;
  *b_n = bn;
  *o_n = on;
  return mote::reference::MakeMatMulShape(a, b, out, static_cast<size_t>(rank), transpose_b, s);
}

void PrintMatMul(const MatMulShape& s, const QuantizedMatMulParams& p) {
  printf("  m %u k %u n %u transpose_b %d batch_rank %u offsets %ld %ld %ld shift %d\n",
         static_cast<unsigned>(s.m), static_cast<unsigned>(s.k), static_cast<unsigned>(s.n),
         s.transpose_b ? 1 : 0, static_cast<unsigned>(s.batch_rank), static_cast<long>(p.a_offset),
         static_cast<long>(p.b_offset), static_cast<long>(p.output_offset), p.shift);
}

bool MatMulInt8Case(int index) {
  MatMulShape s;
  size_t an, bn, on;
  if (!RandomMatMulShape(1, &s, &an, &bn, &on)) return true;
  QuantizedMatMulParams p;
  p.a_offset = OneIn(4) ? (OneIn(2) ? -127 : 128) : Uniform(-127, 128);
  p.b_offset = OneIn(4) ? (OneIn(2) ? -127 : 128) : Uniform(-127, 128);
  p.output_offset = OneIn(4) ? (OneIn(2) ? -128 : 127) : Uniform(-128, 127);
  RandomMultiplier(-31, 30, &p.multiplier, &p.shift);
  p.activation_min = OneIn(2) ? -128 : Uniform(-128, 0);
  p.activation_max = OneIn(2) ? 127 : Uniform(p.activation_min, 127);
  // Operands at odd addresses sometimes: tensors need only byte alignment.
  const int8_t* a = reinterpret_cast<int8_t*>(g_a) + (OneIn(4) ? 1 : 0);
  const int8_t* b = reinterpret_cast<int8_t*>(g_b) + (OneIn(4) ? 1 : 0);
  Fill(reinterpret_cast<int8_t*>(g_a), an + 1, -128, 127);
  Fill(reinterpret_cast<int8_t*>(g_b), bn + 1, -128, 127);
  memset(g_expected, 0, on);
  memset(g_actual, 0x5A, on + kGuard);
  mote::reference::BatchMatMulInt8(s, p, a, b, reinterpret_cast<int8_t*>(g_expected));
  mote::kernels::BatchMatMulInt8(s, p, a, b, reinterpret_cast<int8_t*>(g_actual));
  if (Same("BatchMatMulInt8", index, g_expected, g_actual, on)) return true;
  PrintMatMul(s, p);
  return false;
}

bool MatMulInt16Case(int index) {
  MatMulShape s;
  size_t an, bn, on;
  if (!RandomMatMulShape(2, &s, &an, &bn, &on)) return true;
  QuantizedMatMulParams p = {0, 0, 0, 0, 0, -32768, 32767};  // symmetric (the loader's rule)
  RandomMultiplier(-31, 7, &p.multiplier, &p.shift);
  if (OneIn(3)) {
    p.activation_min = Uniform(-32768, 0);
    p.activation_max = Uniform(p.activation_min, 32767);
  }
  // int16 tensors are 2-byte aligned; sometimes not 4.
  const int16_t* a = reinterpret_cast<int16_t*>(g_a) + (OneIn(4) ? 1 : 0);
  const int16_t* b = reinterpret_cast<int16_t*>(g_b) + (OneIn(4) ? 1 : 0);
  Fill(reinterpret_cast<int16_t*>(g_a), an + 1, -32768, 32767);
  Fill(reinterpret_cast<int16_t*>(g_b), bn + 1, -32768, 32767);
  memset(g_expected, 0, 2 * on);
  memset(g_actual, 0x5A, 2 * on + kGuard);
  mote::reference::BatchMatMulInt16(s, p, a, b, reinterpret_cast<int16_t*>(g_expected));
  mote::kernels::BatchMatMulInt16(s, p, a, b, reinterpret_cast<int16_t*>(g_actual));
  if (Same("BatchMatMulInt16", index, g_expected, g_actual, 2 * on)) return true;
  PrintMatMul(s, p);
  return false;
}

// ---- Rnn ----

// A gate table: a real curve now and then, else random values (the kernels
// must look it up the same way whatever it holds).
void FillTable(int16_t* table, bool tanh) {
  const bool curve = OneIn(2);
  for (int i = 0; i < 513; ++i) {
    const int32_t x = (i - 256) * 128;  // Q3.12
    int32_t v = tanh ? x * 4 : 16384 + x * 2;
    if (v > 32767) v = 32767;
    if (v < (tanh ? -32768 : 0)) v = tanh ? -32768 : 0;
    table[i] = static_cast<int16_t>(curve ? v : Uniform(-32768, 32767));
  }
}

int64_t RandomBias() {
  if (OneIn(8)) return OneIn(2) ? (int64_t{1} << 60) : -(int64_t{1} << 60);
  if (OneIn(4)) return 0;
  const int64_t v = static_cast<int64_t>(Uniform(-(1 << 24), 1 << 24));
  return OneIn(6) ? v << 30 : v;
}

template <typename T>
bool RnnCase(const char* kernel, int index) {
  RnnShape s;
  s.cell = static_cast<RnnCell>(Uniform(0, 2));
  s.steps = static_cast<size_t>(Uniform(1, 5));
  s.batch = static_cast<size_t>(Uniform(1, 3));
  s.input = static_cast<size_t>(OneIn(5) ? 1 : (OneIn(6) ? Uniform(100, 300) : Uniform(1, 24)));
  s.hidden = static_cast<size_t>(OneIn(5) ? Uniform(1, 3) : Uniform(1, 24));
  s.directions = OneIn(3) ? 2 : 1;
  s.reverse = s.directions == 1 && OneIn(3);
  s.linear_before_reset = OneIn(2);
  s.stateful = s.directions == 1 && !s.reverse && OneIn(5);
  const size_t g = s.gates(), rows = s.directions * g * s.hidden;
  const size_t x_n = s.steps * s.batch * s.input, w_n = rows * s.input;
  const size_t y_n = s.steps * s.directions * s.batch * s.hidden;
  const size_t state_n = s.directions * s.batch * s.hidden;
  if ((x_n + 2) * sizeof(T) > kMaxBytes || w_n + 1 > kMaxBytes || y_n * sizeof(T) > kMaxBytes) {
    return true;
  }
  Fill(reinterpret_cast<T*>(g_a), x_n + 1, sizeof(T) == 1 ? -128 : -32768,
       sizeof(T) == 1 ? 127 : 32767);
  Fill(reinterpret_cast<int8_t*>(g_b), w_n + 1, -128, 127);
  Fill(g_r, rows * s.hidden + 1, -128, 127);
  for (size_t i = 0; i < 2 * rows; ++i) g_bias[i] = RandomBias();
  for (size_t i = 0; i < rows; ++i) {
    int shift;
    RandomMultiplier(-31, 7, &g_in_multiplier[i], &shift);
    g_in_shift[i] = static_cast<int8_t>(shift);
    RandomMultiplier(-31, 7, &g_rec_multiplier[i], &shift);
    g_rec_shift[i] = static_cast<int8_t>(shift);
  }
  FillTable(g_sigmoid, false);
  FillTable(g_tanh, true);
  RnnQuantParams q;
  const int32_t lo = sizeof(T) == 1 ? -128 : -32768, hi = sizeof(T) == 1 ? 127 : 32767;
  // int16 X is symmetric in trained models, but the loader takes any zero point.
  q.input_offset = sizeof(T) == 1 || OneIn(4) ? -Uniform(lo, hi) : 0;
  q.input_multiplier = g_in_multiplier;
  q.input_shift = g_in_shift;
  q.recurrent_multiplier = g_rec_multiplier;
  q.recurrent_shift = g_rec_shift;
  int shift;
  RandomMultiplier(-31, 30, &q.output_multiplier, &shift);
  q.output_shift = shift;
  q.output_zero_point = Uniform(lo, hi);
  q.output_min = lo;
  q.output_max = hi;
  RandomMultiplier(-31, 30, &q.h0_multiplier, &shift);
  q.h0_shift = shift;
  q.h0_zero_point = Uniform(lo, hi);
  RandomMultiplier(-31, 30, &q.c0_multiplier, &shift);
  q.c0_shift = shift;
  q.c0_zero_point = Uniform(lo, hi);
  q.cell_shift = Uniform(0, 15);
  q.sigmoid_table = g_sigmoid;
  q.tanh_table = g_tanh;
  const bool with_h0 = !s.stateful && OneIn(2);
  const bool with_c0 = with_h0 && s.cell == RnnCell::kLstm && OneIn(2);
  Fill(reinterpret_cast<T*>(g_h0), state_n, lo, hi);
  Fill(reinterpret_cast<T*>(g_c0), state_n, lo, hi);
  // A stateful layer starts from what the work area holds: the same for both.
  const size_t work_n = state_n * 3;
  Fill(g_work_expected, work_n, -32768, 32767);
  memcpy(g_work_actual, g_work_expected, work_n * 2);
  const T* x = reinterpret_cast<T*>(g_a) + (OneIn(4) ? 1 : 0);
  const int8_t* w = reinterpret_cast<int8_t*>(g_b) + (OneIn(4) ? 1 : 0);
  const int8_t* r = g_r + (OneIn(4) ? 1 : 0);
  const T* h0 = with_h0 ? reinterpret_cast<T*>(g_h0) : nullptr;
  const T* c0 = with_c0 ? reinterpret_cast<T*>(g_c0) : nullptr;
  const size_t y_bytes = y_n * sizeof(T), yh_bytes = state_n * sizeof(T);
  memset(g_expected, 0, y_bytes);
  memset(g_actual, 0x5A, y_bytes + kGuard);
  memset(g_yh_expected, 0, yh_bytes);
  memset(g_yh_actual, 0x5A, yh_bytes + kGuard);
  mote::reference::RnnQuantized<T>(s, q, x, w, r, g_bias, h0, c0, reinterpret_cast<T*>(g_expected),
                                   reinterpret_cast<T*>(g_yh_expected), g_work_expected);
  mote::kernels::RnnQuantized<T>(s, q, x, w, r, g_bias, h0, c0, reinterpret_cast<T*>(g_actual),
                                 reinterpret_cast<T*>(g_yh_actual), g_work_actual);
  if (Same(kernel, index, g_expected, g_actual, y_bytes) &&
      Same(kernel, index, g_yh_expected, g_yh_actual, yh_bytes) &&
      memcmp(g_work_expected, g_work_actual, work_n * 2) == 0) {
    return true;
  }
  printf(
      "  cell %d steps %u batch %u input %u hidden %u directions %u reverse %d lbr %d "
      "stateful %d input offset %ld\n",
      static_cast<int>(s.cell), static_cast<unsigned>(s.steps), static_cast<unsigned>(s.batch),
      static_cast<unsigned>(s.input), static_cast<unsigned>(s.hidden),
      static_cast<unsigned>(s.directions), s.reverse ? 1 : 0, s.linear_before_reset ? 1 : 0,
      s.stateful ? 1 : 0, static_cast<long>(q.input_offset));
  return false;
}

}  // namespace

bool CheckMatMulAndRnn(int cases, uint32_t seed) {
  g_state = seed == 0 ? 1 : seed;
  const char* const names[] = {"BatchMatMulInt8", "BatchMatMulInt16", "RnnQuantized<int8>",
                               "RnnQuantized<int16>"};
  for (int k = 0; k < 4; ++k) {
    const int count = k < 2 ? cases : (cases + 1) / 2;
    for (int i = 0; i < count; ++i) {
      // Called by name, not through a table (stack analysis, as main.cc).
      const bool same = k == 0   ? MatMulInt8Case(i)
                        : k == 1 ? MatMulInt16Case(i)
                        : k == 2 ? RnnCase<int8_t>(names[k], i)
                                 : RnnCase<int16_t>(names[k], i);
      if (!same) {
        printf("mote-kernel-check: %s differs from the reference (seed %lu)\n", names[k],
               static_cast<unsigned long>(seed));
        return false;
      }
    }
    printf("mote-kernel-check: %s (%s) == reference on %d cases\n", names[k],
           mote::kernels::kVariant, count);
  }
  return true;
}
