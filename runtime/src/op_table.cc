#include "src/op_table.h"

#include <stddef.h>

#include "kernels/ops/ops.h"
#include "mote/op_config.h"

namespace mote::internal {
namespace {

enum class OpIndex : uint16_t {
#define MOTE_OP_INDEX(op, check, eval, options) op,
  MOTE_OP_LIST(MOTE_OP_INDEX)
#undef MOTE_OP_INDEX
      kCount
};

#define MOTE_OP_MATCHES_SCHEMA(op, check, eval, options)                               \
  static_assert(static_cast<int>(OpIndex::op) == static_cast<int>(schema::OpCode::op), \
                "op_list.h and mote.fbs disagree on " #op);
MOTE_OP_LIST(MOTE_OP_MATCHES_SCHEMA)
#undef MOTE_OP_MATCHES_SCHEMA
static_assert(static_cast<int>(OpIndex::kCount) == static_cast<int>(schema::OpCode::MAX) + 1,
              "every schema opcode needs an entry in op_list.h");

constexpr size_t kOpCount = static_cast<size_t>(OpIndex::kCount);

// Every opcode's row, evaluated at compile time only: the flash holds the
// rows of the ops compiled in (MOTE_OPS) and one byte per opcode.
constexpr OpKernel kAllKernels[] = {
#define MOTE_OP_ENTRY(op, check, eval, options)                        \
  {schema::OpOptions::options, MOTE_OP_ENABLED_##op ? check : nullptr, \
   MOTE_OP_ENABLED_##op ? eval : nullptr},
    MOTE_OP_LIST(MOTE_OP_ENTRY)
#undef MOTE_OP_ENTRY
};

// Which ops are compiled in, from the configuration's integer macros: a
// constant expression under every compiler mode (GCC with UBSan refuses to
// compare function addresses with nullptr at compile time).
constexpr bool kEnabled[] = {
#define MOTE_OP_IS_ENABLED(op, check, eval, options) MOTE_OP_ENABLED_##op != 0,
    MOTE_OP_LIST(MOTE_OP_IS_ENABLED)
#undef MOTE_OP_IS_ENABLED
};

constexpr size_t CountEnabled() {
  size_t n = 0;
  for (bool enabled : kEnabled) n += enabled ? 1 : 0;
  return n;
}
constexpr size_t kEnabledCount = CountEnabled();
static_assert(kEnabledCount < 255, "a row number must fit the byte map");

struct Table {
  OpKernel rows[kEnabledCount > 0 ? kEnabledCount : 1];
  uint8_t row_plus_one[kOpCount];  // 0: the op is not compiled in
};

constexpr Table MakeTable() {
  Table t{};
  uint8_t n = 0;
  for (size_t op = 0; op < kOpCount; ++op) {
    if (!kEnabled[op]) continue;
    t.rows[n] = kAllKernels[op];
    t.row_plus_one[op] = ++n;
  }
  return t;
}
constexpr Table kTable = MakeTable();

}  // namespace

const OpKernel* FindKernel(uint16_t opcode) {
  if (opcode >= kOpCount || kTable.row_plus_one[opcode] == 0) return nullptr;
  return &kTable.rows[kTable.row_plus_one[opcode] - 1];
}

}  // namespace mote::internal
