#include "util/mote_builder.h"

#include <cstring>

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
    tensors.push_back(schema::CreateTensor(fbb, fbb.CreateString(t.name), t.type, fbb.CreateVector(t.shape), q,
                                           t.buffer, t.arena_offset));
  }
  flatbuffers::Offset<void> options;
  if (spec.options_type == schema::OpOptions::FullyConnectedOptions) {
    const auto range = schema::CreateActivationRange(fbb, spec.act_min, spec.act_max);
    options = schema::CreateFullyConnectedOptions(fbb, range, fbb.CreateVector(spec.fc_multiplier),
                                                  fbb.CreateVector(spec.fc_shift))
                  .Union();
  } else {
    const auto range = schema::CreateActivationRange(fbb, spec.act_min, spec.act_max, 0.0f);
    options = schema::CreateClampOptions(fbb, range).Union();
  }
  const auto opcode = spec.raw_opcode != 0xFFFF ? static_cast<schema::OpCode>(spec.raw_opcode) : spec.opcode;
  const auto op = schema::CreateOperator(fbb, opcode, fbb.CreateVector(spec.op_inputs),
                                         fbb.CreateVector(spec.op_outputs), spec.options_type, options,
                                         fbb.CreateString("op0"));
  std::vector<flatbuffers::Offset<schema::Operator>> ops = {op};
  const auto model = schema::CreateModel(
      fbb, fbb.CreateString("test"), fbb.CreateString("mote tests"), 0, fbb.CreateVector(tensors),
      fbb.CreateVector(ops), fbb.CreateVector(buffers), fbb.CreateVector(spec.inputs),
      fbb.CreateVector(spec.outputs), 0, 0, spec.arena_size, 0, 0, spec.min_runtime_version);
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

Aligned::Aligned(const std::vector<uint8_t>& bytes, size_t offset) : storage_(bytes.size() + 32 + offset) {
  uint8_t* base = storage_.data();
  base += (16 - reinterpret_cast<uintptr_t>(base) % 16) % 16;
  base += offset;
  if (!bytes.empty()) std::memcpy(base, bytes.data(), bytes.size());
  data_ = base;
  size_ = bytes.size();
}

}  // namespace mote::testing
