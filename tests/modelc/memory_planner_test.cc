// The arena planner's overlaps: convs writing over their dying input from
// the kernels' margin, Add/Mul in place, and never two live tensors sharing
// bytes otherwise.
#include "plan/memory_planner.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "kernels/reference/in_place.h"
#include "passes/stream.h"

namespace mote::modelc {
namespace {

class GraphBuilder {
 public:
  int Input(Shape shape) {
    const int t = Tensor_(std::move(shape));
    g.inputs.push_back(t);
    return t;
  }
  int Weights(Shape shape) {
    Tensor t;
    t.name = "w" + std::to_string(g.tensors.size());
    t.dtype = DType::kInt8;
    t.shape = shape;
    t.constant = Value::Float(shape, Eigen::ArrayXf::Zero(NumElements(shape)));
    return g.AddTensor(t);
  }
  // 3x3 "same" conv, stride 1 (or 1x1 when `pointwise`).
  int Conv(int x, int64_t out_c, bool pointwise = false) {
    const Shape in = g.tensors[x].shape;  // a copy: adding tensors moves them
    const int64_t k = pointwise ? 1 : 3;
    const int y = Tensor_({in[0], in[1], in[2], out_c});
    Node n;
    n.name = "conv" + std::to_string(g.nodes.size());
    n.op = "Conv2D";
    n.inputs = {x, Weights({out_c, k, k, in[3]})};
    n.outputs = {y};
    n.attrs["filter_h"].i = k;
    n.attrs["filter_w"].i = k;
    n.attrs["pad_top"].i = k / 2;
    n.attrs["pad_left"].i = k / 2;
    g.nodes.push_back(n);
    return y;
  }
  int Add(int a, int b) {
    const Shape shape = g.tensors[a].shape;
    const int y = Tensor_(shape);
    Node n;
    n.name = "add" + std::to_string(g.nodes.size());
    n.op = "Add";
    n.inputs = {a, b};
    n.outputs = {y};
    g.nodes.push_back(n);
    return y;
  }
  Graph g;

