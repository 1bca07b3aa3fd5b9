// Worst-case stack of the mote runtime on each Cortex-M CPU for a given set
// of op types, from the per-op table targets/cortex-m/tools/stack_report.py
// generates from the firmware builds' GCC call graphs
// (kernel_stack_table.inc, checked by the stack_table_current test).
//
// The figure is the deepest stack, below the caller's stack pointer, of any
// of Model::Load, Interpreter::Create, SelfTest, Invoke, input and output:
// the maximum of the table's fixed row and the rows of the model's op types
// (each row is already the deepest path of those calls with that op's Check
// and Eval kernels, so the maximum is exact, not a sum). The application's
// own frames, interrupts, its op hook and diagnostic/assert handlers come
// on top.
#ifndef MOTE_TOOLS_MODELC_PLAN_STACK_BOUND_H_
#define MOTE_TOOLS_MODELC_PLAN_STACK_BOUND_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mote::modelc {

struct OpStack {
  std::string op;      // runtime op type (schema::OpCode name)
  int64_t bytes = 0;   // worst case of any runtime call with this op's kernels
  std::string entry;   // the call that needs it, e.g. "Interpreter::Invoke"
};

struct StackBound {
  std::string cpu;            // "cortex-m0", ... (MOTE_CPU)
  int64_t bytes = 0;          // the model's worst case
  std::string deepest;        // the op type that sets it ("" = the fixed part)
  std::string entry;          // the call that needs it
  int64_t fixed_bytes = 0;    // what every model needs (no kernel)
  std::string fixed_entry;
  std::vector<OpStack> ops;   // each op type of the model once, in order of first use
};

// The CPUs of the table, in order.
const std::vector<std::string>& StackCpus();

// One StackBound per CPU of the table for a model holding `op_types`
// (runtime op names, or StackKey's "Op:type"; repeats are fine). Throws
// std::logic_error for an op type the table lacks (a stale table).
std::vector<StackBound> StackBounds(const std::vector<std::string>& op_types);

// The table key of an op whose activations (its output) are of element type
// `dtype` ("int8", "int16", "float32"): "Op:dtype", which the table has for
// ops whose kernels differ by type (else StackBounds uses the op's row).
inline std::string StackKey(const std::string& op, const std::string& dtype) {
  return op + ":" + dtype;
}

// The firmware build the table holds for, e.g. "CMAKE_BUILD_TYPE Release,
// arm-none-eabi-gcc ... 12.2.1": other flags or compilers give other frames.
const char* StackTableBuild();

// The figure of one op type ("" for the fixed part) on one CPU, or -1.
int64_t KernelStackBytes(const std::string& cpu, const std::string& op);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_PLAN_STACK_BOUND_H_
