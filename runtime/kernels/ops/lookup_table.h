// The glue shared by the elementwise ops that use a modelc lookup table on
// quantized tensors (Sigmoid, Tanh, HardSwish, LeakyRelu, Unary).
#ifndef MOTE_KERNELS_OPS_LOOKUP_TABLE_H_
#define MOTE_KERNELS_OPS_LOOKUP_TABLE_H_

#include "src/op_context.h"

namespace mote::internal {

// One input and one output of the same kernel type and shape; on int8 a
// table of 256 entries, on int16 of 513 (buffer `table`); float needs none.
Status CheckLookupOp(const OpContext& ctx, int32_t table);

// The table lookup on int8 / int16 tensors; false on float ones (the
// caller computes its function).
bool EvalLookup(const OpContext& ctx, int32_t table);

}  // namespace mote::internal

#endif  // MOTE_KERNELS_OPS_LOOKUP_TABLE_H_
