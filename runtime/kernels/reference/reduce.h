// Reductions of rows of `depth` values to one value each (the trailing axes;
// modelc moves other axes there). float32: every function, portable math.
// Quantized (Sum, Mean, Max, Min, L1): with x = q - zp_in, r is the int32
// sum, sum of |x|, max or min of the row; out = clamp(zp_out + MQM(r,
// multiplier, shift)). The loader bounds depth so the sums fit in int32.
#ifndef MOTE_KERNELS_REFERENCE_REDUCE_H_
#define MOTE_KERNELS_REFERENCE_REDUCE_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

enum class ReduceFunction : int8_t {
  kSum = 0,
  kMean = 1,
  kMax = 2,
  kMin = 3,
  kProd = 4,
  kL1 = 5,
  kL2 = 6,
  kSumSquare = 7,
  kLogSumExp = 8,
};

// Has an integer kernel.
inline bool ReduceIsLinear(ReduceFunction f) {
  return f == ReduceFunction::kSum || f == ReduceFunction::kMean || f == ReduceFunction::kMax ||
         f == ReduceFunction::kMin || f == ReduceFunction::kL1;
}

// Rows of int8 (|x| <= 255) or int16 (|x| <= 65535) whose sums stay in int32.
inline constexpr size_t kMaxReduceDepthInt8 = size_t{1} << 23;
inline constexpr size_t kMaxReduceDepthInt16 = 32767;

struct QuantizedReduceParams {
  int32_t input_offset;   // -zp_in
  int32_t output_offset;  // zp_out
  int32_t multiplier;
  int shift;
};

void ReduceFloat(ReduceFunction f, size_t rows, size_t depth, const float* input, float* output);
void ReduceInt8(ReduceFunction f, size_t rows, size_t depth, const QuantizedReduceParams& p,
                const int8_t* input, int8_t* output);
void ReduceInt16(ReduceFunction f, size_t rows, size_t depth, const QuantizedReduceParams& p,
                 const int16_t* input, int16_t* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_REDUCE_H_
