// The integer audio front-end (Spectrogram, int16 in) for cores with the DSP
// extension: same signatures and bit-identical results as
// reference::SpectrogramInt16 (kernels/reference/spectrogram.h) for every
// table the loader accepts.
//
// Where the reference's instructions went (n_fft 512, M4): the FFT's 64-bit
// products and variable 64-bit rounding shifts. Here the stages are compiled
// for the shifts modelc emits (30 + 0 or 1, the split 31 + 0 or 1) with a
// generic fallback; the products are SMULL/SMLAL into 64-bit sums; the
// butterflies with the twiddles (1, 0) and (0, -1) take no multiply when the
// file's table holds them exactly (checked once per call); the bit reversal
// is folded into the window loop (RBIT); the real split's sums are expanded
// into single 32 x 32 products; squares, filterbank terms and the log's
// leading-zero count use the 32-bit multiplies and CLZ.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_SPECTROGRAM_H_
#define MOTE_KERNELS_CORTEX_M_DSP_SPECTROGRAM_H_

#include <stdint.h>

#include "kernels/reference/spectrogram.h"

namespace mote::cortex_m_dsp {

void SpectrogramInt16(const reference::SpectrogramShape& s, const reference::SpectrogramTablesQ& t,
                      const int16_t* input, int32_t* scratch, int8_t* output);
void SpectrogramInt16(const reference::SpectrogramShape& s, const reference::SpectrogramTablesQ& t,
                      const int16_t* input, int32_t* scratch, int16_t* output);
void SpectrogramInt16(const reference::SpectrogramShape& s, const reference::SpectrogramTablesQ& t,
                      const int16_t* input, int32_t* scratch, int32_t* output);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_SPECTROGRAM_H_
