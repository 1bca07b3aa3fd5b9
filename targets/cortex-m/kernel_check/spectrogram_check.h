// The Spectrogram cases of mote-kernel-check (spectrogram_check.cc).
#ifndef MOTE_TARGETS_CORTEX_M_KERNEL_CHECK_SPECTROGRAM_CHECK_H_
#define MOTE_TARGETS_CORTEX_M_KERNEL_CHECK_SPECTROGRAM_CHECK_H_

#include <stdint.h>

// Runs `cases` random cases from `seed`; prints the first mismatch and
// returns false, or prints a summary line and returns true.
bool SpectrogramChecks(int cases, uint32_t seed);

#endif  // MOTE_TARGETS_CORTEX_M_KERNEL_CHECK_SPECTROGRAM_CHECK_H_
