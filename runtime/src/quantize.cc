#include "mote/quantize.h"

#include <string.h>

namespace mote {
namespace {

int32_t Saturate(int64_t v, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
}

bool QuantizedLimits(ElementType type, int32_t* lo, int32_t* hi) {
  if (type == ElementType::kInt8) {
    *lo = INT8_MIN;
    *hi = INT8_MAX;
    return true;
  }
  if (type == ElementType::kInt16) {
    *lo = INT16_MIN;
    *hi = INT16_MAX;
    return true;
  }
  return false;
}

}  // namespace

int32_t QuantizeValue(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
  if (x != x) return Saturate(zero_point, lo, hi);
  const float v = x / scale;
  // Beyond +-2^40 every target type saturates; this also catches +-Inf.
  if (v > 1.0e12f) return hi;
  if (v < -1.0e12f) return lo;
  int64_t q = static_cast<int64_t>(v);  // toward zero, exact here
  const float frac = v - static_cast<float>(q);
  if (frac >= 0.5f) ++q;
  if (frac <= -0.5f) --q;
  return Saturate(q + zero_point, lo, hi);
}

Status QuantizeInto(std::span<const float> values, const TensorView& tensor) {
  if (values.size() != tensor.num_elements() ||
      tensor.data.size() != values.size() * ElementSize(tensor.type)) {
    return Status::kInvalidArgument;
  }
  if (tensor.type == ElementType::kFloat32) {
    memcpy(tensor.data.data(), values.data(), values.size_bytes());
    return Status::kOk;
  }
  int32_t lo = 0;
  int32_t hi = 0;
  if (!QuantizedLimits(tensor.type, &lo, &hi)) return Status::kInvalidArgument;
  for (size_t i = 0; i < values.size(); ++i) {
    const int32_t q = QuantizeValue(values[i], tensor.scale, tensor.zero_point, lo, hi);
    if (tensor.type == ElementType::kInt8) {
      tensor.as<int8_t>()[i] = static_cast<int8_t>(q);
    } else {
      tensor.as<int16_t>()[i] = static_cast<int16_t>(q);
    }
  }
  return Status::kOk;
}

Status DequantizeFrom(const TensorView& tensor, std::span<float> values) {
  if (values.size() != tensor.num_elements() ||
      tensor.data.size() != values.size() * ElementSize(tensor.type)) {
    return Status::kInvalidArgument;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    switch (tensor.type) {
      case ElementType::kFloat32: values[i] = tensor.as<float>()[i]; break;
      case ElementType::kInt8:
        values[i] = DequantizeValue(tensor.as<int8_t>()[i], tensor.scale, tensor.zero_point);
        break;
      case ElementType::kInt16:
        values[i] = DequantizeValue(tensor.as<int16_t>()[i], tensor.scale, tensor.zero_point);
        break;
      case ElementType::kUInt8:
        values[i] = DequantizeValue(tensor.as<uint8_t>()[i], tensor.scale, tensor.zero_point);
        break;
      case ElementType::kInt32: values[i] = static_cast<float>(tensor.as<int32_t>()[i]); break;
      case ElementType::kInt64: values[i] = static_cast<float>(tensor.as<int64_t>()[i]); break;
    }
  }
  return Status::kOk;
}

}  // namespace mote
