// Where: out = cond ? x : y with numpy broadcasting over all three inputs
// (ONNX Where). cond is in the activation type (true: real value not 0).
// Quantized: each branch is requantized to the output's parameters.
#ifndef MOTE_KERNELS_REFERENCE_WHERE_H_
#define MOTE_KERNELS_REFERENCE_WHERE_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/tensor.h"

namespace mote::reference {

// Output dims and per-input strides (0 along broadcast dims), padded on the
// left to the output's rank.
struct WhereShape {
  int rank = 0;
  int32_t dims[kMaxRank] = {};
  size_t stride[3][kMaxRank] = {};  // cond, x, y
  size_t num_elements = 0;
};

// False if a shape does not broadcast to `out` (or has more dims).
bool MakeWhereShape(std::span<const int32_t> cond, std::span<const int32_t> x,
                    std::span<const int32_t> y, std::span<const int32_t> out, WhereShape* s);

struct QuantizedWhereParams {
  int32_t cond_zero_point;
  int32_t x_zero_point;
  int32_t y_zero_point;
  int32_t output_zero_point;
  int32_t x_multiplier;  // 0: copied (same parameters as the output)
  int x_shift;
  int32_t y_multiplier;
  int y_shift;
};

void WhereFloat(const WhereShape& s, const float* cond, const float* x, const float* y, float* out);
void WhereInt8(const WhereShape& s, const QuantizedWhereParams& p, const int8_t* cond,
               const int8_t* x, const int8_t* y, int8_t* out);
void WhereInt16(const WhereShape& s, const QuantizedWhereParams& p, const int16_t* cond,
                const int16_t* x, const int16_t* y, int16_t* out);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_WHERE_H_
