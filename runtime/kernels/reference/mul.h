// Elementwise multiplication with numpy broadcasting, up to kMaxRank dims.
// Quantized: TFLite's reference integer Mul, bit for bit:
// out = clamp(zp_out + MQM((q1 - zp1) * (q2 - zp2), multiplier, shift)).
// The product fits in int32 for int8 and for symmetric int16 (|q| <= 2^15).
#ifndef MOTE_KERNELS_REFERENCE_MUL_H_
#define MOTE_KERNELS_REFERENCE_MUL_H_

#include <stdint.h>

#include "kernels/reference/broadcast.h"

namespace mote::reference {

struct QuantizedMulParams {
  int32_t input1_offset;  // -zp1
  int32_t input2_offset;  // -zp2
  int32_t output_offset;  // zp_out
  int32_t output_multiplier;
  int output_shift;
  int32_t activation_min;
  int32_t activation_max;
};

void MulInt8(const Broadcast& b, const QuantizedMulParams& p, const int8_t* in1, const int8_t* in2,
             int8_t* out);
void MulInt16(const Broadcast& b, const QuantizedMulParams& p, const int16_t* in1,
              const int16_t* in2, int16_t* out);
void MulFloat(const Broadcast& b, float activation_min, float activation_max, const float* in1,
              const float* in2, float* out);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_MUL_H_
