// What a kernel's glue sees of one operator: its tensors, their data and the
// means to reject the model with a precise diagnostic.
#ifndef MOTE_SRC_OP_CONTEXT_H_
#define MOTE_SRC_OP_CONTEXT_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/diagnostics.h"
#include "mote/op_config.h"
#include "mote/schema/mote_generated.h"
#include "mote/status.h"
#include "mote/tensor.h"

namespace mote::internal {

inline ElementType TypeOf(const schema::Tensor& t) { return static_cast<ElementType>(t.type()); }

inline std::span<const int32_t> ShapeOf(const schema::Tensor& t) {
  if (t.shape() == nullptr) return {};
  return {t.shape()->data(), t.shape()->size()};
}

// Number of elements; shapes were bounded by the loader so this fits.
inline size_t NumElements(const schema::Tensor& t) {
  size_t n = 1;
  for (int32_t d : ShapeOf(t)) n *= static_cast<size_t>(d);
  return n;
}

// Activation types whose kernels this build compiles in (MOTE_TYPES). Evals
// test these constants first, so a left-out type's kernels are not linked;
// ExpectKernelType refuses its models at load.
inline constexpr bool kInt8Kernels = MOTE_TYPE_ENABLED_Int8;
inline constexpr bool kInt16Kernels = MOTE_TYPE_ENABLED_Int16;
inline constexpr bool kFloat32Kernels = MOTE_TYPE_ENABLED_Float32;

inline bool IsConstant(const schema::Tensor& t) { return t.buffer() >= 0; }

// Per-tensor quantization (activations); zero/one when absent.
inline float ScaleOf(const schema::Tensor& t) {
  return (t.quant() != nullptr && t.quant()->scale() != nullptr && t.quant()->scale()->size() > 0)
             ? t.quant()->scale()->Get(0)
             : 0.0f;
}
inline int32_t ZeroPointOf(const schema::Tensor& t) {
  return (t.quant() != nullptr && t.quant()->zero_point() != nullptr &&
          t.quant()->zero_point()->size() > 0)
             ? t.quant()->zero_point()->Get(0)
             : 0;
}

// Bytes of a constant buffer; empty if the index is out of range.
std::span<const uint8_t> BufferBytes(const schema::Model& model, int32_t index);

struct OpContext {
  const schema::Model* model = nullptr;
  const schema::Operator* op = nullptr;
  uint8_t* arena = nullptr;  // null while the model is being checked
  int32_t index = 0;

  size_t num_inputs() const { return op->inputs() ? op->inputs()->size() : 0; }
  size_t num_outputs() const { return op->outputs() ? op->outputs()->size() : 0; }
  int32_t input_index(size_t i) const { return i < num_inputs() ? op->inputs()->Get(static_cast<flatbuffers::uoffset_t>(i)) : -1; }
  int32_t output_index(size_t i) const {
    return op->outputs()->Get(static_cast<flatbuffers::uoffset_t>(i));
  }
  // An optional input given as -1 (or left off) is absent.
  bool has_input(size_t i) const { return input_index(i) >= 0; }
  const schema::Tensor& input(size_t i) const { return *model->tensors()->Get(input_index(i)); }
  const schema::Tensor& output(size_t i) const { return *model->tensors()->Get(output_index(i)); }

  template <typename T>
  const T* input_data(size_t i) const {
    return reinterpret_cast<const T*>(Data(input(i)));
  }
  template <typename T>
  T* output_data(size_t i) const {
    return reinterpret_cast<T*>(const_cast<uint8_t*>(Data(output(i))));
  }
  template <typename T>
  std::span<const T> input_span(size_t i) const {
    return {input_data<T>(i), NumElements(input(i))};
  }
  template <typename T>
  std::span<T> output_span(size_t i) const {
    return {output_data<T>(i), NumElements(output(i))};
  }
  // Contents of a constant buffer referenced by the op's options.
  template <typename T>
  std::span<const T> buffer(int32_t buffer_index) const {
    const std::span<const uint8_t> bytes = BufferBytes(*model, buffer_index);
    return {reinterpret_cast<const T*>(bytes.data()), bytes.size() / sizeof(T)};
  }

  // The op's arena scratch (Operator.scratch_offset / scratch_size, checked
  // at load to lie inside the arena); empty while checking or when the file
  // planned none.
  std::span<uint8_t> scratch() const {
    const uint32_t size = op->scratch_size();
    if (arena == nullptr || size == 0) return {};
    return {arena + op->scratch_offset(), size};
  }

  const uint8_t* Data(const schema::Tensor& t) const {
    if (IsConstant(t)) return BufferBytes(*model, t.buffer()).data();
    return arena + t.arena_offset();
  }

  // Bad input data an Eval found at run time (a Gather index out of range):
  // Eval records it here and Invoke returns it after the op. Only ops whose
  // result depends on input values as addresses use it.
  mutable Status run_error = Status::kOk;
  void FailRun(const char* message, int64_t value, int64_t limit) const {
    run_error = Report(Status::kInvalidArgument, message, index, -1, value, limit);
  }

  // Rejects the model: kCorruptFile with this op's index.
  Status Fail(const char* message, int64_t value = 0, int64_t limit = 0) const {
    return Report(Status::kCorruptFile, message, index, -1, value, limit);
  }
};

// Shared checks used by several ops' glue.
Status ExpectCounts(const OpContext& ctx, size_t min_inputs, size_t max_inputs, size_t outputs);
Status ExpectSameType(const OpContext& ctx, const schema::Tensor& a, const schema::Tensor& b);
Status ExpectSameShape(const OpContext& ctx, const schema::Tensor& a, const schema::Tensor& b);
Status ExpectActivationType(const OpContext& ctx, const schema::Tensor& t);  // f32, i8, i16
// ExpectActivationType, and kUnsupportedOp for a type MOTE_TYPES left out.
Status ExpectKernelType(const OpContext& ctx, const schema::Tensor& t);
Status ExpectSameQuant(const OpContext& ctx, const schema::Tensor& a, const schema::Tensor& b);
// Integer clamp bounds inside the limits of the tensor's type.
Status CheckActivationRange(const OpContext& ctx, const schema::ActivationRange* range,
                            const schema::Tensor& t);
bool ValidMultiplier(int32_t multiplier, int shift, int min_shift, int max_shift);
int32_t TypeMin(ElementType type);
int32_t TypeMax(ElementType type);

}  // namespace mote::internal

#endif  // MOTE_SRC_OP_CONTEXT_H_
