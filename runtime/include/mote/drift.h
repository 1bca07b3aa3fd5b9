// Data-drift counting: how many input values fall outside the range seen in
// the calibration data (stored per feature, the input's last axis, by modelc).
// Firmware that reports these counts sees when production data leaves the
// distribution the model was converted for.
#ifndef MOTE_DRIFT_H_
#define MOTE_DRIFT_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/model.h"
#include "mote/status.h"

namespace mote {

struct DriftCounts {
  uint32_t values = 0;      // values examined
  uint32_t below = 0;       // finite and below the feature's calibration minimum
  uint32_t above = 0;       // finite and above its maximum
  uint32_t not_finite = 0;  // NaN or +-Inf (quantized as documented in quantize.h)
};

// Adds the counts for `values` (one or more samples of input `input`, features
// on the last axis) to `counts`. kInvalidArgument if `input` is out of range or
// the model carries no calibration ranges (converted without calibration data).
Status CountDrift(const Model& model, size_t input, std::span<const float> values, DriftCounts* counts);

}  // namespace mote

#endif  // MOTE_DRIFT_H_
