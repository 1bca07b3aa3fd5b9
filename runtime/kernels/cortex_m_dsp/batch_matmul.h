// BatchMatMul on the DSP extension: the reference's results
// (kernels/reference/batch_matmul.h), byte for byte, for every shape and
// parameter the loader accepts.
//
// int8, K <= 64 (attention heads, short sequences): four columns of B packed
// once into a stack tile, widened with B's offset in the lanes SXTAB16 gives
// A's words, then reused by every row of A (1 word load, 2 SXTAB16, 8 SMLAD
// per 16 products); the output step without per-output range tests.
// int8, deeper, B transposed ([N, K] rows): four outputs of a row at once through
// Dot4 (A's row widened once per four B rows), B's offset folded out as
// sum (a + oa)(b + ob) = sum (a + oa) b + ob sum (a + oa), the row sum taken
// once per row of A. int8, B plain ([K, N]): four columns at once, the four
// B words of four depths regrouped by PKHBT/PKHTB into per-column pairs for
// SMLAD. The true sum fits int32 (K <= 32768, |(a + oa)(b + ob)| <= 255^2),
// so int32 sums in any order (wrapping in between) give the reference's.
// int16 (symmetric, no offsets): SMLALD into 64-bit accumulators, exact.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_BATCH_MATMUL_H_
#define MOTE_KERNELS_CORTEX_M_DSP_BATCH_MATMUL_H_

#include <stdint.h>

#include "kernels/reference/batch_matmul.h"

namespace mote::cortex_m_dsp {

void BatchMatMulInt8(const reference::MatMulShape& s, const reference::QuantizedMatMulParams& p,
                     const int8_t* a, const int8_t* b, int8_t* out);
void BatchMatMulInt16(const reference::MatMulShape& s, const reference::QuantizedMatMulParams& p,
                      const int16_t* a, const int16_t* b, int16_t* out);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_BATCH_MATMUL_H_
