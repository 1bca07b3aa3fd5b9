#include "kernels/cortex_m_dsp/depthwise_conv.h"

#include <stddef.h>

#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/simd.h"
#include "kernels/cortex_m_dsp/window_taps.h"
#include "kernels/paths.h"
#include "kernels/reference/depthwise_conv.h"

namespace mote::cortex_m_dsp {
namespace {

using kernel_paths::kHave;

// GCC 12 at -Os cannot find registers for EdgeRow's asm ("impossible
// constraints"), so size builds compile the function holding it at -O2.
#if defined(__OPTIMIZE_SIZE__)
#define MOTE_DW_ASM_FUNCTION __attribute__((noinline, optimize("O2")))
#else
#define MOTE_DW_ASM_FUNCTION __attribute__((noinline))
#endif

// ---- General path: any window, any parameters, channels [first, end). ----

// Four adjacent channels' accumulators.
struct Acc4 {
  int32_t c0, c1, c2, c3;
};

// acc.c_i += (x_i + offset) * f_i for the four int8 lanes of x and f.
inline void MultiplyAdd4(int32_t x, int32_t f, int32_t offset_pair, Acc4& acc) {
  const int32_t xe = SignExtendEvenAdd(offset_pair, x);  // (x0, x2)
  const int32_t xo = SignExtendOddAdd(offset_pair, x);   // (x1, x3)
  const int32_t fe = SignExtendEven(f);
  const int32_t fo = SignExtendOdd(f);
  acc.c0 = __smlabb(xe, fe, acc.c0);
  acc.c2 = __smlatt(xe, fe, acc.c2);
  acc.c1 = __smlabb(xo, fo, acc.c1);
  acc.c3 = __smlatt(xo, fo, acc.c3);
}

// The in-bounds taps of one output pixel.
struct PixelTaps {
  const int8_t* image;  // this batch's input
  ptrdiff_t origin;     // index of tap (0, 0), channel 0; may lie outside
  TapRange ky, kx;
};

// Channels c .. c + 3 over taps [ky.first, ky.end) x [kx.first, kx.end).
Acc4 SumTaps4(const Window2D& w, const PixelTaps& t, const int8_t* filter, int32_t c,
              int32_t offset_pair) {
  const ptrdiff_t step_y = static_cast<ptrdiff_t>(w.dilation_h) * w.in_w * w.in_c;
  const ptrdiff_t step_x = static_cast<ptrdiff_t>(w.dilation_w) * w.in_c;
  Acc4 acc = {0, 0, 0, 0};
  for (int32_t ky = t.ky.first; ky < t.ky.end; ++ky) {
    const int8_t* in = t.image + (t.origin + ky * step_y + t.kx.first * step_x + c);
    const int8_t* f = filter + (static_cast<size_t>(ky) * w.filter_w + t.kx.first) * w.out_c + c;
    for (int32_t kx = t.kx.first; kx < t.kx.end; ++kx) {
      MultiplyAdd4(LoadInt8x4(in), LoadInt8x4(f), offset_pair, acc);
      in += step_x;
      f += w.out_c;
    }
  }
  return acc;
}

int32_t SumTaps1(const Window2D& w, const PixelTaps& t, const int8_t* filter, int32_t c,
                 int32_t offset) {
  int32_t acc = 0;
  for (int32_t ky = t.ky.first; ky < t.ky.end; ++ky) {
    for (int32_t kx = t.kx.first; kx < t.kx.end; ++kx) {
      const int8_t x = t.image[t.origin + (static_cast<ptrdiff_t>(ky) * w.dilation_h * w.in_w +
                                 static_cast<ptrdiff_t>(kx) * w.dilation_w) * w.in_c + c];
      acc += (x + offset) * filter[(static_cast<size_t>(ky) * w.filter_w + kx) * w.out_c + c];
    }
  }
  return acc;
}

inline int8_t Finish(const PerChannelParams& p, const int32_t* bias, int32_t c, int32_t acc) {
  if (bias != nullptr) acc += bias[c];
  return RequantizeInt8(acc, p.multiplier[c], p.shift[c], p.output_offset, p.activation_min,
                        p.activation_max);
}

void GeneralPixel(const Window2D& w, const PerChannelParams& p, const PixelTaps& t,
                  const int8_t* filter, const int32_t* bias, int32_t first, int32_t end,
                  int8_t* out) {
  const int32_t offset_pair = OffsetPair(p.input_offset);
  const bool empty = t.ky.end <= t.ky.first || t.kx.end <= t.kx.first;
  int32_t c = first;
  for (; c + 4 <= end; c += 4) {
    Acc4 acc = {0, 0, 0, 0};
    if (!empty) acc = SumTaps4(w, t, filter, c, offset_pair);
    out[c] = Finish(p, bias, c, acc.c0);
    out[c + 1] = Finish(p, bias, c + 1, acc.c1);
    out[c + 2] = Finish(p, bias, c + 2, acc.c2);
    out[c + 3] = Finish(p, bias, c + 3, acc.c3);
  }
  for (; c < end; ++c) {
    out[c] = Finish(p, bias, c, empty ? 0 : SumTaps1(w, t, filter, c, p.input_offset));
  }
}

// Out of line: rare (channel tails, odd requantization), and its frame then
// never stacks on the fast path's.
__attribute__((noinline)) void GeneralChannels(const Window2D& w, const PerChannelParams& params,
                                               const int8_t* input, const int8_t* filter,
                                               const int32_t* bias, int32_t first, int32_t end,
                                               int8_t* output) {
  int8_t* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      const TapRange ky = ValidTaps(y0, w.dilation_h, w.in_h, w.filter_h);
      for (int32_t ox = 0; ox < w.out_w; ++ox) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        const PixelTaps t = {
            image, (static_cast<ptrdiff_t>(y0) * w.in_w + x0) * w.in_c, ky,
            ValidTaps(x0, w.dilation_w, w.in_w, w.filter_w)};
        GeneralPixel(w, params, t, filter, bias, first, end, out);
        out += w.out_c;
      }
    }
  }
}

