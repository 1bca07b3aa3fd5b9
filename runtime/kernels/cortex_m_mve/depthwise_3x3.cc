#include "kernels/cortex_m_mve/depthwise_3x3.h"

#include <arm_mve.h>
#include <stddef.h>

#include "kernels/cortex_m_mve/requantize.h"

namespace mote::cortex_m_mve {
namespace {

inline constexpr int32_t kLanes = 16;       // int8 channels per vector
inline constexpr int32_t kChunkGroups = 4;  // 64 channels per pass over the image
inline constexpr int32_t kTaps = 9;

// One vector of channels as the loop reads it, in its order. The products
// are split four ways (VMULLB/VMULLT.S8, then VMOVLB/VMOVLT.S16), so the
// int32 sums hold channels 4i (A), 4i + 2 (B), 4i + 1 (C), 4i + 3 (D); the
// saturating narrows of A with B, C with D, then of those two, put them back
// in order.
struct alignas(16) GroupConsts {
  int32_t bias[4][4];  // A B C D: bias + input_offset * the channel's weight sum
  int8_t weights[kTaps][kLanes];
  int32_t quant[4][2][4];  // A B C D: multiplier, shift
  int8_t lo[kLanes];
  int8_t hi[kLanes];
};
static_assert(sizeof(GroupConsts) == 368, "the loop's stream offsets");

// Lane i of sums A, B, C, D holds channel 4i + kQuarter[k].
inline constexpr uint32_t kQuarter[4] = {0, 2, 1, 3};

// The constants of `count` lanes from channel `first` on; `period` 8 for
// paired pixels (lane j is channel j % 8), else 16. Lanes past count get 0.
// Once per 64 channels: out of line and not unrolled, for its code size.
__attribute__((noinline)) void BuildConsts(const Window2D& w, const PerChannelParams& p,
                                           const int8_t* filter, const int32_t* bias, int32_t first,
                                           int32_t count, uint32_t period, GroupConsts* consts) {
  const size_t out_c = static_cast<size_t>(w.out_c);
  const uint8x16_t lane8 =
      vandq_u8(vidupq_n_u8(0, 1), vdupq_n_u8(static_cast<uint8_t>(period - 1)));
  for (int32_t g = 0; g * kLanes < count; ++g) {
    GroupConsts& k = consts[g];
    const int32_t c0 = first + g * kLanes;
    const uint32_t valid = static_cast<uint32_t>(count - g * kLanes);
    const mve_pred16_t pred8 = vctp8q(valid);
    _Pragma("GCC unroll 1") for (int32_t t = 0; t < kTaps; ++t) {
      vstrbq_s8(k.weights[t], vldrbq_gather_offset_z_s8(filter + t * out_c + c0, lane8, pred8));
    }
    _Pragma("GCC unroll 1") for (int q = 0; q < 4; ++q) {
      const uint32x4_t lane = vidupq_n_u32(kQuarter[q], 4);
      const mve_pred16_t pred = vcmphiq_u32(vdupq_n_u32(valid), lane);
      const uint32x4_t off = vandq_u32(lane, vdupq_n_u32(period - 1));
      int32x4_t sum = vdupq_n_s32(0);
      _Pragma("GCC unroll 1") for (int32_t t = 0; t < kTaps; ++t) {
        sum = vaddq_s32(sum, vldrbq_gather_offset_z_s32(filter + t * out_c + c0, off, pred));
      }
      // Modulo 2^32 like the reference's accumulator (the loader bounds it).
      int32x4_t b = bias != nullptr ? vldrwq_gather_shifted_offset_z_s32(bias + c0, off, pred)
                                    : vdupq_n_s32(0);
      vstrwq_s32(k.bias[q], vmlaq_n_s32(b, sum, p.input_offset));
      vstrwq_s32(k.quant[q][0],
                 vldrwq_gather_shifted_offset_z_s32(p.multiplier.data() + c0, off, pred));
      vstrwq_s32(k.quant[q][1], vldrbq_gather_offset_z_s32(p.shift.data() + c0, off, pred));
    }
    vstrbq_s8(k.lo, vdupq_n_s8(static_cast<int8_t>(p.activation_min)));
    vstrbq_s8(k.hi, vdupq_n_s8(static_cast<int8_t>(p.activation_max)));
  }
}

// Steps of output pixels, each `channels` lanes (one or two pixels) whose
// nine taps advance by tap_delta[row] and output by out_delta from where
// the previous step left them. Offsets are the loop's.
struct Run {
  const int8_t* taps[kTaps];  // [0]  (ky, kx) row by row
  const GroupConsts* consts;  // [36]
  int8_t* out;                // [40]
  int32_t steps;              // [44] >= 1
  int32_t channels;           // [48] lanes per step, >= 1
  int32_t tap_delta[3];       // [52]
  int32_t out_delta;          // [64]
  int32_t output_offset;      // [68]
};

// Per vector of channels: the bias as the sums' start; per tap one load of
// inputs and one of weights, two VMULL.S8 (int8 x int8 fits int16), four
// widenings and four adds (12 instructions for 16 MACs); then Requantize4's
// steps on the four sums and the output step with 16-bit and 8-bit
// saturating narrows. For a value v after the rounding shift, lo <= hi in
// int8 and an int8 offset: sat8(sat16(sat16(v) + offset)) clamped to
// [lo, hi] is clamp(v + offset, lo, hi), the reference's result, as every
// saturation is monotone and exact inside [lo, hi]. A tail-predicated loop
// (channels a multiple of 4: predication never splits a lane of the sums).
__attribute__((noinline)) void RunLoop(Run* run) {
  register Run* state __asm__("r12") = run;
  __asm__ volatile(
      "ldr r11, [r12, #68]\n"
      "1:\n"
      "ldm r12, {r0, r1, r2, r3, r4, r5, r6, r7, r8}\n"
      "ldr r9, [r12, #48]\n"
      "ldr r10, [r12, #40]\n"
      "dlstp.8 lr, r9\n"
      "ldr r9, [r12, #36]\n"
      "2:\n"
      "vldrw.32 q0, [r9], #16\n"
      "vldrw.32 q1, [r9], #16\n"
      "vldrw.32 q2, [r9], #16\n"
      "vldrw.32 q3, [r9], #16\n"
      ".irp tap, r0, r1, r2, r3, r4, r5, r6, r7, r8\n"
      "vldrb.8 q4, [\\tap], #16\n"
      "vldrb.8 q5, [r9], #16\n"
      "vmullb.s8 q6, q4, q5\n"
      "vmovlb.s16 q7, q6\n"
      "vadd.i32 q0, q0, q7\n"
      "vmovlt.s16 q7, q6\n"
      "vadd.i32 q1, q1, q7\n"
      "vmullt.s8 q6, q4, q5\n"
      "vmovlb.s16 q7, q6\n"
      "vadd.i32 q2, q2, q7\n"
      "vmovlt.s16 q7, q6\n"
      "vadd.i32 q3, q3, q7\n"
      ".endr\n"
      ".irp acc, q0, q1, q2, q3\n"
      "vldrw.32 q4, [r9], #16\n"
      "vldrw.32 q5, [r9], #16\n"
      "vqrdmulh.s32 \\acc, \\acc, q4\n"
      "vand q6, \\acc, q5\n"
      "vshr.s32 q6, q6, #31\n"
      "vqadd.s32 \\acc, \\acc, q6\n"
      "vrshl.s32 \\acc, \\acc, q5\n"
      ".endr\n"
      "vqmovnb.s32 q4, q0\n"
      "vqmovnt.s32 q4, q1\n"
      "vqmovnb.s32 q5, q2\n"
      "vqmovnt.s32 q5, q3\n"
      "vqadd.s16 q4, q4, r11\n"
      "vqadd.s16 q5, q5, r11\n"
      "vqmovnb.s16 q6, q4\n"
      "vqmovnt.s16 q6, q5\n"
      "vldrb.8 q7, [r9], #16\n"
      "vmax.s8 q6, q6, q7\n"
      "vldrb.8 q7, [r9], #16\n"
      "vmin.s8 q6, q6, q7\n"
      "vstrb.8 q6, [r10], #16\n"
      "letp lr, 2b\n"
      "ldr r9, [r12, #52]\n"
      "add r0, r9\n"
      "add r1, r9\n"
      "add r2, r9\n"
      "ldr r9, [r12, #56]\n"
      "add r3, r9\n"
      "add r4, r9\n"
      "add r5, r9\n"
      "ldr r9, [r12, #60]\n"
      "add r6, r9\n"
      "add r7, r9\n"
      "add r8, r9\n"
      "stm r12, {r0, r1, r2, r3, r4, r5, r6, r7, r8}\n"
      "ldr r9, [r12, #64]\n"
      "add r10, r9\n"
      "str r10, [r12, #40]\n"
      "ldr r9, [r12, #44]\n"
      "subs r9, r9, #1\n"
      "str r9, [r12, #44]\n"
      "bne 1b\n"
      :
      : "r"(state)
      : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "lr", "q0", "q1",
        "q2", "q3", "q4", "q5", "q6", "q7", "memory", "cc");
}

// The layer's geometry for one pass of channels [first, first + count).
struct Pass {
  const Window2D& w;
  const int8_t* pad;  // kLanes * kChunkGroups bytes of the input's zero point
  int32_t first, count;
  bool paired;  // eight channels, stride 1: two pixels per vector
};

// Loop bytes per step of `channels` lanes: the pointers end that far on.
inline int32_t Consumed(int32_t channels) { return (channels + kLanes - 1) / kLanes * kLanes; }

// Output pixels [ox, ox + pixels) of row oy in image b, all with the same
// taps in the padding: pixels / step steps of `step` pixels (1, or 2 when
// paired), `rows` the filter rows' input (null: padding).
void RunPixels(const Pass& s, const GroupConsts* consts, const int8_t* const rows[3],
               int32_t output_offset, int8_t* out_row, int32_t ox, int32_t pixels, int32_t step) {
  const Window2D& w = s.w;
  const int32_t channels = step == 2 ? 2 * s.count : s.count;
  const int32_t used = Consumed(channels);
  const int32_t x0 = ox * w.stride_w - w.pad_left;
  Run run;
  for (int32_t ky = 0; ky < 3; ++ky) {
    for (int32_t kx = 0; kx < 3; ++kx) {
      const int32_t ix = x0 + kx * w.dilation_w;
      const bool inside = rows[ky] != nullptr && ix >= 0 && ix < w.in_w;
      run.taps[ky * 3 + kx] = inside ? rows[ky] + ix * w.in_c : s.pad;
    }
    run.tap_delta[ky] = (rows[ky] != nullptr ? step * w.stride_w * w.in_c : 0) - used;
  }
  run.consts = consts;
  run.out = out_row + ox * w.out_c;
  run.steps = pixels / step;
  run.channels = channels;
  run.out_delta = step * w.out_c - used;
  run.output_offset = output_offset;
  RunLoop(&run);
}

void RunRow(const Pass& s, const GroupConsts* consts, const int8_t* image, int32_t oy,
            int32_t output_offset, int32_t inner_first, int32_t inner_end, int8_t* out_row) {
  const Window2D& w = s.w;
  const int8_t* rows[3];
  for (int32_t ky = 0; ky < 3; ++ky) {
    const int32_t iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
    rows[ky] = iy >= 0 && iy < w.in_h ? image + (iy * w.in_w * w.in_c + s.first) : nullptr;
  }
  // Edge pixels one at a time (their taps in the padding differ).
  for (int32_t ox = 0; ox < inner_first; ++ox) {
    RunPixels(s, consts, rows, output_offset, out_row, ox, 1, 1);
  }
  int32_t ox = inner_first;
  if (s.paired && inner_end - ox >= 2) {
    const int32_t pixels = (inner_end - ox) & ~1;
    RunPixels(s, consts, rows, output_offset, out_row, ox, pixels, 2);
    ox += pixels;
  }
  if (inner_end > ox) RunPixels(s, consts, rows, output_offset, out_row, ox, inner_end - ox, 1);
  for (ox = inner_end > inner_first ? inner_end : inner_first; ox < w.out_w; ++ox) {
    RunPixels(s, consts, rows, output_offset, out_row, ox, 1, 1);
  }
}

}  // namespace

bool Depthwise3x3Fits(const Window2D& w, int32_t depth_multiplier, const PerChannelParams& params) {
  return depth_multiplier == 1 && w.filter_h == 3 && w.filter_w == 3 && w.out_c % 4 == 0 &&
         w.in_c == w.out_c && RightShiftsOnly(params.shift.data(), static_cast<size_t>(w.out_c));
}

void Depthwise3x3Int8(const Window2D& window, const PerChannelParams& params, const int8_t* input,
                      const int8_t* filter, const int32_t* bias, int8_t* output) {
  // A local copy: the output stores could alias the caller's.
  const Window2D w = window;
  GroupConsts consts[kChunkGroups];
  // Padded taps read the input's zero point: x + input_offset = 0 there.
  alignas(16) int8_t pad[kLanes * kChunkGroups];
  for (int8_t& v : pad) v = static_cast<int8_t>(-params.input_offset);
  // Output columns whose three taps are all inside the input.
  int32_t inner_first = (w.pad_left + w.stride_w - 1) / w.stride_w;
  const int32_t last = w.in_w - 1 - 2 * w.dilation_w + w.pad_left;  // ox * stride_w <= last
  int32_t inner_end = last < 0 ? 0 : last / w.stride_w + 1;
  if (inner_end > w.out_w) inner_end = w.out_w;
  if (inner_first > inner_end) inner_first = inner_end;
  const bool paired = w.out_c == 8 && w.stride_w == 1;
  const size_t out_row = static_cast<size_t>(w.out_w) * w.out_c;
  for (int32_t first = 0; first < w.out_c; first += kLanes * kChunkGroups) {
    const int32_t count =
        w.out_c - first < kLanes * kChunkGroups ? w.out_c - first : kLanes * kChunkGroups;
    // Paired: 16 lanes of the same eight channels.
    BuildConsts(w, params, filter, bias, first, paired ? kLanes : count, paired ? 8 : kLanes,
                consts);
    const Pass s = {w, pad, first, count, paired};
    for (int32_t b = 0; b < w.batches; ++b) {
      const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
      int8_t* out_image = output + static_cast<size_t>(b) * w.out_h * out_row + first;
      for (int32_t oy = 0; oy < w.out_h; ++oy) {
        RunRow(s, consts, image, oy, params.output_offset, inner_first, inner_end,
               out_image + oy * out_row);
      }
    }
  }
}

}  // namespace mote::cortex_m_mve
