// A table-driven FlatBuffers verifier for mote.fbs: one small walker and a few
// hundred bytes of descriptors in place of flatc's per-table Verify methods,
// which inline into several KB of code on a Cortex-M. The walker is a loop over
// a fixed-size stack of the tables being verified (the schema bounds how deep
// they nest), not a recursion, which the firmware's stack analysis refuses.
//
// It accepts exactly what flatc's verifier accepts, except that an OpOptions
// table is verified only if an op compiled into this build uses it (any other
// options table passes, as an unknown union type passes flatc's verifier:
// CheckModel refuses such an op before anything reads its options).
//
// The descriptors (mote/schema/schema_verify_tables.inc) are generated at build
// time from flatc's Verify methods by cmake/GenerateSchemaVerifyTables.cmake;
// each step is one check of a Verify body, in flatc's order, made with the
// same flatbuffers::Verifier primitives, so depth, table-count, bounds and
// alignment limits apply exactly as they do to flatc's code.
#ifndef MOTE_SRC_SCHEMA_VERIFY_H_
#define MOTE_SRC_SCHEMA_VERIFY_H_

#include <stddef.h>
#include <stdint.h>

#include "flatbuffers/flatbuffers.h"

namespace mote::schema_verify {

enum class TableId : uint8_t;
enum class UnionId : uint8_t;

// One check of a table's fields. `kind` holds a Kind in its low four bits,
// log2 of the alignment of a kField in bits 4-6 and kRequired in bit 7; `vt`
// is the field's vtable offset; `arg` is a kField's size, a kVector's element
// size, or the TableId/UnionId of what the field points to.
struct Step {
  uint8_t kind;
  uint8_t vt;
  uint8_t arg;
};

enum Kind : uint8_t {
  kField,            // VerifyField: a scalar or struct stored inline
  kString,           // VerifyOffset + VerifyString
  kVector,           // VerifyOffset + VerifyVector of scalars or structs
  kVectorOfStrings,  // ... + VerifyVectorOfStrings
  kVectorOfTables,   // ... + VerifyVectorOfTables
  kTable,            // VerifyOffset + VerifyTable
  kUnion,            // VerifyOffset + the union's verifier (the type field is at vt - 2)
  kNested,           // VerifyOffset + VerifyVector<uint8_t> + VerifyNestedFlatBuffer
};
inline constexpr uint8_t kKindMask = 0x0f;
inline constexpr uint8_t kRequired = 0x80;
inline constexpr uint8_t kNoTable = 0xff;  // a union's NONE

constexpr uint8_t Id(TableId id) { return static_cast<uint8_t>(id); }

constexpr uint8_t WithFlags(Kind kind, bool required) {
  return static_cast<uint8_t>(kind | (required ? kRequired : 0));
}
constexpr Step FieldStep(uint8_t vt, uint8_t size, uint8_t align, bool required) {
  uint8_t log2 = 0;
  while ((1u << log2) < align) ++log2;
  return {static_cast<uint8_t>(WithFlags(kField, required) | log2 << 4), vt, size};
}
constexpr Step StringStep(uint8_t vt, bool required) {
  return {WithFlags(kString, required), vt, 0};
}
constexpr Step VectorStep(uint8_t vt, uint8_t element_size, bool required) {
  return {WithFlags(kVector, required), vt, element_size};
}
constexpr Step VectorOfStringsStep(uint8_t vt, bool required) {
  return {WithFlags(kVectorOfStrings, required), vt, 0};
}
constexpr Step VectorOfTablesStep(uint8_t vt, TableId id, bool required) {
  return {WithFlags(kVectorOfTables, required), vt, Id(id)};
}
constexpr Step TableStep(uint8_t vt, TableId id, bool required) {
  return {WithFlags(kTable, required), vt, Id(id)};
}
constexpr Step UnionStep(uint8_t vt, UnionId id, bool required) {
  return {WithFlags(kUnion, required), vt, static_cast<uint8_t>(id)};
}
constexpr Step NestedStep(uint8_t vt, TableId id, bool required) {
  return {WithFlags(kNested, required), vt, Id(id)};
}

#include "mote/schema/schema_verify_tables.inc"

// flatc's `table->Verify(verifier)` for the table type `id`, which must be one
// this build links: a root (File, Model) or a table reachable from one.
bool VerifyTableOf(flatbuffers::Verifier& verifier, const flatbuffers::Table* table, TableId id);

// flatc's Verify<Union>(verifier, value, type): true for NONE, for a type this
// build does not verify (see above) and for a type out of range.
bool VerifyUnionMember(flatbuffers::Verifier& verifier, const void* value, UnionId id,
                       uint8_t type);

// Verifier::VerifyBuffer<T>(identifier), or VerifySizePrefixedBuffer<T> if
// `size_prefixed`, with root type `root`. `verifier` must cover [buf, buf + size).
bool VerifyBuffer(flatbuffers::Verifier& verifier, const uint8_t* buf, size_t size, TableId root,
                  const char* identifier, bool size_prefixed);

}  // namespace mote::schema_verify

#endif  // MOTE_SRC_SCHEMA_VERIFY_H_
