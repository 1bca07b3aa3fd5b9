#include "kernels/cortex_m_mve/fully_connected.h"

#include "kernels/cortex_m_dsp/fully_connected.h"
#include "kernels/cortex_m_mve/channel_outputs.h"

namespace mote::cortex_m_mve {

void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output) {
  if (shape.interleaved) {  // rows interleaved for the DSP kernel's LDM (RowOf)
    cortex_m_dsp::FullyConnectedInt8(shape, params, input, weights, bias, output);
    return;
  }
  const OutputQuant q = {params.input_offset, params.output_offset,  params.multiplier.data(),
                         params.shift.data(), params.activation_min, params.activation_max};
  SmallStackOutputs(input, shape.batches, shape.depth, weights, shape.units, bias, q, output);
}

}  // namespace mote::cortex_m_mve
