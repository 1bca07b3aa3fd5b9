#include "src/schema_verify.h"

#include <algorithm>
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

// How many tables deep a walk from table t can go (0 if the tables nest
// without end, which only a recursive schema could do).
constexpr size_t Nesting(size_t t, size_t limit) {
  if (limit == 0) return kNumTables + 1;
  size_t deepest = 0;
  for (size_t i = kDescriptors.start[t]; i < kDescriptors.start[t + 1]; ++i) {
    const PackedStep step = kDescriptors.steps[i];
    const uint8_t kind = step.kind & kKindMask;
    if (step.kind == kSkip) continue;
    if (kind == kTable || kind == kVectorOfTables) {
      deepest = std::max(deepest, Nesting(step.arg, limit - 1));
    } else if (kind == kUnion) {
      for (size_t m = kSchemaUnionStart[step.arg]; m < kSchemaUnionStart[step.arg + 1]; ++m) {
        if (kDescriptors.members[m] != kNoTable) {
          deepest = std::max(deepest, Nesting(kDescriptors.members[m], limit - 1));
        }
      }
    }
  }
  return 1 + deepest;
}
constexpr size_t MaxNesting() {
  size_t deepest = 0;
  for (size_t t = 0; t < kNumTables; ++t) deepest = std::max(deepest, Nesting(t, kNumTables));
  return deepest;
}
// The walker keeps one frame per table being verified, not a call per table:
// the firmware's stack analysis (targets/cortex-m/tools/stack_report.py)
// admits no recursion, and the schema bounds how deep tables nest.
constexpr size_t kMaxNesting = MaxNesting();
static_assert(kMaxNesting <= kNumTables, "mote.fbs has recursive tables: the walker needs a bound");

// The table union `u` holds as `type` if this build verifies it, else kNoTable.
uint8_t MemberTable(size_t u, uint8_t type) {
  const size_t at = kSchemaUnionStart[u] + type;
  return at < kSchemaUnionStart[u + 1] ? kDescriptors.members[at] : kNoTable;
}

}  // namespace

bool VerifyTableOf(flatbuffers::Verifier& verifier, const flatbuffers::Table* table, TableId id) {
  struct Frame {
    const flatbuffers::Table* table;
    const uint8_t* elements;  // the next element of a vector of tables or strings being walked,
    uoffset_t remaining;      // how many are left,
    uint8_t element_table;    // and their table (kNoTable: strings)
    uint16_t step, end;
    uint16_t vt;
  };
  Frame frames[kMaxNesting];
  size_t depth = 0;
  const flatbuffers::Table* enter = table;  // the table to verify next, if any
  uint8_t enter_id = Id(id);
  for (;;) {
    if (enter != nullptr) {
      if (!enter->VerifyTableStart(verifier)) return false;
      frames[depth++] = {.table = enter,
                         .elements = nullptr,
                         .remaining = 0,
                         .element_table = 0,
                         .step = kDescriptors.start[enter_id],
                         .end = kDescriptors.start[enter_id + 1],
                         .vt = 4};
      enter = nullptr;
    }
    Frame& f = frames[depth - 1];
    if (f.remaining != 0) {
      // Each element as Vector<Offset<T>>::Get finds it, as VerifyVectorOfTables
      // and VerifyVectorOfStrings do.
      --f.remaining;
      const uint8_t* element = f.elements + flatbuffers::ReadScalar<uoffset_t>(f.elements);
      f.elements += sizeof(uoffset_t);
      if (f.element_table == kNoTable) {
        if (!verifier.VerifyString(reinterpret_cast<const flatbuffers::String*>(element))) {
          return false;
        }
        continue;
      }
      enter = reinterpret_cast<const flatbuffers::Table*>(element);
      enter_id = f.element_table;
      continue;
    }
    if (f.step == f.end) {
      verifier.EndTable();
      if (--depth == 0) return true;
      continue;
    }
    const PackedStep step = kDescriptors.steps[f.step++];
    const flatbuffers::voffset_t vt = f.vt;
    f.vt = static_cast<uint16_t>(vt + 2);
    if (step.kind == kSkip) {
      f.vt = static_cast<uint16_t>(vt + 2 * step.arg);
      continue;
    }
    const auto* base = reinterpret_cast<const uint8_t*>(f.table);
    const flatbuffers::voffset_t field = f.table->GetOptionalFieldOffset(vt);
    if (field == 0) {
      // An absent optional field passes every check flatc makes of it.
      if ((step.kind & kRequired) != 0) return verifier.Check(false);
      continue;
    }
    const uint8_t kind = step.kind & kKindMask;
    if (kind == kField) {
      if (!verifier.VerifyFieldStruct(base, field, step.arg, size_t{1} << ((step.kind >> 4) & 7))) {
        return false;
      }
      continue;
    }
    const uoffset_t offset = verifier.VerifyOffset(base, field);
    if (offset == 0) return false;
    const uint8_t* target = base + field + offset;
    if (kind == kString) {
      if (!verifier.VerifyString(reinterpret_cast<const flatbuffers::String*>(target))) {
        return false;
      }
      continue;
    }
    if (kind == kTable || kind == kUnion) {
      enter_id = kind == kTable
                     ? step.arg
                     : MemberTable(step.arg, f.table->GetField<uint8_t>(
                                                 static_cast<flatbuffers::voffset_t>(vt - 2), 0));
      if (enter_id != kNoTable) enter = reinterpret_cast<const flatbuffers::Table*>(target);
      continue;
    }
    const size_t element_size =
        kind == kVector ? step.arg : (HasNested() && kind == kNested ? 1 : sizeof(uoffset_t));
    if (!verifier.VerifyVectorOrString(target, element_size)) return false;
    if (kind == kVectorOfTables || kind == kVectorOfStrings) {
      f.elements = target + sizeof(uoffset_t);
      f.remaining = flatbuffers::ReadScalar<uoffset_t>(target);
      f.element_table = kind == kVectorOfTables ? step.arg : kNoTable;
    }
    if constexpr (HasNested()) {
      if (kind == kNested) {
        // As VerifyNestedFlatBuffer with its default options (nested buffers
        // checked). This recursion would need a rule in stack_report.py.
        const auto* bytes = reinterpret_cast<const flatbuffers::Vector<uint8_t>*>(target);
        if (!verifier.Check(bytes->size() >= kMinBufferSize)) return false;
        flatbuffers::Verifier nested(bytes->data(), bytes->size());
        if (!VerifyBuffer(nested, bytes->data(), bytes->size(), static_cast<TableId>(step.arg),
                          nullptr, false)) {
          return false;
        }
      }
    }
  }
}

bool VerifyUnionMember(flatbuffers::Verifier& verifier, const void* value, UnionId id,
                       uint8_t type) {
  const uint8_t member = MemberTable(static_cast<size_t>(id), type);
  return value == nullptr || member == kNoTable ||
         VerifyTableOf(verifier, static_cast<const flatbuffers::Table*>(value),
                       static_cast<TableId>(member));
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
