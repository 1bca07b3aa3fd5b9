#include "kernels/cortex_m_dsp/fully_connected.h"

#include "kernels/cortex_m_dsp/channel_outputs.h"
#include "kernels/cortex_m_dsp/dot_q15.h"
#include "kernels/cortex_m_dsp/simd.h"

namespace mote::cortex_m_dsp {

void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output) {
  const OutputQuant q = {params.input_offset,     params.output_offset,
                         params.multiplier.data(), params.shift.data(),
                         params.activation_min,   params.activation_max};
  const size_t depth = shape.depth;
  size_t b = 0;
  if (depth <= kMaxPairDepth && shape.batches >= 2) {
    alignas(4) int16_t widened[2 * kMaxPairDepth];
    const int32_t offset_pair = OffsetPair(params.input_offset);
    for (; b + 2 <= shape.batches; b += 2) {
      WidenPair(input + b * depth, input + (b + 1) * depth, depth, params.input_offset,
                offset_pair, widened);
      PairOutputs(widened, depth, weights, shape.units, bias, q, output + b * shape.units,
                  output + (b + 1) * shape.units);
    }
  }
  for (; b < shape.batches; ++b) {
    SingleOutputs(input + b * depth, depth, weights, shape.units, bias, q,
                  output + b * shape.units);
  }
}

}  // namespace mote::cortex_m_dsp
