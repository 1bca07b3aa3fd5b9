#include "kernels/ml/tree_ensemble.h"

#include <string.h>

#include <type_traits>

namespace mote::ml {
namespace {

template <typename T>
T Load(const uint8_t* p) {
  T v;
  memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
bool Compare(TreeMode mode, T x, T t) {
  switch (mode) {
    case TreeMode::kLeq: return x <= t;
    case TreeMode::kLt: return x < t;
    case TreeMode::kGte: return x >= t;
    case TreeMode::kGt: return x > t;
    case TreeMode::kEq: return x == t;
    default: return x != t;
  }
}

float ThresholdOf(const TreeNode& n, float) {
  float t;
  memcpy(&t, &n.threshold, sizeof(t));
  return t;
}
int32_t ThresholdOf(const TreeNode& n, int32_t) { return n.threshold; }

template <typename T>
bool GoesTrue(const TreeNode& n, T x) {
  // A missing value follows missing_value_tracks_true (bit 7).
  if constexpr (std::is_floating_point_v<T>) {
    if (x != x) return (n.mode & 0x80) != 0;
  } else {
    if (x == kMissingFeature) return (n.mode & 0x80) != 0;
  }
  return Compare<T>(static_cast<TreeMode>(n.mode & 0x07), x, ThresholdOf(n, T{}));
}

// Leaf reached from `root` (verified: at most max_depth steps).
template <typename T>
uint16_t Walk(const TreeEnsemble& e, uint16_t child, const T* features) {
  while ((child & kLeafBit) == 0) {
    const TreeNode n = ReadTreeNode(e.nodes, child);
    child = GoesTrue(n, features[n.feature]) ? n.true_child : n.false_child;
  }
  return static_cast<uint16_t>(child & ~kLeafBit);
}

template <typename T>
void Evaluate(const TreeEnsemble& e, const T* features, std::span<float> scores) {
  // Exact integer sums of fixed-point leaf values: the order of trees cannot
  // change the result, on any target. int64 holds 2^32 entries of 2^31.
  int64_t sums[kMaxTreeTargets];
  const size_t targets = scores.size();  // the loader bounds this by kMaxTreeTargets
  for (size_t t = 0; t < targets; ++t) sums[t] = 0;
  for (size_t tree = 0; tree < e.num_trees; ++tree) {
    const uint16_t leaf = Walk(e, e.roots[tree], features);
    for (uint32_t k = e.leaf_offsets[leaf]; k < e.leaf_offsets[leaf + 1]; ++k) {
      sums[e.leaf_targets[k]] += e.leaf_values[k];
    }
  }
  const float unit = 1.0f / static_cast<float>(int64_t{1} << e.leaf_shift);
  for (size_t t = 0; t < targets; ++t) {
    float v = static_cast<float>(sums[t]) * unit;
    if (e.average && e.num_trees > 0) v = v / static_cast<float>(e.num_trees);
    scores[t] = v + (e.base_values.empty() ? 0.0f : e.base_values[t]);
  }
}

}  // namespace

TreeNode ReadTreeNode(const uint8_t* nodes, size_t i) {
  const uint8_t* p = nodes + i * kTreeNodeBytes;
  return {Load<int32_t>(p), Load<uint16_t>(p + 4), p[6], Load<uint16_t>(p + 8), Load<uint16_t>(p + 10)};
}

void EvaluateTreesFloat(const TreeEnsemble& e, const float* features, std::span<float> scores) {
  Evaluate(e, features, scores);
}

void EvaluateTreesFixed(const TreeEnsemble& e, const int32_t* features, std::span<float> scores) {
  Evaluate(e, features, scores);
}

}  // namespace mote::ml
