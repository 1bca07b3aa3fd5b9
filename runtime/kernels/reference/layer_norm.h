// Layer normalization over rows of `depth` values (the trailing axes):
// y = (x - mean) / sqrt(var + epsilon) * gamma + beta.
//
// Quantized (int8, symmetric int16), integer only and so bit-identical on
// every target: with x = q - zp, S = sum x, Q = sum x^2 (int64),
// V = depth * Q - S^2 + epsilon_q (= depth^2 (var + epsilon) / s_in^2), and
// r = isqrt(V * 4^p) for the p >= 0 that puts V * 4^p in [2^60, 2^62), the
// normalized value in Q16 is n = round((depth * x - S) * floor(2^62 / r) /
// 2^(46 - p)); out = clamp(zp_out + MQM(n, multiplier[c], shift[c]) +
// bias[c]) per channel c of the row.
#ifndef MOTE_KERNELS_REFERENCE_LAYER_NORM_H_
#define MOTE_KERNELS_REFERENCE_LAYER_NORM_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

// Keeps depth * x in int32 and V under 2^61 (the loader checks depth).
inline constexpr size_t kMaxLayerNormDepth = 16384;
inline constexpr int64_t kMaxLayerNormEpsilon = int64_t{1} << 60;

struct QuantizedLayerNormParams {
  int32_t input_offset;       // -zp_in
  int32_t output_offset;      // zp_out
  int64_t epsilon;            // epsilon_q >= 1
  const int32_t* multiplier;  // [depth], may be negative (negative gamma)
  const int8_t* shift;        // [depth]
  const int32_t* bias;        // [depth]
};

// floor(sqrt(v)), exact for every 64-bit v.
uint32_t IntegerSqrt(uint64_t v);

void LayerNormInt8(size_t rows, size_t depth, const QuantizedLayerNormParams& p,
                   const int8_t* input, int8_t* output);
void LayerNormInt16(size_t rows, size_t depth, const QuantizedLayerNormParams& p,
                    const int16_t* input, int16_t* output);
// `beta` may be null.
void LayerNormFloat(size_t rows, size_t depth, float epsilon, const float* gamma, const float* beta,
                    const float* input, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_LAYER_NORM_H_
