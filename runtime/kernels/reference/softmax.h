// Softmax over the last axis of [rows, depth].
//
// Quantized variants use a table indexed by d = max - x that modelc computes,
// so the device does no float math. Format 0: exp(beta * s_in * -d) in Q16,
// e_i = table(d_i), out_i = round(e_i * 2^k / sum e) + zero point, with the
// fixed output scales 1/256 (int8, zero point -128) and 1/32768 (int16).
// Format 1 (int8 only): TFLite's fixed-point algorithm, below.
#ifndef MOTE_KERNELS_REFERENCE_SOFTMAX_H_
#define MOTE_KERNELS_REFERENCE_SOFTMAX_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

// The loader bounds depth so that sums of Q16 values fit in 32 bits.
inline constexpr size_t kMaxSoftmaxDepth = 32768;

void SoftmaxFloat(size_t rows, size_t depth, float beta, const float* input, float* output);
// Format 0. `exp_table`: 256 entries.
void SoftmaxInt8(size_t rows, size_t depth, const int32_t* exp_table, const int8_t* input,
                 int8_t* output);
// TFLite's int8 algorithm (SoftmaxOptions.exp_format 1), bit-exact with its
// reference kernel for output scale 1/256 and zero point -128.
// `exp_table`: 256 entries, entry k the Q0.31 raw value of gemmlowp's
// exp_on_negative_values at the rescaled difference -k, 0 where TFLite skips
// the difference (below diff_min): such entries add nothing to the sum and
// give the zero point, as in TFLite. Per row: sum = sum of the entries
// rounded to Q12 (2^19 is 1.0), reciprocal by gemmlowp's Newton-Raphson
// 1/(1+x), out = round(reciprocal * entry / 2^(23 + bits of sum over 1.0))
// - 128, clamped. Defined for any entries in [0, 2^31 - 1] with exp_table[0]
// == 2^31 - 1 (exp(0)); the caller checks that. Where TFLite aborts (a sum
// of 512.0 or more, so an exponent above 31; only for depth >= 512), the
// exact rounded quotient is 0 and every output is -128.
void SoftmaxInt8Tflite(size_t rows, size_t depth, const int32_t* exp_table, const int8_t* input,
                       int8_t* output);
// Its normalization step, TFLite's GetReciprocal: for a Q12 sum >= 1 (in
// the kernel [2^19, 2^28), 1.0 to 512.0), the Q0.31 value of 1 / (sum / 2^b)
// where b, returned in `bits_over_unit` (0 to 8 in the kernel), scales the
// sum into [1, 2).
int32_t SoftmaxInt8TfliteReciprocal(int32_t sum, int* bits_over_unit);
// `exp_table`: 513 entries spaced 128 input steps apart (interpolated).
void SoftmaxInt16(size_t rows, size_t depth, const int32_t* exp_table, const int16_t* input,
                  int16_t* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_SOFTMAX_H_
