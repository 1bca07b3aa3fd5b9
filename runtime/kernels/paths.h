// The paths of the DSP kernels (kernels/cortex_m_dsp) and which of them an
// op takes. A path is a loop nest specialised for a kind of layer (3x3
// depthwise windows, im2col pairs, interleaved rows, ...); each op also has a
// reference path (its portable kernel, any geometry).
//
// The kernels choose with these functions, and `modelc inspect` reports with
// them the paths a model takes ("kernel_paths"), so the two cannot disagree.
// A build may compile in only some paths (MOTE_KERNEL_PATHS in
// runtime/CMakeLists.txt, as MOTE_OPS does for ops). An op whose paths are not
// all built runs its reference path instead (the same bytes, more
// instructions); when that is left out too, the loader refuses the model
// (kUnsupportedOp), as it refuses an op left out. Paths depend on the op's
// geometry, its constants and its planned scratch, never on input values, so
// a model always takes the same paths.
//
// Portable arithmetic only: compiled into modelc on the host as well.
#ifndef MOTE_KERNELS_PATHS_H_
#define MOTE_KERNELS_PATHS_H_

#include <stddef.h>
#include <stdint.h>

#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/reference/window.h"
#include "kernels/scratch.h"
#include "mote/op_config.h"

// X(name): the paths, in bit order. The names are MOTE_KERNEL_PATHS's.
#define MOTE_KERNEL_PATH_LIST(X)                                                               \
  X(DepthwiseWindow3x3)  /* 3x3 undilated windows, row stride 1, four channels at a time */   \
  X(DepthwiseWindow3x3Stride2) /* the same, row stride 2 (its own pair loop: 0.8 KB) */       \
  X(DepthwiseGroups)     /* other windows of up to 9 taps, four channels at a time */         \
  X(DepthwiseChannels)   /* per pixel and channel: tails, odd shifts, larger windows */       \
  X(DepthwiseReference)  /* depth multipliers above 1 */                                      \
  X(ConvPatches)         /* two pixels' windows widened once (im2col in the scratch) */       \
  X(ConvTaps)            /* per pixel, the in-bounds taps straight from the input */          \
  X(ConvReference)       /* grouped convs */                                                  \
  X(FullyConnectedInterleaved) /* rows interleaved by modelc, four at a time */              \
  X(FullyConnectedPairs) /* two batches (pixels) at a time: pointwise convs */                \
  X(FullyConnectedRows)  /* one batch at a time, any depth */                                 \
  X(FullyConnectedReference) /* interleaved rows without their scratch */

// Generated into mote/op_config.h from MOTE_KERNEL_PATHS; every path when
// the header predates it.
#ifndef MOTE_KERNEL_PATHS_BUILT
#define MOTE_KERNEL_PATHS_BUILT 0xffffffffu
#endif

