#include "mote/model.h"

#include <stdint.h>

#include "mote/diagnostics.h"
#include "mote/schema/mote_generated.h"
#include "src/model_check.h"
#include "src/op_context.h"
#include "src/schema_verify.h"

namespace mote {
namespace {

static_assert(static_cast<int>(schema::ElementType::Float32) ==
              static_cast<int>(ElementType::kFloat32));
static_assert(static_cast<int>(schema::ElementType::Int8) == static_cast<int>(ElementType::kInt8));
static_assert(static_cast<int>(schema::ElementType::Int16) ==
              static_cast<int>(ElementType::kInt16));
static_assert(static_cast<int>(schema::ElementType::Int32) ==
              static_cast<int>(ElementType::kInt32));
static_assert(static_cast<int>(schema::ElementType::Int64) ==
              static_cast<int>(ElementType::kInt64));
static_assert(static_cast<int>(schema::ElementType::UInt8) ==
              static_cast<int>(ElementType::kUInt8));

// Bounds for the FlatBuffers verifier: far above any real model, low enough
// that a hostile file cannot make verification slow.
constexpr flatbuffers::uoffset_t kMaxDepth = 16;
constexpr flatbuffers::uoffset_t kMaxTables = 1u << 20;

using internal::Report;

// Checks the outer File and returns it; the payload is not parsed yet.
Result<const schema::File*> VerifyFile(std::span<const uint8_t> file) {
  if (file.data() == nullptr || reinterpret_cast<uintptr_t>(file.data()) % kBufferAlignment != 0) {
    return Report(Status::kBadAlignment, "model buffer must be 16-byte aligned");
  }
  constexpr size_t kHeader = sizeof(flatbuffers::uoffset_t) * 3;  // size, root, identifier
  if (file.size() < kHeader) {
    return Report(Status::kTruncatedFile, "file shorter than the header", -1, -1,
                  static_cast<int64_t>(file.size()), kHeader);
  }
  if (!flatbuffers::BufferHasIdentifier(file.data(), schema::FileIdentifier(), true)) {
    return Report(Status::kCorruptFile, "not a .mote file (identifier)");
  }
  const uint64_t declared = uint64_t{flatbuffers::GetPrefixedSize(file.data())} + 4;
  if (declared > file.size()) {
    return Report(Status::kTruncatedFile, "file is shorter than its size prefix", -1, -1,
                  static_cast<int64_t>(file.size()), static_cast<int64_t>(declared));
  }
  flatbuffers::Verifier verifier(file.data(), static_cast<size_t>(declared), kMaxDepth,
                                 kMaxTables);
  if (!schema_verify::VerifyBuffer(verifier, file.data(), static_cast<size_t>(declared),
                                   schema_verify::TableId::File, schema::FileIdentifier(), true)) {
    return Report(Status::kCorruptFile, "file structure is invalid");
  }
  return schema::GetSizePrefixedFile(file.data());
}

}  // namespace

Result<Model> Model::Load(std::span<const uint8_t> file) {
  const Result<const schema::File*> outer = VerifyFile(file);
  if (!outer.ok()) return outer.status();
  const schema::File& f = *outer.value();
  if (f.version_major() != kSchemaVersionMajor) {
    return Report(Status::kVersionMismatch, "schema major version differs from the runtime's", -1,
                  -1, f.version_major(), kSchemaVersionMajor);
  }
  // Every byte of the file but the stored value itself is covered.
  const size_t crc_offset = CrcFieldOffset(file.data());
  if (crc_offset == 0) return Report(Status::kCorruptFile, "file has no integrity value");
  const size_t declared = flatbuffers::GetPrefixedSize(file.data()) + sizeof(flatbuffers::uoffset_t);
  const uint32_t crc = FileCrc32(file.first(declared), crc_offset);
  if (crc != f.crc32()) {
    return Report(Status::kIntegrityMismatch, "file CRC-32 does not match", -1, -1, crc, f.crc32());
  }
  const auto* payload = f.payload();
  if (payload == nullptr || payload->size() == 0) {
    return Report(Status::kCorruptFile, "file has no model payload");
  }
  const std::span<const uint8_t> bytes(payload->data(), payload->size());
  if (reinterpret_cast<uintptr_t>(bytes.data()) % kBufferAlignment != 0) {
    return Report(Status::kCorruptFile, "payload is not 16-byte aligned");
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), kMaxDepth, kMaxTables);
  if (!schema_verify::VerifyBuffer(verifier, bytes.data(), bytes.size(),
                                   schema_verify::TableId::Model, nullptr, false)) {
    return Report(Status::kCorruptFile, "model structure is invalid");
  }
  const schema::Model* model = flatbuffers::GetRoot<schema::Model>(bytes.data());
  if (model->min_runtime_version() > kRuntimeVersion) {
    return Report(Status::kVersionMismatch, "model needs a newer runtime", -1, -1,
                  model->min_runtime_version(), kRuntimeVersion);
  }
  MOTE_TRY(internal::CheckModel(*model));
  return Model(model);
}

size_t CrcFieldOffset(const uint8_t* file) {
  // Generated tables derive privately from flatbuffers::Table, at offset 0.
  const auto* table = reinterpret_cast<const flatbuffers::Table*>(schema::GetSizePrefixedFile(file));
  const uint8_t* field = table->GetAddressOf(schema::File::VT_CRC32);
  return field == nullptr ? 0 : static_cast<size_t>(field - file);
}

uint32_t Model::arena_size() const { return model_ ? model_->arena_size() : 0; }
uint32_t Model::state_size() const { return model_ ? model_->state_size() : 0; }
uint64_t Model::total_macs() const { return model_ ? model_->total_macs() : 0; }
const char* Model::name() const {
  return (model_ && model_->name()) ? model_->name()->c_str() : "";
}
size_t Model::num_inputs() const { return model_ ? model_->inputs()->size() : 0; }
size_t Model::num_outputs() const { return model_ ? model_->outputs()->size() : 0; }
size_t Model::num_operators() const { return model_ ? model_->operators()->size() : 0; }

namespace internal {

TensorView DescribeTensor(const schema::Model& model, int32_t index) {
  const schema::Tensor& t = *model.tensors()->Get(static_cast<uint32_t>(index));
  TensorView view;
  view.name = t.name() ? t.name()->c_str() : "";
  view.type = TypeOf(t);
  view.shape = ShapeOf(t);
  view.scale = ScaleOf(t);
  view.zero_point = ZeroPointOf(t);
  return view;
}

}  // namespace internal

TensorView Model::input(size_t i) const {
  MOTE_ASSERT(i < num_inputs());
  return internal::DescribeTensor(*model_, model_->inputs()->Get(static_cast<uint32_t>(i)));
}

TensorView Model::output(size_t i) const {
  MOTE_ASSERT(i < num_outputs());
  return internal::DescribeTensor(*model_, model_->outputs()->Get(static_cast<uint32_t>(i)));
}

const char* Model::class_name(size_t i, int64_t label) const {
  if (model_ == nullptr || i >= num_outputs()) return nullptr;
  const int32_t tensor = model_->outputs()->Get(static_cast<uint32_t>(i));
  const auto* names = model_->tensors()->Get(static_cast<uint32_t>(tensor))->class_names();
  if (names == nullptr || label < 0 || static_cast<uint64_t>(label) >= names->size()) return nullptr;
  return names->Get(static_cast<uint32_t>(label))->c_str();
}

}  // namespace mote
