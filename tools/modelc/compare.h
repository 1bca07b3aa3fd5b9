// `modelc compare`: the float reference and a converted .mote side by side,
// tensor by tensor, to find the layer where quantization loses accuracy.
#ifndef MOTE_TOOLS_MODELC_COMPARE_H_
#define MOTE_TOOLS_MODELC_COMPARE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/npy.h"

namespace mote::modelc {

// One computed tensor of the .mote file against the float reference's
// tensor of the same name (accumulated over every sample).
struct TensorComparison {
  int op_index = -1;  // the .mote operator writing it; -1 for a model input
  std::string op;     // its runtime op ("input" for a model input)
  std::string tensor;
  std::string type;  // "int8", "int16", "float32"
  std::vector<int64_t> shape;
  double sqnr_db = 0.0;  // 10 log10(sum ref^2 / sum (got - ref)^2); +inf when exact
  double max_abs_error = 0.0;
  double mean_abs_error = 0.0;
  double drop_db = 0.0;  // the lowest SQNR among its compared inputs minus its own
};

struct Comparison {
  size_t samples = 0;
  std::vector<TensorComparison> tensors;  // in execution order
  int worst = -1;                         // index into tensors: the largest SQNR drop
  int first_jump = -1;                    // the first drop of more than kJumpDb
  size_t unmatched = 0;  // operator outputs without a float counterpart (fused, requantized)
};

inline constexpr double kJumpDb = 6.0;

// `source`: the model file the .mote was converted from (ONNX or TFLite
// bytes; `source_name` names it); `inputs`: one array per graph input, one
// sample or a batch (at most `max_samples` are used).
Comparison Compare(const std::string& source, const std::string& source_name,
                   const std::string& mote, const std::vector<tools::NpyArray>& inputs,
                   size_t max_samples = 64);

std::string ComparisonText(const Comparison& c);
std::string ComparisonJson(const Comparison& c);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_COMPARE_H_