namespace mote::kernel_paths {

#define MOTE_KERNEL_PATH_INDEX(name) k##name##Index,
enum PathIndex : uint32_t { MOTE_KERNEL_PATH_LIST(MOTE_KERNEL_PATH_INDEX) kPathCount };
#undef MOTE_KERNEL_PATH_INDEX

#define MOTE_KERNEL_PATH_BIT(name) inline constexpr uint32_t k##name = 1u << k##name##Index;
MOTE_KERNEL_PATH_LIST(MOTE_KERNEL_PATH_BIT)
#undef MOTE_KERNEL_PATH_BIT

inline constexpr const char* kPathNames[] = {
#define MOTE_KERNEL_PATH_NAME(name) #name,
    MOTE_KERNEL_PATH_LIST(MOTE_KERNEL_PATH_NAME)
#undef MOTE_KERNEL_PATH_NAME
};

// The paths this build compiles in.
inline constexpr uint32_t kBuilt = MOTE_KERNEL_PATHS_BUILT;

// Whether path P is compiled in: kernels guard each path's call with it, so
// that a path left out is not linked.
template <uint32_t P>
inline constexpr bool kHave = (kBuilt & P) == P;

// Whether the loader checks that each op's paths run (kernels/ops/ops.h
// CheckKernelPaths): DSP builds that leave paths out. Helium builds (M55)
// build every path: their kernels fall back to the DSP ones.
#if defined(MOTE_KERNELS_CORTEX_M_DSP) && !defined(MOTE_KERNELS_CORTEX_M_MVE)
inline constexpr bool kChecked = kBuilt != ~uint32_t{0};
#else
inline constexpr bool kChecked = false;
#endif

// Whether every path in `paths` is compiled in.
inline bool Built(uint32_t paths) { return (paths & ~kBuilt) == 0; }

// The paths an op runs here: its own when all are built, else its reference.
inline uint32_t Choose(uint32_t paths, uint32_t reference) {
  return Built(paths) ? paths : reference;
}

// Whether an op taking `paths` runs in this build: its paths or its
// reference path are.
inline bool Runs(uint32_t paths, uint32_t reference) {
  return Built(paths) || Built(reference);
}

// --- int8 DepthwiseConv2D ---

inline constexpr int32_t kDspGroupMaxTaps = 9;
inline constexpr int kDspGroupMaxShift = 22;

// Whether channels c .. c + 3 all have shifts in [-kDspGroupMaxShift, -1],
// which the four-channel paths' requantization needs.
inline bool DspGroupShiftsFit(std::span<const int8_t> shift, int32_t c) {
  for (int i = 0; i < 4; ++i) {
    const int32_t e = -shift[static_cast<size_t>(c + i)];
    if (e < 1 || e > kDspGroupMaxShift) return false;
  }
  return true;
}

// 3x3 undilated windows over an input of at least 3x3, strides up to 2
// (larger ones, rare, take the group path: a third instance of the window
// pass would cost 2.7 KB of flash).
inline bool DspDepthwiseWholeWindows(const reference::Window2D& w) {
  return w.filter_h == 3 && w.filter_w == 3 && w.dilation_h == 1 && w.dilation_w == 1 &&
         w.in_h >= 3 && w.in_w >= 3 && w.stride_h <= 2;
}

// Depth multiplier 1 only (else the reference). Four-channel groups of
// windows up to 9 taps with accumulators under 2^30 take the window or the
// group path; channel tails, groups with other shifts, larger windows and
// larger sums the per-channel path.
inline uint32_t DspDepthwiseInt8(const reference::Window2D& w, int32_t depth_multiplier,
                                 const reference::PerChannelParams& p, const int32_t* bias) {
  if (depth_multiplier != 1) return kDepthwiseReference;
  const int32_t taps = w.filter_h * w.filter_w;
  if (taps > kDspGroupMaxTaps ||
      !cortex_m_dsp::AccumulatorsFitQ30(static_cast<size_t>(taps), bias,
                                        static_cast<size_t>(w.out_c))) {
    return kDepthwiseChannels;
  }
  const uint32_t grouped = !DspDepthwiseWholeWindows(w) ? kDepthwiseGroups
                            : w.stride_h == 1           ? kDepthwiseWindow3x3
                                                        : kDepthwiseWindow3x3Stride2;
  uint32_t paths = (w.out_c & 3) != 0 ? kDepthwiseChannels : 0;
  for (int32_t c = 0; c + 4 <= w.out_c; c += 4) {
    paths |= DspGroupShiftsFit(p.shift, c) ? grouped : kDepthwiseChannels;
  }
  return paths;
}

// --- int8 FullyConnected (and pointwise Conv2D) ---

// Interleaved rows need their scratch and word-aligned weights (LDM), else
// the reference; plain rows go two batches at a time with their scratch, else
// one at a time. (The pair path runs an odd last batch on the one-batch loop
// when FullyConnectedRows is built, else paired with itself: a build may
// leave Rows out at the cost of that batch's MACs once more.)
inline uint32_t DspFullyConnectedInt8(const reference::FullyConnectedShape& s,
                                      bool weights_word_aligned, size_t scratch) {
  const size_t needed = kernel_scratch::DspFullyConnectedInt8Bytes(s);
  const bool fits = needed != 0 && scratch >= needed;
  if (s.interleaved) {
    return fits && weights_word_aligned ? kFullyConnectedInterleaved : kFullyConnectedReference;
  }
  return fits ? kFullyConnectedPairs : kFullyConnectedRows;
}

// --- int8 Conv2D ---

// Ungrouped only (else the reference). Pointwise convs run as one
// FullyConnected over all pixels (the conv's reference when those paths are
// not built); other windows take the patch path with its scratch, else the
// per-pixel taps. (The patch path runs an odd last pixel on the per-pixel
// taps when ConvTaps is built, else paired with itself.)
inline uint32_t DspConv2DInt8(const reference::Window2D& w, int32_t groups, size_t scratch) {
  if (groups != 1) return kConvReference;
  if (kernel_scratch::IsPointwise(w)) {
    return DspFullyConnectedInt8(kernel_scratch::PointwiseShape(w), true, scratch);
  }
  const size_t needed = kernel_scratch::DspConv2DInt8Bytes(w, groups);
  return needed != 0 && scratch >= needed ? kConvPatches : kConvTaps;
}

}  // namespace mote::kernel_paths

#endif  // MOTE_KERNELS_PATHS_H_
