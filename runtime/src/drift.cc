#include "mote/drift.h"

#include "mote/schema/mote_generated.h"

namespace mote {

Status CountDrift(const Model& model, size_t input, std::span<const float> values, DriftCounts* counts) {
  if (!model.valid() || counts == nullptr || input >= model.num_inputs()) return Status::kInvalidArgument;
  const auto* ranges = model.schema().input_ranges();
  if (ranges == nullptr || ranges->size() != model.num_inputs()) return Status::kInvalidArgument;
  const schema::InputRange* r = ranges->Get(static_cast<uint32_t>(input));
  if (r->min() == nullptr || r->max() == nullptr || r->min()->size() == 0 || r->min()->size() != r->max()->size()) {
    return Status::kInvalidArgument;
  }
  const uint32_t features = r->min()->size();
  for (size_t i = 0; i < values.size(); ++i) {
    const float v = values[i];
    const uint32_t f = static_cast<uint32_t>(i % features);
    ++counts->values;
    if (!(v - v == 0.0f)) {  // NaN or infinite
      ++counts->not_finite;
    } else if (v < r->min()->Get(f)) {
      ++counts->below;
    } else if (v > r->max()->Get(f)) {
      ++counts->above;
    }
  }
  return Status::kOk;
}

}  // namespace mote
