// Conversions between float values and a tensor's quantized representation.
//
// Rounding is half away from zero (as TFLite). NaN maps to the zero point
// (real value 0); +-Inf and out-of-range values saturate to the type's limits.
#ifndef MOTE_QUANTIZE_H_
#define MOTE_QUANTIZE_H_

#include <stdint.h>

#include <span>

#include "mote/status.h"
#include "mote/tensor.h"

namespace mote {

// Quantizes one value; `lo`/`hi` are the limits of the target type.
int32_t QuantizeValue(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi);

inline float DequantizeValue(int32_t q, float scale, int32_t zero_point) {
  return scale * static_cast<float>(q - zero_point);
}

// Writes `values` into `tensor`, quantizing if the tensor is int8/int16
// (float32 tensors are copied). kInvalidArgument if the sizes differ or the
// tensor type cannot hold floats.
Status QuantizeInto(std::span<const float> values, const TensorView& tensor);

// Reads `tensor` as floats (dequantizing int8/int16, converting int32/int64).
Status DequantizeFrom(const TensorView& tensor, std::span<float> values);

}  // namespace mote

#endif  // MOTE_QUANTIZE_H_
