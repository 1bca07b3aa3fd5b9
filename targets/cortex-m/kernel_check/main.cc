// Target kernels against the reference kernels, byte for byte, on the board
// itself (both are compiled into this image).
//
//   mote-kernel-check CASES [SEED]
//
// Runs CASES random cases per kernel of hostile geometries (odd and tiny
// channel counts, 1-wide images, paddings larger than the filter, strides,
// dilations, broadcast shapes, extreme multipliers, shifts, offsets and
// clamps) through
// mote::kernels:: (the variant the build selected) and mote::reference::,
// prints the first mismatch and exits 1; exits 2 if this build selected no
// target variant (the comparison would prove nothing).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/reference/add.h"
#include "kernels/reference/broadcast.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/depthwise_conv.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/reference/in_place.h"
#include "kernels/reference/mul.h"
#include "kernels/reference/pooling.h"
#include "kernels/selected.h"
#include "spectrogram_check.h"
#include "matmul_rnn_check.h"

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
alignas(4) int8_t g_shared[2 * kMaxBytes + 4];  // an output over its own input
int32_t g_bias[kMaxChannels];
int32_t g_effective[kMaxChannels];
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
  // Sometimes every shift as a trained model has them (a real multiplier
  // below 0.5), so that the fast output paths run on every channel.
  const bool typical = OneIn(3);
  for (size_t c = 0; c < channels; ++c) {
    const int kind = Uniform(0, 9);
    g_multiplier[c] = kind == 0   ? 0
                      : kind == 1 ? INT32_MAX
                      : kind == 2 ? (1 << 30)
                                  : Uniform(1 << 30, INT32_MAX);
    g_shift[c] = static_cast<int8_t>(typical   ? Uniform(-12, -1)
                                     : OneIn(4) ? (OneIn(2) ? -31 : 30)
                                                : Uniform(-12, 4));
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

// The op's arena scratch for the target kernel: the bytes
// kernels/scratch.h says this build's variant needs (what modelc plans),
// then a guard zone; now and then none or one byte too few (a file planned
// for other cores), where the kernel must take a scratch-free path with the
// same results.
constexpr size_t kMaxScratch = 4096;
constexpr uint8_t kScratchGuard = 0xA5;
alignas(16) uint8_t g_scratch[kMaxScratch + 16];
size_t g_scratch_size = 0;

std::span<uint8_t> Scratch(size_t needed) {
  const int kind = Uniform(0, 7);
  size_t size = kind == 0 ? 0 : kind == 1 && needed > 0 ? needed - 1 : needed;
  if (size > kMaxScratch) size = 0;
  memset(g_scratch + size, kScratchGuard, 16);
  g_scratch_size = size;
  return {g_scratch, size};
}

bool ScratchIntact(const char* kernel, int index) {
  for (size_t i = 0; i < 16; ++i) {
    if (g_scratch[g_scratch_size + i] != kScratchGuard) {
      printf("%s case %d: wrote past its scratch (%u bytes)\n", kernel, index,
             static_cast<unsigned>(g_scratch_size));
      return false;
    }
  }
  return true;
}

// Half the time, what modelc writes as the effective bias (bias + input
// offset * the sum of each row of `channels` rows of `depth` weights).
const int32_t* MaybeEffectiveBias(const int8_t* weights, size_t channels, size_t depth,
                                  bool interleaved, int32_t input_offset, const int32_t* bias) {
  if (OneIn(2) || channels > kMaxChannels) return nullptr;
  for (size_t c = 0; c < channels; ++c) {
    const mote::reference::WeightRow row =
        mote::reference::RowOf(weights, depth, channels, interleaved, c);
    int64_t sum = 0;
    for (size_t k = 0; k < depth / 4; ++k) {
      for (size_t i = 0; i < 4; ++i) sum += row.blocks[k * row.block_stride + i];
    }
    for (size_t k = 0; k < depth % 4; ++k) sum += row.tail[k];
    g_effective[c] = static_cast<int32_t>((bias != nullptr ? bias[c] : 0) + input_offset * sum);
  }
  return g_effective;
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
  // Sometimes more than 32 units: the DSP outputs go in chunks of 32 channels.
  s.units = static_cast<size_t>(OneIn(4) ? Uniform(24, static_cast<int32_t>(kMaxChannels))
                                          : Uniform(1, 23));
  // Rows interleaved in groups of four (RowOf): both kernels read the same
  // random bytes in that layout; deep rows sometimes, past the DSP path's
  // widening limit.
  s.interleaved = OneIn(2);
  if (s.interleaved && OneIn(8)) s.depth = static_cast<size_t>(Uniform(1100, 1200));
  if (s.batches * s.depth > kMaxBytes || s.units * s.depth > kMaxBytes) return true;
  FillInt8(g_input, s.batches * s.depth);
  FillInt8(g_filter, s.units * s.depth);
  const Quant q = RandomQuant(s.units);
  const int32_t* bias = RandomBias(s.units, static_cast<int64_t>(s.depth));
  QuantizedFcParams p = {q.input_offset,     q.output_offset, {g_multiplier, s.units},
                         {g_shift, s.units}, q.act_min,       q.act_max};
  const size_t n = s.batches * s.units;
  // Weights at an odd address sometimes: the loader asks int8 constants only
  // for byte alignment, and word loads of interleaved groups must not fault.
  const int8_t* weights =
      OneIn(8) && s.units * s.depth < kMaxBytes ? g_filter + 1 : g_filter;
  p.effective_bias =
      MaybeEffectiveBias(weights, s.units, s.depth, s.interleaved, q.input_offset, bias);
  PrepareOutputs(n);
  mote::reference::FullyConnectedInt8(s, p, g_input, weights, bias, g_expected, {});
  const std::span<uint8_t> scratch =
      Scratch(mote::kernel_scratch::FullyConnectedInt8Bytes(mote::kernels::kKernelSet, s));
  mote::kernels::FullyConnectedInt8(s, p, g_input, weights, bias, g_actual, scratch);
  if (Compare("FullyConnectedInt8", index, n) && ScratchIntact("FullyConnectedInt8", index)) {
    return true;
  }
  printf("  batches %u depth %u units %u interleaved %d\n", static_cast<unsigned>(s.batches),
         static_cast<unsigned>(s.depth), static_cast<unsigned>(s.units), s.interleaved ? 1 : 0);
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

// The output written over its own input from exactly the least margin a
// file may use (kernels/reference/in_place.h) must be what the reference
// wrote to a buffer of its own (g_expected). The input stays word-aligned;
// the output then starts wherever the margin puts it.
bool InPlaceConvMatches(const char* kernel, int index, const Window2D& w, int32_t groups,
                        const PerChannelParams& p, const int32_t* bias) {
  const int64_t margin = mote::reference::ConvInPlaceMargin(w, 1, 1);
  if (margin < 0) return true;
  const size_t shift = static_cast<size_t>(margin);
  const size_t base = (4 - shift % 4) % 4;
  if (base + shift + InputBytes(w) > sizeof(g_shared) || base + OutputBytes(w) > sizeof(g_shared)) return true;
  memset(g_shared, 0x5A, sizeof(g_shared));
  memcpy(g_shared + base + shift, g_input, InputBytes(w));
  const std::span<uint8_t> scratch =
      Scratch(mote::kernel_scratch::Conv2DInt8Bytes(mote::kernels::kKernelSet, w, groups));
  mote::kernels::Conv2DInt8(w, groups, p, g_shared + base + shift, g_filter, bias, g_shared + base,
                            scratch);
  if (!ScratchIntact(kernel, index)) return false;
  if (memcmp(g_shared + base, g_expected, OutputBytes(w)) == 0) return true;
  for (size_t i = 0; i < OutputBytes(w); ++i) {
    if (g_shared[base + i] != g_expected[i]) {
      printf("%s case %d: in place (margin %ld), byte %u is %d, reference %d\n", kernel, index,
             static_cast<long>(margin), static_cast<unsigned>(i), g_shared[base + i], g_expected[i]);
      break;
    }
  }
  return false;
}

bool ConvCase(int index) {
  const int32_t groups = OneIn(10) ? 2 : 1;
  const int32_t in_c = groups * (OneIn(3) ? Uniform(1, 40) : Uniform(1, 9));
  const int32_t out_c =
      groups == 1 && OneIn(5) ? Uniform(14, static_cast<int32_t>(kMaxChannels)) : groups * Uniform(1, 13);
  const Window2D w = OneIn(3) ? PointwiseWindow(in_c, out_c) : RandomWindow(in_c, out_c);
  const size_t filter_bytes = static_cast<size_t>(out_c) * w.filter_h * w.filter_w * (in_c / groups);
  if (InputBytes(w) > kMaxBytes || OutputBytes(w) > kMaxBytes || filter_bytes > kMaxBytes) return true;
  FillInt8(g_input, InputBytes(w));
  FillInt8(g_filter, filter_bytes);
  const Quant q = RandomQuant(static_cast<size_t>(out_c));
  const int32_t* bias = RandomBias(static_cast<size_t>(out_c),
                                   static_cast<int64_t>(filter_bytes / static_cast<size_t>(out_c)));
  PerChannelParams p = WindowParams(q, static_cast<size_t>(out_c));
  if (groups == 1) {
    p.effective_bias =
        MaybeEffectiveBias(g_filter, static_cast<size_t>(out_c),
                           filter_bytes / static_cast<size_t>(out_c), false, q.input_offset, bias);
  }
  PrepareOutputs(OutputBytes(w));
  mote::reference::Conv2DInt8(w, groups, p, g_input, g_filter, bias, g_expected, {});
  const std::span<uint8_t> scratch =
      Scratch(mote::kernel_scratch::Conv2DInt8Bytes(mote::kernels::kKernelSet, w, groups));
  mote::kernels::Conv2DInt8(w, groups, p, g_input, g_filter, bias, g_actual, scratch);
  if (Compare("Conv2DInt8", index, OutputBytes(w)) && ScratchIntact("Conv2DInt8", index) &&
      InPlaceConvMatches("Conv2DInt8", index, w, groups, p, bias)) {
    return true;
  }
  PrintWindow(w, groups);
  return false;
}

// A MobileNet-like depthwise window: 3x3, undilated, stride 1 or 2 (now and
// then 3), "same" or "valid" padding (now and then more), images from 1x1 up
// to 16x16, so that the target's 3x3 paths (whole windows, shifted windows
// at the borders, pixel pairs, tiny images) all run.
Window2D Depthwise3x3Window(int32_t channels) {
  Window2D w = RandomWindow(channels, channels);
  w.filter_h = w.filter_w = 3;
  w.dilation_h = w.dilation_w = 1;
  w.in_h = OneIn(8) ? Uniform(1, 2) : Uniform(3, 16);
  w.in_w = OneIn(8) ? Uniform(1, 2) : Uniform(3, 16);
  w.stride_h = OneIn(6) ? 3 : Uniform(1, 2);
  w.stride_w = OneIn(6) ? 3 : Uniform(1, 2);
  w.pad_top = OneIn(6) ? Uniform(2, 4) : Uniform(0, 1);
  w.pad_left = OneIn(6) ? Uniform(2, 4) : Uniform(0, 1);
  const int32_t span_h = w.in_h + 2 * w.pad_top - 3;
  const int32_t span_w = w.in_w + 2 * w.pad_left - 3;
  w.out_h = span_h < 0 ? 1 : span_h / w.stride_h + 1;
  w.out_w = span_w < 0 ? 1 : span_w / w.stride_w + 1;
  if (OneIn(8)) w.out_h = Uniform(1, w.out_h);
  if (OneIn(8)) w.out_w = Uniform(1, w.out_w);
  return w;
}

// Shifts as converters produce them for a multiplier below 1, [-22, -1],
// with the ends and just past them ([-23, 0]) often.
void TypicalShifts(size_t channels) {
  for (size_t c = 0; c < channels; ++c) {
    g_shift[c] = static_cast<int8_t>(OneIn(5) ? (OneIn(2) ? Uniform(-23, -22) : Uniform(-1, 0))
                                              : Uniform(-12, -3));
    if (OneIn(40)) g_shift[c] = static_cast<int8_t>(Uniform(-31, 30));
  }
}

bool DepthwiseCase(int index) {
  const bool mobilenet = OneIn(2);
  const int32_t multiplier = !mobilenet && OneIn(8) ? 2 : 1;
  const int32_t in_c = mobilenet ? (OneIn(3) ? Uniform(1, 40) : 4 * Uniform(1, 10))
                       : OneIn(3) ? Uniform(1, 9) : Uniform(1, 40);
  const int32_t out_c = in_c * multiplier;
  const Window2D w = mobilenet ? Depthwise3x3Window(in_c) : RandomWindow(in_c, out_c);
  const size_t filter_bytes = static_cast<size_t>(out_c) * w.filter_h * w.filter_w;
  if (InputBytes(w) > kMaxBytes || OutputBytes(w) > kMaxBytes || filter_bytes > kMaxBytes) return true;
  FillInt8(g_input, InputBytes(w));
  FillInt8(g_filter, filter_bytes);
  const Quant q = RandomQuant(static_cast<size_t>(out_c));
  if (mobilenet && !OneIn(4)) TypicalShifts(static_cast<size_t>(out_c));
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

// Elementwise shapes: an output of rank 0..4 and at most 3000 elements;
// each input keeps a suffix of its dimensions, each either the output's or
// 1 (broadcast). Often both match the output, or one is a single element.
struct BinaryShapes {
  int32_t out[4], in1[4], in2[4];
  int rank, rank1, rank2;
  size_t n, n1, n2;
};

size_t Elements(const int32_t* dims, int rank) {
  size_t n = 1;
  for (int d = 0; d < rank; ++d) n *= static_cast<size_t>(dims[d]);
  return n;
}

void RandomInputShape(const BinaryShapes& s, int kind, int32_t* dims, int* rank) {
  // kind 0: the output's shape; 1: a single element; 2: broadcast dims.
  *rank = kind == 1 ? Uniform(0, s.rank) : (kind == 0 ? s.rank : Uniform(0, s.rank));
  const int skip = s.rank - *rank;
  for (int d = 0; d < *rank; ++d) {
    dims[d] = kind == 1 ? 1 : (kind == 0 || OneIn(2) ? s.out[d + skip] : 1);
  }
}

BinaryShapes RandomBinaryShapes() {
  BinaryShapes s;
  s.rank = Uniform(0, 4);
  const size_t limit = OneIn(3) ? 3000 : 300;
  size_t n = 1;
  for (int d = 0; d < s.rank; ++d) {
    const int32_t room = static_cast<int32_t>(limit / n);
    s.out[d] = OneIn(5) ? 1 : Uniform(1, room < 1 ? 1 : (room > 64 && d + 1 < s.rank ? 64 : room));
    n *= static_cast<size_t>(s.out[d]);
  }
  const int kind1 = OneIn(2) ? 0 : Uniform(0, 2);
  const int kind2 = kind1 != 0 ? 0 : (OneIn(2) ? 0 : Uniform(0, 2));
  RandomInputShape(s, kind1, s.in1, &s.rank1);
  RandomInputShape(s, kind2, s.in2, &s.rank2);
  if (OneIn(2)) {  // either side may be the broadcast one
    int32_t t[4];
    memcpy(t, s.in1, sizeof t);
    memcpy(s.in1, s.in2, sizeof t);
    memcpy(s.in2, t, sizeof t);
    const int r = s.rank1;
    s.rank1 = s.rank2;
    s.rank2 = r;
  }
  s.n = Elements(s.out, s.rank);
  s.n1 = Elements(s.in1, s.rank1);
  s.n2 = Elements(s.in2, s.rank2);
  return s;
}

void PrintShapes(const BinaryShapes& s) {
  const int32_t* dims[3] = {s.out, s.in1, s.in2};
  const int ranks[3] = {s.rank, s.rank1, s.rank2};
  const char* names[3] = {"out", "in1", "in2"};
  for (int k = 0; k < 3; ++k) {
    printf("  %s [", names[k]);
    for (int d = 0; d < ranks[k]; ++d) printf(d ? " %ld" : "%ld", long{dims[k][d]});
    printf("]");
  }
  printf("\n");
}

// A Q31 multiplier and shift as the loader allows them: any multiplier >= 0
// (usually in [2^30, 2^31)), any shift in [lo, hi] (usually near `typical`).
void RandomMultiplier(int lo, int hi, int typical_lo, int typical_hi, int32_t* m, int* shift) {
  const int kind = Uniform(0, 9);
  *m = kind == 0 ? 0 : kind == 1 ? INT32_MAX : kind == 2 ? (1 << 30) : Uniform(1 << 30, INT32_MAX);
  if (OneIn(12)) *m = Uniform(0, INT32_MAX);
  *shift = OneIn(4) ? (OneIn(2) ? lo : hi) : (OneIn(5) ? Uniform(lo, hi) : Uniform(typical_lo, typical_hi));
}

int32_t RandomInputOffset() { return OneIn(4) ? (OneIn(2) ? -127 : 128) : Uniform(-127, 128); }
int32_t RandomOutputOffset() { return OneIn(4) ? (OneIn(2) ? -128 : 127) : Uniform(-128, 127); }

void RandomActivation(int32_t output_offset, int32_t* lo, int32_t* hi) {
  const int kind = Uniform(0, 3);
  *lo = kind == 0 ? -128 : kind == 1 ? output_offset : Uniform(-128, 127);
  *hi = kind == 0 || OneIn(2) ? 127 : Uniform(*lo, 127);
  if (*lo > *hi) *lo = -128;
}

// Add parameters: half the time as modelc and TFLite derive them (left
// shift 20, the larger input's multiplier exactly 0.5, the other below),
// otherwise anything the loader allows (left shift 0..22, shifts -31..30).
mote::reference::QuantizedAddParams RandomAddParams() {
  mote::reference::QuantizedAddParams p;
  p.input1_offset = RandomInputOffset();
  p.input2_offset = RandomInputOffset();
  p.output_offset = RandomOutputOffset();
  if (OneIn(2)) {
    p.left_shift = 20;
    const bool equal = OneIn(5);
    int32_t m;
    int shift;
    RandomMultiplier(-31, -1, -6, -1, &m, &shift);
    p.input1_multiplier = 1 << 30;
    p.input1_shift = 0;
    p.input2_multiplier = equal ? 1 << 30 : m;
    p.input2_shift = equal ? 0 : shift;
    if (OneIn(2)) {
      const int32_t tm = p.input1_multiplier;
      const int ts = p.input1_shift;
      p.input1_multiplier = p.input2_multiplier;
      p.input1_shift = p.input2_shift;
      p.input2_multiplier = tm;
      p.input2_shift = ts;
    }
    RandomMultiplier(-31, 30, -22, -14, &p.output_multiplier, &p.output_shift);
  } else {
    p.left_shift = OneIn(3) ? (OneIn(2) ? 0 : 22) : Uniform(0, 22);
    RandomMultiplier(-31, 30, -8, 0, &p.input1_multiplier, &p.input1_shift);
    RandomMultiplier(-31, 30, -8, 0, &p.input2_multiplier, &p.input2_shift);
    RandomMultiplier(-31, 30, -24, 0, &p.output_multiplier, &p.output_shift);
  }
  RandomActivation(p.output_offset, &p.activation_min, &p.activation_max);
  return p;
}

mote::reference::QuantizedMulParams RandomMulParams() {
  mote::reference::QuantizedMulParams p;
  p.input1_offset = RandomInputOffset();
  p.input2_offset = RandomInputOffset();
  p.output_offset = RandomOutputOffset();
  RandomMultiplier(-31, 30, -20, 1, &p.output_multiplier, &p.output_shift);
  RandomActivation(p.output_offset, &p.activation_min, &p.activation_max);
  return p;
}

// Fills the inputs and the broadcast of a random binary case; false when
// the (rare) shapes would not fit.
bool PrepareBinary(BinaryShapes* s, mote::reference::Broadcast* b) {
  *s = RandomBinaryShapes();
  if (s->n > kMaxBytes) return false;
  FillInt8(g_input, s->n1);
  FillInt8(g_filter, s->n2);
  const bool ok = mote::reference::MakeBroadcast({s->in1, static_cast<size_t>(s->rank1)},
                                                 {s->in2, static_cast<size_t>(s->rank2)},
                                                 {s->out, static_cast<size_t>(s->rank)}, b);
  if (!ok) printf("kernel check: bad broadcast shapes\n");
  PrepareOutputs(s->n);
  return ok;
}

bool AddCase(int index) {
  BinaryShapes s;
  mote::reference::Broadcast b;
  if (!PrepareBinary(&s, &b)) return true;
  const mote::reference::QuantizedAddParams p = RandomAddParams();
  mote::reference::AddInt8(b, p, g_input, g_filter, g_expected);
  mote::kernels::AddInt8(b, p, g_input, g_filter, g_actual);
  if (Compare("AddInt8", index, s.n)) return true;
  PrintShapes(s);
  printf("  offsets %ld %ld %ld left_shift %d m1 %ld s1 %d m2 %ld s2 %d mo %ld so %d act %ld..%ld\n",
         long{p.input1_offset}, long{p.input2_offset}, long{p.output_offset}, p.left_shift,
         long{p.input1_multiplier}, p.input1_shift, long{p.input2_multiplier}, p.input2_shift,
         long{p.output_multiplier}, p.output_shift, long{p.activation_min}, long{p.activation_max});
  return false;
}

bool MulCase(int index) {
  BinaryShapes s;
  mote::reference::Broadcast b;
  if (!PrepareBinary(&s, &b)) return true;
  const mote::reference::QuantizedMulParams p = RandomMulParams();
  mote::reference::MulInt8(b, p, g_input, g_filter, g_expected);
  mote::kernels::MulInt8(b, p, g_input, g_filter, g_actual);
  if (Compare("MulInt8", index, s.n)) return true;
  PrintShapes(s);
  printf("  offsets %ld %ld %ld m %ld shift %d act %ld..%ld\n", long{p.input1_offset},
         long{p.input2_offset}, long{p.output_offset}, long{p.output_multiplier}, p.output_shift,
         long{p.activation_min}, long{p.activation_max});
  return false;
}

// One pooling axis as the loader allows it (kernels/ops/window_checks.cc):
// padding below the filter, and an output size whose trailing padding t
// satisfies -stride < t < filter, so every window holds a valid position.
void PoolAxis(int32_t in, int32_t* filter, int32_t* stride, int32_t* pad, int32_t* out) {
  *filter = OneIn(4) ? in : Uniform(1, in + 3 < 30 ? in + 3 : 30);
  *stride = OneIn(2) ? 1 : Uniform(1, 4);
  *pad = OneIn(2) ? 0 : Uniform(0, *filter - 1);
  int32_t valid[64];
  int count = 0;
  for (int32_t o = 1; o <= 64; ++o) {
    const int32_t trail = (o - 1) * *stride + *filter - in - *pad;
    if (trail > -*stride && trail < *filter) valid[count++] = o;
  }
  *out = count == 0 ? 0 : valid[Uniform(0, count - 1)];
}

// Windows from 1x1 to 26x26 (some over 256 positions, past the int16-lane
// sums), the global pools of the zoo (KWS: 25x5x64), odd channel counts.
bool RandomPoolWindow(Window2D* w) {
  const int32_t channels = OneIn(3) ? 4 * Uniform(1, 16) : Uniform(1, 70);
  w->batches = OneIn(4) ? 2 : 1;
  w->in_h = OneIn(6) ? 25 : Uniform(1, 26);
  w->in_w = OneIn(6) ? 5 : Uniform(1, 26);
  w->in_c = w->out_c = channels;
  w->dilation_h = w->dilation_w = 1;
  PoolAxis(w->in_h, &w->filter_h, &w->stride_h, &w->pad_top, &w->out_h);
  PoolAxis(w->in_w, &w->filter_w, &w->stride_w, &w->pad_left, &w->out_w);
  if (OneIn(5)) {  // a global pool around 256 positions
    w->in_h = w->filter_h = Uniform(12, 26);
    w->in_w = w->filter_w = Uniform(256 / w->in_h - 2, 256 / w->in_h + 3);
    w->in_c = w->out_c = Uniform(1, 40);
    w->stride_h = w->stride_w = 1;
    w->pad_top = w->pad_left = 0;
    w->out_h = w->out_w = 1;
  }
  return w->out_h > 0 && w->out_w > 0 && InputBytes(*w) <= kMaxBytes && OutputBytes(*w) <= kMaxBytes;
}

bool PoolCase(int index, bool average) {
  Window2D w;
  if (!RandomPoolWindow(&w)) return true;
  FillInt8(g_input, InputBytes(w));
  if (OneIn(5)) memset(g_input, OneIn(2) ? -128 : 127, InputBytes(w));  // the largest sums
  int32_t lo = 0;
  int32_t hi = 0;
  RandomActivation(Uniform(-128, 127), &lo, &hi);
  PrepareOutputs(OutputBytes(w));
  if (average) {
    mote::reference::AveragePoolInt8(w, lo, hi, g_input, g_expected);
    mote::kernels::AveragePoolInt8(w, lo, hi, g_input, g_actual);
  } else {
    mote::reference::MaxPoolInt8(w, lo, hi, g_input, g_expected);
    mote::kernels::MaxPoolInt8(w, lo, hi, g_input, g_actual);
  }
  if (Compare(average ? "AveragePoolInt8" : "MaxPoolInt8", index, OutputBytes(w))) return true;
  PrintWindow(w, 1);
  printf("  act %ld..%ld\n", long{lo}, long{hi});
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
  QuantizedFcParams p = {q.input_offset,     q.output_offset, {g_multiplier, s.units},
                         {g_shift, s.units}, q.act_min,       q.act_max};
  p.effective_bias = MaybeEffectiveBias(g_filter, s.units, s.depth, false, q.input_offset, bias);
  const size_t n = s.batches * s.units;
  PrepareOutputs(n);
  mote::reference::FullyConnectedInt8(s, p, g_input, g_filter, bias, g_expected, {});
  const std::span<uint8_t> scratch =
      Scratch(mote::kernel_scratch::FullyConnectedInt8Bytes(mote::kernels::kKernelSet, s));
  mote::kernels::FullyConnectedInt8(s, p, g_input, g_filter, bias, g_actual, scratch);
  if (Compare("FullyConnectedInt8 (wide)", index, n) &&
      ScratchIntact("FullyConnectedInt8 (wide)", index)) {
    return true;
  }
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
  PerChannelParams p = WindowParams(q, static_cast<size_t>(out_c));
  p.effective_bias =
      MaybeEffectiveBias(g_filter, static_cast<size_t>(out_c),
                         filter_bytes / static_cast<size_t>(out_c), false, q.input_offset, bias);
  PrepareOutputs(OutputBytes(w));
  mote::reference::Conv2DInt8(w, 1, p, g_input, g_filter, bias, g_expected, {});
  const std::span<uint8_t> scratch =
      Scratch(mote::kernel_scratch::Conv2DInt8Bytes(mote::kernels::kKernelSet, w, 1));
  mote::kernels::Conv2DInt8(w, 1, p, g_input, g_filter, bias, g_actual, scratch);
  if (Compare("Conv2DInt8 (wide)", index, OutputBytes(w)) &&
      ScratchIntact("Conv2DInt8 (wide)", index) &&
      InPlaceConvMatches("Conv2DInt8 (wide)", index, w, 1, p, bias)) {
    return true;
  }
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

// The Helium 3x3 path's layers (channels a multiple of 4, only right
// shifts): eight channels at stride 1 (two pixels per vector), more than 64
// (two passes), dilations, strides 1 to 3, wide paddings, and input and
// output at odd addresses.
bool Depthwise3x3Case(int index) {
  const int32_t c = OneIn(3) ? 8 : 4 * Uniform(1, static_cast<int32_t>(kMaxChannels) / 4);
  Window2D w = OneIn(2) ? Depthwise3x3Window(c) : RandomWindow(c, c);
  w.filter_h = w.filter_w = 3;
  if (OneIn(4)) w.stride_w = 1;
  const int32_t span_h = w.in_h + 2 * w.pad_top - 2 * w.dilation_h - 1;
  const int32_t span_w = w.in_w + 2 * w.pad_left - 2 * w.dilation_w - 1;
  w.out_h = span_h < 0 ? 1 : span_h / w.stride_h + 1;
  w.out_w = span_w < 0 ? 1 : span_w / w.stride_w + 1;
  if (OneIn(8)) w.out_w = Uniform(1, w.out_w);
  const size_t in_at = static_cast<size_t>(Uniform(0, 15));
  const size_t out_at = static_cast<size_t>(Uniform(0, 15));
  const size_t filter_bytes = static_cast<size_t>(c) * 9;
  if (InputBytes(w) + in_at > kMaxBytes || OutputBytes(w) + out_at > kMaxBytes) return true;
  FillInt8(g_input + in_at, InputBytes(w));
  FillInt8(g_filter, filter_bytes);
  const Quant q = RandomQuant(static_cast<size_t>(c));
  TypicalShifts(static_cast<size_t>(c));
  MaybeRightShiftsOnly(static_cast<size_t>(c));
  const int32_t* bias = RandomBias(static_cast<size_t>(c), 9);
  const PerChannelParams p = WindowParams(q, static_cast<size_t>(c));
  PrepareOutputs(OutputBytes(w) + out_at);  // the guard zone past the shifted output too
  mote::reference::DepthwiseConv2DInt8(w, 1, p, g_input + in_at, g_filter, bias, g_expected);
  mote::kernels::DepthwiseConv2DInt8(w, 1, p, g_input + in_at, g_filter, bias, g_actual + out_at);
  bool below = true;
  for (size_t i = 0; i < out_at; ++i) below = below && g_actual[i] == 0x5A;
  if (below) memmove(g_actual, g_actual + out_at, OutputBytes(w) + 16);
  if (below && Compare("DepthwiseConv2DInt8 (3x3)", index, OutputBytes(w))) return true;
  if (!below) printf("DepthwiseConv2DInt8 (3x3) case %d: wrote below its output\n", index);
  PrintWindow(w, 1);
  return false;
}

// int16 activations (TFLite's 16x8 path): symmetric, int8 weights, int64
// bias and accumulator, the 64-bit requantization with shifts in [-31, 7].
// Now and then every input -32768 and every weight -128, the largest sums,
// over depths around the 511 products an int32 sum holds.
int16_t* Input16() { return reinterpret_cast<int16_t*>(g_input); }
int64_t g_bias64[kMaxChannels];

// Filter bytes and int16 inputs: mostly random over the whole range or small
// values, sometimes only the extremes, and now and then the worst sums
// (every product +2^22).
void FillOperands16(size_t inputs, size_t weights) {
  int16_t* in = Input16();
  if (OneIn(6)) {
    memset(g_filter, 0x80, weights);
    for (size_t i = 0; i < inputs; ++i) in[i] = -32768;
    return;
  }
  FillInt8(g_filter, weights);
  const int kind = Uniform(0, 3);
  for (size_t i = 0; i < inputs; ++i) {
    in[i] = static_cast<int16_t>(kind == 0   ? (OneIn(2) ? -32768 : 32767)
                                 : kind == 1 ? Uniform(-300, 300)
                                             : Uniform(-32768, 32767));
  }
}

Quant RandomQuant16(size_t channels) {
  for (size_t c = 0; c < channels; ++c) {
    int32_t m;
    int shift;
    RandomMultiplier(-31, 7, -24, -8, &m, &shift);
    g_multiplier[c] = m;
    g_shift[c] = static_cast<int8_t>(shift);
  }
  Quant q;
  q.input_offset = q.output_offset = 0;
  q.act_min = OneIn(2) ? -32768 : Uniform(-32768, 0);
  q.act_max = OneIn(2) ? 32767 : Uniform(q.act_min, 32767);
  return q;
}

const int64_t* RandomBias64(size_t channels) {
  if (OneIn(5)) return nullptr;
  constexpr int64_t kLimit = int64_t{1} << 60;  // the loader's bound
  const int kind = Uniform(0, 3);
  for (size_t c = 0; c < channels; ++c) {
    const int64_t small = Uniform(-(1 << 24), 1 << 24);
    g_bias64[c] = kind == 0   ? (OneIn(2) ? kLimit : -kLimit)
                  : kind == 1 ? small * (int64_t{1} << Uniform(0, 36))
                              : small;
  }
  return g_bias64;
}

int32_t Depth16() {
  const int kind = Uniform(0, 4);
  return kind == 0 ? Uniform(1, 9) : kind == 1 ? Uniform(495, 530) : Uniform(1, 300);
}

bool FullyConnectedInt16Case(int index) {
  FullyConnectedShape s;
  s.batches = static_cast<size_t>(Uniform(1, 4));
  s.depth = static_cast<size_t>(OneIn(8) ? Uniform(1010, 1030) : Depth16());
  s.units = static_cast<size_t>(OneIn(4) ? Uniform(24, static_cast<int32_t>(kMaxChannels))
                                          : Uniform(1, 23));
  if (2 * s.batches * s.depth + 2 > kMaxBytes || s.units * s.depth + 1 > kMaxBytes) return true;
  FillOperands16(s.batches * s.depth + 1, s.units * s.depth + 1);
  const Quant q = RandomQuant16(s.units);
  const int64_t* bias = RandomBias64(s.units);
  const QuantizedFcParams p = {0, 0, {g_multiplier, s.units}, {g_shift, s.units}, q.act_min,
                               q.act_max};
  // Inputs off a word boundary and weights at odd addresses now and then.
  const int16_t* input = Input16() + (OneIn(4) ? 1 : 0);
  const int8_t* weights = g_filter + (OneIn(4) ? 1 : 0);
  const size_t n = s.batches * s.units;
  int16_t* out = reinterpret_cast<int16_t*>(g_actual);
  PrepareOutputs(2 * n);
  mote::reference::FullyConnectedInt16(s, p, input, weights, bias,
                                       reinterpret_cast<int16_t*>(g_expected), {});
  const std::span<uint8_t> scratch =
      Scratch(mote::kernel_scratch::FullyConnectedInt16Bytes(mote::kernels::kKernelSet, s));
  mote::kernels::FullyConnectedInt16(s, p, input, weights, bias, out, scratch);
  if (Compare("FullyConnectedInt16", index, 2 * n) && ScratchIntact("FullyConnectedInt16", index)) {
    return true;
  }
  printf("  batches %u depth %u units %u\n", static_cast<unsigned>(s.batches),
         static_cast<unsigned>(s.depth), static_cast<unsigned>(s.units));
  return false;
}

// As InPlaceConvMatches, for int16: the output over its own input from the
// least margin.
bool InPlaceConv16Matches(int index, const Window2D& w, const PerChannelParams& p,
                          const int64_t* bias) {
  const int64_t margin = mote::reference::ConvInPlaceMargin(w, 2, 2);
  if (margin < 0) return true;
  const size_t shift = static_cast<size_t>(margin);
  const size_t in_bytes = 2 * InputBytes(w);
  const size_t out_bytes = 2 * OutputBytes(w);
  const size_t base = (4 - shift % 4) % 4;
  if (base + shift + in_bytes > sizeof(g_shared) || base + out_bytes > sizeof(g_shared)) {
    return true;
  }
  memset(g_shared, 0x5A, sizeof(g_shared));
  memcpy(g_shared + base + shift, g_input, in_bytes);
  const std::span<uint8_t> scratch =
      Scratch(mote::kernel_scratch::Conv2DInt16Bytes(mote::kernels::kKernelSet, w, 1));
  mote::kernels::Conv2DInt16(w, 1, p, reinterpret_cast<const int16_t*>(g_shared + base + shift),
                             g_filter, bias, reinterpret_cast<int16_t*>(g_shared + base), scratch);
  if (!ScratchIntact("Conv2DInt16 (in place)", index)) return false;
  if (memcmp(g_shared + base, g_expected, out_bytes) == 0) return true;
  printf("Conv2DInt16 case %d: in place (margin %ld) differs\n", index, static_cast<long>(margin));
  return false;
}

bool ConvInt16Case(int index) {
  const int32_t groups = OneIn(10) ? 2 : 1;
  const int kind = Uniform(0, 3);
  // Channel counts: small, a multiple of 4 (whole words), or windows around
  // the 511 values the pair path sums in int32.
  int32_t in_c = groups * (kind == 0   ? Uniform(1, 9)
                           : kind == 1 ? 4 * Uniform(1, 10)
                                       : Uniform(1, 40));
  const int32_t out_c = groups == 1 && OneIn(4) ? Uniform(14, static_cast<int32_t>(kMaxChannels))
                                                : groups * Uniform(1, 13);
  if (groups == 1 && kind == 3) in_c = OneIn(2) ? Uniform(55, 59) : 4 * Uniform(14, 15);
  Window2D w = OneIn(4) ? PointwiseWindow(in_c, out_c) : RandomWindow(in_c, out_c);
  if (groups == 1 && kind == 3) {  // 3x3 windows of 495..531 values, on small images
    w.filter_h = w.filter_w = 3;
    w.dilation_h = w.dilation_w = 1;
    w.in_h = Uniform(1, 4);
    w.in_w = Uniform(1, 4);
    w.pad_top = Uniform(0, 1);
    w.pad_left = Uniform(0, 1);
    w.out_h = w.in_h + 2 * w.pad_top < 3 ? 1 : (w.in_h + 2 * w.pad_top - 3) / w.stride_h + 1;
    w.out_w = w.in_w + 2 * w.pad_left < 3 ? 1 : (w.in_w + 2 * w.pad_left - 3) / w.stride_w + 1;
  }
  const size_t filter_bytes =
      static_cast<size_t>(out_c) * w.filter_h * w.filter_w * (in_c / groups);
  if (2 * InputBytes(w) > kMaxBytes || 2 * OutputBytes(w) > kMaxBytes || filter_bytes > kMaxBytes) {
    return true;
  }
  FillOperands16(InputBytes(w), filter_bytes);
  const Quant q = RandomQuant16(static_cast<size_t>(out_c));
  const int64_t* bias = RandomBias64(static_cast<size_t>(out_c));
  const PerChannelParams p = WindowParams(q, static_cast<size_t>(out_c));
  const size_t n = 2 * OutputBytes(w);
  PrepareOutputs(n);
  // The input off a word boundary now and then (int16 tensors are 2-aligned).
  const int16_t* input = Input16() + (OneIn(4) ? 1 : 0);
  mote::reference::Conv2DInt16(w, groups, p, input, g_filter, bias,
                               reinterpret_cast<int16_t*>(g_expected), {});
  const std::span<uint8_t> scratch =
      Scratch(mote::kernel_scratch::Conv2DInt16Bytes(mote::kernels::kKernelSet, w, groups));
  mote::kernels::Conv2DInt16(w, groups, p, input, g_filter, bias,
                             reinterpret_cast<int16_t*>(g_actual), scratch);
  bool same = Compare("Conv2DInt16", index, n) && ScratchIntact("Conv2DInt16", index);
  if (same && groups == 1 && input == Input16()) same = InPlaceConv16Matches(index, w, p, bias);
  if (same) return true;
  PrintWindow(w, groups);
  return false;
}

bool DepthwiseInt16Case(int index) {
  const int32_t multiplier = OneIn(8) ? 2 : 1;
  const int32_t in_c = OneIn(3) ? Uniform(1, 9) : (OneIn(2) ? 4 * Uniform(1, 12) : Uniform(1, 40));
  const int32_t out_c = in_c * multiplier;
  Window2D w = OneIn(2) ? Depthwise3x3Window(in_c) : RandomWindow(in_c, out_c);
  w.out_c = out_c;
  if (OneIn(10)) {  // a window of 480..540 taps, around the 511 an int32 sum holds
    w.filter_h = Uniform(20, 22);
    w.filter_w = Uniform(24, 25);
    w.in_h = w.filter_h + Uniform(-2, 1);
    w.in_w = w.filter_w + Uniform(-2, 1);
    w.stride_h = w.stride_w = w.dilation_h = w.dilation_w = 1;
    w.pad_top = w.pad_left = 0;
    w.out_h = w.out_w = 1;
  }
  const size_t filter_bytes = static_cast<size_t>(out_c) * w.filter_h * w.filter_w;
  if (2 * InputBytes(w) > kMaxBytes || 2 * OutputBytes(w) > kMaxBytes || filter_bytes > kMaxBytes) {
    return true;
  }
  FillOperands16(InputBytes(w), filter_bytes);
  const Quant q = RandomQuant16(static_cast<size_t>(out_c));
  const int64_t* bias = RandomBias64(static_cast<size_t>(out_c));
  const PerChannelParams p = WindowParams(q, static_cast<size_t>(out_c));
  const size_t n = 2 * OutputBytes(w);
  PrepareOutputs(n);
  const int16_t* input = Input16() + (OneIn(4) ? 1 : 0);
  const int8_t* filter = g_filter + (OneIn(4) ? 1 : 0);
  mote::reference::DepthwiseConv2DInt16(w, multiplier, p, input, filter, bias,
                                        reinterpret_cast<int16_t*>(g_expected));
  mote::kernels::DepthwiseConv2DInt16(w, multiplier, p, input, filter, bias,
                                      reinterpret_cast<int16_t*>(g_actual));
  if (Compare("DepthwiseConv2DInt16", index, n)) return true;
  PrintWindow(w, multiplier);
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
  const char* const names[] = {"FullyConnectedInt8", "Conv2DInt8", "DepthwiseConv2DInt8", "AddInt8",
                               "MulInt8", "AveragePoolInt8", "MaxPoolInt8"};
  for (int k = 0; k < 7; ++k) {
    // The elementwise cases are cheap and their parameter space wide.
    const int count = k == 3 || k == 4 ? 3 * cases : cases;
    for (int i = 0; i < count; ++i) {
      const bool same = k == 0   ? FullyConnectedCase(i)
                        : k == 1 ? ConvCase(i)
                        : k == 2 ? DepthwiseCase(i)
                        : k == 3 ? AddCase(i)
                        : k == 4 ? MulCase(i)
                                 : PoolCase(i, k == 5);
      if (!same) {
        printf("mote-kernel-check: %s differs from the reference (seed %lu)\n", names[k],
               static_cast<unsigned long>(argc > 2 ? strtoul(argv[2], nullptr, 0) : 0x6d6f7465u));
        return 1;
      }
    }
    printf("mote-kernel-check: %s (%s) == reference on %d cases\n", names[k],
           mote::kernels::kVariant, count);
  }
  for (int k = 0; k < 4; ++k) {
    for (int i = 0; i < cases; ++i) {
      const bool same = k == 0   ? WideFullyConnectedCase(i)
                        : k == 1 ? WideConvCase(i)
                        : k == 2 ? WideDepthwiseCase(i)
                                 : Depthwise3x3Case(i);
      if (!same) {
        printf("mote-kernel-check: %s differs from the reference (seed %lu)\n",
               names[k < 3 ? k : 2],
               static_cast<unsigned long>(argc > 2 ? strtoul(argv[2], nullptr, 0) : 0x6d6f7465u));
        return 1;
      }
    }
    printf("mote-kernel-check: %s (%s) == reference on %d %s cases\n", names[k < 3 ? k : 2],
           mote::kernels::kVariant, cases, k < 3 ? "wide" : "3x3");
  }
  const char* const names16[] = {"FullyConnectedInt16", "Conv2DInt16", "DepthwiseConv2DInt16"};
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < cases; ++i) {
      const bool same = k == 0   ? FullyConnectedInt16Case(i)
                        : k == 1 ? ConvInt16Case(i)
                                 : DepthwiseInt16Case(i);
      if (!same) {
        printf("mote-kernel-check: %s differs from the reference (seed %lu)\n", names16[k],
               static_cast<unsigned long>(argc > 2 ? strtoul(argv[2], nullptr, 0) : 0x6d6f7465u));
        return 1;
      }
    }
    printf("mote-kernel-check: %s (%s) == reference on %d cases\n", names16[k],
           mote::kernels::kVariant, cases);
  }
  // Whole frames of FFT per case (0.3 s of QEMU per 1,000 cases): a third as many.
  if (!SpectrogramChecks(cases / 3, g_state)) {
    printf("mote-kernel-check: SpectrogramInt16 differs from the reference (seed %lu)\n",
           static_cast<unsigned long>(argc > 2 ? strtoul(argv[2], nullptr, 0) : 0x6d6f7465u));
    return 1;
  }
  // BatchMatMul and the quantized Rnn (matmul_rnn_check.cc).
  if (!CheckMatMulAndRnn(cases, argc > 2 ? strtoul(argv[2], nullptr, 0) : 0x6d6f7465u)) return 1;
  return 0;
}
