// Batched matrix product of two computed tensors: out[b] = A[b] x B[b] over
// the last two axes, batch axes broadcast (numpy's matmul on equal ranks).
// A [..., M, K]; B [..., K, N], or [..., N, K] when transpose_b; out
// [..., M, N]. Quantized: acc = sum (a - zp_a)(b - zp_b), out = zp_out +
// acc * M (Q31 multiplier and shift, as FullyConnected), clamped.
#ifndef MOTE_KERNELS_REFERENCE_BATCH_MATMUL_H_
#define MOTE_KERNELS_REFERENCE_BATCH_MATMUL_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

inline constexpr size_t kMaxMatMulRank = 6;

// Batch geometry: per output batch index, the matrix offsets into A and B
// (in matrices) come from strides that are 0 on broadcast axes.
struct MatMulShape {
  size_t batch_rank;                 // rank - 2
  size_t out_batch[kMaxMatMulRank];  // output batch dims
  size_t a_stride[kMaxMatMulRank];   // A matrices per step of each batch axis (0: broadcast)
  size_t b_stride[kMaxMatMulRank];
  size_t m, k, n;
  bool transpose_b;
};

struct QuantizedMatMulParams {
  int32_t a_offset;       // -zp_a
  int32_t b_offset;       // -zp_b
  int32_t output_offset;  // zp_out
  int32_t multiplier;
  int shift;
  int32_t activation_min;
  int32_t activation_max;
};

// Fills `shape` from the three shapes (equal ranks 2..kMaxMatMulRank); false
// if they do not describe a matrix product with broadcast batch axes.
bool MakeMatMulShape(const int32_t* a, const int32_t* b, const int32_t* out, size_t rank,
                     bool transpose_b, MatMulShape* shape);

// int8: int32 accumulation (K <= kMaxMatMulDepthInt8 keeps it exact).
inline constexpr size_t kMaxMatMulDepthInt8 = 32768;
void BatchMatMulInt8(const MatMulShape& s, const QuantizedMatMulParams& p, const int8_t* a,
                     const int8_t* b, int8_t* out);
// int16 (symmetric): int64 accumulation, TFLite's 16x8 requantization.
void BatchMatMulInt16(const MatMulShape& s, const QuantizedMatMulParams& p, const int16_t* a,
                      const int16_t* b, int16_t* out);
void BatchMatMulFloat(const MatMulShape& s, float activation_min, float activation_max,
                      const float* a, const float* b, float* out);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_BATCH_MATMUL_H_