// ---- Fast path: four channels at a time over every pixel, windows of up to
// nine taps, accumulators under 2^30 (AccumulatorsFitQ30). ----
//
// Per group the filter is unpacked once, doubled, to the stack, so a tap
// costs one LDRD instead of a load and two SXTB16. The doubling makes the
// accumulator 2 * acc, and SMMULR(2 * acc, m) = (acc * m + 2^30) >> 31, the
// `high` of RequantizeInt8's short path (|2 * acc| < 2^31 by the Q30 bound). The
// output offset joins the rounding term: floor(y / 2^e) + o =
// floor((y + o * 2^e) / 2^e), exact while no sum overflows, which holds for
// e <= 22 (|high| <= 2^30, |o| <= 128).

constexpr int32_t kGroupMaxTaps = kernel_paths::kDspGroupMaxTaps;
constexpr int kGroupMaxShift = kernel_paths::kDspGroupMaxShift;

struct ChannelRequant {
  int32_t multiplier;
  int32_t round;  // 2^(e-1) + output_offset * 2^e
  int32_t shift;  // e = -shift in [1, kGroupMaxShift]
};

struct DepthwiseGroup {
  int32_t filter[kGroupMaxTaps][2];  // per tap: 2 * (f0, f2), 2 * (f1, f3) as int16 pairs
  int32_t bias2[4];                  // 2 * bias
  ChannelRequant q[4];
};

// The activation range as a clamp of four int8 lanes, applied to outputs
// already saturated to int8 (the same bytes as clamping first: the range lies
// inside int8's); off when the range is all of int8, as after most ReLUs.
struct ByteClamp {
  int32_t lo4, hi4;  // the bounds in every byte lane
  bool on;
};

ByteClamp MakeByteClamp(const PerChannelParams& p) {
  const int32_t lo = p.activation_min < -128 ? -128 : p.activation_min;
  const int32_t hi = p.activation_max > 127 ? 127 : p.activation_max;
  return {static_cast<int32_t>(static_cast<uint8_t>(lo) * 0x01010101u),
          static_cast<int32_t>(static_cast<uint8_t>(hi) * 0x01010101u), lo > -128 || hi < 127};
}

// Clamps the four outputs just stored at out.
inline void ClampStored(const ByteClamp& c, int8_t* out) {
  if (c.on) StoreInt8x4(out, ClampInt8x4(LoadInt8x4(out), c.lo4, c.hi4));
}

// Whether channels c .. c + 3 all have shifts in [-kGroupMaxShift, -1]; a
// group that has not takes the general path.
bool GroupShiftsFit(const PerChannelParams& p, int32_t c) {
  return kernel_paths::DspGroupShiftsFit(p.shift, c);
}

// False when GroupShiftsFit does not hold.
bool PrepareDepthwiseGroup(const Window2D& w, const PerChannelParams& p, const int8_t* filter,
                           const int32_t* bias, int32_t c, DepthwiseGroup& g) {
  if (!GroupShiftsFit(p, c)) return false;
  for (int i = 0; i < 4; ++i) {
    const int32_t e = -p.shift[c + i];
    g.q[i].multiplier = p.multiplier[c + i];
    g.q[i].round = (int32_t{1} << (e - 1)) + p.output_offset * (int32_t{1} << e);
    g.q[i].shift = e;
    g.bias2[i] = bias != nullptr ? 2 * bias[c + i] : 0;
  }
  const int32_t taps = w.filter_h * w.filter_w;
  const int8_t* f = filter + c;
  for (int32_t t = 0; t < taps; ++t) {
    const int32_t x = LoadInt8x4(f);
    const int32_t e = SignExtendEven(x), o = SignExtendOdd(x);
    g.filter[t][0] = static_cast<int32_t>(__sadd16(e, e));  // 2 * (f0, f2)
    g.filter[t][1] = static_cast<int32_t>(__sadd16(o, o));  // 2 * (f1, f3)
    f += w.out_c;
  }
  return true;
}

inline int32_t Smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

// acc += (x + offset) * f over the four lanes of x, f as the group holds it.
inline void GroupTap(const int8_t* in, const int32_t* f, int32_t offset_pair, Acc4& acc) {
  const int32_t x = LoadInt8x4(in);
  const int32_t xe = SignExtendEvenAdd(offset_pair, x);
  const int32_t xo = SignExtendOddAdd(offset_pair, x);
  acc.c0 = __smlabb(xe, f[0], acc.c0);
  acc.c2 = __smlatt(xe, f[0], acc.c2);
  acc.c1 = __smlabb(xo, f[1], acc.c1);
  acc.c3 = __smlatt(xo, f[1], acc.c3);
}

