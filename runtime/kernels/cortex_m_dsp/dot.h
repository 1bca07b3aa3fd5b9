// Dot products of an int8 input run (plus the input offset) with int8 weight
// rows, four input lanes per step through SMLAD. The loader bounds every
// accumulator (kernels/ops/weight_checks.cc: depth * 255 * 128 plus the bias
// fits int32), so partial sums in any order give the reference's sum.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_DOT_H_
#define MOTE_KERNELS_CORTEX_M_DSP_DOT_H_

#include <stddef.h>
#include <stdint.h>

#include "kernels/cortex_m_dsp/simd.h"

namespace mote::cortex_m_dsp {

// acc[r] += sum_{i<n} (in[i] + offset) * w[r * stride + i], r in [0, 4).
// offset_pair is OffsetPair(offset). Rows 1 and 3 are read at a register
// offset from rows 0 and 2, so the loop fits the core's registers.
inline void Dot4(const int8_t* in, const int8_t* w, size_t stride, size_t n, int32_t offset,
                 int32_t offset_pair, int32_t* acc) {
  const int8_t* w0 = w;
  const int8_t* w2 = w + 2 * stride;
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int8_t* const blocks_end = in + (n & ~size_t{3});
  while (in != blocks_end) {
    const int32_t x = LoadInt8x4(in);
    in += 4;
    const int32_t xe = SignExtendEvenAdd(offset_pair, x);
    const int32_t xo = SignExtendOddAdd(offset_pair, x);
    int32_t f = LoadInt8x4(w0);
    a0 = __smlad(xe, SignExtendEven(f), a0);
    a0 = __smlad(xo, SignExtendOdd(f), a0);
    f = LoadInt8x4(w0 + stride);
    w0 += 4;
    a1 = __smlad(xe, SignExtendEven(f), a1);
    a1 = __smlad(xo, SignExtendOdd(f), a1);
    f = LoadInt8x4(w2);
    a2 = __smlad(xe, SignExtendEven(f), a2);
    a2 = __smlad(xo, SignExtendOdd(f), a2);
    f = LoadInt8x4(w2 + stride);
    w2 += 4;
    a3 = __smlad(xe, SignExtendEven(f), a3);
    a3 = __smlad(xo, SignExtendOdd(f), a3);
  }
  for (size_t i = 0; i < (n & 3); ++i) {
    const int32_t x = in[i] + offset;
    a0 += x * w0[i];
    a1 += x * w0[stride + i];
    a2 += x * w2[i];
    a3 += x * w2[stride + i];
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

// acc + sum_{i<n} (in[i] + offset) * w[i].
inline int32_t Dot1(const int8_t* in, const int8_t* w, size_t n, int32_t offset,
                    int32_t offset_pair, int32_t acc) {
  for (size_t blocks = n >> 2; blocks != 0; --blocks) {
    const int32_t x = LoadInt8x4(in);
    const int32_t f = LoadInt8x4(w);
    in += 4;
    w += 4;
    acc = __smlad(SignExtendEvenAdd(offset_pair, x), SignExtendEven(f), acc);
    acc = __smlad(SignExtendOddAdd(offset_pair, x), SignExtendOdd(f), acc);
  }
  for (size_t i = 0; i < (n & 3); ++i) acc += (in[i] + offset) * w[i];
  return acc;
}

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_DOT_H_