 private:
  int Tensor_(Shape shape) {
    Tensor t;
    t.name = "t" + std::to_string(g.tensors.size());
    t.dtype = DType::kInt8;
    t.shape = std::move(shape);
    return g.AddTensor(t);
  }
};

int64_t Bytes(const Graph& g, int t) { return TensorBytes(g.tensors[t]); }

// Every pair of tensors live at the same step either shares no byte or is a
// conv's input and output placed from the margin on.
void ExpectNoUnsafeOverlap(const Graph& g, const MemoryPlan& plan) {
  const int steps = static_cast<int>(g.nodes.size());
  std::vector<int> first(g.tensors.size(), steps + 1), last(g.tensors.size(), -2);
  for (int t : g.inputs) first[t] = -1;
  for (int s = 0; s < steps; ++s) {
    for (int t : g.nodes[s].outputs) first[t] = std::min(first[t], s);
    for (int t : g.nodes[s].inputs) last[t] = std::max(last[t], s);
  }
  for (int t : g.outputs) last[t] = steps;
  for (size_t a = 0; a < g.tensors.size(); ++a) {
    for (size_t b = a + 1; b < g.tensors.size(); ++b) {
      if (plan.offset[a] < 0 || plan.offset[b] < 0) continue;
      if (!(first[a] <= last[b] && first[b] <= last[a])) continue;
      const bool disjoint = plan.offset[a] + Bytes(g, a) <= plan.offset[b] ||
                            plan.offset[b] + Bytes(g, b) <= plan.offset[a];
      if (disjoint) continue;
      // The only sharing allowed: a node reading one and writing the other.
      bool allowed = false;
      for (const Node& n : g.nodes) {
        for (int in : n.inputs) {
          const int out = n.outputs[0];
          if (!((in == static_cast<int>(a) && out == static_cast<int>(b)) ||
                (in == static_cast<int>(b) && out == static_cast<int>(a)))) {
            continue;
          }
          if (n.op == "Add") allowed = plan.offset[in] == plan.offset[out];
          if (n.op == "Conv2D") {
            const Shape& x = g.tensors[in].shape;
            const Shape& y = g.tensors[out].shape;
            const int32_t k = static_cast<int32_t>(n.attr_int("filter_h", 1));
            const int32_t p = static_cast<int32_t>(n.attr_int("pad_top", 0));
            const reference::Window2D w{1, static_cast<int32_t>(x[1]), static_cast<int32_t>(x[2]),
                                        static_cast<int32_t>(x[3]), static_cast<int32_t>(y[1]),
                                        static_cast<int32_t>(y[2]), static_cast<int32_t>(y[3]),
                                        k, k, 1, 1, 1, 1, p, p};
            const int64_t margin = reference::ConvInPlaceMargin(w, 1, 1);
            allowed = margin >= 0 && plan.offset[in] - plan.offset[out] >= margin;
          }
        }
      }
      EXPECT_TRUE(allowed) << g.tensors[a].name << " and " << g.tensors[b].name << " share bytes";
    }
  }
}

// Each node's scratch shares no byte with a tensor live at its step, lies
// inside the arena and is 16-byte aligned.
void ExpectScratchApart(const Graph& g, const MemoryPlan& plan) {
  const int steps = static_cast<int>(g.nodes.size());
  ASSERT_EQ(plan.scratch_size.size(), g.nodes.size());
  ASSERT_EQ(plan.scratch_offset.size(), g.nodes.size());
  std::vector<int> first(g.tensors.size(), steps + 1), last(g.tensors.size(), -2);
  for (int t : g.inputs) first[t] = -1;
  for (int s = 0; s < steps; ++s) {
    for (int t : g.nodes[s].outputs) first[t] = std::min(first[t], s);
    for (int t : g.nodes[s].inputs) last[t] = std::max(last[t], s);
  }
  for (int t : g.outputs) last[t] = steps;
  for (int s = 0; s < steps; ++s) {
    const int64_t at = plan.scratch_offset[s], size = plan.scratch_size[s];
    if (size == 0) continue;
    EXPECT_EQ(at % kArenaAlignment, 0);
    EXPECT_LE(at + size, plan.arena_size);
    for (size_t t = 0; t < g.tensors.size(); ++t) {
      if (plan.offset[t] < 0 || first[t] > s || last[t] < s) continue;
      EXPECT_TRUE(at + size <= plan.offset[t] || plan.offset[t] + Bytes(g, t) <= at)
          << g.nodes[s].name << "'s scratch and " << g.tensors[t].name << " share bytes";
    }
  }
}

// The scratch the kernels of the planned cores need: 3x3 windows over 16
// channels are widened two pixels at a time on the DSP cores (4 * 144
// bytes), gathered on the M55 (2 * 144); the reference cores need none.
TEST(MemoryPlanner, ScratchFollowsTheCoresAndStaysApart) {
  GraphBuilder b;
  const int x = b.Input({1, 16, 16, 16});
  const int stem = b.Conv(x, 16);
  const int c1 = b.Conv(stem, 16);
  const int c2 = b.Conv(c1, 16);
  const int sum = b.Add(c2, stem);
  const int head = b.Conv(sum, 8, /*pointwise=*/true);
  b.g.outputs.push_back(head);
  const MemoryPlan all = PlanMemory(b.g);
  EXPECT_EQ(all.scratch_size[0], 4 * 144);
  EXPECT_EQ(all.scratch_size[3], 0);  // the Add
  // Pointwise over 16 channels: the M55's short-row sums (2 KB) beat the
  // DSP cores' widened pixel pairs (4 * 16).
  EXPECT_EQ(all.scratch_size[4], 2048);
  ExpectScratchApart(b.g, all);
  ExpectNoUnsafeOverlap(b.g, all);
  const MemoryPlan m55 = PlanMemory(b.g, ParseCores("cortex-m55"));
  EXPECT_EQ(m55.scratch_size[0], 2 * 144);
  EXPECT_EQ(m55.scratch_size[4], 2048);
  EXPECT_EQ(PlanMemory(b.g, ParseCores("cortex-m4")).scratch_size[4], 4 * 16);
  ExpectScratchApart(b.g, m55);
  const MemoryPlan small = PlanMemory(b.g, ParseCores("cortex-m0,cortex-m3"));
  for (int64_t s : small.scratch_size) EXPECT_EQ(s, 0);
  EXPECT_LE(small.arena_size, all.arena_size);
  EXPECT_LE(all.arena_size, small.arena_size + 2048 + 16);
  EXPECT_THROW(ParseCores("cortex-m5"), std::invalid_argument);
  EXPECT_EQ(ParseCores("cortex-m55,cortex-m0"), (std::vector<std::string>{"cortex-m0", "cortex-m55"}));
}

// A ResNet block: x feeds conv1 and the skip Add; conv2 may write over
// conv1's output, and the Add over conv2's.
TEST(MemoryPlanner, ResidualBlockOverlapsConvsAndAddsInPlace) {
  GraphBuilder b;
  const int x = b.Input({1, 16, 16, 16});
  const int stem = b.Conv(x, 16);
  const int c1 = b.Conv(stem, 16);
  const int c2 = b.Conv(c1, 16);
  const int sum = b.Add(c2, stem);
  const int head = b.Conv(sum, 8, /*pointwise=*/true);
  b.g.outputs.push_back(head);
  const MemoryPlan plan = PlanMemory(b.g);
  const int64_t map = 16 * 16 * 16;
  // Without overlaps: stem, c1 and c2 live together (3 maps). With them:
  // stem plus c1/c2 sharing all but the margin.
  EXPECT_LT(plan.arena_size, 3 * map);
  EXPECT_LE(plan.arena_size, 2 * map + 1024);
  EXPECT_GE(plan.arena_size, plan.lower_bound);
  EXPECT_EQ(plan.offset[sum], plan.offset[c2]);  // Add in place
  EXPECT_LT(plan.offset[c2], plan.offset[c1]);
  EXPECT_LT(plan.offset[c1], plan.offset[c2] + map);  // really overlapping
  ExpectNoUnsafeOverlap(b.g, plan);
  ExpectScratchApart(b.g, plan);
}

// A conv whose input is read again later, or is the graph input, or whose
// output has too many channels for the kernels' rule, gets bytes of its own.
TEST(MemoryPlanner, NoOverlapWhereTheRuleForbidsIt) {
  GraphBuilder b;
  const int x = b.Input({1, 8, 8, 16});
  const int c1 = b.Conv(x, 16);  // x is the graph input
  const int c2 = b.Conv(c1, reference::kInPlaceMaxChannels + 1);
  const int c3 = b.Conv(c2, 16);
  const int c4 = b.Conv(c3, 16);
  const int sum = b.Add(c4, c3);  // c3 is read after c4
  b.g.outputs.push_back(sum);
  const MemoryPlan plan = PlanMemory(b.g);
  auto apart = [&](int a, int c) {
    return plan.offset[a] + Bytes(b.g, a) <= plan.offset[c] || plan.offset[c] + Bytes(b.g, c) <= plan.offset[a];
  };
  EXPECT_TRUE(apart(x, c1));
  EXPECT_TRUE(apart(c1, c2));
  EXPECT_TRUE(apart(c3, c4));
  ExpectNoUnsafeOverlap(b.g, plan);
}

// Both inputs of an Add dying with it: the output takes one input's bytes,
// never both.
TEST(MemoryPlanner, AddInPlaceOverOneInputOnly) {
  GraphBuilder b;
  const int x = b.Input({1, 4, 4, 8});
  const int c1 = b.Conv(x, 8, true);
  const int c2 = b.Conv(x, 8, true);
  const int sum = b.Add(c1, c2);
  b.g.outputs.push_back(sum);
  const MemoryPlan plan = PlanMemory(b.g);
  EXPECT_TRUE(plan.offset[sum] == plan.offset[c1] || plan.offset[sum] == plan.offset[c2]);
  EXPECT_NE(plan.offset[c1], plan.offset[c2]);
  ExpectNoUnsafeOverlap(b.g, plan);
}

// A streamed input (passes/stream.h): the FIFO window is persistent, placed
// in the state region at the arena's start, and nothing else (tensor or
// scratch) ever lies there; the rest is planned as before, above it.
TEST(MemoryPlanner, StateRegionIsNeverShared) {
  GraphBuilder b;
  const int x = b.Input({1, 8, 8, 4});
  int y = b.Conv(x, 8);
  y = b.Conv(y, 8, true);
  y = b.Add(y, y);
  b.g.outputs = {y};
  const StreamedInput s = StreamThroughFifo(b.g, x, 1, 2);
  EXPECT_EQ(s.invokes(), 4);
  ASSERT_EQ(b.g.nodes.front().op, "Fifo");
  EXPECT_TRUE(b.g.tensors[x].persistent);
  EXPECT_EQ(b.g.tensors[s.tensor].shape, (Shape{1, 2, 8, 4}));
  EXPECT_EQ(b.g.inputs, std::vector<int>{s.tensor});
  const MemoryPlan plan = PlanMemory(b.g);
  EXPECT_EQ(plan.state_size, Bytes(b.g, x));
  EXPECT_EQ(plan.offset[x], 0);
  for (size_t t = 0; t < b.g.tensors.size(); ++t) {
    if (static_cast<int>(t) != x && plan.offset[t] >= 0) EXPECT_GE(plan.offset[t], plan.state_size);
  }
  for (size_t n = 0; n < plan.scratch_size.size(); ++n) {
    if (plan.scratch_size[n] > 0) EXPECT_GE(plan.scratch_offset[n], plan.state_size);
  }
  EXPECT_GE(plan.arena_size, plan.state_size + Bytes(b.g, s.tensor));
  ExpectNoUnsafeOverlap(b.g, plan);
  ExpectScratchApart(b.g, plan);
}

}  // namespace
}  // namespace mote::modelc
