// Softmax over the last axis of [rows, depth].
//
// Quantized variants use a table of exp(beta * s_in * -d) in Q16 (modelc
// computes it) indexed by d = max - x, so the device does no float math:
// e_i = table(d_i), out_i = round(e_i * 2^k / sum e) + zero point, with the
// fixed output scales 1/256 (int8, zero point -128) and 1/32768 (int16).
#ifndef MOTE_KERNELS_REFERENCE_SOFTMAX_H_
#define MOTE_KERNELS_REFERENCE_SOFTMAX_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

// The loader bounds depth so that sums of Q16 values fit in 32 bits.
inline constexpr size_t kMaxSoftmaxDepth = 32768;

void SoftmaxFloat(size_t rows, size_t depth, float beta, const float* input, float* output);
// `exp_table`: 256 entries.
void SoftmaxInt8(size_t rows, size_t depth, const int32_t* exp_table, const int8_t* input,
                 int8_t* output);
// `exp_table`: 513 entries spaced 128 input steps apart (interpolated).
void SoftmaxInt16(size_t rows, size_t depth, const int32_t* exp_table, const int16_t* input,
                  int16_t* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_SOFTMAX_H_
