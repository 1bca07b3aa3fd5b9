// Fully connected (dense) layer: out[b][u] = act(sum_d in[b][d] * w[u][d] + bias[u]).
// Weights are [units, depth], row-major. Quantized weights are int8,
// symmetric per output channel (zero point 0).
#ifndef MOTE_KERNELS_REFERENCE_FULLY_CONNECTED_H_
#define MOTE_KERNELS_REFERENCE_FULLY_CONNECTED_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote::reference {

struct FullyConnectedShape {
  size_t batches;
  size_t depth;
  size_t units;
};

// Per-output-channel requantization and the clamp of a fused activation.
struct QuantizedFcParams {
  int32_t input_offset;    // -input zero point (0 for int16)
  int32_t output_offset;   // output zero point
  std::span<const int32_t> multiplier;  // [units]
  std::span<const int8_t> shift;        // [units]
  int32_t activation_min;
  int32_t activation_max;
};

// int8 activations, int32 bias (may be empty), int32 accumulation.
void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output);

// int16 activations (symmetric), int64 bias (may be null), int64 accumulation.
void FullyConnectedInt16(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                         const int16_t* input, const int8_t* weights, const int64_t* bias,
                         int16_t* output);

void FullyConnectedFloat(const FullyConnectedShape& shape, float activation_min,
                         float activation_max, const float* input, const float* weights,
                         const float* bias, float* output);

// The same with Kahan-compensated accumulation: the error of each addition is
// carried into the next, so the sum is as if accumulated in about twice the
// precision. Four float operations per term instead of two.
void FullyConnectedFloatCompensated(const FullyConnectedShape& shape, float activation_min,
                                    float activation_max, const float* input, const float* weights,
                                    const float* bias, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_FULLY_CONNECTED_H_
