// Post-training quantization from calibration data (DESIGN.md §4).
#ifndef MOTE_TOOLS_MODELC_QUANTIZE_QUANTIZER_H_
#define MOTE_TOOLS_MODELC_QUANTIZE_QUANTIZER_H_

#include <string>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

enum class Precision { kInt8, kInt16, kFloat32 };
Precision ParsePrecision(const std::string& s);
const char* PrecisionName(Precision p);

// Observed range of every tensor over the calibration samples, and of each
// feature (last axis) of each graph input.
struct Calibration {
  size_t samples = 0;
  std::vector<float> min, max;                             // per tensor
  std::vector<std::vector<float>> input_min, input_max;    // per input, per feature
  // The float reference's graph outputs, per sample (the self-check's
  // expectations: the reference need not run twice).
  std::vector<std::vector<Value>> outputs;
};

// `samples[s][i]` is sample s of graph input i.
Calibration Calibrate(const Graph& graph, const std::vector<std::vector<Value>>& samples);

// Assigns element types and quantization parameters to every tensor and
// encodes every constant into `Tensor::encoded`. Float32 keeps floats.
void Quantize(Graph& graph, Precision precision, const Calibration& calibration);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_QUANTIZE_QUANTIZER_H_
