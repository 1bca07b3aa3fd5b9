// mote::Model: a verified, zero-copy view of a .mote file.
//
// The bytes stay where the application keeps them (flash, or RAM) and must
// outlive the Model. Load() checks, in this order: the File structure, the
// schema version, the CRC-32 of the payload, the FlatBuffers structure of the
// model, and mote's semantic rules (every index, shape, offset and kernel
// parameter). A Model that loaded is safe to run: no kernel can read or write
// outside the model buffer and the arena.
#ifndef MOTE_MODEL_H_
#define MOTE_MODEL_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/status.h"
#include "mote/tensor.h"

namespace mote {
namespace schema {
struct Model;
}

inline constexpr uint16_t kSchemaVersionMajor = 1;
inline constexpr uint16_t kSchemaVersionMinor = 0;
// Files whose min_runtime_version exceeds this are refused.
inline constexpr uint32_t kRuntimeVersion = 1;
// Model buffers and arenas must be aligned to this many bytes.
inline constexpr size_t kBufferAlignment = 16;

class Model {
 public:
  Model() = default;

  // Verifies `file` (see above). `file.data()` must be 16-byte aligned.
  static Result<Model> Load(std::span<const uint8_t> file);

  bool valid() const { return model_ != nullptr; }
  // Bytes of arena the interpreter needs (exact, planned by modelc).
  uint32_t arena_size() const;
  // Bytes at the start of the arena holding state kept between invokes
  // (persistent tensors of a streaming model); 0 for a stateless model.
  uint32_t state_size() const;
  uint64_t total_macs() const;
  const char* name() const;

  size_t num_inputs() const;
  size_t num_outputs() const;
  size_t num_operators() const;
  // Type, shape and quantization of an input/output (data is empty).
  TensorView input(size_t i) const;
  TensorView output(size_t i) const;
  // The name of class `label` of output `i` when the classifier was trained
  // with string labels (its label output then holds indices); nullptr when
  // the output has no names or `label` is not one of them.
  const char* class_name(size_t i, int64_t label) const;

  // Generated FlatBuffers reader of the verified payload, for tools.
  const schema::Model& schema() const { return *model_; }

 private:
  explicit Model(const schema::Model* model) : model_(model) {}
  const schema::Model* model_ = nullptr;
};

// CRC-32 (IEEE 802.3, reflected, as zlib) of `bytes`, continuing from `crc`
// (the CRC of the bytes before them; 0 to start).
uint32_t Crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

// The integrity value of a .mote file: CRC-32 of all `file` bytes except the
// four at `crc_offset` (where the value itself is stored).
uint32_t FileCrc32(std::span<const uint8_t> file, size_t crc_offset);

// Offset of the stored integrity value in a structurally valid .mote file,
// or 0 if it has none; for writers, which patch it in last.
size_t CrcFieldOffset(const uint8_t* file);

}  // namespace mote

#endif  // MOTE_MODEL_H_
