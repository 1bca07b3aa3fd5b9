// Views of model tensors: type, shape, quantization and (for interpreter
// tensors) the bytes they occupy in the arena or in the model buffer.
#ifndef MOTE_TENSOR_H_
#define MOTE_TENSOR_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote {

// Same values as mote::schema::ElementType (checked in model.cc).
enum class ElementType : uint8_t {
  kFloat32 = 0,
  kInt8 = 1,
  kInt16 = 2,
  kInt32 = 3,
  kInt64 = 4,
  kUInt8 = 5,
};

inline constexpr int kMaxRank = 6;

// Bytes per element; 0 for an unknown type.
constexpr size_t ElementSize(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return 4;
    case ElementType::kInt8: return 1;
    case ElementType::kInt16: return 2;
    case ElementType::kInt32: return 4;
    case ElementType::kInt64: return 8;
    case ElementType::kUInt8: return 1;
  }
  return 0;
}

const char* ElementTypeName(ElementType type);

// A tensor of a verified model. `shape` points into the model buffer and
// `data` into the arena or the model buffer; both live as long as they do.
// Quantized tensors of the runtime's activations are per-tensor: real value
// = scale * (q - zero_point); float tensors have scale 0.
struct TensorView {
  const char* name = "";
  ElementType type = ElementType::kFloat32;
  std::span<const int32_t> shape;
  float scale = 0.0f;
  int32_t zero_point = 0;
  std::span<uint8_t> data;

  size_t num_elements() const {
    size_t n = 1;
    for (int32_t d : shape) n *= static_cast<size_t>(d);
    return n;
  }
  template <typename T>
  std::span<T> as() const {
    return {reinterpret_cast<T*>(data.data()), data.size() / sizeof(T)};
  }
};

}  // namespace mote

#endif  // MOTE_TENSOR_H_
