#include "ml/tree_model.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace mote::modelc {
namespace {

int ModeOf(const Node& n, const std::string& s, size_t k) {
  if (s == "BRANCH_LEQ") return 0;
  if (s == "BRANCH_LT") return 1;
  if (s == "BRANCH_GTE") return 2;
  if (s == "BRANCH_GT") return 3;
  if (s == "BRANCH_EQ") return 4;
  if (s == "BRANCH_NEQ") return 5;
  if (s == "LEAF") return -1;
  Fail(n, "attribute nodes_modes[" + std::to_string(k) + "] = '" + s +
              "' is not a node mode (BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ or LEAF)");
}

const Attr& Need(const Node& n, const std::string& key) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) Fail(n, "attribute " + key + " is missing");
  return it->second;
}

std::string At(const std::string& attr, size_t k, int64_t value) {
  return "attribute " + attr + "[" + std::to_string(k) + "] = " + std::to_string(value);
}

// Every list must have `count` entries, one per node (or per weight).
void CheckLengths(const Node& n, size_t count, const std::vector<std::pair<const char*, size_t>>& lists,
                  const char* first) {
  for (const auto& [name, size] : lists) {
    if (size != count) {
      Fail(n, std::string("attribute ") + name + " has " + std::to_string(size) + " entries, " + first + " " +
                  std::to_string(count) + " (one per node)");
    }
  }
}

}  // namespace

TreeModel ParseTreeModel(const Node& n) {
  // A lowered TreeEnsemble keeps the ONNX attributes and says which kind it was.
  const bool classifier = n.op == "TreeEnsembleClassifier" || (n.has_attr("kind") && n.attrs.at("kind").s == "class");
  const std::string prefix = classifier ? "class_" : "target_";
  const auto& tree_ids = Need(n, "nodes_treeids").ints;
  const auto& node_ids = Need(n, "nodes_nodeids").ints;
  const auto& features = Need(n, "nodes_featureids").ints;
  const auto& values = Need(n, "nodes_values").floats;
  const auto& modes = Need(n, "nodes_modes").strings;
  const auto& trues = Need(n, "nodes_truenodeids").ints;
  const auto& falses = Need(n, "nodes_falsenodeids").ints;
  const auto missing = n.has_attr("nodes_missing_value_tracks_true") ? n.attrs.at("nodes_missing_value_tracks_true").ints
                                                                      : std::vector<int64_t>{};
  const size_t count = tree_ids.size();
  std::vector<std::pair<const char*, size_t>> lists = {{"nodes_nodeids", node_ids.size()},
                                                       {"nodes_featureids", features.size()},
                                                       {"nodes_modes", modes.size()},
                                                       {"nodes_truenodeids", trues.size()},
                                                       {"nodes_falsenodeids", falses.size()}};
  if (!values.empty()) lists.push_back({"nodes_values", values.size()});
  if (!missing.empty()) lists.push_back({"nodes_missing_value_tracks_true", missing.size()});
  CheckLengths(n, count, lists, "nodes_treeids");
  if (n.has_attr("nodes_values_as_tensor") || n.has_attr("target_weights_as_tensor") ||
      n.has_attr("class_weights_as_tensor")) {
    Unsupported(n, "double-precision tree attributes (*_as_tensor) are not supported");
  }
  TreeModel m;
  for (size_t k = 0; k < count; ++k) {
    TreeNodeSpec s;
    s.mode = ModeOf(n, modes[k], k);
    s.feature = features[k];
    s.threshold = values.empty() ? 0.0f : values[k];
    s.missing_true = !missing.empty() && missing[k] != 0;
    s.true_id = trues[k];
    s.false_id = falses[k];
    if (s.mode >= 0 && s.feature < 0) Fail(n, At("nodes_featureids", k, s.feature) + " is negative");
    if (!m.trees[tree_ids[k]].emplace(node_ids[k], s).second) {
      Fail(n, At("nodes_nodeids", k, node_ids[k]) + ": node " + std::to_string(node_ids[k]) + " of tree " +
                  std::to_string(tree_ids[k]) + " is defined twice");
    }
  }
  const auto& w_trees = Need(n, prefix + "treeids").ints;
  const auto& w_nodes = Need(n, prefix + "nodeids").ints;
  const auto& w_ids = Need(n, prefix + "ids").ints;
  const auto& w_values = Need(n, prefix + "weights").floats;
  const std::string treeids = prefix + "treeids", nodeids = prefix + "nodeids", ids = prefix + "ids";
  const std::string weights = prefix + "weights";
  CheckLengths(n, w_trees.size(), {{nodeids.c_str(), w_nodes.size()}, {ids.c_str(), w_ids.size()},
                                   {weights.c_str(), w_values.size()}}, treeids.c_str());
  for (size_t k = 0; k < w_trees.size(); ++k) {
    auto tree = m.trees.find(w_trees[k]);
    if (tree == m.trees.end()) Fail(n, At(treeids, k, w_trees[k]) + " is not a tree of nodes_treeids");
    if (!tree->second.count(w_nodes[k])) {
      Fail(n, At(nodeids, k, w_nodes[k]) + ": tree " + std::to_string(w_trees[k]) + " has no such node");
    }
    TreeNodeSpec& leaf = tree->second.at(w_nodes[k]);
    if (leaf.mode != -1) {
      Fail(n, At(nodeids, k, w_nodes[k]) + ": node " + std::to_string(w_nodes[k]) + " of tree " +
                  std::to_string(w_trees[k]) + " is a branch, not a leaf");
    }
    if (w_ids[k] < 0) Fail(n, At(ids, k, w_ids[k]) + " is negative");
    leaf.weights.push_back({w_ids[k], w_values[k]});
    m.targets = std::max(m.targets, w_ids[k] + 1);
  }
  if (!classifier) m.targets = std::max(m.targets, n.attr_int("n_targets", 1));
  m.base_values = n.has_attr("base_values") ? n.attrs.at("base_values").floats : std::vector<float>{};
  if (!m.base_values.empty() && static_cast<int64_t>(m.base_values.size()) != m.targets) {
    Fail(n, "base_values has " + std::to_string(m.base_values.size()) + " entries for " + std::to_string(m.targets) +
                " scores");
  }
  const std::string aggregate = n.has_attr("aggregate_function") ? n.attrs.at("aggregate_function").s : "SUM";
  if (aggregate == "AVERAGE") m.average = true;
  else if (aggregate != "SUM") Unsupported(n, "aggregate_function " + aggregate + " is not supported");
  if (n.has_attr("post_transform")) m.post_transform = n.attrs.at("post_transform").s;
  for (const auto& [id, nodes] : m.trees) {
    if (!nodes.count(0)) Fail(n, "tree " + std::to_string(id) + " has no node 0 (its root)");
  }
  for (size_t k = 0; k < count; ++k) {
    const auto& nodes = m.trees.at(tree_ids[k]);
    if (nodes.at(node_ids[k]).mode < 0) continue;
    for (const auto& [attr, child] : {std::pair{"nodes_truenodeids", trues[k]}, std::pair{"nodes_falsenodeids", falses[k]}}) {
      if (!nodes.count(child)) {
        Fail(n, At(attr, k, child) + ": tree " + std::to_string(tree_ids[k]) + " has no node " + std::to_string(child));
      }
    }
  }
  try {
    MaxDepth(m);  // rejects cycles
  } catch (const ConvertError& e) {
    Fail(n, e.what());
  }
  return m;
}

