// Target kernels against the reference kernels, byte for byte, on the board
// itself (both are compiled into this image).
//
//   mote-kernel-check CASES [SEED]
//
// Runs CASES random cases per kernel of hostile geometries (odd and tiny
// channel counts, 1-wide images, paddings larger than the filter, strides,
// dilations, extreme multipliers, shifts, offsets and clamps) through
// mote::kernels:: (the variant the build selected) and mote::reference::,
// prints the first mismatch and exits 1; exits 2 if this build selected no
// target variant (the comparison would prove nothing).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/conv.h"
#include "kernels/reference/depthwise_conv.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/selected.h"

const char mote_firmware_name[] = "mote-kernel-check";

namespace {

using mote::reference::FullyConnectedShape;
using mote::reference::PerChannelParams;
using mote::reference::QuantizedFcParams;
using mote::reference::Window2D;

constexpr size_t kMaxBytes = 24 * 1024;
constexpr size_t kMaxChannels = 80;
alignas(4) int8_t g_input[kMaxBytes];
alignas(4) int8_t g_filter[kMaxBytes];
alignas(4) int8_t g_expected[kMaxBytes];
alignas(4) int8_t g_actual[kMaxBytes + 16];  // + a guard zone
int32_t g_bias[kMaxChannels];
int32_t g_multiplier[kMaxChannels];
int8_t g_shift[kMaxChannels];

uint32_t g_state = 1;

uint32_t Next() {  // xorshift32
  g_state ^= g_state << 13;
  g_state ^= g_state >> 17;
  g_state ^= g_state << 5;
  return g_state;
}

// Uniform in [lo, hi].
int32_t Uniform(int32_t lo, int32_t hi) {
  return lo + static_cast<int32_t>(Next() % static_cast<uint32_t>(hi - lo + 1));
}

bool OneIn(uint32_t n) { return Next() % n == 0; }

void FillInt8(int8_t* p, size_t n) {
  // Mostly full range; sometimes only the extremes, to stress the sums.
  const bool extremes = OneIn(6);
  for (size_t i = 0; i < n; ++i) {
    p[i] = static_cast<int8_t>(extremes ? (OneIn(2) ? -128 : 127) : Uniform(-128, 127));
  }
}

// Per-channel requantization as the loader allows it: multiplier >= 0 (Q31,
// usually in [2^30, 2^31)), shift in [-31, 30]; zero points inside int8.
struct Quant {
  int32_t input_offset, output_offset, act_min, act_max;
};

Quant RandomQuant(size_t channels) {
  for (size_t c = 0; c < channels; ++c) {
    const int kind = Uniform(0, 9);
    g_multiplier[c] = kind == 0   ? 0
                      : kind == 1 ? INT32_MAX
                      : kind == 2 ? (1 << 30)
                                  : Uniform(1 << 30, INT32_MAX);
    g_shift[c] = static_cast<int8_t>(OneIn(4) ? (OneIn(2) ? -31 : 30) : Uniform(-12, 4));
  }
  Quant q;
  q.input_offset = OneIn(4) ? (OneIn(2) ? -127 : 128) : Uniform(-127, 128);
  q.output_offset = OneIn(4) ? (OneIn(2) ? -128 : 127) : Uniform(-128, 127);
  q.act_min = OneIn(2) ? -128 : Uniform(-128, 0);
  q.act_max = OneIn(2) ? 127 : Uniform(q.act_min, 127);
  return q;
}

// Bias within the loader's headroom: |bias| <= INT32_MAX - depth * 255 * 128.
const int32_t* RandomBias(size_t channels, int64_t depth) {
  if (OneIn(5)) return nullptr;
  const int64_t headroom = INT32_MAX - depth * 255 * 128;
  const int32_t limit = static_cast<int32_t>(headroom < (1 << 20) || OneIn(4) ? headroom : (1 << 20));
  for (size_t c = 0; c < channels; ++c) {
    g_bias[c] = OneIn(8) ? (OneIn(2) ? limit : -limit) : Uniform(-limit, limit);
  }
  return g_bias;
}

PerChannelParams WindowParams(const Quant& q, size_t channels) {
  return {q.input_offset, q.output_offset, {g_multiplier, channels}, {g_shift, channels},
          q.act_min, q.act_max};
}

bool Compare(const char* kernel, int index, size_t n) {
  for (size_t i = 0; i < 16; ++i) {
    if (g_actual[n + i] != 0x5A) {
      printf("%s case %d: wrote past its output (%u bytes)\n", kernel, index, static_cast<unsigned>(n));
      return false;
    }
  }
  if (memcmp(g_expected, g_actual, n) == 0) return true;
  for (size_t i = 0; i < n; ++i) {
    if (g_expected[i] != g_actual[i]) {
      printf("%s case %d: byte %u is %d, reference %d\n", kernel, index, static_cast<unsigned>(i),
             g_actual[i], g_expected[i]);
      break;
    }
  }
  return false;
}

void PrepareOutputs(size_t n) {
  memset(g_expected, 0, n);
  memset(g_actual, 0x5A, n + 16);
}

bool FullyConnectedCase(int index) {
  FullyConnectedShape s;
  s.batches = static_cast<size_t>(Uniform(1, 4));
  s.depth = static_cast<size_t>(OneIn(3) ? Uniform(1, 9) : Uniform(1, 300));
  s.units = static_cast<size_t>(Uniform(1, 23));
  if (s.batches * s.depth > kMaxBytes || s.units * s.depth > kMaxBytes) return true;
  FillInt8(g_input, s.batches * s.depth);
  FillInt8(g_filter, s.units * s.depth);
  const Quant q = RandomQuant(s.units);
  const int32_t* bias = RandomBias(s.units, static_cast<int64_t>(s.depth));
  const QuantizedFcParams p = {q.input_offset, q.output_offset, {g_multiplier, s.units},
                               {g_shift, s.units}, q.act_min, q.act_max};
  const size_t n = s.batches * s.units;
  PrepareOutputs(n);
  mote::reference::FullyConnectedInt8(s, p, g_input, g_filter, bias, g_expected);
  mote::kernels::FullyConnectedInt8(s, p, g_input, g_filter, bias, g_actual);
  if (Compare("FullyConnectedInt8", index, n)) return true;
  printf("  batches %u depth %u units %u\n", static_cast<unsigned>(s.batches),
         static_cast<unsigned>(s.depth), static_cast<unsigned>(s.units));
  return false;
}

// A window whose output size is what the padding, stride and dilation give
// (sometimes fewer rows/columns), every coordinate small.
Window2D RandomWindow(int32_t in_c, int32_t out_c) {
  Window2D w;
  w.batches = Uniform(1, 2);
  w.in_h = OneIn(4) ? 1 : Uniform(1, 10);
  w.in_w = OneIn(4) ? 1 : Uniform(1, 10);
  w.in_c = in_c;
  w.out_c = out_c;
  const bool three = OneIn(2);
  w.filter_h = three ? 3 : Uniform(1, 5);
  w.filter_w = three ? 3 : Uniform(1, 5);
  w.stride_h = OneIn(2) ? 1 : Uniform(1, 3);
  w.stride_w = OneIn(2) ? 1 : Uniform(1, 3);
  w.dilation_h = OneIn(3) ? Uniform(2, 3) : 1;
  w.dilation_w = OneIn(3) ? Uniform(2, 3) : 1;
  w.pad_top = OneIn(5) ? Uniform(0, 7) : Uniform(0, w.filter_h / 2);
  w.pad_left = OneIn(5) ? Uniform(0, 7) : Uniform(0, w.filter_w / 2);
  const int32_t span_h = w.in_h + 2 * w.pad_top - w.dilation_h * (w.filter_h - 1) - 1;
  const int32_t span_w = w.in_w + 2 * w.pad_left - w.dilation_w * (w.filter_w - 1) - 1;
  w.out_h = span_h < 0 ? 1 : span_h / w.stride_h + 1;
  w.out_w = span_w < 0 ? 1 : span_w / w.stride_w + 1;
  if (OneIn(6)) w.out_h = Uniform(1, w.out_h);
  if (OneIn(6)) w.out_w = Uniform(1, w.out_w);
  return w;
}

// A 1x1 stride-1 unpadded window (the pointwise fast path).
Window2D PointwiseWindow(int32_t in_c, int32_t out_c) {
  Window2D w = RandomWindow(in_c, out_c);
  w.filter_h = w.filter_w = w.stride_h = w.stride_w = 1;
  w.pad_top = w.pad_left = 0;
  w.out_h = w.in_h;
  w.out_w = w.in_w;
  return w;
}

size_t InputBytes(const Window2D& w) {
  return static_cast<size_t>(w.batches) * w.in_h * w.in_w * w.in_c;
}
size_t OutputBytes(const Window2D& w) {
  return static_cast<size_t>(w.batches) * w.out_h * w.out_w * w.out_c;
}

void PrintWindow(const Window2D& w, int32_t groups_or_multiplier) {
  printf("  batches %ld in %ldx%ldx%ld out %ldx%ldx%ld filter %ldx%ld stride %ld,%ld dilation %ld,%ld "
         "pad %ld,%ld groups/multiplier %ld\n",
         long{w.batches}, long{w.in_h}, long{w.in_w}, long{w.in_c}, long{w.out_h}, long{w.out_w},
         long{w.out_c}, long{w.filter_h}, long{w.filter_w}, long{w.stride_h}, long{w.stride_w},
         long{w.dilation_h}, long{w.dilation_w}, long{w.pad_top}, long{w.pad_left},
         long{groups_or_multiplier});
}

bool ConvCase(int index) {
  const int32_t groups = OneIn(10) ? 2 : 1;
  const int32_t in_c = groups * (OneIn(3) ? Uniform(1, 40) : Uniform(1, 9));
  const int32_t out_c = groups * Uniform(1, 13);
  const Window2D w = OneIn(3) ? PointwiseWindow(in_c, out_c) : RandomWindow(in_c, out_c);
  const size_t filter_bytes = static_cast<size_t>(out_c) * w.filter_h * w.filter_w * (in_c / groups);
  if (InputBytes(w) > kMaxBytes || OutputBytes(w) > kMaxBytes || filter_bytes > kMaxBytes) return true;
  FillInt8(g_input, InputBytes(w));
  FillInt8(g_filter, filter_bytes);
  const Quant q = RandomQuant(static_cast<size_t>(out_c));
  const int32_t* bias = RandomBias(static_cast<size_t>(out_c),
                                   static_cast<int64_t>(filter_bytes / static_cast<size_t>(out_c)));
  const PerChannelParams p = WindowParams(q, static_cast<size_t>(out_c));
  PrepareOutputs(OutputBytes(w));
  mote::reference::Conv2DInt8(w, groups, p, g_input, g_filter, bias, g_expected);
  mote::kernels::Conv2DInt8(w, groups, p, g_input, g_filter, bias, g_actual);
  if (Compare("Conv2DInt8", index, OutputBytes(w))) return true;
  PrintWindow(w, groups);
  return false;
}

bool DepthwiseCase(int index) {
  const int32_t multiplier = OneIn(8) ? 2 : 1;
  const int32_t in_c = OneIn(3) ? Uniform(1, 9) : Uniform(1, 40);
  const int32_t out_c = in_c * multiplier;
  const Window2D w = RandomWindow(in_c, out_c);
  const size_t filter_bytes = static_cast<size_t>(out_c) * w.filter_h * w.filter_w;
  if (InputBytes(w) > kMaxBytes || OutputBytes(w) > kMaxBytes || filter_bytes > kMaxBytes) return true;
  FillInt8(g_input, InputBytes(w));
  FillInt8(g_filter, filter_bytes);
  const Quant q = RandomQuant(static_cast<size_t>(out_c));
  const int32_t* bias = RandomBias(static_cast<size_t>(out_c),
                                   static_cast<int64_t>(w.filter_h) * w.filter_w);
  const PerChannelParams p = WindowParams(q, static_cast<size_t>(out_c));
  PrepareOutputs(OutputBytes(w));
  mote::reference::DepthwiseConv2DInt8(w, multiplier, p, g_input, g_filter, bias, g_expected);
  mote::kernels::DepthwiseConv2DInt8(w, multiplier, p, g_input, g_filter, bias, g_actual);
  if (Compare("DepthwiseConv2DInt8", index, OutputBytes(w))) return true;
  PrintWindow(w, multiplier);
  return false;
}

// Wider cases for kernels that work in chunks of output channels and in
// blocks of 16 input values (the MVE kernels: 64-channel chunks, 16-byte
// vectors, eight-channel depthwise groups): channel counts across a chunk
// boundary, depths around multiples of 16, and half the time every shift
// <= 0, so that the vector requantization (taken only when no channel of a
// chunk shifts left) sees many channels.
void MaybeRightShiftsOnly(size_t channels) {
  if (OneIn(2)) return;
  for (size_t c = 0; c < channels; ++c) {
    if (g_shift[c] > 0) g_shift[c] = static_cast<int8_t>(-g_shift[c]);
  }
}

int32_t WideDepth() {
  const int kind = Uniform(0, 3);
  return kind == 0 ? Uniform(1, 15) : kind == 1 ? 16 * Uniform(1, 4) + Uniform(-1, 1)
                                    : Uniform(17, 200);
}

bool WideFullyConnectedCase(int index) {
  FullyConnectedShape s;
  s.batches = static_cast<size_t>(Uniform(1, 5));
  s.depth = static_cast<size_t>(WideDepth());
  s.units = static_cast<size_t>(OneIn(2) ? Uniform(60, 70) : Uniform(1, 70));
  if (s.batches * s.depth > kMaxBytes || s.units * s.depth > kMaxBytes) return true;
  FillInt8(g_input, s.batches * s.depth);
  FillInt8(g_filter, s.units * s.depth);
  const Quant q = RandomQuant(s.units);
  MaybeRightShiftsOnly(s.units);
  const int32_t* bias = RandomBias(s.units, static_cast<int64_t>(s.depth));
  const QuantizedFcParams p = {q.input_offset, q.output_offset, {g_multiplier, s.units},
                               {g_shift, s.units}, q.act_min, q.act_max};
  const size_t n = s.batches * s.units;
  PrepareOutputs(n);
  mote::reference::FullyConnectedInt8(s, p, g_input, g_filter, bias, g_expected);
  mote::kernels::FullyConnectedInt8(s, p, g_input, g_filter, bias, g_actual);
  if (Compare("FullyConnectedInt8 (wide)", index, n)) return true;
  printf("  batches %u depth %u units %u\n", static_cast<unsigned>(s.batches),
         static_cast<unsigned>(s.depth), static_cast<unsigned>(s.units));
  return false;
}

bool WideConvCase(int index) {
  const int32_t in_c = OneIn(2) ? Uniform(1, 12) : 16 * Uniform(1, 2) + Uniform(-1, 1);
  const int32_t out_c = OneIn(2) ? Uniform(60, 70) : Uniform(1, 70);
  const Window2D w = OneIn(3) ? PointwiseWindow(in_c, out_c) : RandomWindow(in_c, out_c);
  const size_t filter_bytes = static_cast<size_t>(out_c) * w.filter_h * w.filter_w * in_c;
  if (InputBytes(w) > kMaxBytes || OutputBytes(w) > kMaxBytes || filter_bytes > kMaxBytes) return true;
  FillInt8(g_input, InputBytes(w));
  FillInt8(g_filter, filter_bytes);
  const Quant q = RandomQuant(static_cast<size_t>(out_c));
  MaybeRightShiftsOnly(static_cast<size_t>(out_c));
  const int32_t* bias = RandomBias(static_cast<size_t>(out_c),
                                   static_cast<int64_t>(filter_bytes / static_cast<size_t>(out_c)));
  const PerChannelParams p = WindowParams(q, static_cast<size_t>(out_c));
  PrepareOutputs(OutputBytes(w));
  mote::reference::Conv2DInt8(w, 1, p, g_input, g_filter, bias, g_expected);
  mote::kernels::Conv2DInt8(w, 1, p, g_input, g_filter, bias, g_actual);
  if (Compare("Conv2DInt8 (wide)", index, OutputBytes(w))) return true;
  PrintWindow(w, 1);
  return false;
}

bool WideDepthwiseCase(int index) {
  const int32_t in_c = OneIn(2) ? Uniform(60, 70) : Uniform(1, 70);
  const Window2D w = RandomWindow(in_c, in_c);
  const size_t filter_bytes = static_cast<size_t>(in_c) * w.filter_h * w.filter_w;
  if (InputBytes(w) > kMaxBytes || OutputBytes(w) > kMaxBytes || filter_bytes > kMaxBytes) return true;
  FillInt8(g_input, InputBytes(w));
  FillInt8(g_filter, filter_bytes);
  const Quant q = RandomQuant(static_cast<size_t>(in_c));
  MaybeRightShiftsOnly(static_cast<size_t>(in_c));
  const int32_t* bias = RandomBias(static_cast<size_t>(in_c),
                                   static_cast<int64_t>(w.filter_h) * w.filter_w);
  const PerChannelParams p = WindowParams(q, static_cast<size_t>(in_c));
  PrepareOutputs(OutputBytes(w));
  mote::reference::DepthwiseConv2DInt8(w, 1, p, g_input, g_filter, bias, g_expected);
  mote::kernels::DepthwiseConv2DInt8(w, 1, p, g_input, g_filter, bias, g_actual);
  if (Compare("DepthwiseConv2DInt8 (wide)", index, OutputBytes(w))) return true;
  PrintWindow(w, 1);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    printf("usage: mote-kernel-check CASES [SEED]\n");
    return 2;
  }
  const int cases = atoi(argv[1]);
  g_state = argc > 2 ? static_cast<uint32_t>(strtoul(argv[2], nullptr, 0)) : 0x6d6f7465u;
  if (g_state == 0) g_state = 1;
  if (strcmp(mote::kernels::kVariant, "reference") == 0) {
    printf("mote-kernel-check: this build has no target kernels to check\n");
    return 2;
  }
  // Called by name, not through a table, so the stack analysis
  // (tools/stack_report.py) sees no indirect call.
  const char* const names[] = {"FullyConnectedInt8", "Conv2DInt8", "DepthwiseConv2DInt8"};
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < cases; ++i) {
      const bool same = k == 0 ? FullyConnectedCase(i) : k == 1 ? ConvCase(i) : DepthwiseCase(i);
      if (!same) {
        printf("mote-kernel-check: %s differs from the reference (seed %lu)\n", names[k],
               static_cast<unsigned long>(argc > 2 ? strtoul(argv[2], nullptr, 0) : 0x6d6f7465u));
        return 1;
      }
    }
    printf("mote-kernel-check: %s (%s) == reference on %d cases\n", names[k],
           mote::kernels::kVariant, cases);
  }
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < cases; ++i) {
      const bool same = k == 0   ? WideFullyConnectedCase(i)
                        : k == 1 ? WideConvCase(i)
                                 : WideDepthwiseCase(i);
      if (!same) {
        printf("mote-kernel-check: %s differs from the reference (seed %lu)\n", names[k],
               static_cast<unsigned long>(argc > 2 ? strtoul(argv[2], nullptr, 0) : 0x6d6f7465u));
        return 1;
      }
    }
    printf("mote-kernel-check: %s (%s) == reference on %d wide cases\n", names[k],
           mote::kernels::kVariant, cases);
  }
  return 0;
}
