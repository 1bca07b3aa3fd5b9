// Builds small .mote files directly with the FlatBuffers builder, so tests
// can craft exactly the (valid or hostile) model they need.
#ifndef MOTE_TESTS_UTIL_MOTE_BUILDER_H_
#define MOTE_TESTS_UTIL_MOTE_BUILDER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mote/schema/mote_generated.h"
#include "mote/status.h"

namespace mote::testing {

struct TensorSpec {
  std::string name;
  schema::ElementType type = schema::ElementType::Float32;
  std::vector<int32_t> shape;
  std::vector<float> scale;        // empty: no quantization
  std::vector<int32_t> zero_point;
  int32_t axis = -1;
  int32_t buffer = -1;
  uint32_t arena_offset = 0;
  std::vector<std::string> class_names;  // empty: none
  bool persistent = false;               // state kept between invokes
};

// A single-operator model: tensors, one op, buffers, inputs, outputs.
struct ModelSpec {
  std::vector<TensorSpec> tensors;
  std::vector<std::vector<uint8_t>> buffers;
  schema::OpCode opcode = schema::OpCode::Relu;
  uint16_t raw_opcode = 0xFFFF;     // if not 0xFFFF, overrides `opcode`
  std::vector<int32_t> op_inputs, op_outputs;
  // Options: built by the callback (or ClampOptions by default).
  schema::OpOptions options_type = schema::OpOptions::ClampOptions;
  std::vector<int32_t> fc_multiplier;
  std::vector<int8_t> fc_shift;
  int32_t act_min = -128, act_max = 127;
  std::vector<int32_t> inputs, outputs;
  uint32_t arena_size = 64;
  uint32_t scratch_offset = 0, scratch_size = 0;  // the op's (Operator fields)
  uint32_t min_runtime_version = 1;
  uint16_t version_major = 1;
  bool corrupt_crc = false;
  uint32_t state_size = 0;  // Model.state_size
  // If set, builds the options table (of type `options_type`) instead of the
  // defaults above; for any op's options.
  std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> options_builder;
};

// The file bytes (size-prefixed File with a CRC over the payload).
std::vector<uint8_t> BuildMote(const ModelSpec& spec);

// A float Relu on [1,4]: the smallest valid model.
ModelSpec ReluSpec();

// Gives every non-constant tensor its own 16-byte-aligned arena slot, in
// order, and sets arena_size to fit them.
void PlanArena(ModelSpec& spec);

// A model of one operator over `tensors` (those without a buffer among its
// inputs become the model's inputs), arena planned.
ModelSpec OneOp(schema::OpCode opcode, schema::OpOptions type, std::vector<TensorSpec> tensors,
                std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> options);

// Loads `bytes`, copies `inputs` (raw bytes, one per model input, each
// exactly the input's size) into the arena, invokes, and returns the status
// of the first failing step and the outputs' bytes.
struct RunResult {
  Status status = Status::kOk;
  std::vector<std::vector<uint8_t>> outputs;
};
RunResult RunMote(const std::vector<uint8_t>& bytes, const std::vector<std::vector<uint8_t>>& inputs);

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& values) {
  const auto* p = reinterpret_cast<const uint8_t*>(values.data());
  return {p, p + values.size() * sizeof(T)};
}

// 16-byte aligned copy of a file, as the runtime requires.
class Aligned {
 public:
  explicit Aligned(const std::vector<uint8_t>& bytes, size_t offset = 0);
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  std::vector<uint8_t> storage_;
  const uint8_t* data_;
  size_t size_;
};

}  // namespace mote::testing

#endif  // MOTE_TESTS_UTIL_MOTE_BUILDER_H_
