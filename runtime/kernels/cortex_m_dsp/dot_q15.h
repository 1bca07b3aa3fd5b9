// Dot products over inputs widened to int16 once: an int8 run plus the input
// offset is unpacked by SXTAB16 a single time and then multiplied with every
// output channel's int8 weights, so the per-channel loop pays only for
// unpacking weights. The loader bounds every accumulator
// (kernels/ops/weight_checks.cc), so partial sums in any order give the
// reference's sum.
//
// Two runs a and b (two pixels' inputs) of n values are widened together:
// per block of four values x0 x1 x2 x3 the int16 words (x0, x2) and
// (x1, x3), the lane order SXTB16 gives a weight word so that SMLAD pairs
// each input with its own weight, a's and b's interleaved per block
// ([a02 a13 b02 b13]) so that one LDM fetches a block of both. The n % 4
// last values follow as plain int16, a's then b's.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_DOT_Q15_H_
#define MOTE_KERNELS_CORTEX_M_DSP_DOT_Q15_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::cortex_m_dsp {

// One run widened alone has the same layout without b: per block the words
// (x0, x2) and (x1, x3), then the n % 4 last values. out: n int16 lanes,
// 4-byte aligned.
void Widen(const int8_t* a, size_t n, int32_t offset, int32_t offset_pair, int16_t* out);

// acc[4g + r] = bias[4g + r] + x.w_{4g + r} for a widened run x of n values
// and the `groups` interleaved groups of four rows at `weights`
// (kernels/reference/fully_connected.h, RowOf); bias: 4 * groups values,
// word-aligned. One call for all groups: a call per group cost as much as
// 7% of the products.
void DotInterleavedGroups(const int16_t* x, const int8_t* weights, size_t n, size_t groups,
                          const int32_t* bias, int32_t* acc);

// acc + x.w for a widened run x and one plain row w.
int32_t DotRow(const int16_t* x, const int8_t* w, size_t n, int32_t acc);

// out (2n int16 lanes, 4-byte aligned) = a and b widened together.
// offset_pair is OffsetPair(offset).
void WidenPair(const int8_t* a, const int8_t* b, size_t n, int32_t offset, int32_t offset_pair,
               int16_t* out);

// For a widened pair x = (a, b) and the weight rows w_r = w + r * n,
// r < rows (even): acc[2r] = a.w_r + bias_r, acc[2r + 1] = b.w_r + bias_r
// (bias: `rows` values). One call for many rows: a call per row pair cost a third
// of a 64-deep product in prologue, epilogue and argument set-up.
void DotPairRows(const int16_t* x, const int8_t* w, size_t n, size_t rows, const int32_t* bias,
                 int32_t* acc);

// The same for one row: acc[0] += a.w, acc[1] += b.w.
void DotPairRow1(const int16_t* x, const int8_t* w, size_t n, int32_t* acc);


}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_DOT_Q15_H_
