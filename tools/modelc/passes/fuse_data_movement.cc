// Chains of data movement (Transpose, Reshape, StridedGather) whose middle
// tensors nothing else reads become one StridedGather: the layout pass
// leaves ShuffleNet's channel shuffle (Reshape to 5-D, Transpose, Reshape
// back) as Transpose, Reshape, Transpose, Reshape, Transpose, which is one
// strided copy. A chain that moves nothing becomes a Reshape (free).
#include <set>

#include "ir/reference_executor.h"
#include "ops/strided_gather.h"
#include "passes/passes.h"

namespace mote::modelc {
namespace {

bool Moves(const Node& n) {
  return n.op == "Transpose" || n.op == "Reshape" || n.op == "StridedGather";
}

// Per output element of `n`, the input element it copies: the node run on
// the indices themselves (exact in float below 2^24 elements).
std::vector<int64_t> SourceOf(const Graph& g, const Node& n) {
  if (n.op == "StridedGather") return n.attr_ints("source");
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const int64_t size = NumElements(in);
  const Value iota =
      Value::Float(in, Eigen::ArrayXf::LinSpaced(size, 0.0f, static_cast<float>(size - 1)));
  const std::vector<Value> out = EvalNode(g, n, {&iota});
  std::vector<int64_t> source(static_cast<size_t>(out[0].size()));
  for (size_t k = 0; k < source.size(); ++k) source[k] = static_cast<int64_t>(out[0].f[k]);
  return source;
}

bool Small(const Graph& g, const Node& n) {
  return NumElements(g.tensors[n.inputs[0]].shape) < (int64_t{1} << 24);
}

}  // namespace

void FuseDataMovement(Graph& g) {
  if (g.prequantized) return;  // imported quantization stays op for op
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t k = 0; k < g.nodes.size() && !changed; ++k) {
      const Node& a = g.nodes[k];
      if (!Moves(a) || !Small(g, a) || g.IsGraphOutput(a.outputs[0])) continue;
      const std::vector<int> readers = g.Consumers(a.outputs[0]);
      if (readers.size() != 1) continue;
      const Node& b = g.nodes[readers[0]];
      if (!Moves(b) || (a.op == "Reshape" && b.op == "Reshape")) continue;
      const std::vector<int64_t> first = SourceOf(g, a), second = SourceOf(g, b);
      std::vector<int64_t> source(second.size());
      bool identity =
          NumElements(g.tensors[a.inputs[0]].shape) == static_cast<int64_t>(source.size());
      for (size_t o = 0; o < second.size(); ++o) {
        source[o] = first[second[o]];
        identity = identity && source[o] == static_cast<int64_t>(o);
      }
      Node fused = MakeStridedGather(b.name, a.inputs[0], b.outputs[0], std::move(source));
      if (identity) {
        fused.op = "Reshape";
        fused.attrs.clear();
        fused.attrs["shape"].ints = g.tensors[b.outputs[0]].shape;
      }
      const int at = readers[0];
      g.nodes[at] = std::move(fused);
      g.nodes.erase(g.nodes.begin() + static_cast<long>(k));
      changed = true;
    }
  }
}

}  // namespace mote::modelc
