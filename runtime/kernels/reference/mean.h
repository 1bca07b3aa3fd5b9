// Mean over the spatial axes of NHWC: [batches, positions, channels] ->
// [batches, channels], positions = H * W.
//
// Quantized: TFLite's reference integer Mean, bit for bit: acc = sum (q - zp_in)
// in int32, acc = MQM(acc, multiplier, shift) with multiplier = s_in / s_out,
// divided by the count rounding half away from zero, plus zp_out, saturated to
// the type. The loader bounds `positions` so the sum cannot overflow.
#ifndef MOTE_KERNELS_REFERENCE_MEAN_H_
#define MOTE_KERNELS_REFERENCE_MEAN_H_

#include <stdint.h>

namespace mote::reference {

struct MeanShape {
  int32_t batches;
  int32_t positions;
  int32_t channels;
};

struct QuantizedMeanParams {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier;
  int shift;
};

void MeanInt8(const MeanShape& shape, const QuantizedMeanParams& params, const int8_t* input,
              int8_t* output);
void MeanInt16(const MeanShape& shape, const QuantizedMeanParams& params, const int16_t* input,
               int16_t* output);
void MeanFloat(const MeanShape& shape, const float* input, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_MEAN_H_
