// AveragePool2D and MaxPool2D over NHWC (out_c == in_c, dilation 1). Input
// and output share quantization, so quantized pools work on the raw values.
//
// Only positions inside the input take part. Average: TFLite's reference
// integer AveragePool (int32 sum, divided by the number of valid positions,
// rounding half away from zero); the loader guarantees every window holds at
// least one valid position and that the sum fits in int32. Max: the largest
// valid value. Both then clamp to the activation range.
#ifndef MOTE_KERNELS_REFERENCE_POOLING_H_
#define MOTE_KERNELS_REFERENCE_POOLING_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::reference {

void AveragePoolInt8(const Window2D& w, int32_t activation_min, int32_t activation_max,
                     const int8_t* input, int8_t* output);
void AveragePoolInt16(const Window2D& w, int32_t activation_min, int32_t activation_max,
                      const int16_t* input, int16_t* output);
void AveragePoolFloat(const Window2D& w, float activation_min, float activation_max,
                      const float* input, float* output);

void MaxPoolInt8(const Window2D& w, int32_t activation_min, int32_t activation_max,
                 const int8_t* input, int8_t* output);
void MaxPoolInt16(const Window2D& w, int32_t activation_min, int32_t activation_max,
                  const int16_t* input, int16_t* output);
void MaxPoolFloat(const Window2D& w, float activation_min, float activation_max, const float* input,
                  float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_POOLING_H_
