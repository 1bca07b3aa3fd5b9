#include "src/op_table.h"

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

#define MOTE_OP_MATCHES_SCHEMA(op, check, eval, options)                              \
  static_assert(static_cast<int>(OpIndex::op) == static_cast<int>(schema::OpCode::op), \
                "op_list.h and mote.fbs disagree on " #op);
MOTE_OP_LIST(MOTE_OP_MATCHES_SCHEMA)
#undef MOTE_OP_MATCHES_SCHEMA
static_assert(static_cast<int>(OpIndex::kCount) == static_cast<int>(schema::OpCode::MAX) + 1,
              "every schema opcode needs an entry in op_list.h");

constexpr OpKernel kKernels[] = {
#define MOTE_OP_ENTRY(op, check, eval, options)                  \
  {#op, schema::OpOptions::options,                              \
   MOTE_OP_ENABLED_##op ? check : nullptr,                       \
   MOTE_OP_ENABLED_##op ? eval : nullptr},
    MOTE_OP_LIST(MOTE_OP_ENTRY)
#undef MOTE_OP_ENTRY
};

}  // namespace

const OpKernel* FindKernel(uint16_t opcode) {
  if (opcode >= static_cast<uint16_t>(OpIndex::kCount)) return nullptr;
  const OpKernel& k = kKernels[opcode];
  return k.check != nullptr ? &k : nullptr;
}

const char* OpName(uint16_t opcode) {
  return opcode < static_cast<uint16_t>(OpIndex::kCount) ? kKernels[opcode].name : "unknown";
}

}  // namespace mote::internal
