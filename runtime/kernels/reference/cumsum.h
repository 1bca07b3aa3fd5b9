// CumSum: running sums along one axis (ONNX CumSum), exclusive and/or
// reversed. Quantized: int32 sums of (q - zp_in) requantized to the output.
#ifndef MOTE_KERNELS_REFERENCE_CUMSUM_H_
#define MOTE_KERNELS_REFERENCE_CUMSUM_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

// The tensor as [outer, length, inner] around the summed axis.
struct CumSumShape {
  size_t outer = 0;
  size_t length = 0;
  size_t inner = 0;
  bool exclusive = false;
  bool reverse = false;
};

struct QuantizedCumSumParams {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier;
  int shift;
};

void CumSumFloat(const CumSumShape& s, const float* input, float* output);
void CumSumInt8(const CumSumShape& s, const QuantizedCumSumParams& p, const int8_t* input,
                int8_t* output);
void CumSumInt16(const CumSumShape& s, const QuantizedCumSumParams& p, const int16_t* input,
                 int16_t* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_CUMSUM_H_