// One output, saturated to int8 (ByteClamp applies the activation range).
inline int8_t GroupOutput(int32_t acc2, const ChannelRequant& q) {
  const int32_t high = Smmulr(acc2, q.multiplier);
  return static_cast<int8_t>(__ssat((high + q.round + (high >> 31)) >> q.shift, 8));
}

inline void GroupStore(const Acc4& acc, const DepthwiseGroup& g, const ByteClamp& clamp,
                       int8_t* out) {
  out[0] = GroupOutput(acc.c0, g.q[0]);
  out[1] = GroupOutput(acc.c1, g.q[1]);
  out[2] = GroupOutput(acc.c2, g.q[2]);
  out[3] = GroupOutput(acc.c3, g.q[3]);
  ClampStored(clamp, out);
}

__attribute__((noinline)) void DepthwiseGroupPass(const Window2D& w, const PerChannelParams& p,
                                                  const DepthwiseGroup& g, const int8_t* input,
                                                  int32_t c, int8_t* output) {
  const ByteClamp clamp = MakeByteClamp(p);
  const ptrdiff_t col = static_cast<ptrdiff_t>(w.dilation_w) * w.in_c;
  const ptrdiff_t row = static_cast<ptrdiff_t>(w.dilation_h) * w.in_w * w.in_c;
  const int32_t offset_pair = OffsetPair(p.input_offset);
  const bool is3x3 = w.filter_h == 3 && w.filter_w == 3;
  int8_t* out = output + c;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c + c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      const TapRange ky = ValidTaps(y0, w.dilation_h, w.in_h, w.filter_h);
      const bool rows_full = is3x3 && ky.first == 0 && ky.end == 3;
      for (int32_t ox = 0; ox < w.out_w; ++ox) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        const TapRange kx = ValidTaps(x0, w.dilation_w, w.in_w, w.filter_w);
        Acc4 acc = {g.bias2[0], g.bias2[1], g.bias2[2], g.bias2[3]};
        if (rows_full && kx.first == 0 && kx.end == 3) {
          const int8_t* in = image + (static_cast<ptrdiff_t>(y0) * w.in_w + x0) * w.in_c;
          for (int k = 0; k < 3; ++k) {
            GroupTap(in, g.filter[3 * k], offset_pair, acc);
            GroupTap(in + col, g.filter[3 * k + 1], offset_pair, acc);
            GroupTap(in + 2 * col, g.filter[3 * k + 2], offset_pair, acc);
            in += row;
          }
        } else if (kx.first < kx.end) {
          for (int32_t y = ky.first; y < ky.end; ++y) {
            const int8_t* in = image + ((static_cast<ptrdiff_t>(y0) * w.in_w + x0) * w.in_c +
                                        y * row + kx.first * col);
            const int32_t* f = g.filter[y * w.filter_w + kx.first];
            for (int32_t x = kx.first; x < kx.end; ++x) {
              GroupTap(in, f, offset_pair, acc);
              in += col;
              f += 2;
            }
          }
        }
        GroupStore(acc, g, clamp, out);
        out += w.out_c;
      }
    }
  }
}

// ---- 3x3, dilation 1, input at least 3x3: every pixel reads a whole 3x3
// window. A pixel whose window leaves the input reads the nearest window
// inside instead (its start clamped to [0, size - 3]) with the filter taps
// moved to match and the rest zero. Pixels sharing that shift form a
// rectangular region; each region gets its window filter once. ----

// The filter of one region: taps as DepthwiseGroup holds them (zero where
// the shifted window holds no tap), and the accumulators' start with the
// input offset folded in, 2 * (bias + input_offset * sum of taps), so the
// inputs need no offset added (SXTB16, not SXTAB16). Sums wrap mod 2^32
// like the SMLA chain; the final 2 * acc fits int32.
struct WindowFilter {
  int32_t tap[9][2];
  int32_t init[2][2];  // channels (0, 1), (2, 3)
};

// The shift of output o's window: its start clamped into [0, size - 3],
// minus its start.
inline int32_t WindowShift(int32_t o, int32_t stride, int32_t pad, int32_t size) {
  const int32_t start = o * stride - pad;
  int32_t clamped = start < 0 ? 0 : start;
  if (clamped > size - 3) clamped = size - 3;
  return clamped - start;
}

// Outputs [lo, hi) along one axis have windows inside the input (shift 0);
// each output outside that run has a shift of its own, since the windows'
// starts differ by the stride.
struct AxisRuns {
  int32_t lo, hi;
  int32_t End(int32_t o) const { return o >= lo && o < hi ? hi : o + 1; }
};

inline AxisRuns CenterRun(int32_t n, int32_t stride, int32_t pad, int32_t size) {
  int32_t lo = pad <= 0 ? 0 : (pad + stride - 1) / stride;    // start >= 0
  int32_t hi = (size - 3 + pad) / stride + 1;                  // start <= size - 3
  if (lo > n) lo = n;
  if (hi > n) hi = n;
  if (hi < lo) hi = lo;
  return {lo, hi};
}

