// TreeEnsemble: validates the flattened trees once, so the walk is unchecked.
#include "kernels/ml/tree_ensemble.h"
#include "kernels/ops/ops.h"

namespace mote::internal {
namespace {

struct Buffers {
  std::span<const uint8_t> nodes;
  std::span<const uint16_t> roots;
  std::span<const uint32_t> leaf_offsets;
  std::span<const uint16_t> leaf_targets;
  std::span<const int32_t> leaf_values;
};

Buffers BuffersOf(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_TreeEnsembleOptions();
  return {ctx.buffer<uint8_t>(o->nodes()), ctx.buffer<uint16_t>(o->roots()), ctx.buffer<uint32_t>(o->leaf_offsets()),
          ctx.buffer<uint16_t>(o->leaf_targets()), ctx.buffer<int32_t>(o->leaf_values())};
}

Status CheckChild(const OpContext& ctx, uint16_t child, size_t nodes, size_t leaves) {
  if ((child & ml::kLeafBit) != 0) {
    if (static_cast<size_t>(child & ~ml::kLeafBit) >= leaves) return ctx.Fail("tree leaf index out of range", child);
  } else if (child >= nodes) {
    return ctx.Fail("tree node index out of range", child);
  }
  return Status::kOk;
}

// Depth-first walk of every tree with a fixed stack. Visiting more internal
// nodes than exist means some node has two parents (a shared or cyclic
// structure): refused, so the walk in Eval is a plain bounded descent.
Status CheckTreeShapes(const OpContext& ctx, const Buffers& b, int max_depth) {
  const size_t nodes = b.nodes.size() / ml::kTreeNodeBytes;
  size_t visits = 0;
  struct Pending {
    uint16_t node;
    int16_t depth;
  };
  Pending stack[ml::kMaxTreeDepth + 2];
  for (uint16_t root : b.roots) {
    if ((root & ml::kLeafBit) != 0) continue;
    size_t top = 0;
    stack[top++] = {root, 1};
    while (top > 0) {
      const Pending p = stack[--top];
      if (p.depth > max_depth) return ctx.Fail("tree deeper than max_depth", p.depth, max_depth);
      if (++visits > nodes) return ctx.Fail("tree nodes are shared between parents");
      const ml::TreeNode n = ml::ReadTreeNode(b.nodes.data(), p.node);
      for (uint16_t child : {n.true_child, n.false_child}) {
        if ((child & ml::kLeafBit) != 0) continue;
        if (child <= p.node) return ctx.Fail("tree child numbered before its parent", child, p.node);
        if (top >= sizeof(stack) / sizeof(stack[0])) return ctx.Fail("tree too deep", p.depth);
        stack[top++] = {child, static_cast<int16_t>(p.depth + 1)};
      }
    }
  }
  return Status::kOk;
}

Status CheckLeaves(const OpContext& ctx, const Buffers& b, size_t targets) {
  const size_t leaves = b.leaf_offsets.size() - 1;
  if (leaves > 0x8000 || b.leaf_offsets[0] != 0 || b.leaf_offsets[leaves] != b.leaf_values.size() ||
      b.leaf_targets.size() != b.leaf_values.size()) {
    return ctx.Fail("tree leaf tables are inconsistent");
  }
  for (size_t l = 0; l < leaves; ++l) {
    if (b.leaf_offsets[l] > b.leaf_offsets[l + 1]) return ctx.Fail("tree leaf offsets decrease", static_cast<int64_t>(l));
  }
  for (uint16_t t : b.leaf_targets) {
    if (t >= targets) return ctx.Fail("tree leaf target out of range", t, static_cast<int64_t>(targets));
  }
  return Status::kOk;
}

ml::TreeEnsemble EnsembleOf(const OpContext& ctx, const Buffers& b) {
  const auto* o = ctx.op->options_as_TreeEnsembleOptions();
  std::span<const float> base;
  if (o->base_values() != nullptr) base = {o->base_values()->data(), o->base_values()->size()};
  return {b.nodes.data(), b.roots.data(), b.roots.size(), b.leaf_offsets.data(), b.leaf_targets.data(),
          b.leaf_values.data(), o->leaf_shift(), base, o->average()};
}

}  // namespace

Status CheckTreeEnsemble(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const schema::Tensor& in = ctx.input(0);
  const schema::Tensor& out = ctx.output(0);
  const auto in_shape = ShapeOf(in);
  const auto out_shape = ShapeOf(out);
  if ((TypeOf(in) != ElementType::kFloat32 && TypeOf(in) != ElementType::kInt32) ||
      TypeOf(out) != ElementType::kFloat32 || in_shape.size() != 2 || out_shape.size() != 2 ||
      in_shape[0] != out_shape[0]) {
    return ctx.Fail("tree ensemble needs float32 or int32 [N, F] in and float32 [N, T] out");
  }
  const size_t features = static_cast<size_t>(in_shape[1]);
  const size_t targets = static_cast<size_t>(out_shape[1]);
  if (targets > ml::kMaxTreeTargets) {
    return ctx.Fail("too many tree ensemble targets", static_cast<int64_t>(targets), ml::kMaxTreeTargets);
  }
  const auto* o = ctx.op->options_as_TreeEnsembleOptions();
  const Buffers b = BuffersOf(ctx);
  const size_t nodes = b.nodes.size() / ml::kTreeNodeBytes;
  if (b.nodes.size() % ml::kTreeNodeBytes != 0 || nodes > 0x8000 || b.roots.empty() || b.leaf_offsets.empty()) {
    return ctx.Fail("tree ensemble buffers have the wrong size");
  }
  if (o->leaf_shift() < 0 || o->leaf_shift() > 62 || o->max_depth() < 0 || o->max_depth() > ml::kMaxTreeDepth) {
    return ctx.Fail("tree leaf shift or max depth out of range", o->leaf_shift(), o->max_depth());
  }
  if (o->base_values() != nullptr && o->base_values()->size() != 0 && o->base_values()->size() != targets) {
    return ctx.Fail("one base value per target expected");
  }
  MOTE_TRY(CheckLeaves(ctx, b, targets));
  const size_t leaves = b.leaf_offsets.size() - 1;
  for (size_t i = 0; i < nodes; ++i) {
    const ml::TreeNode n = ml::ReadTreeNode(b.nodes.data(), i);
    if (n.feature >= features || (n.mode & 0x7F) > 5) {
      return ctx.Fail("tree node feature or mode out of range", n.feature, static_cast<int64_t>(features));
    }
    MOTE_TRY(CheckChild(ctx, n.true_child, nodes, leaves));
    MOTE_TRY(CheckChild(ctx, n.false_child, nodes, leaves));
  }
  for (uint16_t root : b.roots) MOTE_TRY(CheckChild(ctx, root, nodes, leaves));
  return CheckTreeShapes(ctx, b, o->max_depth());
}

void EvalTreeEnsemble(const OpContext& ctx) {
  const ml::TreeEnsemble e = EnsembleOf(ctx, BuffersOf(ctx));
  const auto in_shape = ShapeOf(ctx.input(0));
  const size_t rows = static_cast<size_t>(in_shape[0]);
  const size_t features = static_cast<size_t>(in_shape[1]);
  const size_t targets = static_cast<size_t>(ShapeOf(ctx.output(0))[1]);
  float* out = ctx.output_data<float>(0);
  for (size_t r = 0; r < rows; ++r) {
    const std::span<float> scores(out + r * targets, targets);
    if (TypeOf(ctx.input(0)) == ElementType::kFloat32) {
      ml::EvaluateTreesFloat(e, ctx.input_data<float>(0) + r * features, scores);
    } else {
      ml::EvaluateTreesFixed(e, ctx.input_data<int32_t>(0) + r * features, scores);
    }
  }
}

}  // namespace mote::internal