void CheckTreeIndices(const Node& n, int64_t features, int64_t outputs) {
  (void)ParseTreeModel(n);  // ids, links and list lengths
  const auto& feature_ids = n.attrs.at("nodes_featureids").ints;
  const auto& modes = n.attrs.at("nodes_modes").strings;
  for (size_t k = 0; k < feature_ids.size(); ++k) {
    if (modes[k] == "LEAF") continue;
    if (feature_ids[k] >= features) {
      Fail(n, At("nodes_featureids", k, feature_ids[k]) + " is out of range: the input has " +
                  std::to_string(features) + " features");
    }
    if (feature_ids[k] > kMaxTreeFeature) {
      Unsupported(n, At("nodes_featureids", k, feature_ids[k]) + ": the runtime's tree nodes address features 0 to " +
                         std::to_string(kMaxTreeFeature));
    }
  }
  const bool classifier = n.op == "TreeEnsembleClassifier";
  const std::string ids = classifier ? "class_ids" : "target_ids";
  const auto& target_ids = n.attrs.at(ids).ints;
  for (size_t k = 0; k < target_ids.size(); ++k) {
    if (target_ids[k] >= outputs) {
      Fail(n, At(ids, k, target_ids[k]) + " is out of range: " +
                  (classifier ? "the classifier has " + std::to_string(outputs) + " class labels"
                              : "n_targets is " + std::to_string(outputs)));
    }
  }
}

int64_t MaxDepth(const TreeModel& m) {
  int64_t deepest = 0;
  for (const auto& [id, nodes] : m.trees) {
    // Explicit stack; a path longer than the node count means a cycle.
    std::vector<std::pair<int64_t, int64_t>> stack = {{0, 0}};
    size_t visits = 0;
    while (!stack.empty()) {
      const auto [nid, depth] = stack.back();
      stack.pop_back();
      if (++visits > nodes.size() * 4 + 4 || depth > static_cast<int64_t>(nodes.size())) {
        throw ConvertError("tree " + std::to_string(id) + " is not a tree (a cycle or shared nodes)");
      }
      const TreeNodeSpec& s = nodes.at(nid);
      if (s.mode < 0) {
        deepest = std::max(deepest, depth);
        continue;
      }
      stack.push_back({s.true_id, depth + 1});
      stack.push_back({s.false_id, depth + 1});
    }
  }
  return deepest;
}

std::vector<float> EvaluateTreeModel(const TreeModel& m, const float* x, int64_t rows, int64_t features) {
  std::vector<float> out(static_cast<size_t>(rows * m.targets), 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> sums(static_cast<size_t>(m.targets), 0.0);
    for (const auto& [id, nodes] : m.trees) {
      const TreeNodeSpec* s = &nodes.at(0);
      while (s->mode >= 0) {
        if (s->feature >= features) throw ConvertError("a tree reads feature " + std::to_string(s->feature) +
                                                       " of " + std::to_string(features));
        const float v = x[r * features + s->feature];
        const float t = s->threshold;
        bool go = false;
        if (std::isnan(v)) go = s->missing_true;
        else if (s->mode == 0) go = v <= t;
        else if (s->mode == 1) go = v < t;
        else if (s->mode == 2) go = v >= t;
        else if (s->mode == 3) go = v > t;
        else if (s->mode == 4) go = v == t;
        else go = v != t;
        s = &nodes.at(go ? s->true_id : s->false_id);
      }
      for (const auto& [target, w] : s->weights) sums[target] += w;
    }
    for (int64_t t = 0; t < m.targets; ++t) {
      double v = sums[t];
      if (m.average) v /= static_cast<double>(m.trees.size());
      if (!m.base_values.empty()) v += m.base_values[t];
      out[r * m.targets + t] = static_cast<float>(v);
    }
  }
  return out;
}

}  // namespace mote::modelc