void BuildWindowFilter(const DepthwiseGroup& g, int32_t input_offset, int32_t shift_x,
                       int32_t shift_y, WindowFilter& v) {
  // Tap (ky, kx) of the window is filter tap (ky + shift_y, kx + shift_x).
  // Lane sums of at most nine doubled int8 taps fit int16.
  int32_t sum_e = 0, sum_o = 0;
  for (int32_t ky = 0; ky < 3; ++ky) {
    const int32_t sy = ky + shift_y;
    const bool row_in = sy >= 0 && sy < 3;
    for (int32_t kx = 0; kx < 3; ++kx) {
      const int32_t sx = kx + shift_x;
      int32_t e = 0, o = 0;
      if (row_in && sx >= 0 && sx < 3) {
        e = g.filter[sy * 3 + sx][0];
        o = g.filter[sy * 3 + sx][1];
        sum_e = static_cast<int32_t>(__sadd16(sum_e, e));
        sum_o = static_cast<int32_t>(__sadd16(sum_o, o));
      }
      v.tap[ky * 3 + kx][0] = e;
      v.tap[ky * 3 + kx][1] = o;
    }
  }
  const uint32_t off = static_cast<uint32_t>(input_offset);
  const auto init = [&](int i, int32_t sum) {
    return static_cast<int32_t>(static_cast<uint32_t>(g.bias2[i]) + off * static_cast<uint32_t>(sum));
  };
  v.init[0][0] = init(0, static_cast<int16_t>(sum_e));
  v.init[0][1] = init(1, static_cast<int16_t>(sum_o));
  v.init[1][0] = init(2, sum_e >> 16);
  v.init[1][1] = init(3, sum_o >> 16);
}

// Inline-asm pieces: x holds one input word; xe, x become its even and odd
// lanes; fe, fo one tap; MAC_A / MAC_B add their products to pixel A's
// (a0..a3 = channels 0..3) or pixel B's (a4..a7) accumulators. The window
// asm reads the input without a "memory" clobber (which would make GCC
// reload every spilled value around it): nothing here writes the input.
#define MOTE_DW_UNPACK "sxtb16 %[xe], %[x]\n\tsxtb16 %[x], %[x], ror #8\n\t"
#define MOTE_DW_MAC(c0, c1, c2, c3)                   \
  "smlabb %[" c0 "], %[xe], %[fe], %[" c0 "]\n\t"     \
  "smlatt %[" c2 "], %[xe], %[fe], %[" c2 "]\n\t"     \
  "smlabb %[" c1 "], %[x], %[fo], %[" c1 "]\n\t"      \
  "smlatt %[" c3 "], %[x], %[fo], %[" c3 "]\n\t"
#define MOTE_DW_MAC_A MOTE_DW_MAC("a0", "a1", "a2", "a3")
#define MOTE_DW_MAC_B MOTE_DW_MAC("a4", "a5", "a6", "a7")
#define MOTE_DW_TAP(t) "ldrd %[fe], %[fo], %[t" #t "]\n\t"
#define MOTE_DW_TAPS                                                                    \
  [t0] "m"(v.tap[0]), [t1] "m"(v.tap[1]), [t2] "m"(v.tap[2]), [t3] "m"(v.tap[3]),       \
      [t4] "m"(v.tap[4]), [t5] "m"(v.tap[5]), [t6] "m"(v.tap[6]), [t7] "m"(v.tap[7]),   \
      [t8] "m"(v.tap[8]), [i0] "m"(v.init[0]), [i1] "m"(v.init[1])

// One pixel: in at its window's (0, 0), channel 0 of the group.
#define MOTE_DW_COLUMN1(ta, tb, tc)                                           \
  MOTE_DW_TAP(ta) "ldr %[x], [%[p]]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_A         \
  MOTE_DW_TAP(tb) "ldr %[x], [%[p], %[row]]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_A \
  MOTE_DW_TAP(tc) "ldr %[x], [%[p], %[row], lsl #1]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_A

