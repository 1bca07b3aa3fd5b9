// Elementwise addition with numpy broadcasting, up to kMaxRank dims.
// Quantized: TFLite's reference scheme (inputs shifted left, rescaled to a
// common scale, summed, rescaled to the output) so imported models match.
#ifndef MOTE_KERNELS_REFERENCE_ADD_H_
#define MOTE_KERNELS_REFERENCE_ADD_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "kernels/reference/broadcast.h"

namespace mote::reference {

struct QuantizedAddParams {
  int32_t input1_offset;
  int32_t input2_offset;
  int32_t output_offset;
  int left_shift;
  int32_t input1_multiplier;
  int input1_shift;
  int32_t input2_multiplier;
  int input2_shift;
  int32_t output_multiplier;
  int output_shift;
  int32_t activation_min;
  int32_t activation_max;
};

void AddInt8(const Broadcast& b, const QuantizedAddParams& p, const int8_t* in1,
             const int8_t* in2, int8_t* out);
void AddInt16(const Broadcast& b, const QuantizedAddParams& p, const int16_t* in1,
              const int16_t* in2, int16_t* out);
void AddFloat(const Broadcast& b, float activation_min, float activation_max, const float* in1,
              const float* in2, float* out);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_ADD_H_
