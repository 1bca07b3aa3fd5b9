// The stack bound modelc reports (plan/stack_bound.h) over the generated
// table: every runtime op type has a figure on every CPU, and a model's worst
// case is the largest of its op types' rows and the fixed row.
#include "plan/stack_bound.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "mote/schema/mote_generated.h"

namespace mote::modelc {
namespace {

TEST(StackBound, EveryOpOnEveryCortexMCpu) {
  const std::vector<std::string> want = {"cortex-m0", "cortex-m3", "cortex-m4",
                                         "cortex-m7", "cortex-m33", "cortex-m55"};
  EXPECT_EQ(StackCpus(), want);
  for (const std::string& cpu : StackCpus()) {
    const int64_t fixed = KernelStackBytes(cpu, "");
    EXPECT_GT(fixed, 0) << cpu;
    for (int i = 0; i <= static_cast<int>(schema::OpCode::MAX); ++i) {
      const std::string op = schema::EnumNameOpCode(static_cast<schema::OpCode>(i));
      // Each row includes the fixed part's calls, so it is at least as deep.
      EXPECT_GE(KernelStackBytes(cpu, op), fixed) << cpu << " " << op;
    }
  }
}

TEST(StackBound, WorstCaseIsTheDeepestRow) {
  const std::vector<StackBound> bounds = StackBounds({"FullyConnected", "Relu", "FullyConnected", "Add"});
  ASSERT_EQ(bounds.size(), StackCpus().size());
  for (const StackBound& b : bounds) {
    ASSERT_EQ(b.ops.size(), 3u) << "each op type once";
    EXPECT_EQ(b.ops[0].op, "FullyConnected");
    EXPECT_EQ(b.ops[2].op, "Add");
    int64_t want = KernelStackBytes(b.cpu, "");
    for (const OpStack& op : b.ops) {
      EXPECT_EQ(op.bytes, KernelStackBytes(b.cpu, op.op));
      want = std::max(want, op.bytes);
    }
    EXPECT_EQ(b.bytes, want) << b.cpu;
    EXPECT_EQ(b.fixed_bytes, KernelStackBytes(b.cpu, ""));
  }
  EXPECT_THROW(StackBounds({"NoSuchOp"}), std::logic_error);
  for (const StackBound& b : StackBounds({})) EXPECT_EQ(b.bytes, b.fixed_bytes);
}

}  // namespace
}  // namespace mote::modelc
