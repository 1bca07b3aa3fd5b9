// The kernels the op glue calls: mote::kernels::X is the target variant of
// reference::X when this build has one (same signature, bit-identical
// results), else the reference itself. The CPU preset picks the variant at
// configure time (runtime/CMakeLists.txt defines MOTE_KERNELS_CORTEX_M_DSP on
// cores with the DSP extension, and MOTE_KERNELS_CORTEX_M_MVE as well on the
// M55, whose Helium kernels replace the DSP ones they exist for); the
// reference kernels stay compiled on every target, so tests can compare the
// two in one image.
#ifndef MOTE_KERNELS_SELECTED_H_
#define MOTE_KERNELS_SELECTED_H_

#include "kernels/reference/add.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/depthwise_conv.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/reference/mul.h"
#include "kernels/reference/pooling.h"
#include "kernels/reference/spectrogram.h"
#include "kernels/scratch.h"

#if MOTE_KERNELS_CORTEX_M_DSP
#include "kernels/cortex_m_dsp/add.h"
#include "kernels/cortex_m_dsp/conv.h"
#include "kernels/cortex_m_dsp/conv_int16.h"
#include "kernels/cortex_m_dsp/depthwise_conv.h"
#include "kernels/cortex_m_dsp/depthwise_conv_int16.h"
#include "kernels/cortex_m_dsp/fully_connected.h"
#include "kernels/cortex_m_dsp/fully_connected_int16.h"
#include "kernels/cortex_m_dsp/mul.h"
#include "kernels/cortex_m_dsp/pooling.h"
#include "kernels/cortex_m_dsp/spectrogram.h"
#endif
#if MOTE_KERNELS_CORTEX_M_MVE
#include "kernels/cortex_m_mve/conv.h"
#include "kernels/cortex_m_mve/depthwise_conv.h"
#include "kernels/cortex_m_mve/fully_connected.h"
#endif

namespace mote::kernels {

#if MOTE_KERNELS_CORTEX_M_MVE
inline constexpr const char kVariant[] = "cortex_m_mve";
inline constexpr kernel_scratch::KernelSet kKernelSet = kernel_scratch::KernelSet::kCortexMMve;
using cortex_m_mve::Conv2DInt8;
using cortex_m_mve::DepthwiseConv2DInt8;
using cortex_m_mve::FullyConnectedInt8;
#elif MOTE_KERNELS_CORTEX_M_DSP
// Which of their paths are compiled in: MOTE_KERNEL_PATHS (kernels/paths.h;
// MOTE_OPTIMIZE=size builds only the FullyConnected pair path).
#if MOTE_OPTIMIZE_SIZE
inline constexpr const char kVariant[] = "cortex_m_dsp_size";
#else
inline constexpr const char kVariant[] = "cortex_m_dsp";
#endif
inline constexpr kernel_scratch::KernelSet kKernelSet = kernel_scratch::KernelSet::kCortexMDsp;
using cortex_m_dsp::Conv2DInt8;
using cortex_m_dsp::DepthwiseConv2DInt8;
using cortex_m_dsp::FullyConnectedInt8;
#else
inline constexpr const char kVariant[] = "reference";
inline constexpr kernel_scratch::KernelSet kKernelSet = kernel_scratch::KernelSet::kReference;
using reference::Conv2DInt8;
using reference::DepthwiseConv2DInt8;
using reference::FullyConnectedInt8;
#endif

// Elementwise, pooling and the int16 (16x8) conv, depthwise and FC: the DSP kernels on
// every core with the extension (the M55 too; no Helium variant yet). The
// op glue calls the int16 ones only in builds with MOTE_TYPES holding int16,
// so other builds drop them at link time.
#if MOTE_KERNELS_CORTEX_M_DSP && !MOTE_OPTIMIZE_SIZE
using cortex_m_dsp::AddInt8;
using cortex_m_dsp::AveragePoolInt8;
using cortex_m_dsp::Conv2DInt16;
using cortex_m_dsp::DepthwiseConv2DInt16;
using cortex_m_dsp::FullyConnectedInt16;
using cortex_m_dsp::MaxPoolInt8;
using cortex_m_dsp::MulInt8;
#else
using reference::AddInt8;
using reference::AveragePoolInt8;
using reference::Conv2DInt16;
using reference::DepthwiseConv2DInt16;
using reference::FullyConnectedInt16;
using reference::MaxPoolInt8;
using reference::MulInt8;
#endif

// No target variant yet: the reference on every build.
using reference::AddFloat;
using reference::AddInt16;
using reference::AveragePoolFloat;
using reference::AveragePoolInt16;
using reference::Conv2DFloat;
using reference::DepthwiseConv2DFloat;
using reference::FullyConnectedFloat;
using reference::FullyConnectedFloatCompensated;
using reference::MaxPoolFloat;
using reference::MaxPoolInt16;
using reference::MulFloat;
using reference::MulInt16;

// The integer audio front-end: the DSP variant on every core with the
// extension (the reference in MOTE_OPTIMIZE=size builds).
#if MOTE_KERNELS_CORTEX_M_DSP && !MOTE_OPTIMIZE_SIZE
using cortex_m_dsp::SpectrogramInt16;
#else
using reference::SpectrogramInt16;
#endif
using reference::SpectrogramFloat;

}  // namespace mote::kernels

// BatchMatMul and the quantized Rnn: the DSP kernels on every core with the
// extension (the M55 too; no Helium variant yet; the reference in
// MOTE_OPTIMIZE=size builds). A block of its own, so that merges of other
// kernels above stay apart.
#include "kernels/reference/batch_matmul.h"
#include "kernels/reference/rnn.h"
#if MOTE_KERNELS_CORTEX_M_DSP
#include "kernels/cortex_m_dsp/batch_matmul.h"
#include "kernels/cortex_m_dsp/rnn.h"
#endif

namespace mote::kernels {

#if MOTE_KERNELS_CORTEX_M_DSP && !MOTE_OPTIMIZE_SIZE
using cortex_m_dsp::BatchMatMulInt16;
using cortex_m_dsp::BatchMatMulInt8;
using cortex_m_dsp::RnnQuantized;
#else
using reference::BatchMatMulInt16;
using reference::BatchMatMulInt8;
using reference::RnnQuantized;
#endif
using reference::BatchMatMulFloat;
using reference::RnnFloat;

}  // namespace mote::kernels

#endif  // MOTE_KERNELS_SELECTED_H_
