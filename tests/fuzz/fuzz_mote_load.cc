// Fuzz target: Model::Load on a .mote file, then Interpreter::Create and
// Invoke on inputs taken from the bytes after the file.
//
// Input layout: a size-prefixed .mote file (its first four bytes give the
// length of the rest), then the bytes that fill the model's inputs. A model
// that loads is promised safe to run (runtime/include/mote/model.h): any
// AddressSanitizer report here is a runtime bug. The model and the arena are
// separate heap blocks of exactly their size, so a read or write one byte
// outside either is caught.
//
// Most mutations would only break the CRC-32 and stop at the integrity check,
// so each input is loaded twice: as is, and with the integrity value patched
// to match the mutated bytes, which lets mutations reach the FlatBuffers
// verifier, the semantic checks and the kernels.
//
// Every input also cross-checks the runtime's table-driven verifier
// (src/schema_verify.cc) against flatc's on the outer File and on the payload:
// with every op compiled in, they must accept exactly the same buffers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz_common.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/quantize.h"
#include "mote/schema/mote_generated.h"
#include "src/schema_verify.h"

namespace {

using mote::fuzz::AlignedBytes;

constexpr uint32_t kMaxArena = 16u << 20;

// Aborts if the runtime's verifier and flatc's disagree about `file`, or, if
// both accept it, about its payload as a Model.
void CrossCheckVerifiers(AlignedBytes& file) {
  namespace sv = mote::schema_verify;
  flatbuffers::Verifier ours(file.data(), file.size(), 16, 1u << 20);
  flatbuffers::Verifier theirs(file.data(), file.size(), 16, 1u << 20);
  const bool accepted = mote::schema::VerifySizePrefixedFileBuffer(theirs);
  if (sv::VerifyBuffer(ours, file.data(), file.size(), sv::TableId::File,
                       mote::schema::FileIdentifier(), true) != accepted) {
    std::abort();
  }
  if (!accepted) return;
  const auto* payload = mote::schema::GetSizePrefixedFile(file.data())->payload();
  if (payload == nullptr) return;
  AlignedBytes model(payload->data(), payload->size());
  flatbuffers::Verifier ours_model(model.data(), model.size(), 16, 1u << 20);
  flatbuffers::Verifier theirs_model(model.data(), model.size(), 16, 1u << 20);
  if (sv::VerifyBuffer(ours_model, model.data(), model.size(), sv::TableId::Model, nullptr,
                       false) != theirs_model.VerifyBuffer<mote::schema::Model>(nullptr)) {
    std::abort();
  }
}

// Writes the right CRC-32 into a structurally valid File; false if the outer
// structure is broken (Load rejects it before looking at the CRC anyway).
bool PatchCrc(AlignedBytes& file) {
  if (file.size() < 12 || !flatbuffers::BufferHasIdentifier(file.data(), mote::schema::FileIdentifier(), true)) {
    return false;
  }
  flatbuffers::Verifier verifier(file.data(), file.size());
  if (!mote::schema::VerifySizePrefixedFileBuffer(verifier)) return false;
  const size_t offset = mote::CrcFieldOffset(file.data());
  if (offset == 0 || offset + 4 > file.size()) return false;
  const uint32_t crc = mote::FileCrc32(file.span(), offset);
  std::memcpy(file.data() + offset, &crc, 4);
  return true;
}

// Fills every input from `rest` (repeated as needed, zeros if empty). The low
// bit of the first byte chooses raw bytes (any bit pattern, NaN included, in
// the model's own element type) or floats quantized with QuantizeInto.
void FillInputs(mote::Interpreter& interp, const uint8_t* rest, size_t rest_size) {
  const bool quantize = rest_size > 0 && (rest[0] & 1) != 0;
  size_t pos = 0;
  auto next = [&]() -> uint8_t { return rest_size == 0 ? 0 : rest[pos++ % rest_size]; };
  for (size_t i = 0; i < interp.num_inputs(); ++i) {
    const mote::TensorView t = interp.input(i);
    if (quantize) {
      std::vector<float> values(t.num_elements());
      for (float& v : values) {
        uint8_t b[4] = {next(), next(), next(), next()};
        std::memcpy(&v, b, 4);
      }
      (void)mote::QuantizeInto(values, t);
    } else {
      for (uint8_t& b : t.data) b = next();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t file_size = size;
  if (size >= 4) {
    uint32_t prefix;
    std::memcpy(&prefix, data, 4);
    if (uint64_t{prefix} + 4 <= size) file_size = size_t{prefix} + 4;
  }
  AlignedBytes file(data, file_size);
  CrossCheckVerifiers(file);
  (void)mote::Model::Load(file.span());
  if (!PatchCrc(file)) return 0;
  mote::Result<mote::Model> model = mote::Model::Load(file.span());
  if (!model.ok()) return 0;
  // Arenas up to 2 GiB are valid; past this size only the fuzzer's memory
  // limit would be tested, not the runtime.
  if (model.value().arena_size() > kMaxArena) return 0;

  AlignedBytes arena(model.value().arena_size());
  mote::Result<mote::Interpreter> interp = mote::Interpreter::Create(model.value(), arena.span());
  // An arena of exactly arena_size(), 16-byte aligned, must be accepted.
  if (!interp.ok()) std::abort();
  FillInputs(interp.value(), data + file_size, size - file_size);
  // Invoke cannot fail on a verified model, except by the one data-dependent
  // check: a Gather's run-time index out of range (kInvalidArgument, with
  // nothing read out of bounds; ASan would say otherwise).
  const mote::Status run = interp.value().Invoke();
  if (run != mote::Status::kOk && run != mote::Status::kInvalidArgument) std::abort();
  for (size_t o = 0; o < interp.value().num_outputs(); ++o) {
    const mote::TensorView t = interp.value().output(o);
    std::vector<float> values(t.num_elements());
    (void)mote::DequantizeFrom(t, values);
  }
  // The embedded self-test vectors, if any, run through the same path; a
  // mismatch is a legitimate outcome for a mutated file.
  (void)interp.value().SelfTest();
  return 0;
}
