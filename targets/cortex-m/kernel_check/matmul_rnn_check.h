// BatchMatMul and the quantized Rnn in the kernel check (main.cc): target
// variant against the reference, byte for byte, on random hostile cases.
#ifndef MOTE_TARGETS_CORTEX_M_KERNEL_CHECK_MATMUL_RNN_CHECK_H_
#define MOTE_TARGETS_CORTEX_M_KERNEL_CHECK_MATMUL_RNN_CHECK_H_

#include <stdint.h>

// Runs `cases` BatchMatMul cases per precision and cases / 2 Rnn cases per
// precision; prints a line per kernel, or the first mismatch and false.
bool CheckMatMulAndRnn(int cases, uint32_t seed);

#endif  // MOTE_TARGETS_CORTEX_M_KERNEL_CHECK_MATMUL_RNN_CHECK_H_
