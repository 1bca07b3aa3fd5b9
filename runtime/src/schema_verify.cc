#include "src/schema_verify.h"

#include <type_traits>

#include "mote/op_config.h"
#include "src/op_list.h"

namespace mote::schema_verify {
namespace {

using flatbuffers::soffset_t;
using flatbuffers::uoffset_t;

constexpr size_t kMinBufferSize = FLATBUFFERS_MIN_BUFFER_SIZE;

constexpr size_t kNumMembers = sizeof(kSchemaUnionMembers);

// Whether this build verifies `table` as a member of union `u`: the options
// table of an op compiled in.
constexpr bool MemberVerified(UnionId u, uint8_t table) {
  if (u != UnionId::OpOptions) return true;
#define MOTE_OPTIONS_BUILT(op, check, eval, options) \
  if (MOTE_OP_ENABLED_##op && table == Id(TableId::options)) return true;
  MOTE_OP_LIST(MOTE_OPTIONS_BUILT)
#undef MOTE_OPTIONS_BUILT
  return false;
}

constexpr bool PointsToTable(uint8_t kind) {
  kind &= kKindMask;
  return kind == kTable || kind == kVectorOfTables || kind == kNested;
}

// The tables the walker can reach: the roots (tables nothing refers to, File
// and Model), the union members it verifies, and what those refer to. The
// options tables of ops left out of the build are not among them, so their
// descriptors are not linked.
struct TableSet {
  bool has[kNumTables];
};
constexpr TableSet ReachableTables() {
  TableSet referenced{}, set{};
  for (const Step& step : kSchemaSteps) {
    if (PointsToTable(step.kind)) referenced.has[step.arg] = true;
  }
  for (uint8_t member : kSchemaUnionMembers) {
    if (member != kNoTable) referenced.has[member] = true;
  }
  for (size_t t = 0; t < kNumTables; ++t) set.has[t] = !referenced.has[t];
  for (size_t u = 0; u < kNumUnions; ++u) {
    for (size_t i = kSchemaUnionStart[u]; i < kSchemaUnionStart[u + 1]; ++i) {
      const uint8_t member = kSchemaUnionMembers[i];
      if (member != kNoTable && MemberVerified(static_cast<UnionId>(u), member)) {
        set.has[member] = true;
      }
    }
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t t = 0; t < kNumTables; ++t) {
      if (!set.has[t]) continue;
      for (size_t i = kSchemaTableStart[t]; i < kSchemaTableStart[t + 1]; ++i) {
        const Step& step = kSchemaSteps[i];
        if (PointsToTable(step.kind) && !set.has[step.arg]) grew = set.has[step.arg] = true;
      }
    }
  }
  return set;
}
constexpr TableSet kReachable = ReachableTables();

// The linked steps leave out their vtable offsets: flatc checks a table's
// fields in vtable order, so a step's offset is the previous one's + 2 (the
// first one's 4), and a kSkip step (arg: how many) stands for the fields
// flatc does not check (deprecated ones).
struct PackedStep {
  uint8_t kind;
  uint8_t arg;
};
constexpr uint8_t kSkip = kKindMask;

constexpr bool FieldsInVtableOrder() {
  for (size_t t = 0; t < kNumTables; ++t) {
    for (size_t i = kSchemaTableStart[t], vt = 4; i < kSchemaTableStart[t + 1]; ++i, vt += 2) {
      if (kSchemaSteps[i].vt < vt) return false;
      vt = kSchemaSteps[i].vt;
    }
  }
  return true;
}
static_assert(FieldsInVtableOrder(),
              "flatc's Verify bodies no longer check fields in vtable order");

// Appends table t's packed steps to `out` (if not null); returns how many.
constexpr size_t PackTable(size_t t, PackedStep* out) {
  size_t n = 0;
  for (size_t i = kSchemaTableStart[t], vt = 4; i < kSchemaTableStart[t + 1]; ++i, vt += 2) {
    const Step step = kSchemaSteps[i];
    if (step.vt > vt) {
      if (out) out[n] = {kSkip, static_cast<uint8_t>((step.vt - vt) / 2)};
      ++n;
      vt = step.vt;
    }
    if (out) out[n] = {step.kind, step.arg};
    ++n;
  }
  return n;
}

constexpr size_t CountSteps() {
  size_t n = 0;
  for (size_t t = 0; t < kNumTables; ++t) {
    if (kReachable.has[t]) n += PackTable(t, nullptr);
  }
  return n;
}
constexpr size_t kNumSteps = CountSteps();
static_assert(kNumSteps > 0);

// The descriptors this build links: the steps of the reachable tables only,
// and the union members it verifies (kNoTable for the others).
struct Descriptors {
  using Index = std::conditional_t<(kNumSteps < 256), uint8_t, uint16_t>;
  PackedStep steps[kNumSteps];
  Index start[kNumTables + 1];
  uint8_t members[kNumMembers];
};
constexpr Descriptors Pack() {
  Descriptors d{};
  size_t n = 0;
  for (size_t t = 0; t < kNumTables; ++t) {
    d.start[t] = static_cast<Descriptors::Index>(n);
    if (kReachable.has[t]) n += PackTable(t, d.steps + n);
  }
  d.start[kNumTables] = static_cast<Descriptors::Index>(n);
  for (size_t u = 0; u < kNumUnions; ++u) {
    for (size_t i = kSchemaUnionStart[u]; i < kSchemaUnionStart[u + 1]; ++i) {
      const uint8_t member = kSchemaUnionMembers[i];
      d.members[i] =
          member != kNoTable && MemberVerified(static_cast<UnionId>(u), member) ? member : kNoTable;
    }
  }
  return d;
}
constexpr Descriptors kDescriptors = Pack();

// The code for nested flatbuffers is compiled only for a schema that has them.
constexpr bool HasNested() {
  for (const PackedStep& step : kDescriptors.steps) {
    if ((step.kind & kKindMask) == kNested) return true;
  }
  return false;
}

// What an offset field points to, the offset itself already verified.
bool VerifyTarget(flatbuffers::Verifier& verifier, const flatbuffers::Table* table, PackedStep step,
                  size_t vt, const uint8_t* target) {
  const uint8_t kind = step.kind & kKindMask;
  switch (kind) {
    case kString:
      return verifier.VerifyString(reinterpret_cast<const flatbuffers::String*>(target));
    case kTable:
      return VerifyTableOf(verifier, reinterpret_cast<const flatbuffers::Table*>(target),
                           static_cast<TableId>(step.arg));
    case kUnion:
      return VerifyUnionMember(
          verifier, target, static_cast<UnionId>(step.arg),
          table->GetField<uint8_t>(static_cast<flatbuffers::voffset_t>(vt - 2), 0));
    default:
      break;
  }
  const size_t element_size =
      kind == kVector ? step.arg : (HasNested() && kind == kNested ? 1 : sizeof(uoffset_t));
  if (!verifier.VerifyVectorOrString(target, element_size)) return false;
  if (kind == kVectorOfStrings || kind == kVectorOfTables) {
    // Each element as Vector<Offset<T>>::Get finds it, as VerifyVectorOfStrings
    // and VerifyVectorOfTables do.
    const uoffset_t n = flatbuffers::ReadScalar<uoffset_t>(target);
    for (uoffset_t i = 0; i < n; ++i) {
      const uint8_t* at = target + sizeof(uoffset_t) * (i + 1);
      const uint8_t* element = at + flatbuffers::ReadScalar<uoffset_t>(at);
      if (!(kind == kVectorOfStrings
                ? verifier.VerifyString(reinterpret_cast<const flatbuffers::String*>(element))
                : VerifyTableOf(verifier, reinterpret_cast<const flatbuffers::Table*>(element),
                                static_cast<TableId>(step.arg)))) {
        return false;
      }
    }
  }
  if constexpr (HasNested()) {
    if (kind == kNested) {
      // As VerifyNestedFlatBuffer with its default options (nested buffers checked).
      const auto* bytes = reinterpret_cast<const flatbuffers::Vector<uint8_t>*>(target);
      if (!verifier.Check(bytes->size() >= kMinBufferSize)) return false;
      flatbuffers::Verifier nested(bytes->data(), bytes->size());
      return VerifyBuffer(nested, bytes->data(), bytes->size(), static_cast<TableId>(step.arg),
                          nullptr, false);
    }
  }
  return true;
}

}  // namespace

bool VerifyTableOf(flatbuffers::Verifier& verifier, const flatbuffers::Table* table, TableId id) {
  if (!table->VerifyTableStart(verifier)) return false;
  const auto* base = reinterpret_cast<const uint8_t*>(table);
  const size_t t = static_cast<size_t>(id);
  size_t vt = 4;
  for (size_t i = kDescriptors.start[t]; i < kDescriptors.start[t + 1]; ++i, vt += 2) {
    const PackedStep step = kDescriptors.steps[i];
    if (step.kind == kSkip) {
      vt += 2 * step.arg - 2;
      continue;
    }
    const flatbuffers::voffset_t field =
        table->GetOptionalFieldOffset(static_cast<flatbuffers::voffset_t>(vt));
    if (field == 0) {
      // An absent optional field passes every check flatc makes of it.
      if ((step.kind & kRequired) != 0) return verifier.Check(false);
      continue;
    }
    if ((step.kind & kKindMask) == kField) {
      if (!verifier.VerifyFieldStruct(base, field, step.arg, size_t{1} << ((step.kind >> 4) & 7))) {
        return false;
      }
      continue;
    }
    const uoffset_t offset = verifier.VerifyOffset(base, field);
    if (offset == 0 || !VerifyTarget(verifier, table, step, vt, base + field + offset)) {
      return false;
    }
  }
  return verifier.EndTable();
}

bool VerifyUnionMember(flatbuffers::Verifier& verifier, const void* value, UnionId id,
                       uint8_t type) {
  const size_t u = static_cast<size_t>(id);
  const size_t at = kSchemaUnionStart[u] + type;
  if (value == nullptr || at >= kSchemaUnionStart[u + 1] || kDescriptors.members[at] == kNoTable) {
    return true;
  }
  return VerifyTableOf(verifier, static_cast<const flatbuffers::Table*>(value),
                       static_cast<TableId>(kDescriptors.members[at]));
}

bool VerifyBuffer(flatbuffers::Verifier& verifier, const uint8_t* buf, size_t size, TableId root,
                  const char* identifier, bool size_prefixed) {
  size_t start = 0;
  if (size_prefixed) {
    if (!verifier.Verify<uoffset_t>(0) ||
        !verifier.Check(flatbuffers::ReadScalar<uoffset_t>(buf) == size - sizeof(uoffset_t))) {
      return false;
    }
    start = sizeof(uoffset_t);
  }
  if (!verifier.Check(size >= kMinBufferSize)) return false;
  if (identifier != nullptr &&
      !verifier.Check(size >= 2 * sizeof(uoffset_t) &&
                      flatbuffers::BufferHasIdentifier(buf + start, identifier))) {
    return false;
  }
  const uoffset_t root_offset = verifier.VerifyOffset(start);
  return verifier.Check(root_offset != 0) &&
         VerifyTableOf(verifier,
                       reinterpret_cast<const flatbuffers::Table*>(buf + start + root_offset),
                       root);
}

}  // namespace mote::schema_verify
