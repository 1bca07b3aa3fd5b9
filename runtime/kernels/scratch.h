// Scratch (im2col and widened-input) buffers of the optimized kernels: how
// many bytes each kernel variant needs for one op's geometry, and which path
// it takes. The kernels choose their paths with these functions and modelc
// plans the arena with them (tools/modelc/plan/memory_planner.cc), so the
// two cannot disagree.
//
// The scratch is arena bytes the planner reserved for the op alone
// (Operator.scratch_offset / scratch_size, 16-byte aligned, disjoint from
// every tensor live during the op). modelc plans, per op, the largest need
// of the kernel variants of the cores the file targets (modelc convert
// --cores; all cores by default). A kernel handed less scratch than its
// path needs (a file planned for other cores) takes its scratch-free path,
// with bit-identical results: every file runs on every core.
//
// Portable arithmetic only: compiled into modelc on the host as well.
#ifndef MOTE_KERNELS_SCRATCH_H_
#define MOTE_KERNELS_SCRATCH_H_

#include <stddef.h>
#include <stdint.h>

#include "kernels/reference/fully_connected.h"
#include "kernels/reference/window.h"

namespace mote::kernel_scratch {

// The kernel variants (kernels/selected.h): cortex-m0/m3 and the host run
// the reference, cortex-m4/m7/m33 the DSP kernels, cortex-m55 the Helium
// (MVE) kernels and, where it has none, the DSP ones.
enum class KernelSet : uint8_t { kReference, kCortexMDsp, kCortexMMve };

// Scratch offsets and sizes are multiples of this (MVE loads).
inline constexpr size_t kAlignment = 16;

inline constexpr size_t AlignUp(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

// --- DSP kernels (kernels/cortex_m_dsp) ---

// The longest input run the pair paths widen to int16 (PairOutputs).
inline constexpr size_t kDspMaxPairDepth = 576;
// Conv windows with in_c % 4 != 0 are gathered as int8 first: at most this long.
inline constexpr size_t kDspMaxGatherDepth = 160;
// The longest input the interleaved FullyConnected path widens.
inline constexpr size_t kDspMaxInterleavedDepth = 1152;
// int16 conv pairs: DotPairRows sums at most 511 products in int32.
inline constexpr size_t kDspMaxPairDepthInt16 = 511;
// int16 FullyConnected: rows of at most this many values are arranged once.
inline constexpr size_t kDspMaxInt32Run = 508;

inline bool IsPointwise(const reference::Window2D& w) {
  return w.filter_h == 1 && w.filter_w == 1 && w.stride_h == 1 && w.stride_w == 1 &&
         w.pad_top == 0 && w.pad_left == 0 && w.out_h == w.in_h && w.out_w == w.in_w;
}

inline size_t WindowDepth(const reference::Window2D& w) {
  return static_cast<size_t>(w.filter_h) * static_cast<size_t>(w.filter_w) *
         static_cast<size_t>(w.in_c);
}

// int8 FullyConnected. Interleaved rows (word-aligned weights, depth <=
// kDspMaxInterleavedDepth): each batch's input widened, 2 * depth bytes.
// Plain rows, depth <= kDspMaxPairDepth: each pair of batches widened, 4 *
// depth bytes (one batch too, paired with itself: for the few hundred MACs
// of a classifier head that costs less than the flash of a one-batch path).
// Else none.
inline size_t DspFullyConnectedInt8Bytes(const reference::FullyConnectedShape& s) {
  if (s.interleaved) return s.depth <= kDspMaxInterleavedDepth ? 2 * s.depth : 0;
  return s.depth <= kDspMaxPairDepth ? 4 * s.depth : 0;
}

// int8 Conv2D pair path (two output pixels' windows widened once): in_c %
// 4 == 0 and depth <= kDspMaxPairDepth, or any in_c and depth <=
// kDspMaxGatherDepth.
inline bool DspConvPairPathTakes(const reference::Window2D& w) {
  const size_t depth = WindowDepth(w);
  return w.in_c % 4 == 0 ? depth <= kDspMaxPairDepth : depth <= kDspMaxGatherDepth;
}

// Bytes of the pair path's gathered int8 windows (in_c % 4 != 0), which
// follow its 4 * depth widened bytes.
inline size_t DspConvGatherBytes(const reference::Window2D& w) {
  return w.in_c % 4 == 0 ? 0 : 2 * ((WindowDepth(w) + 3) / 4 * 4);
}

// A pointwise conv as the FullyConnected the DSP kernels run it as: one
// batch per pixel, plain rows.
inline reference::FullyConnectedShape PointwiseShape(const reference::Window2D& w) {
  return {static_cast<size_t>(w.batches) * static_cast<size_t>(w.in_h) *
              static_cast<size_t>(w.in_w),
          static_cast<size_t>(w.in_c), static_cast<size_t>(w.out_c), false};
}

// int8 Conv2D, groups == 1: pointwise as a FullyConnected over all pixels;
// the pair path (at least two pixels per image) 4 * depth widened bytes
// (plus the gathered windows). Grouped convs and larger windows: none.
inline size_t DspConv2DInt8Bytes(const reference::Window2D& w, int32_t groups) {
  if (groups != 1) return 0;
  if (IsPointwise(w)) return DspFullyConnectedInt8Bytes(PointwiseShape(w));
  if (!DspConvPairPathTakes(w) || w.out_h * w.out_w < 2) return 0;
  return 4 * WindowDepth(w) + DspConvGatherBytes(w);
}

// int16 Conv2D, groups == 1, depth <= kDspMaxPairDepthInt16, two or more
// pixels per image: two windows arranged, 2 * depth + 2 int16 values.
inline size_t DspConv2DInt16Bytes(const reference::Window2D& w, int32_t groups) {
  if (groups != 1 || WindowDepth(w) > kDspMaxPairDepthInt16 || w.out_h * w.out_w < 2) return 0;
  return 2 * (2 * WindowDepth(w) + 2);
}

// int16 FullyConnected, depth <= kDspMaxInt32Run: each batch's input
// arranged once (depth int16 values, rounded to words).
inline size_t DspFullyConnectedInt16Bytes(const reference::FullyConnectedShape& s) {
  return s.depth <= kDspMaxInt32Run ? (2 * s.depth + 3) / 4 * 4 : 0;
}

// --- Helium kernels (kernels/cortex_m_mve) ---

// The longest conv window the MVE patch path gathers.
inline constexpr size_t kMveMaxPatchDepth = 576;

// The MVE patch path: groups == 1, not pointwise, depth <= kMveMaxPatchDepth.
inline bool MveConvPatchPathTakes(const reference::Window2D& w, int32_t groups) {
  return groups == 1 && !IsPointwise(w) && WindowDepth(w) <= kMveMaxPatchDepth;
}

// Offset of the second patch in the MVE patch path's scratch.
inline size_t MvePatchStride(const reference::Window2D& w) { return AlignUp(WindowDepth(w)); }

// Pointwise convs over at most 16 input channels and at least 4 pixels
// (MatrixOutputs' short-row path): the sums of up to kMveShortRows pixels
// for up to kMveChunk channels, int32.
inline constexpr size_t kMveShortRows = 8;
inline constexpr size_t kMveChunk = 64;
inline constexpr size_t kMveShortRowsBytes = kMveShortRows * kMveChunk * 4;

inline bool MveShortRowsTake(size_t rows, size_t n) { return n <= 16 && rows >= 4; }

// int8 Conv2D: the patch path gathers two windows (16-byte aligned each);
// pointwise convs read the input in place (short rows: their sums in the
// scratch); grouped convs and larger windows run the DSP kernel.
inline size_t MveConv2DInt8Bytes(const reference::Window2D& w, int32_t groups) {
  if (MveConvPatchPathTakes(w, groups)) return 2 * MvePatchStride(w);
  if (groups != 1) return 0;
  if (IsPointwise(w)) {
    const size_t rows =
        static_cast<size_t>(w.batches) * static_cast<size_t>(w.in_h) * static_cast<size_t>(w.in_w);
    return MveShortRowsTake(rows, static_cast<size_t>(w.in_c)) ? kMveShortRowsBytes : 0;
  }
  return DspConv2DInt8Bytes(w, groups);
}

// --- Per op, per kernel set: what modelc plans ---

inline size_t Conv2DInt8Bytes(KernelSet k, const reference::Window2D& w, int32_t groups) {
  switch (k) {
    case KernelSet::kReference:
      return 0;
    case KernelSet::kCortexMDsp:
      return DspConv2DInt8Bytes(w, groups);
    case KernelSet::kCortexMMve:
      return MveConv2DInt8Bytes(w, groups);
  }
  return 0;
}

// The M55 runs the DSP int16 kernels.
inline size_t Conv2DInt16Bytes(KernelSet k, const reference::Window2D& w, int32_t groups) {
  return k == KernelSet::kReference ? 0 : DspConv2DInt16Bytes(w, groups);
}

// The MVE int8 FullyConnected needs none.
inline size_t FullyConnectedInt8Bytes(KernelSet k, const reference::FullyConnectedShape& s) {
  return k == KernelSet::kCortexMDsp ? DspFullyConnectedInt8Bytes(s) : 0;
}

inline size_t FullyConnectedInt16Bytes(KernelSet k, const reference::FullyConnectedShape& s) {
  return k == KernelSet::kReference ? 0 : DspFullyConnectedInt16Bytes(s);
}

}  // namespace mote::kernel_scratch

#endif  // MOTE_KERNELS_SCRATCH_H_
