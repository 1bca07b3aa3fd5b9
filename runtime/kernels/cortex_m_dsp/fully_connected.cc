#include "kernels/cortex_m_dsp/fully_connected.h"

#include "kernels/cortex_m_dsp/dot.h"
#include "kernels/cortex_m_dsp/requantize.h"

namespace mote::cortex_m_dsp {

void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output) {
  const size_t depth = shape.depth;
  const int32_t offset = params.input_offset;
  const int32_t offset_pair = OffsetPair(offset);
  const int32_t* multiplier = params.multiplier.data();
  const int8_t* shift = params.shift.data();
  for (size_t b = 0; b < shape.batches; ++b) {
    const int8_t* in = input + b * depth;
    int8_t* out = output + b * shape.units;
    size_t u = 0;
    for (; u + 4 <= shape.units; u += 4) {
      int32_t acc[4];
      for (int r = 0; r < 4; ++r) acc[r] = bias != nullptr ? bias[u + r] : 0;
      Dot4(in, weights + u * depth, depth, depth, offset, offset_pair, acc);
      for (int r = 0; r < 4; ++r) {
        out[u + r] = RequantizeInt8(acc[r], multiplier[u + r], shift[u + r], params.output_offset,
                                    params.activation_min, params.activation_max);
      }
    }
    for (; u < shape.units; ++u) {
      const int32_t acc = Dot1(in, weights + u * depth, depth, offset, offset_pair,
                               bias != nullptr ? bias[u] : 0);
      out[u] = RequantizeInt8(acc, multiplier[u], shift[u], params.output_offset,
                              params.activation_min, params.activation_max);
    }
  }
}

}  // namespace mote::cortex_m_dsp