__attribute__((always_inline)) inline void Window3x3(const int8_t* p, ptrdiff_t col,
                                                     ptrdiff_t row, const WindowFilter& v,
                                                     int32_t acc[4]) {
  int32_t a0, a1, a2, a3, x, xe, fe, fo;
  __asm__(
      "ldrd %[a0], %[a1], %[i0]\n\t"
      "ldrd %[a2], %[a3], %[i1]\n\t"
      MOTE_DW_COLUMN1(0, 3, 6) "add %[p], %[p], %[col]\n\t"
      MOTE_DW_COLUMN1(1, 4, 7) "add %[p], %[p], %[col]\n\t"
      MOTE_DW_COLUMN1(2, 5, 8)
      : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(x),
        [xe] "=&r"(xe), [fe] "=&r"(fe), [fo] "=&r"(fo), [p] "+&r"(p)
      : [col] "r"(col), [row] "r"(row), MOTE_DW_TAPS);
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

// Two pixels stacked vertically, stride 1: A reads rows 0..2, B rows 1..3.
#define MOTE_DW_COLUMN2S1(ta, tb, tc)                                                 \
  MOTE_DW_TAP(ta) "ldr %[x], [%[p]]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_A                 \
  "ldr %[x], [%[p], %[row]]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_B                         \
  MOTE_DW_TAP(tb) MOTE_DW_MAC_A                                                       \
  "ldr %[x], [%[p], %[row], lsl #1]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_B                 \
  MOTE_DW_TAP(tc) MOTE_DW_MAC_A                                                       \
  "add %[x], %[p], %[row], lsl #1\n\tldr %[x], [%[x], %[row]]\n\t" MOTE_DW_UNPACK     \
  MOTE_DW_MAC_B

// Stride 2: A reads rows 0..2, B rows 2..4.
#define MOTE_DW_COLUMN2S2(ta, tb, tc)                                                 \
  MOTE_DW_TAP(ta) "ldr %[x], [%[p]]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_A                 \
  MOTE_DW_TAP(tb) "ldr %[x], [%[p], %[row]]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_A         \
  MOTE_DW_TAP(tc) "ldr %[x], [%[p], %[row], lsl #1]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_A \
  MOTE_DW_TAP(ta) MOTE_DW_MAC_B                                                       \
  MOTE_DW_TAP(tb) "add %[x], %[p], %[row], lsl #1\n\tldr %[x], [%[x], %[row]]\n\t"    \
  MOTE_DW_UNPACK MOTE_DW_MAC_B                                                        \
  MOTE_DW_TAP(tc) "ldr %[x], [%[p], %[row], lsl #2]\n\t" MOTE_DW_UNPACK MOTE_DW_MAC_B

#define MOTE_DW_NEXT_COLUMN "ldr %[x], %[col]\n\tadd %[p], %[p], %[x]\n\t"
#define MOTE_DW_PAIR_INIT                  \
  "ldrd %[a0], %[a1], %[i0]\n\t"          \
  "ldrd %[a2], %[a3], %[i1]\n\t"          \
  "ldrd %[a4], %[a5], %[i0]\n\t"          \
  "ldrd %[a6], %[a7], %[i1]\n\t"
#define MOTE_DW_PAIR_OPERANDS                                                             \
  : [a0] "=&r"(a[0]), [a1] "=&r"(a[1]), [a2] "=&r"(a[2]), [a3] "=&r"(a[3]),               \
    [a4] "=&r"(a[4]), [a5] "=&r"(a[5]), [a6] "=&r"(a[6]), [a7] "=&r"(a[7]), [x] "=&r"(x), \
    [xe] "=&r"(xe), [fe] "=&r"(fe), [fo] "=&r"(fo), [p] "+&r"(p)                         \
  : [row] "r"(row), [col] "m"(col), MOTE_DW_TAPS

// acc[0..3]: pixel A, acc[4..7]: pixel B. All 14 allocatable registers.
template <int kStride>
__attribute__((always_inline)) inline void Window3x3Pair(const int8_t* p, const ptrdiff_t& col,
                                                         ptrdiff_t row, const WindowFilter& v,
                                                         int32_t* a) {
  int32_t x, xe, fe, fo;
  if constexpr (kStride == 1) {
    __asm__(MOTE_DW_PAIR_INIT
            MOTE_DW_COLUMN2S1(0, 3, 6) MOTE_DW_NEXT_COLUMN
            MOTE_DW_COLUMN2S1(1, 4, 7) MOTE_DW_NEXT_COLUMN
            MOTE_DW_COLUMN2S1(2, 5, 8)
            MOTE_DW_PAIR_OPERANDS);
  } else {
    __asm__(MOTE_DW_PAIR_INIT
            MOTE_DW_COLUMN2S2(0, 3, 6) MOTE_DW_NEXT_COLUMN
            MOTE_DW_COLUMN2S2(1, 4, 7) MOTE_DW_NEXT_COLUMN
            MOTE_DW_COLUMN2S2(2, 5, 8)
            MOTE_DW_PAIR_OPERANDS);
  }
}

// The window's outputs, in asm so that each channel's parameters are loaded
// once per call and nothing spills: SMMLAR gives round + high, with
// high = (acc2 * m + 2^31) >> 32, then the sign of acc2 (for that of high:
// they differ only when high = 0 and acc2 < 0, where (round - 1) >> e =
// round >> e for e >= 1), the shift, SSAT and a byte store per output.
// ByteClamp applies the activation range afterwards.
#define MOTE_DW_OUT(a, out, i)                          \
  "smmlar %[t], %[" a "], %[m], %[r]\n\t"               \
  "add %[t], %[t], %[" a "], asr #31\n\t"               \
  "asr %[t], %[t], %[e]\n\t"                            \
  "ssat %[t], #8, %[t]\n\t"                             \
  "strb %[t], [%[" out "], #" i "]\n\t"
#define MOTE_DW_CHANNEL(i) "ldrd %[m], %[r], %[q" i "]\n\tldr %[e], %[e" i "]\n\t"
#define MOTE_DW_REQUANT                                                               \
  [q0] "m"(q[0]), [q1] "m"(q[1]), [q2] "m"(q[2]), [q3] "m"(q[3]), [e0] "m"(q[0].shift), \
      [e1] "m"(q[1].shift), [e2] "m"(q[2].shift), [e3] "m"(q[3].shift)

__attribute__((always_inline)) inline void StoreFullRange(int32_t* a, const ChannelRequant* q,
                                                          int8_t* out) {
  int32_t m, r, e, t;
  __asm__ volatile(
      MOTE_DW_CHANNEL("0") MOTE_DW_OUT("a0", "oa", "0")
      MOTE_DW_CHANNEL("1") MOTE_DW_OUT("a1", "oa", "1")
      MOTE_DW_CHANNEL("2") MOTE_DW_OUT("a2", "oa", "2")
      MOTE_DW_CHANNEL("3") MOTE_DW_OUT("a3", "oa", "3")
      : [m] "=&r"(m), [r] "=&r"(r), [e] "=&r"(e), [t] "=&r"(t)
      : [a0] "r"(a[0]), [a1] "r"(a[1]), [a2] "r"(a[2]), [a3] "r"(a[3]), [oa] "r"(out),
        MOTE_DW_REQUANT
      : "memory");
}

// The pair needs both pixels' accumulators live: 13 registers (the M55
// build has no fourteenth to spare). t holds round + sign, then the shift;
// A's register, free once A is stored, takes B's round + sign.
#define MOTE_DW_OUT_PAIR(a, b, i)                         \
  "ldrd %[m], %[r], %[q" i "]\n\t"                        \
  "add %[t], %[r], %[" a "], asr #31\n\t"                 \
  "smmlar %[" a "], %[" a "], %[m], %[t]\n\t"             \
  "ldr %[t], %[e" i "]\n\t"                               \
  "asr %[" a "], %[" a "], %[t]\n\t"                      \
  "ssat %[" a "], #8, %[" a "]\n\t"                       \
  "strb %[" a "], [%[oa], #" i "]\n\t"                    \
  "add %[" a "], %[r], %[" b "], asr #31\n\t"             \
  "smmlar %[" b "], %[" b "], %[m], %[" a "]\n\t"         \
  "asr %[" b "], %[" b "], %[t]\n\t"                      \
  "ssat %[" b "], #8, %[" b "]\n\t"                       \
  "strb %[" b "], [%[ob], #" i "]\n\t"

__attribute__((always_inline)) inline void StorePairFullRange(int32_t* a,
                                                              const ChannelRequant* q,
                                                              int8_t* out_a, int8_t* out_b) {
  int32_t m, r, t;
  __asm__ volatile(
      MOTE_DW_OUT_PAIR("a0", "a4", "0") MOTE_DW_OUT_PAIR("a1", "a5", "1")
      MOTE_DW_OUT_PAIR("a2", "a6", "2") MOTE_DW_OUT_PAIR("a3", "a7", "3")
      : [m] "=&r"(m), [r] "=&r"(r), [t] "=&r"(t), [a0] "+r"(a[0]), [a1] "+r"(a[1]),
        [a2] "+r"(a[2]), [a3] "+r"(a[3]), [a4] "+r"(a[4]), [a5] "+r"(a[5]), [a6] "+r"(a[6]),
        [a7] "+r"(a[7])
      : [oa] "r"(out_a), [ob] "r"(out_b), MOTE_DW_REQUANT
      : "memory");
}

// Columns [ox0, ox1) x rows [oy0, oy1) of one region, vertical pairs when the
// row stride allows. in: the window of (ox0, oy0); out: its output.
struct RegionSteps {
  ptrdiff_t col, row;          // input strides
  ptrdiff_t in_x, in_y;        // input step per output column / row
  ptrdiff_t out_x, out_y;      // output step per output column / row
};

// Rows [0, rows - rows % 2) of one column in vertical pairs; returns the
// rows left. One instance per stride: the asm differs, the rest is shared.
template <int kPairStride>
__attribute__((always_inline)) inline int32_t WindowPairs(const RegionSteps& st,
                                                          const ChannelRequant* q,
                                                          const WindowFilter& v,
                                                          const int8_t*& in_p, int8_t*& out_p,
                                                          int32_t rows, const ByteClamp& clamp) {
  int32_t acc[8];
  const ptrdiff_t col = st.col;
  for (; rows >= 2; rows -= 2) {
    Window3x3Pair<kPairStride>(in_p, col, st.row, v, acc);
    StorePairFullRange(acc, q, out_p, out_p + st.out_y);
    ClampStored(clamp, out_p);
    ClampStored(clamp, out_p + st.out_y);
    in_p += 2 * st.in_y;
    out_p += 2 * st.out_y;
  }
  return rows;
}

__attribute__((always_inline)) inline void WindowRegion(const RegionSteps& st, bool stride1,
                                                        const ChannelRequant* q,
                                                        const WindowFilter& v, const int8_t* in,
                                                        int8_t* out, int32_t columns,
                                                        int32_t rows, const ByteClamp& clamp) {
  int32_t acc[8];
  for (int32_t i = 0; i < columns; ++i) {
    const int8_t* in_p = in;
    int8_t* out_p = out;
    // Each stride's pair loop only where its path is built (a path's op
    // never reaches here with the other stride).
    int32_t n = rows;
    if (stride1) {
      if constexpr (kHave<kernel_paths::kDepthwiseWindow3x3>) {
        n = WindowPairs<1>(st, q, v, in_p, out_p, rows, clamp);
      }
    } else if constexpr (kHave<kernel_paths::kDepthwiseWindow3x3Stride2>) {
      n = WindowPairs<2>(st, q, v, in_p, out_p, rows, clamp);
    }
    for (; n > 0; --n) {
      Window3x3(in_p, st.col, st.row, v, acc);
      StoreFullRange(acc, q, out_p);
      ClampStored(clamp, out_p);
      in_p += st.in_y;
      out_p += st.out_y;
    }
    in += st.in_x;
    out += st.out_x;
  }
}

// Regions of fewer pixels than this skip the window filter (its build costs
// about one pixel) and visit only their in-bounds taps.
constexpr int32_t kMinWindowRegion = 2;

// acc += the taps of one filter row: n >= 1 taps from in (step col) and f
// (the group's unpacked filter), the input offset added (SXTAB16).
__attribute__((always_inline)) inline void EdgeRow(const int8_t* in, const int32_t* f, int32_t n,
                                                   ptrdiff_t col, int32_t offset_pair,
                                                   int32_t* acc) {
  int32_t x, xe, fe, fo;
  __asm__(
      "1:\n\t"
      "ldr %[x], [%[p]]\n\t"
      "ldrd %[fe], %[fo], [%[f]], #8\n\t"
      "add %[p], %[p], %[col]\n\t"
      "sxtab16 %[xe], %[op], %[x]\n\t"
      "sxtab16 %[x], %[op], %[x], ror #8\n\t"
      MOTE_DW_MAC("a0", "a1", "a2", "a3")
      "subs %[n], %[n], #1\n\t"
      "bne 1b\n\t"
      : [a0] "+r"(acc[0]), [a1] "+r"(acc[1]), [a2] "+r"(acc[2]), [a3] "+r"(acc[3]),
        [x] "=&r"(x), [xe] "=&r"(xe), [fe] "=&r"(fe), [fo] "=&r"(fo), [p] "+&r"(in),
        [f] "+&r"(f), [n] "+&r"(n)
      : [col] "r"(col), [op] "r"(offset_pair)
      : "cc", "memory");
}

struct EdgeContext {
  const DepthwiseGroup* g;
  const ChannelRequant* q;
  ptrdiff_t col, row;
  int32_t offset_pair;
  ByteClamp clamp;
};

// One pixel: rows x n taps (n may be 0) from in and f. Out of line, so the
// row loop's asm has the registers to itself.
MOTE_DW_ASM_FUNCTION void EdgePixel(const EdgeContext& e, const int8_t* in,
                                         const int32_t* f, int32_t rows, int32_t n,
                                         int8_t* out) {
  const DepthwiseGroup& g = *e.g;
  int32_t acc[4] = {g.bias2[0], g.bias2[1], g.bias2[2], g.bias2[3]};
  if (n > 0) {
    for (; rows > 0; --rows) {
      EdgeRow(in, f, n, e.col, e.offset_pair, acc);
      in += e.row;
      f += 6;
    }
  }
  StoreFullRange(acc, e.q, out);
  ClampStored(e.clamp, out);
}

void EdgeRegion(const Window2D& w, const DepthwiseGroup& g, const ChannelRequant* q,
                const int8_t* image, int8_t* out, int32_t ox0, int32_t ox1, int32_t oy0,
                int32_t oy1, int32_t offset_pair, const ByteClamp& clamp) {
  const EdgeContext e = {&g, q, w.in_c, static_cast<ptrdiff_t>(w.in_w) * w.in_c, offset_pair,
                         clamp};
  const ptrdiff_t out_row = static_cast<ptrdiff_t>(w.out_w) * w.out_c;
  for (int32_t oy = oy0; oy < oy1; ++oy) {
    const int32_t y0 = oy * w.stride_h - w.pad_top;
    const TapRange ky = ValidTaps(y0, 1, w.in_h, 3);
    const ptrdiff_t first_row = static_cast<ptrdiff_t>(y0 + ky.first) * e.row;
    const int32_t rows = ky.end - ky.first;
    int8_t* out_p = out;
    for (int32_t ox = ox0; ox < ox1; ++ox) {
      const int32_t x0 = ox * w.stride_w - w.pad_left;
      const TapRange kx = ValidTaps(x0, 1, w.in_w, 3);
      const int32_t n = rows > 0 ? kx.end - kx.first : 0;
      const ptrdiff_t at = n > 0 ? first_row + static_cast<ptrdiff_t>(x0 + kx.first) * e.col : 0;
      EdgePixel(e, image + at, g.filter[n > 0 ? ky.first * 3 + kx.first : 0], rows, n,
                        out_p);
      out_p += w.out_c;
    }
    out += out_row;
  }
}

// Channel groups [0, out_c / 4) of a 3x3 window, but those whose shifts the
// fast requantization does not cover (the caller's, so that the general
// path's frame never stacks on this one).
// One instance for strides 1 and 2: only the pair loop differs (WindowPairs).
__attribute__((noinline)) void Window3x3Pass(const Window2D& w, const PerChannelParams& p,
                                             const int8_t* filter, const int32_t* bias,
                                             const int8_t* input, int8_t* output) {
  const ByteClamp clamp = MakeByteClamp(p);
  DepthwiseGroup g;  // on the stack: the asm reads it sp-relative
  WindowFilter v;
  RegionSteps st;
  st.col = w.in_c;
  st.row = static_cast<ptrdiff_t>(w.in_w) * w.in_c;
  st.in_x = static_cast<ptrdiff_t>(w.stride_w) * st.col;
  st.in_y = static_cast<ptrdiff_t>(w.stride_h) * st.row;
  st.out_x = w.out_c;
  st.out_y = static_cast<ptrdiff_t>(w.out_w) * w.out_c;
  const bool stride1 = w.stride_h == 1;
  const int32_t offset_pair = OffsetPair(p.input_offset);
  const AxisRuns runs_x = CenterRun(w.out_w, w.stride_w, w.pad_left, w.in_w);
  const AxisRuns runs_y = CenterRun(w.out_h, w.stride_h, w.pad_top, w.in_h);
  // A small center (small images): every pixel visits only its taps.
  const bool small = (runs_x.hi - runs_x.lo) * (runs_y.hi - runs_y.lo) < kMinWindowRegion;
  for (int32_t c = 0; c + 4 <= w.out_c; c += 4) {
    if (!PrepareDepthwiseGroup(w, p, filter, bias, c, g)) continue;  // the caller's
    for (int32_t b = 0; b < w.batches; ++b) {
      const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c + c;
      int8_t* out_image = output + static_cast<size_t>(b) * w.out_h * w.out_w * w.out_c + c;
      if (small) {
        EdgeRegion(w, g, g.q, image, out_image, 0, w.out_w, 0, w.out_h, offset_pair, clamp);
        continue;
      }
      for (int32_t ox0 = 0, ox1; ox0 < w.out_w; ox0 = ox1) {
        ox1 = runs_x.End(ox0);
        const int32_t shift_x = WindowShift(ox0, w.stride_w, w.pad_left, w.in_w);
        const int32_t ix = ox0 * w.stride_w - w.pad_left + shift_x;
        for (int32_t oy0 = 0, oy1; oy0 < w.out_h; oy0 = oy1) {
          oy1 = runs_y.End(oy0);
          const int32_t shift_y = WindowShift(oy0, w.stride_h, w.pad_top, w.in_h);
          const int32_t iy = oy0 * w.stride_h - w.pad_top + shift_y;
          int8_t* out = out_image + (static_cast<ptrdiff_t>(oy0) * w.out_w + ox0) * w.out_c;
          if ((ox1 - ox0) * (oy1 - oy0) < kMinWindowRegion) {
            EdgeRegion(w, g, g.q, image, out, ox0, ox1, oy0, oy1, offset_pair, clamp);
            continue;
          }
          BuildWindowFilter(g, p.input_offset, shift_x, shift_y, v);
          WindowRegion(
              st, stride1, g.q, v, image + (static_cast<ptrdiff_t>(iy) * w.in_w + ix) * w.in_c, out,
              ox1 - ox0, oy1 - oy0, clamp);
        }
      }
    }
  }
}

// Any window of up to kGroupMaxTaps taps: groups [0, out_c / 4), but those
// failing GroupShiftsFit.
__attribute__((noinline)) void DepthwiseGroups(const Window2D& w, const PerChannelParams& p,
                                               const int8_t* filter, const int32_t* bias,
                                               const int8_t* input, int8_t* output) {
  for (int32_t c = 0; c + 4 <= w.out_c; c += 4) {
    DepthwiseGroup g;
    if (PrepareDepthwiseGroup(w, p, filter, bias, c, g)) {
      DepthwiseGroupPass(w, p, g, input, c, output);
    }
  }
}

}  // namespace

