#include "kernels/cortex_m_mve/channel_outputs.h"

#include <arm_mve.h>

#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_mve/requantize.h"

namespace mote::cortex_m_mve {
namespace {

// acc[p][r] += x_p . w_r for P rows of input (xa, xb) and R weight rows
// w + r * n: each 16-value block of input is loaded once for R rows, each
// block of weights once for P inputs. The last n % 16 values go through a
// tail predicate (lanes past n read nothing and give 0). GCC keeps acc and
// the pointers in registers once the small loops are unrolled.
template <int P, int R>
__attribute__((always_inline)) inline void DotBlock(const int8_t* xa, const int8_t* xb,
                                                    const int8_t* w, size_t n,
                                                    const int32_t* init, int32_t* sum_a,
                                                    int32_t* sum_b) {
  const int8_t* x[2] = {xa, xb};
  const int8_t* f[R];
  int32_t acc[P][R];
  _Pragma("GCC unroll 4") for (int r = 0; r < R; ++r) {
    f[r] = w + r * n;
    _Pragma("GCC unroll 2") for (int p = 0; p < P; ++p) acc[p][r] = init[r];
  }
  for (size_t k = n >> 4; k != 0; --k) {
    int8x16_t xv[P];
    _Pragma("GCC unroll 2") for (int p = 0; p < P; ++p) {
      xv[p] = vldrbq_s8(x[p]);
      x[p] += 16;
    }
    _Pragma("GCC unroll 4") for (int r = 0; r < R; ++r) {
      const int8x16_t fv = vldrbq_s8(f[r]);
      f[r] += 16;
      _Pragma("GCC unroll 2") for (int p = 0; p < P; ++p) {
        acc[p][r] = vmladavaq_s8(acc[p][r], xv[p], fv);
      }
    }
  }
  const uint32_t rest = n & 15;
  if (rest != 0) {
    const mve_pred16_t lanes = vctp8q(rest);
    int8x16_t xv[P];
    _Pragma("GCC unroll 2") for (int p = 0; p < P; ++p) xv[p] = vldrbq_z_s8(x[p], lanes);
    _Pragma("GCC unroll 4") for (int r = 0; r < R; ++r) {
      const int8x16_t fv = vldrbq_z_s8(f[r], lanes);
      _Pragma("GCC unroll 2") for (int p = 0; p < P; ++p) {
        acc[p][r] = vmladavaq_s8(acc[p][r], xv[p], fv);
      }
    }
  }
  _Pragma("GCC unroll 4") for (int r = 0; r < R; ++r) {
    sum_a[r] = acc[0][r];
    if constexpr (P == 2) sum_b[r] = acc[1][r];
  }
}

// sum[c] -> out[c], c < count, for channels first + c.
void RequantizeSums(const ChannelChunk& chunk, const int32_t* sum, const OutputQuant& q,
                    int8_t* out) {
  const size_t first = chunk.first;
  if (!chunk.vector_requantize) {
    for (size_t c = 0; c < chunk.count; ++c) {
      out[c] = cortex_m_dsp::RequantizeInt8(sum[c], q.multiplier[first + c], q.shift[first + c],
                                            q.output_offset, q.activation_min,
                                            q.activation_max);
    }
    return;
  }
  for (size_t c = 0; c < chunk.count; c += 4) {
    const mve_pred16_t lanes = vctp32q(static_cast<uint32_t>(chunk.count - c));
    const int32x4_t acc = vldrwq_z_s32(sum + c, lanes);
    const int32x4_t m = vldrwq_z_s32(q.multiplier + first + c, lanes);
    const int32x4_t s = vldrbq_z_s32(q.shift + first + c, lanes);
    const int32x4_t r =
        Requantize4(acc, m, s, q.output_offset, q.activation_min, q.activation_max);
    vstrbq_p_s32(out + c, r, lanes);
  }
}

}  // namespace

void PrepareChunk(const int8_t* weights, size_t n, const int32_t* bias, const OutputQuant& q,
                  size_t first, size_t count, ChannelChunk& chunk) {
  chunk.first = first;
  chunk.count = count;
  chunk.vector_requantize = RightShiftsOnly(q.shift + first, count);
  const uint32_t offset = static_cast<uint32_t>(q.input_offset);
  for (size_t c = 0; c < count; ++c) {
    const int8_t* w = weights + (first + c) * n;
    int32_t sum = 0;
    size_t k = 0;
    for (; k + 16 <= n; k += 16) sum = vaddvaq_s8(sum, vldrbq_s8(w + k));
    if (k < n) {
      const mve_pred16_t lanes = vctp8q(static_cast<uint32_t>(n - k));
      sum = vaddvaq_p_s8(sum, vldrbq_z_s8(w + k, lanes), lanes);
    }
    // Modulo 2^32 (see channel_outputs.h): unsigned, so it is defined.
    const uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[first + c]) : 0;
    chunk.bias[c] = static_cast<int32_t>(b + offset * static_cast<uint32_t>(sum));
  }
}

void ChunkOutputs(const ChannelChunk& chunk, const int8_t* xa, const int8_t* xb, size_t n,
                  const int8_t* weights, const OutputQuant& q, int8_t* out_a, int8_t* out_b) {
  int32_t sum_a[kChunk];
  int32_t sum_b[kChunk];
  const int8_t* w = weights + chunk.first * n;
  const size_t count = chunk.count;
  size_t c = 0;
  if (xb != nullptr) {
    for (; c + 3 <= count; c += 3) {
      DotBlock<2, 3>(xa, xb, w + c * n, n, chunk.bias + c, sum_a + c, sum_b + c);
    }
    for (; c < count; ++c) {
      DotBlock<2, 1>(xa, xb, w + c * n, n, chunk.bias + c, sum_a + c, sum_b + c);
    }
    RequantizeSums(chunk, sum_a, q, out_a + chunk.first);
    RequantizeSums(chunk, sum_b, q, out_b + chunk.first);
    return;
  }
  for (; c + 4 <= count; c += 4) {
    DotBlock<1, 4>(xa, nullptr, w + c * n, n, chunk.bias + c, sum_a + c, nullptr);
  }
  for (; c < count; ++c) {
    DotBlock<1, 1>(xa, nullptr, w + c * n, n, chunk.bias + c, sum_a + c, nullptr);
  }
  RequantizeSums(chunk, sum_a, q, out_a + chunk.first);
}

void MatrixOutputs(const int8_t* x, size_t rows, size_t n, const int8_t* weights,
                   size_t channels, const int32_t* bias, const OutputQuant& q, int8_t* out) {
  ChannelChunk chunk;
  for (size_t first = 0; first < channels; first += kChunk) {
    const size_t count = channels - first < kChunk ? channels - first : kChunk;
    PrepareChunk(weights, n, bias, q, first, count, chunk);
    size_t r = 0;
    for (; r + 2 <= rows; r += 2) {
      ChunkOutputs(chunk, x + r * n, x + (r + 1) * n, n, weights, q, out + r * channels,
                   out + (r + 1) * channels);
    }
    if (r < rows) ChunkOutputs(chunk, x + r * n, nullptr, n, weights, q, out + r * channels,
                               nullptr);
  }
}

}  // namespace mote::cortex_m_mve
