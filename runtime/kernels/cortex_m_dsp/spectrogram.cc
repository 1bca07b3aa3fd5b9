#include "kernels/cortex_m_dsp/spectrogram.h"

#include <arm_acle.h>
#include <string.h>

namespace mote::cortex_m_dsp {
namespace {

using reference::SpectrogramShape;
using reference::SpectrogramTablesQ;
using reference::SpectrumKind;

constexpr int32_t kOne = int32_t{1} << 30;  // 1.0 in Q30

// The 64-bit sums below run in uint64 (SMLAL's wrap-around): a hostile table
// can make the reference's int64 sums wrap, and the bits must still agree.
inline uint64_t Mul(int32_t a, int32_t b) { return static_cast<uint64_t>(int64_t{a} * b); }

// The reference's RoundShift (shift >= 1) of a sum that already holds the
// rounding term 2^(shift - 1).
inline int64_t Shifted(uint64_t x, int shift) { return static_cast<int64_t>(x) >> shift; }

inline int64_t RoundShift(int64_t x, int shift) {
  if (shift == 0) return x;
  return Shifted(static_cast<uint64_t>(x) + (uint64_t{1} << (shift - 1)), shift);
}

inline uint32_t ReverseBits(uint32_t v) {
  uint32_t r;
  __asm__("rbit %0, %1" : "=r"(r) : "r"(v));
  return r;
}

inline void Store64(int32_t* slot, uint64_t v) { memcpy(slot, &v, sizeof(v)); }
inline uint64_t Load64(const int32_t* slot) {
  uint64_t v;
  memcpy(&v, slot, sizeof(v));
  return v;
}

int32_t ReflectIndex(const SpectrogramShape& s, int32_t i) {
  if (i < 0) return -i;
  if (i >= s.samples) return 2 * (s.samples - 1) - i;
  return i;
}

// --- Window -----------------------------------------------------------------

// round(x * w / 2^shift) as the reference keeps it (its low word), for
// shift 0 (kKind 0), 1..31 (1: the low word of the 64-bit sum's shift from
// both halves) and 32..62 (2: the high half alone).
template <int kKind>
inline int32_t Windowed(int32_t x, int32_t w, uint32_t round, int shift) {
  if constexpr (kKind == 0) {  // the low word of the product
    return static_cast<int32_t>(static_cast<uint32_t>(x) * static_cast<uint32_t>(w));
  }
  const uint64_t p = uint64_t{round} + Mul(x, w);
  const uint32_t lo = static_cast<uint32_t>(p), hi = static_cast<uint32_t>(p >> 32);
  if constexpr (kKind == 1) return static_cast<int32_t>((lo >> shift) | (hi << (32 - shift)));
  return static_cast<int32_t>(hi) >> (shift - 32);
}

// The windowed frame written where the reference's bit reversal would move
// it: sample j goes to the complex slot rev(j / 2), part j % 2. Frames inside
// the input read it directly; edge frames reflect.
template <int kKind, bool kReflect>
void WindowFrame(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                 int32_t start, int log2m, int32_t* __restrict z) {
  const int32_t m = s.n_fft / 2;
  const int shift = t.input_shift;
  const uint32_t round = kKind == 1 ? uint32_t{1} << (shift - 1) : 0;
  // 2^(shift - 1) >= 2^31 sits in the high word: kind 2 adds it there.
  const uint64_t round_high = kKind == 2 ? uint64_t{1} << (shift - 1) : 0;
  const int rev_shift = 32 - log2m;
  const int32_t* __restrict w = t.window.data();
  const int16_t* x = input + start;
  for (int32_t i = 0; i < m; ++i) {
    int32_t* slot = z + 2 * (ReverseBits(static_cast<uint32_t>(i)) >> rev_shift);
    for (int c = 0; c < 2; ++c) {
      const int32_t j = 2 * i + c;
      const int32_t v = kReflect ? input[ReflectIndex(s, start + j)] : x[j];
      if constexpr (kKind == 2) {
        const uint64_t p = round_high + Mul(v, w[j]);
        slot[c] = static_cast<int32_t>(p >> 32) >> (shift - 32);
      } else {
        slot[c] = Windowed<kKind>(v, w[j], round, shift);
      }
    }
  }
}

// input_shift in [17, 47] (modelc's: 24 for n_fft 512): floor((x w +
// 2^(sh - 1)) / 2^sh) = (floor(x w / 2^16) + 2^(sh - 17)) >> (sh - 16), as
// 2^16 divides 2^(sh - 1) and a fraction below one added to an integer
// numerator leaves the floor; |x w| <= 2^45 so every term fits in 32 bits.
// SMLAWB / SMLAWT form the first sum, two samples per word.
void WindowFrameSmlaw(const int16_t* x, const int32_t* __restrict w, int32_t m, int shift,
                      int log2m, int32_t* __restrict z) {
  const int32_t round = int32_t{1} << (shift - 17);
  const int down = shift - 16;
  const int rev_shift = 32 - log2m;
  for (int32_t i = 0; i < m; ++i, x += 2, w += 2) {
    int32_t pair;
    memcpy(&pair, x, sizeof(pair));
    int32_t* slot = z + 2 * (ReverseBits(static_cast<uint32_t>(i)) >> rev_shift);
    slot[0] = __smlawb(w[0], pair, round) >> down;
    slot[1] = __smlawt(w[1], pair, round) >> down;
  }
}

template <bool kReflect>
void WindowFrameAnyShift(const SpectrogramShape& s, const SpectrogramTablesQ& t,
                         const int16_t* input, int32_t start, int log2m, int32_t* z) {
  if (t.input_shift == 0) {
    WindowFrame<0, kReflect>(s, t, input, start, log2m, z);
  } else if (t.input_shift < 32) {
    WindowFrame<1, kReflect>(s, t, input, start, log2m, z);
  } else {
    WindowFrame<2, kReflect>(s, t, input, start, log2m, z);
  }
}

// --- FFT stages ---------------------------------------------------------------

// Butterflies with the twiddle (1, 0): the reference computes
// RoundShift(a * 2^30 +- b * 2^30, 30 + s) in int64 (exact: |a +- b| < 2^32).
// For s >= 1, floor(((a +- b) * 2^30 + 2^(29 + s)) / 2^(30 + s)) =
// floor(((a +- b) + 2^(s - 1)) / 2^s) (numerator and denominator divided by
// 2^30, both exact) = RoundShift(a +- b, s); for s = 0, floor(a +- b + 1/2) =
// a +- b. So no multiply. The twiddle (0, -1) likewise: b * (0 - i) = (b1,
// -b0), so a + t = (a0 + b1, a1 - b0), a - t = (a0 - b1, a1 + b0), each
// rounded by s. kS >= 0 fixes s; -1 takes it at run time.
template <int kS>
inline int32_t RoundedSum(int64_t v, int s) {
  if constexpr (kS == 0) return static_cast<int32_t>(v);  // one 32-bit add or subtract
  return static_cast<int32_t>(RoundShift(v, kS > 0 ? kS : s));
}

template <int kS, bool kQuarter>
void TrivialRun(int32_t* __restrict a, int32_t count, int32_t stride, int32_t offset, int s) {
  for (int32_t i = 0; i < count; ++i, a += stride) {
    int32_t* b = a + offset;
    const int64_t a0 = a[0], a1 = a[1], b0 = b[0], b1 = b[1];
    if constexpr (kQuarter) {
      a[0] = RoundedSum<kS>(a0 + b1, s);
      a[1] = RoundedSum<kS>(a1 - b0, s);
      b[0] = RoundedSum<kS>(a0 - b1, s);
      b[1] = RoundedSum<kS>(a1 + b0, s);
    } else {
      a[0] = RoundedSum<kS>(a0 + b0, s);
      a[1] = RoundedSum<kS>(a1 + b1, s);
      b[0] = RoundedSum<kS>(a0 - b0, s);
      b[1] = RoundedSum<kS>(a1 - b1, s);
    }
  }
}

// count butterflies a, b = a + offset (words), a stepping by stride, the
// twiddle by tw_stride (0: one twiddle for all). a * 2^30 plus the rounding
// term, then +- (b * w) from SMULL/SMLAL: |a * 2^30| + 2^60 + |b * w| < 2^63,
// so the int64 sums are exact as in the reference, and the stored low word
// is the reference's. kShift > 0 fixes 30 + s; 0 takes it at run time.
template <int kShift>
void GeneralRun(int32_t* __restrict a, int32_t count, int32_t stride, int32_t offset,
                const int32_t* __restrict tw, int32_t tw_stride, int shift_at_run_time) {
  const int shift = kShift > 0 ? kShift : shift_at_run_time;
  const uint64_t round = uint64_t{1} << (shift - 1);
  for (int32_t i = 0; i < count; ++i, a += stride, tw += tw_stride) {
    int32_t* b = a + offset;
    const int32_t wr = tw[0], wi = tw[1];
    const int32_t b0 = b[0], b1 = b[1];
    const uint64_t tr = Mul(b0, wr) + Mul(b1, -wi);
    const uint64_t ti = Mul(b0, wi) + Mul(b1, wr);
    const uint64_t ar = Mul(a[0], kOne) + round, ai = Mul(a[1], kOne) + round;
    a[0] = static_cast<int32_t>(Shifted(ar + tr, shift));
    a[1] = static_cast<int32_t>(Shifted(ai + ti, shift));
    b[0] = static_cast<int32_t>(Shifted(ar - tr, shift));
    b[1] = static_cast<int32_t>(Shifted(ai - ti, shift));
  }
}

// Stage shift 0 (what modelc emits): with A = a 2^30 + 2^29 and v = t +
// 2^29 (t = b * w, exact in int64), (A + t) >> 30 = a + (v >> 30), and
// (A - t) >> 30 = a + floor((2^30 - v) / 2^30) = a + 1 - ceil(v / 2^30) =
// a - (v >> 30) + [2^30 divides v]. So one 64-bit sum and one shift per
// component; the low words (what the reference stores) follow in uint32.
// One such butterfly (GCC spills around the C form: 43 instructions where
// this takes 27).
inline void ButterflyS0(int32_t* a, int32_t* b, int32_t wr, int32_t wi) {
  int32_t b0, b1, lo, hi, t, x;
  __asm__ volatile(
      "ldrd   %[b0], %[b1], [%[b]]\n\t"
      "rsb    %[t], %[wi], #0\n\t"
      "smull  %[lo], %[hi], %[b0], %[wr]\n\t"  // tr = b0 wr - b1 wi
      "smlal  %[lo], %[hi], %[b1], %[t]\n\t"
      "smull  %[t], %[x], %[b0], %[wi]\n\t"  // ti = b0 wi + b1 wr
      "smlal  %[t], %[x], %[b1], %[wr]\n\t"
      "adds   %[lo], %[lo], #0x20000000\n\t"  // v = t + 2^29
      "adc    %[hi], %[hi], #0\n\t"
      "adds   %[t], %[t], #0x20000000\n\t"
      "adc    %[x], %[x], #0\n\t"
      "lsr    %[b0], %[lo], #30\n\t"  // T = v >> 30 (low word)
      "orr    %[b0], %[b0], %[hi], lsl #2\n\t"
      "lsr    %[b1], %[t], #30\n\t"
      "orr    %[b1], %[b1], %[x], lsl #2\n\t"
      "ldrd   %[hi], %[x], [%[a]]\n\t"
      "lsls   %[lo], %[lo], #2\n\t"  // Z: 2^30 divides v
      "add    %[lo], %[hi], %[b0]\n\t"
      "sub    %[b0], %[hi], %[b0]\n\t"
      "it     eq\n\t"
      "addeq  %[b0], %[b0], #1\n\t"
      "lsls   %[t], %[t], #2\n\t"
      "add    %[hi], %[x], %[b1]\n\t"
      "sub    %[b1], %[x], %[b1]\n\t"
      "it     eq\n\t"
      "addeq  %[b1], %[b1], #1\n\t"
      "strd   %[lo], %[hi], [%[a]]\n\t"
      "strd   %[b0], %[b1], [%[b]]"
      : [b0] "=&r"(b0), [b1] "=&r"(b1), [lo] "=&r"(lo), [hi] "=&r"(hi), [t] "=&r"(t), [x] "=&r"(x)
      : [a] "r"(a), [b] "r"(b), [wr] "r"(wr), [wi] "r"(wi)
      : "cc", "memory");
}

template <bool kWalk>
void GeneralRunS0(int32_t* __restrict a, int32_t count, int32_t stride, int32_t offset,
                  const int32_t* __restrict tw, int32_t tw_stride) {
  int32_t wr = tw[0], wi = tw[1];
  for (int32_t i = 0; i < count; ++i, a += stride) {
    if constexpr (kWalk) {
      wr = tw[0];
      wi = tw[1];
      tw += tw_stride;
    }
    ButterflyS0(a, a + offset, wr, wi);
  }
}

void GeneralRunAnyShift(int32_t* a, int32_t count, int32_t stride, int32_t offset,
                        const int32_t* tw, int32_t tw_stride, int s) {
  if (s == 0) {
    if (tw_stride == 0) {
      GeneralRunS0<false>(a, count, stride, offset, tw, 0);
    } else {
      GeneralRunS0<true>(a, count, stride, offset, tw, tw_stride);
    }
  } else if (s == 1) {
    GeneralRun<31>(a, count, stride, offset, tw, tw_stride, 31);
  } else {
    GeneralRun<0>(a, count, stride, offset, tw, tw_stride, 30 + s);
  }
}

template <bool kQuarter>
void TrivialRunAnyShift(int32_t* a, int32_t count, int32_t stride, int32_t offset, int s) {
  if (s == 0) {
    TrivialRun<0, kQuarter>(a, count, stride, offset, 0);
  } else if (s == 1) {
    TrivialRun<1, kQuarter>(a, count, stride, offset, 1);
  } else {
    TrivialRun<-1, kQuarter>(a, count, stride, offset, s);
  }
}

// The general butterflies j in [first, last) of every group of one stage:
// along the groups for each j when the groups outnumber the j's (one
// twiddle per run), else along j within each group (a stride pointer walk
// through the twiddles).
void GeneralRange(int32_t* z, int32_t m, int32_t half, int32_t step, const int32_t* tw,
                  int32_t first, int32_t last, int s) {
  if (first >= last) return;
  const int32_t len = 2 * half, groups = m / len;
  if (groups >= last - first) {
    for (int32_t j = first; j < last; ++j) {
      GeneralRunAnyShift(z + 2 * j, groups, 2 * len, 2 * half, tw + 2 * j * step, 0, s);
    }
  } else {
    for (int32_t g = 0; g < m; g += len) {
      GeneralRunAnyShift(z + 2 * (g + first), last - first, 2, 2 * half, tw + 2 * first * step,
                         2 * step, s);
    }
  }
}

// The first two stages when both are multiply-free with shift 0: each
// group of four values in registers, the stages still one after the other
// (stage 1: (x0, x1), (x2, x3) by (1, 0); stage 2: (y0, y2) by (1, 0),
// (y1, y3) by (0, -1)), so every value is the reference's (32-bit wrap).
void Radix4First(int32_t* __restrict z, int32_t m) {
  uint32_t* v = reinterpret_cast<uint32_t*>(z);
  for (int32_t g = 0; g < m; g += 4, v += 8) {
    const uint32_t y0r = v[0] + v[2], y0i = v[1] + v[3];
    const uint32_t y1r = v[0] - v[2], y1i = v[1] - v[3];
    const uint32_t y2r = v[4] + v[6], y2i = v[5] + v[7];
    const uint32_t y3r = v[4] - v[6], y3i = v[5] - v[7];
    v[0] = y0r + y2r;
    v[1] = y0i + y2i;
    v[4] = y0r - y2r;
    v[5] = y0i - y2i;
    v[2] = y1r + y3i;
    v[3] = y1i - y3r;
    v[6] = y1r - y3i;
    v[7] = y1i + y3r;
  }
}

// The reference's radix-2 decimation-in-time stages on the bit-reversed
// values, stage by stage (each stage rounds as the reference's).
void Fft(int32_t* z, int32_t m, int32_t n_fft, const SpectrogramTablesQ& t) {
  const int32_t* tw = t.twiddle.data();
  const bool unit = tw[0] == kOne && tw[1] == 0;                          // j == 0
  const bool quarter = tw[n_fft / 2] == 0 && tw[n_fft / 2 + 1] == -kOne;  // j == half / 2
  int stage = 0;
  int32_t first_len = 2;
  if (unit && quarter && m >= 4 && t.stage_shift[0] == 0 && t.stage_shift[1] == 0) {
    Radix4First(z, m);
    stage = 2;
    first_len = 8;
  }
  for (int32_t len = first_len; len <= m; len <<= 1, ++stage) {
    const int32_t half = len / 2, step = n_fft / len, groups = m / len;
    const int s = t.stage_shift[static_cast<size_t>(stage)];
    int32_t first = 0;
    if (unit) {
      TrivialRunAnyShift<false>(z, groups, 2 * len, 2 * half, s);
      first = 1;
    }
    if (quarter && half >= 2) {
      const int32_t q = half / 2;
      TrivialRunAnyShift<true>(z + 2 * q, groups, 2 * len, 2 * half, s);
      GeneralRange(z, m, half, step, tw, first, q, s);
      GeneralRange(z, m, half, step, tw, q + 1, half, s);
    } else {
      GeneralRange(z, m, half, step, tw, first, half, s);
    }
  }
}

// --- Real split, power ----------------------------------------------------------

// uint64(v * v) as the reference's (wrapping) int64 square: v = hi * 2^32 +
// lo, so v^2 mod 2^64 = lo^2 + ((2 lo hi) mod 2^32) * 2^32 (UMULL, MUL).
inline uint64_t Square(int64_t v) {
  const uint32_t lo = static_cast<uint32_t>(v);
  const uint32_t hi = static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32);
  return uint64_t{lo} * lo + (uint64_t{lo * hi * 2u} << 32);
}

// floor(sqrt(v)) bit by bit (the result is unique, so any exact method
// gives the reference's), starting from v's leading bit.
uint64_t SqrtU64(uint64_t v) {
  if (v == 0) return 0;
  uint64_t root = 0;
  uint64_t bit = uint64_t{1} << ((63 - __builtin_clzll(v)) & ~1);
  while (bit != 0) {
    if (v >= root + bit) {
      v -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

inline uint64_t Value(SpectrumKind kind, int64_t re, int64_t im) {
  const uint64_t p = Square(re) + Square(im);
  return kind == SpectrumKind::kMagnitude ? SqrtU64(p) : p;
}

// The reference's SplitQ as written, for bins 0 and m (k % m, the twiddle
// (-1, 0) at k == m).
void SplitEdge(const int32_t* z, int32_t m, int32_t k, const int32_t* tw, int shift, int64_t* re,
               int64_t* im) {
  const int32_t ka = k % m, kb = (m - k) % m;
  const int64_t ar = z[2 * ka], ai = z[2 * ka + 1];
  const int64_t br = z[2 * kb], bi = -int64_t{z[2 * kb + 1]};
  const int64_t er = ar + br, ei = ai + bi;
  const int64_t orr = ai - bi, oi = br - ar;
  const int64_t wr = k == m ? -(int64_t{1} << 30) : tw[2 * k];
  const int64_t wi = k == m ? 0 : tw[2 * k + 1];
  const uint64_t x = (static_cast<uint64_t>(er) << 30) + static_cast<uint64_t>(orr * wr) -
                     static_cast<uint64_t>(oi * wi);
  const uint64_t y = (static_cast<uint64_t>(ei) << 30) + static_cast<uint64_t>(orr * wi) +
                     static_cast<uint64_t>(oi * wr);
  *re = RoundShift(static_cast<int64_t>(x), 31 + shift);
  *im = RoundShift(static_cast<int64_t>(y), 31 + shift);
}

// Bin k from A = z[k], z[m - k] = (br, bzi) (so B = (br, -bzi)) and its
// twiddle. The reference's (er << 30) + orr wr - oi wi with er = ar + br,
// orr = ai + bzi, oi = br - ar (33-bit values) expands into six 32 x 32
// products, summed modulo 2^64 as the reference's wrap-around int64:
//   re = ar 2^30 + br 2^30 + ai wr + bzi wr - br wi + ar wi,
//   im = ai 2^30 - bzi 2^30 + ai wi + bzi wi + br wr - ar wr.
template <int kShift>
inline void SplitBin(int32_t ar, int32_t ai, int32_t br, int32_t bzi, int32_t wr, int32_t wi,
                     uint64_t round, int shift_at_run_time, int64_t* re, int64_t* im) {
  const int shift = kShift > 0 ? kShift : shift_at_run_time;
  const uint64_t x = round + Mul(ar, kOne) + Mul(br, kOne) + Mul(ai, wr) + Mul(bzi, wr) +
                     Mul(br, -wi) + Mul(ar, wi);
  const uint64_t y = round + Mul(ai, kOne) + Mul(bzi, -kOne) + Mul(ai, wi) + Mul(bzi, wi) +
                     Mul(br, wr) + Mul(ar, -wr);
  *re = Shifted(x, shift);
  *im = Shifted(y, shift);
}

// Bins 1 .. m - 1 in pairs (k, m - k), which read the same two Z values:
// both are loaded before either slot is overwritten.
template <int kShift, bool kMagnitude>
void SplitMiddle(int32_t* z, int32_t m, const int32_t* tw, int shift_at_run_time) {
  const int shift = kShift > 0 ? kShift : shift_at_run_time;
  const uint64_t round = uint64_t{1} << (shift - 1);
  constexpr SpectrumKind kKind = kMagnitude ? SpectrumKind::kMagnitude : SpectrumKind::kPower;
  int32_t* za = z + 2;
  int32_t* zb = z + 2 * (m - 1);
  const int32_t* wa = tw + 2;
  const int32_t* wb = tw + 2 * (m - 1);
  for (int32_t k = 1; k <= m / 2; ++k, za += 2, zb -= 2, wa += 2, wb -= 2) {
    const int32_t ar = za[0], ai = za[1], br = zb[0], bi = zb[1];
    int64_t re, im;
    SplitBin<kShift>(ar, ai, br, bi, wa[0], wa[1], round, shift, &re, &im);
    Store64(za, Value(kKind, re, im));
    SplitBin<kShift>(br, bi, ar, ai, wb[0], wb[1], round, shift, &re, &im);
    Store64(zb, Value(kKind, re, im));
  }
}

// Split shift 0 (modelc's): the pair (k, m - k) in terms of S = ar + br,
// O = ai + bzi, D = ar - br, E = ai - bzi, which SplitBin's six products
// collapse to (c = 2^30, R = 2^30 the rounding term):
//   re(k) = R + S c + O wr + D wi,     im(k) = R + E c + O wi - D wr,
//   re(m - k) = R + S c + O wr' - D wi', im(m - k) = R - E c + O wi' + D wr'
// (w, w' the two bins' twiddles), three products each. While the four sums
// fit in 32 bits (always, for files the loader's bound holds for); a pair
// where one overflows takes SplitBin's path.
template <bool kMagnitude>
void SplitMiddleS0(int32_t* z, int32_t m, const int32_t* tw) {
  constexpr SpectrumKind kKind = kMagnitude ? SpectrumKind::kMagnitude : SpectrumKind::kPower;
  constexpr uint64_t kRound = uint64_t{1} << 30;
  int32_t* za = z + 2;
  int32_t* zb = z + 2 * (m - 1);
  const int32_t* wa = tw + 2;
  const int32_t* wb = tw + 2 * (m - 1);
  for (int32_t k = 1; k <= m / 2; ++k, za += 2, zb -= 2, wa += 2, wb -= 2) {
    const int32_t ar = za[0], ai = za[1], br = zb[0], bi = zb[1];
    int32_t sum, odd, diff, even;
    if (__builtin_add_overflow(ar, br, &sum) | __builtin_add_overflow(ai, bi, &odd) |
        __builtin_sub_overflow(ar, br, &diff) | __builtin_sub_overflow(ai, bi, &even)) {
      int64_t re, im;
      SplitBin<31>(ar, ai, br, bi, wa[0], wa[1], kRound, 31, &re, &im);
      Store64(za, Value(kKind, re, im));
      SplitBin<31>(br, bi, ar, ai, wb[0], wb[1], kRound, 31, &re, &im);
      Store64(zb, Value(kKind, re, im));
      continue;
    }
    const int32_t wr = wa[0], wi = wa[1];
    const uint64_t x1 = kRound + Mul(sum, kOne) + Mul(odd, wr) + Mul(diff, wi);
    const uint64_t y1 = kRound + Mul(even, kOne) + Mul(odd, wi) + Mul(diff, -wr);
    Store64(za, Value(kKind, Shifted(x1, 31), Shifted(y1, 31)));
    const int32_t wr2 = wb[0], wi2 = wb[1];
    const uint64_t x2 = kRound + Mul(sum, kOne) + Mul(odd, wr2) + Mul(diff, -wi2);
    const uint64_t y2 = kRound + Mul(even, -kOne) + Mul(odd, wi2) + Mul(diff, wr2);
    Store64(zb, Value(kKind, Shifted(x2, 31), Shifted(y2, 31)));
  }
}

// The power spectrum's bin from the pair's sums (SplitMiddleS0): re = R + S
// c + O wr + D wi, im = R + E c + O wi - D wr, each >> 31 (64-bit), squared
// modulo 2^64 as Square(), summed, stored at z. The other bin of the pair is
// this with D and E negated (br - ar, bi - ai).
inline void PowerBinS0(int32_t sum, int32_t odd, int32_t diff, int32_t even, const int32_t* w,
                       int32_t* z) {
  int32_t wr, wi, xl, xh, pl, ph;
  __asm__ volatile(
      "ldrd   %[wr], %[wi], [%[w]]\n\t"
      "lsl    %[xl], %[S], #30\n\t"  // R + S c
      "asr    %[xh], %[S], #2\n\t"
      "adds   %[xl], %[xl], #0x40000000\n\t"
      "adc    %[xh], %[xh], #0\n\t"
      "smlal  %[xl], %[xh], %[O], %[wr]\n\t"
      "smlal  %[xl], %[xh], %[D], %[wi]\n\t"
      "lsr    %[xl], %[xl], #31\n\t"  // re = x >> 31
      "orr    %[xl], %[xl], %[xh], lsl #1\n\t"
      "asr    %[xh], %[xh], #31\n\t"
      "umull  %[pl], %[ph], %[xl], %[xl]\n\t"  // re^2 mod 2^64
      "mul    %[xh], %[xl], %[xh]\n\t"
      "add    %[ph], %[ph], %[xh], lsl #1\n\t"
      "lsl    %[xl], %[E], #30\n\t"  // R + E c
      "asr    %[xh], %[E], #2\n\t"
      "adds   %[xl], %[xl], #0x40000000\n\t"
      "adc    %[xh], %[xh], #0\n\t"
      "smlal  %[xl], %[xh], %[O], %[wi]\n\t"
      "rsb    %[wr], %[wr], #0\n\t"
      "smlal  %[xl], %[xh], %[D], %[wr]\n\t"
      "lsr    %[xl], %[xl], #31\n\t"  // im = y >> 31
      "orr    %[xl], %[xl], %[xh], lsl #1\n\t"
      "asr    %[xh], %[xh], #31\n\t"
      "umlal  %[pl], %[ph], %[xl], %[xl]\n\t"  // + im^2
      "mul    %[xh], %[xl], %[xh]\n\t"
      "add    %[ph], %[ph], %[xh], lsl #1\n\t"
      "strd   %[pl], %[ph], [%[z]]"
      :
      [wr] "=&r"(wr), [wi] "=&r"(wi), [xl] "=&r"(xl), [xh] "=&r"(xh), [pl] "=&r"(pl), [ph] "=&r"(ph)
      : [S] "r"(sum), [O] "r"(odd), [D] "r"(diff), [E] "r"(even), [w] "r"(w), [z] "r"(z)
      : "cc", "memory");
}

// SplitMiddleS0 for the power spectrum: the six sums by QADD / QSUB, whose
// sticky Q flag says whether one saturated (then the pair takes SplitBin).
void PowerSplitS0(int32_t* z, int32_t m, const int32_t* tw) {
  constexpr uint64_t kRound = uint64_t{1} << 30;
  int32_t* za = z + 2;
  int32_t* zb = z + 2 * (m - 1);
  const int32_t* wa = tw + 2;
  const int32_t* wb = tw + 2 * (m - 1);
  __asm__ volatile("msr APSR_nzcvq, %0" : : "r"(0) : "cc");
  for (int32_t k = 1; k <= m / 2; ++k, za += 2, zb -= 2, wa += 2, wb -= 2) {
    int32_t ar, ai, br, bi, sum, odd, diff, even, diff2, even2;
    uint32_t flags;
    __asm__ volatile(
        "ldrd   %[ar], %[ai], [%[za]]\n\t"
        "ldrd   %[br], %[bi], [%[zb]]\n\t"
        "qadd   %[S], %[ar], %[br]\n\t"
        "qadd   %[O], %[ai], %[bi]\n\t"
        "qsub   %[D], %[ar], %[br]\n\t"
        "qsub   %[E], %[ai], %[bi]\n\t"
        "qsub   %[D2], %[br], %[ar]\n\t"
        "qsub   %[E2], %[bi], %[ai]\n\t"
        "mrs    %[flags], APSR"
        : [ar] "=&r"(ar), [ai] "=&r"(ai), [br] "=&r"(br), [bi] "=&r"(bi), [S] "=&r"(sum),
          [O] "=&r"(odd), [D] "=&r"(diff), [E] "=&r"(even), [D2] "=&r"(diff2), [E2] "=&r"(even2),
          [flags] "=r"(flags)
        : [za] "r"(za), [zb] "r"(zb)
        : "memory");
    if ((flags & (uint32_t{1} << 27)) != 0) {  // Q: a sum left 32 bits
      __asm__ volatile("msr APSR_nzcvq, %0" : : "r"(0) : "cc");
      int64_t re, im;
      SplitBin<31>(ar, ai, br, bi, wa[0], wa[1], kRound, 31, &re, &im);
      Store64(za, Value(SpectrumKind::kPower, re, im));
      SplitBin<31>(br, bi, ar, ai, wb[0], wb[1], kRound, 31, &re, &im);
      Store64(zb, Value(SpectrumKind::kPower, re, im));
      continue;
    }
    PowerBinS0(sum, odd, diff, even, wa, za);
    PowerBinS0(sum, odd, diff2, even2, wb, zb);
  }
}

template <bool kMagnitude>
void SplitMiddleAnyShift(int32_t* z, int32_t m, const int32_t* tw, int split) {
  if (split == 0) {
    if constexpr (kMagnitude) {
      SplitMiddleS0<true>(z, m, tw);
    } else {
      PowerSplitS0(z, m, tw);
    }
  } else if (split == 1) {
    SplitMiddle<32, kMagnitude>(z, m, tw, 32);
  } else {
    SplitMiddle<0, kMagnitude>(z, m, tw, 31 + split);
  }
}

// The spectrum of frame f into p[0 .. m] (uint64 in the scratch's pairs).
void FrameSpectrum(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                   int32_t f, int log2m, int32_t* z) {
  const int32_t n = s.n_fft, m = n / 2;
  const int32_t start = f * s.hop - s.pad;
  if (start >= 0 && start <= s.samples - n) {
    if (t.input_shift >= 17 && t.input_shift <= 47) {
      WindowFrameSmlaw(input + start, t.window.data(), m, t.input_shift, log2m, z);
    } else {
      WindowFrameAnyShift<false>(s, t, input, start, log2m, z);
    }
  } else {
    WindowFrameAnyShift<true>(s, t, input, start, log2m, z);
  }
  Fft(z, m, n, t);
  const int split = t.stage_shift[t.stage_shift.size() - 1];
  const int32_t* tw = t.twiddle.data();
  int64_t r0, i0, rm, im;
  SplitEdge(z, m, 0, tw, split, &r0, &i0);
  SplitEdge(z, m, m, tw, split, &rm, &im);
  if (s.spectrum == SpectrumKind::kMagnitude) {
    SplitMiddleAnyShift<true>(z, m, tw, split);
  } else {
    SplitMiddleAnyShift<false>(z, m, tw, split);
  }
  Store64(z, Value(s.spectrum, r0, i0));
  Store64(z + n, Value(s.spectrum, rm, im));
}

// --- Filterbank, log, output ----------------------------------------------------

// One band's sum over the spectrum's uint64 values p[0], p[2], ... The
// reference's term (p >> 15) w + ((p & 0x7FFF) w >> 15) is floor(p w / 2^15)
// modulo 2^64 (p = q 2^15 + r: q w is whole), i.e. bits 15 .. 78 of the
// 96-bit p w (UMULL, UMLAL). Its saturating sum of non-negative terms is
// min(exact sum, 2^64 - 1): a wrapping sum and whether it ever carried.
uint64_t BandSum(const int32_t* p, const uint16_t* weight, int32_t count) {
  uint32_t acc_lo = 0, acc_hi = 0, carries = 0;
  for (int32_t k = 0; k < count; ++k, p += 2) {
    const uint32_t w = weight[k];
    uint32_t lo, hi, mid, top;
    __asm__(
        "ldrd   %[lo], %[hi], [%[p]]\n\t"
        "umull  %[lo], %[mid], %[lo], %[w]\n\t"  // p_lo w
        "mov    %[top], #0\n\t"
        "umlal  %[mid], %[top], %[hi], %[w]\n\t"  // + p_hi w 2^32
        "lsr    %[lo], %[lo], #15\n\t"            // bits 15 .. 78
        "orr    %[lo], %[lo], %[mid], lsl #17\n\t"
        "lsl    %[top], %[top], #17\n\t"
        "orr    %[top], %[top], %[mid], lsr #15\n\t"
        "adds   %[acc_lo], %[acc_lo], %[lo]\n\t"
        "adcs   %[acc_hi], %[acc_hi], %[top]\n\t"
        "adc    %[carries], %[carries], #0"
        : [lo] "=&r"(lo), [hi] "=&r"(hi), [mid] "=&r"(mid), [top] "=&r"(top), [acc_lo] "+r"(acc_lo),
          [acc_hi] "+r"(acc_hi), [carries] "+r"(carries)
        : [p] "r"(p), [w] "r"(w), "m"(*reinterpret_cast<const uint64_t*>(p))
        : "cc");
  }
  return carries != 0 ? UINT64_MAX : (uint64_t{acc_hi} << 32) | acc_lo;
}

template <typename Out>
void StoreOutput(const SpectrogramShape& s, const SpectrogramTablesQ& t, int32_t f, int32_t b,
                 int32_t l2, Out* output) {
  constexpr int64_t kMin = sizeof(Out) == 1 ? INT8_MIN : sizeof(Out) == 2 ? INT16_MIN : INT32_MIN;
  constexpr int64_t kMax = sizeof(Out) == 1 ? INT8_MAX : sizeof(Out) == 2 ? INT16_MAX : INT32_MAX;
  int64_t y = RoundShift(
      int64_t{l2} * t.out_multiplier[static_cast<size_t>(b)] + t.out_offset[static_cast<size_t>(b)],
      t.out_shift);
  y = y < kMin ? kMin : y > kMax ? kMax : y;
  const int32_t at = s.mel_time ? b * s.frames + f : f * s.bands + b;
  output[at] = static_cast<Out>(y);
}

template <typename Out>
void Run(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
         int32_t* scratch, Out* output) {
  int32_t* z = scratch;
  int32_t* logs = scratch + s.n_fft + 2;  // with top_db
  const bool clamp = t.top_db_q24 > 0;
  const int log2m = 31 - __builtin_clz(static_cast<uint32_t>(s.n_fft / 2));
  int32_t max_l2 = INT32_MIN;
  for (int32_t f = 0; f < s.frames; ++f) {
    FrameSpectrum(s, t, input, f, log2m, z);
    const uint16_t* weight = t.weight.data();
    for (int32_t b = 0; b < s.bands; ++b) {
      const int32_t count = t.band_length[static_cast<size_t>(b)];
      uint64_t acc = BandSum(z + 2 * t.band_start[static_cast<size_t>(b)], weight, count);
      weight += count;
      const uint64_t sum = acc + t.log_offset;
      acc = sum < acc ? UINT64_MAX : sum;
      int32_t l2 = acc == 0 ? t.log_floor_q24 : reference::Log2Q24(acc);
      l2 = l2 < t.log_floor_q24 ? t.log_floor_q24 : l2;
      if (clamp) {
        logs[f * s.bands + b] = l2;
        max_l2 = l2 > max_l2 ? l2 : max_l2;
      } else {
        StoreOutput(s, t, f, b, l2, output);
      }
    }
  }
  if (!clamp) return;
  const int64_t low = int64_t{max_l2} - t.top_db_q24;
  const int32_t floor = low < INT32_MIN ? INT32_MIN : static_cast<int32_t>(low);
  for (int32_t f = 0; f < s.frames; ++f) {
    for (int32_t b = 0; b < s.bands; ++b) {
      const int32_t l2 = logs[f * s.bands + b];
      StoreOutput(s, t, f, b, l2 < floor ? floor : l2, output);
    }
  }
}

}  // namespace

void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int8_t* output) {
  Run(s, t, input, scratch, output);
}
void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int16_t* output) {
  Run(s, t, input, scratch, output);
}
void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int32_t* output) {
  Run(s, t, input, scratch, output);
}

}  // namespace mote::cortex_m_dsp