void DepthwiseConv2DInt8(const Window2D& w, int32_t depth_multiplier,
                         const PerChannelParams& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output) {
  const uint32_t paths =
      kernel_paths::Choose(kernel_paths::DspDepthwiseInt8(w, depth_multiplier, params, bias),
                           kernel_paths::kDepthwiseReference);
  if (kHave<kernel_paths::kDepthwiseReference> && paths == kernel_paths::kDepthwiseReference) {
    reference::DepthwiseConv2DInt8(w, depth_multiplier, params, input, filter, bias, output);
    return;
  }
  constexpr uint32_t kWindow3x3 =
      kernel_paths::kDepthwiseWindow3x3 | kernel_paths::kDepthwiseWindow3x3Stride2;
  if ((kernel_paths::kBuilt & kWindow3x3) != 0 && (paths & kWindow3x3) != 0) {
    Window3x3Pass(w, params, filter, bias, input, output);
  }
  if (kHave<kernel_paths::kDepthwiseGroups> && (paths & kernel_paths::kDepthwiseGroups)) {
    DepthwiseGroups(w, params, filter, bias, input, output);
  }
  if (!kHave<kernel_paths::kDepthwiseChannels> || !(paths & kernel_paths::kDepthwiseChannels)) {
    return;
  }
  if (paths == kernel_paths::kDepthwiseChannels) {  // no group took a fast path
    GeneralChannels(w, params, input, filter, bias, 0, w.out_c, output);
    return;
  }
  const int32_t groups_end = w.out_c & ~int32_t{3};
  for (int32_t c = 0; c < groups_end; c += 4) {
    if (!GroupShiftsFit(params, c)) GeneralChannels(w, params, input, filter, bias, c, c + 4, output);
  }
  if (groups_end < w.out_c) {
    GeneralChannels(w, params, input, filter, bias, groups_end, w.out_c, output);
  }
}

}  // namespace mote::cortex_m_dsp

#undef MOTE_DW_UNPACK
#undef MOTE_DW_MAC
#undef MOTE_DW_MAC_A
#undef MOTE_DW_MAC_B
#undef MOTE_DW_TAP
#undef MOTE_DW_TAPS
#undef MOTE_DW_COLUMN1
#undef MOTE_DW_COLUMN2S1
#undef MOTE_DW_COLUMN2S2
#undef MOTE_DW_NEXT_COLUMN
#undef MOTE_DW_PAIR_INIT
#undef MOTE_DW_PAIR_OPERANDS
#undef MOTE_DW_OUT
#undef MOTE_DW_CHANNEL
#undef MOTE_DW_REQUANT
#undef MOTE_DW_OUT_PAIR
#undef MOTE_DW_ASM_FUNCTION
