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
// offset_pair is OffsetPair(offset). Out of line: its loop takes all 14
// allocatable registers (dot.cc).
void Dot4(const int8_t* in, const int8_t* w, size_t stride, size_t n, int32_t offset,
          int32_t offset_pair, int32_t* acc);

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
