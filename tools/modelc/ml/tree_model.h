// Tree ensembles as ONNX-ML describes them (TreeEnsembleClassifier /
// Regressor attributes), parsed once for lowering, emission and the float
// reference.
#ifndef MOTE_TOOLS_MODELC_ML_TREE_MODEL_H_
#define MOTE_TOOLS_MODELC_ML_TREE_MODEL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

struct TreeNodeSpec {
  int64_t feature = 0;
  float threshold = 0.0f;
  int mode = -1;             // 0 LEQ, 1 LT, 2 GTE, 3 GT, 4 EQ, 5 NEQ, -1 leaf
  bool missing_true = false;
  int64_t true_id = -1, false_id = -1;
  std::vector<std::pair<int64_t, float>> weights;  // (target, value) at leaves
};

struct TreeModel {
  // tree id -> (node id -> node)
  std::map<int64_t, std::map<int64_t, TreeNodeSpec>> trees;
  int64_t targets = 0;           // score columns
  std::vector<float> base_values;
  bool average = false;
  std::string post_transform = "NONE";
};

// Parses the attributes of a TreeEnsembleClassifier (class_*) or Regressor
// (target_*) node; throws ConvertError naming the node for anything invalid.
TreeModel ParseTreeModel(const Node& node);
// Parsing (and validating) an ensemble costs far more than evaluating it on
// one sample. While a TreeCacheScope lives, CachedTreeModel parses each node
// once, keyed by its address: for loops that run one unchanging graph on many
// samples (calibration, the self-check, compare). Without a scope it parses
// every time; the reference is valid until the next call.
class TreeCacheScope {
 public:
  TreeCacheScope();
  ~TreeCacheScope();
  TreeCacheScope(const TreeCacheScope&) = delete;
  TreeCacheScope& operator=(const TreeCacheScope&) = delete;

 private:
  friend const TreeModel& CachedTreeModel(const Node& node);
  std::map<const Node*, TreeModel> cache_;
  TreeCacheScope* previous_;
};
const TreeModel& CachedTreeModel(const Node& node);

// The runtime's tree nodes hold a 16-bit feature index.
constexpr int64_t kMaxTreeFeature = 0xFFFF;

// Checks what an imported TreeEnsembleClassifier / Regressor node reads
// against its input, before anything evaluates it (import/validate.cc):
// everything ParseTreeModel checks, every branch's feature id a column of an
// input of `features` columns, every class / target id below `outputs` (the
// class labels, or n_targets). Throws ConvertError naming the attribute, the
// position and the value.
void CheckTreeIndices(const Node& node, int64_t features, int64_t outputs);

// Raw scores [rows, targets] on float features (ONNX semantics, float sums).
std::vector<float> EvaluateTreeModel(const TreeModel& m, const float* x, int64_t rows, int64_t features);

// The depth (comparisons on the longest path) of the deepest tree.
int64_t MaxDepth(const TreeModel& m);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_ML_TREE_MODEL_H_
