// Decision-tree ensembles over flattened node arrays (layout in mote.fbs,
// TreeEnsembleOptions). The loader has checked every index and depth, so the
// walk below needs no checks: each step moves to a higher-numbered node or a
// leaf, and no path is longer than max_depth.
#ifndef MOTE_KERNELS_ML_TREE_ENSEMBLE_H_
#define MOTE_KERNELS_ML_TREE_ENSEMBLE_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote::ml {

inline constexpr size_t kTreeNodeBytes = 12;
inline constexpr uint16_t kLeafBit = 0x8000;
inline constexpr int kMaxTreeDepth = 64;
inline constexpr size_t kMaxTreeTargets = 32;  // bounds the per-sample sums on the stack
// Fixed-point inputs mark a missing (NaN) feature with this value.
inline constexpr int32_t kMissingFeature = INT32_MIN;

enum class TreeMode : uint8_t { kLeq = 0, kLt = 1, kGte = 2, kGt = 3, kEq = 4, kNeq = 5 };

struct TreeNode {
  int32_t threshold;  // fixed point, or float bits
  uint16_t feature;
  uint8_t mode;
  uint16_t true_child;
  uint16_t false_child;
};

// Reads node `i` of a nodes buffer (no alignment assumed).
TreeNode ReadTreeNode(const uint8_t* nodes, size_t i);

struct TreeEnsemble {
  const uint8_t* nodes;
  const uint16_t* roots;
  size_t num_trees;
  const uint32_t* leaf_offsets;
  const uint16_t* leaf_targets;
  const int32_t* leaf_values;
  int leaf_shift;
  std::span<const float> base_values;  // one per target, or empty
  bool average;
};

// scores[t] for one sample; `features` are float32 or int32 (grid) values.
void EvaluateTreesFloat(const TreeEnsemble& e, const float* features, std::span<float> scores);
void EvaluateTreesFixed(const TreeEnsemble& e, const int32_t* features, std::span<float> scores);

}  // namespace mote::ml

#endif  // MOTE_KERNELS_ML_TREE_ENSEMBLE_H_
