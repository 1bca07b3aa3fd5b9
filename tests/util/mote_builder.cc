#include "util/mote_builder.h"

#include <cstring>

#include "mote/interpreter.h"
#include "mote/model.h"

namespace mote::testing {

std::vector<uint8_t> BuildMote(const ModelSpec& spec) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<schema::Buffer>> buffers;
  for (const auto& b : spec.buffers) {
    fbb.ForceVectorAlignment(b.size(), 1, 16);
    buffers.push_back(schema::CreateBuffer(fbb, fbb.CreateVector(b)));
  }
  std::vector<flatbuffers::Offset<schema::Tensor>> tensors;
  for (const auto& t : spec.tensors) {
    flatbuffers::Offset<schema::QuantParams> q = 0;
    if (!t.scale.empty()) {
      q = schema::CreateQuantParams(fbb, fbb.CreateVector(t.scale), fbb.CreateVector(t.zero_point), t.axis);
    }
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>> names = 0;
    if (!t.class_names.empty()) names = fbb.CreateVectorOfStrings(t.class_names);
    tensors.push_back(schema::CreateTensor(fbb, fbb.CreateString(t.name), t.type, fbb.CreateVector(t.shape), q,
                                           t.buffer, t.arena_offset, names, t.persistent));
  }
  flatbuffers::Offset<void> options;
  if (spec.options_builder) {
    options = spec.options_builder(fbb);
  } else if (spec.options_type == schema::OpOptions::FullyConnectedOptions) {
    const auto range = schema::CreateActivationRange(fbb, spec.act_min, spec.act_max);
    options = schema::CreateFullyConnectedOptions(fbb, range, fbb.CreateVector(spec.fc_multiplier),
                                                  fbb.CreateVector(spec.fc_shift))
                  .Union();
  } else {
    const auto range = schema::CreateActivationRange(fbb, spec.act_min, spec.act_max, 0.0f);
    options = schema::CreateClampOptions(fbb, range).Union();
  }
  const auto opcode = spec.raw_opcode != 0xFFFF ? static_cast<schema::OpCode>(spec.raw_opcode) : spec.opcode;
  const auto op =
      schema::CreateOperator(fbb, opcode, fbb.CreateVector(spec.op_inputs),
                             fbb.CreateVector(spec.op_outputs), spec.options_type, options,
                             fbb.CreateString("op0"), 0, 0, spec.scratch_offset, spec.scratch_size);
  std::vector<flatbuffers::Offset<schema::Operator>> ops = {op};
  const auto model = schema::CreateModel(
      fbb, fbb.CreateString("test"), fbb.CreateString("mote tests"), 0, fbb.CreateVector(tensors),
      fbb.CreateVector(ops), fbb.CreateVector(buffers), fbb.CreateVector(spec.inputs),
      fbb.CreateVector(spec.outputs), 0, 0, spec.arena_size, 0, 0, spec.min_runtime_version, 0, 0,
      /*frontend_kind=*/0, /*frontend=*/0, spec.state_size);
  fbb.Finish(model);
  const std::vector<uint8_t> payload(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  flatbuffers::FlatBufferBuilder file;
  file.ForceDefaults(true);
  file.ForceVectorAlignment(payload.size(), 1, 16);
  const auto data = file.CreateVector(payload);
  file.FinishSizePrefixed(schema::CreateFile(file, spec.version_major, 0, 0, data), schema::FileIdentifier());
  std::vector<uint8_t> bytes(file.GetBufferPointer(), file.GetBufferPointer() + file.GetSize());
  const size_t offset = CrcFieldOffset(bytes.data());
  uint32_t crc = FileCrc32({bytes.data(), bytes.size()}, offset);
  if (spec.corrupt_crc) crc ^= 1;
  std::memcpy(bytes.data() + offset, &crc, sizeof(crc));
  return bytes;
}

ModelSpec ReluSpec() {
  ModelSpec s;
  s.tensors = {{"x", schema::ElementType::Float32, {1, 4}, {}, {}, -1, -1, 0},
               {"y", schema::ElementType::Float32, {1, 4}, {}, {}, -1, -1, 16}};
  s.op_inputs = {0};
  s.op_outputs = {1};
  s.inputs = {0};
  s.outputs = {1};
  s.arena_size = 32;
  return s;
}

void PlanArena(ModelSpec& spec) {
  uint32_t offset = 0;
  for (auto& t : spec.tensors) {
    if (t.buffer >= 0) continue;
    size_t bytes = ElementSize(static_cast<ElementType>(t.type));
    for (int32_t d : t.shape) bytes *= static_cast<size_t>(d);
    t.arena_offset = offset;
    offset += static_cast<uint32_t>((bytes + 15) / 16 * 16);
  }
  spec.arena_size = offset;
}

RunResult RunMote(const std::vector<uint8_t>& bytes, const std::vector<std::vector<uint8_t>>& inputs) {
  RunResult r;
  const Aligned file(bytes);
  const Result<Model> model = Model::Load({file.data(), file.size()});
  if (!model.ok()) {
    r.status = model.status();
    return r;
  }
  std::vector<uint8_t> storage(model.value().arena_size() + 16);
  uint8_t* arena = storage.data() + (16 - reinterpret_cast<uintptr_t>(storage.data()) % 16) % 16;
  Result<Interpreter> interp = Interpreter::Create(model.value(), {arena, model.value().arena_size()});
  if (!interp.ok()) {
    r.status = interp.status();
    return r;
  }
  if (inputs.size() != interp.value().num_inputs()) {
    r.status = Status::kInvalidArgument;
    return r;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::span<uint8_t> dst = interp.value().input(i).data;
    if (dst.size() != inputs[i].size()) {
      r.status = Status::kInputShapeMismatch;
      return r;
    }
    std::memcpy(dst.data(), inputs[i].data(), dst.size());
  }
  r.status = interp.value().Invoke();
  for (size_t i = 0; i < interp.value().num_outputs(); ++i) {
    const std::span<uint8_t> out = interp.value().output(i).data;
    r.outputs.emplace_back(out.begin(), out.end());
  }
  return r;
}

Aligned::Aligned(const std::vector<uint8_t>& bytes, size_t offset) : storage_(bytes.size() + 32 + offset) {
  uint8_t* base = storage_.data();
  base += (16 - reinterpret_cast<uintptr_t>(base) % 16) % 16;
  base += offset;
  if (!bytes.empty()) std::memcpy(base, bytes.data(), bytes.size());
  data_ = base;
  size_ = bytes.size();
}

ModelSpec OneOp(schema::OpCode opcode, schema::OpOptions type, std::vector<TensorSpec> tensors,
                std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> options) {
  ModelSpec s;
  s.tensors = std::move(tensors);
  s.opcode = opcode;
  s.options_type = type;
  s.op_inputs = inputs;
  s.op_outputs = outputs;
  for (int32_t i : inputs) {
    if (s.tensors[i].buffer < 0) s.inputs.push_back(i);
  }
  s.outputs = outputs;
  s.options_builder = std::move(options);
  PlanArena(s);
  return s;
}

}  // namespace mote::testing
