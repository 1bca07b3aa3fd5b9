#include "kernels/cortex_m_dsp/fully_connected_int16.h"

#include <stddef.h>

#include "kernels/cortex_m_dsp/dot_int16.h"
#include "kernels/scratch.h"

namespace mote::cortex_m_dsp {

void FullyConnectedInt16(const reference::FullyConnectedShape& shape,
                         const reference::QuantizedFcParams& params, const int16_t* input,
                         const int8_t* weights, const int64_t* bias, int16_t* output,
                         std::span<uint8_t> scratch) {
  const size_t depth = shape.depth;
  const size_t units = shape.units;
  const int32_t* multiplier = params.multiplier.data();
  const int8_t* shift = params.shift.data();
  const int32_t offset = params.output_offset;
  const int32_t lo = params.activation_min;
  const int32_t hi = params.activation_max;
  // Rows short enough for one int32 run take the input arranged once per
  // batch (into the scratch, kernel_scratch::DspFullyConnectedInt16Bytes),
  // the others (or all, with too little scratch) pair it as they go.
  const size_t needed = kernel_scratch::DspFullyConnectedInt16Bytes(shape);
  const bool arrange = depth <= kMaxInt32Run && needed != 0 && scratch.size() >= needed;
  int16_t* const arranged = reinterpret_cast<int16_t*>(scratch.data());
  for (size_t b = 0; b < shape.batches; ++b) {
    const int16_t* in = input + b * depth;
    int16_t* out = output + b * units;
    if (arrange) ArrangeRun(in, depth, arranged);
    size_t u = 0;
    for (; u + 4 <= units; u += 4) {
      int64_t acc[4] = {0, 0, 0, 0};
      if (arrange) {
        int32_t sums[4];
        Dot4Arranged(arranged, weights + u * depth, depth, depth, sums);
        for (size_t r = 0; r < 4; ++r) acc[r] = sums[r];
      } else {
        Dot4Int16(in, weights + u * depth, depth, depth, acc);
      }
      for (size_t r = 0; r < 4; ++r) {
        out[u + r] = RequantizeInt16(acc[r], bias, u + r, multiplier, shift, offset, lo, hi);
      }
    }
    for (; u < units; ++u) {
      const int64_t acc = Dot1Int16(in, weights + u * depth, depth, 0);
      out[u] = RequantizeInt16(acc, bias, u, multiplier, shift, offset, lo, hi);
    }
  }
}

}  // namespace mote::cortex_m_dsp
