// Opcode -> kernel dispatch, generated from op_list.h.
#ifndef MOTE_SRC_OP_TABLE_H_
#define MOTE_SRC_OP_TABLE_H_

#include <stdint.h>

#include "src/op_context.h"

namespace mote::internal {

struct OpKernel {
  schema::OpOptions options;  // the options table the op requires
  Status (*check)(const OpContext&);
  void (*eval)(const OpContext&);
};

// The kernel for `opcode`, or nullptr if the opcode is unknown to this
// runtime or the op was left out of this build (MOTE_OPS).
const OpKernel* FindKernel(uint16_t opcode);

}  // namespace mote::internal

#endif  // MOTE_SRC_OP_TABLE_H_
