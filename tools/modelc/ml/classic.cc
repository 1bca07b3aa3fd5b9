#include "ml/classic.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "ml/svm.h"
#include "ml/tree_model.h"

namespace mote::modelc {
namespace {

const std::set<std::string> kOnnxMl = {"TreeEnsembleClassifier", "TreeEnsembleRegressor", "LinearClassifier",
                                       "LinearRegressor", "Scaler", "Normalizer", "ArrayFeatureExtractor",
                                       "SVMClassifier", "SVMRegressor"};
const std::set<std::string> kRuntime = {"TreeEnsemble", "ClassifierHead", "Normalize", "Svm", "SvmPairwise"};

struct Head {
  int post = 0;
  int binary = 0;  // 0 per-class scores, 1 one score (positive weights), 2 one signed score
  std::vector<int64_t> labels;
};

Head HeadOf(const Node& n) {
  Head h;
  h.post = static_cast<int>(n.attr_int("post", 0));
  h.binary = static_cast<int>(n.attr_int("binary", 0));
  h.labels = n.attr_ints("labels");
  return h;
}

// ONNX-ML's classifier outputs (onnxruntime's conventions) in double precision.
void EvalHead(const Head& h, const Value& scores, std::vector<int64_t>* labels, Eigen::ArrayXf* probs) {
  const int64_t rows = scores.shape[0], cols = scores.shape[1];
  const int64_t classes = static_cast<int64_t>(h.labels.size());
  labels->assign(static_cast<size_t>(rows), 0);
  *probs = Eigen::ArrayXf::Zero(rows * classes);
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = scores.f.data() + r * cols;
    float* p = probs->data() + r * classes;
    if (h.binary != 0) {
      const double v = s[0];
      const double q = (h.post == 1 && h.binary == 2) ? 1.0 / (1.0 + std::exp(-v)) : v;
      if (h.binary == 2 && h.post == 0) {
        p[0] = static_cast<float>(-v);
        p[1] = static_cast<float>(v);
      } else {
        p[0] = static_cast<float>(1.0 - q);
        p[1] = static_cast<float>(q);
      }
      (*labels)[r] = h.labels[(h.binary == 2 ? v > 0.0 : q > 0.5) ? 1 : 0];
      continue;
    }
    int64_t best = 0;
    for (int64_t c = 1; c < cols; ++c) best = s[c] > s[best] ? c : best;
    (*labels)[r] = h.labels[best];
    double max = s[0], sum = 0.0;
    for (int64_t c = 1; c < cols; ++c) max = std::max<double>(max, s[c]);
    for (int64_t c = 0; c < cols; ++c) {
      double v = s[c];
      if (h.post == 1) v = 1.0 / (1.0 + std::exp(-v));
      if (h.post >= 2) v = (h.post == 3 && s[c] == 0.0f) ? 0.0 : std::exp(v - max);
      p[c] = static_cast<float>(v);
      sum += v;
    }
    if (h.post >= 2 && sum > 0) {
      for (int64_t c = 0; c < cols; ++c) p[c] = static_cast<float>(p[c] / sum);
    }
  }
}

std::vector<Value> HeadOutputs(const Head& h, const Value& scores) {
  std::vector<int64_t> labels;
  Eigen::ArrayXf probs;
  EvalHead(h, scores, &labels, &probs);
  const int64_t rows = scores.shape[0];
  return {Value::Int({rows}, labels), Value::Float({rows, static_cast<int64_t>(h.labels.size())}, probs)};
}

// x [rows, F] * W^T + b for a LinearClassifier / Regressor's attributes.
Value LinearScores(const Node& n, const Value& x, int64_t* outputs) {
  const auto& coef = n.attrs.count("coefficients") ? n.attrs.at("coefficients").floats : std::vector<float>{};
  const auto& bias = n.attrs.count("intercepts") ? n.attrs.at("intercepts").floats : std::vector<float>{};
  const int64_t features = x.shape.back();
  if (coef.empty() || coef.size() % features != 0) Fail(n, "coefficients do not match the input's features");
  const int64_t units = static_cast<int64_t>(coef.size()) / features;
  if (!bias.empty() && static_cast<int64_t>(bias.size()) != units) Fail(n, "one intercept per output expected");
  const int64_t rows = x.size() / features;
  Eigen::ArrayXf out(rows * units);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t u = 0; u < units; ++u) {
      double acc = bias.empty() ? 0.0 : bias[u];
      for (int64_t f = 0; f < features; ++f) acc += double{x.f[r * features + f]} * coef[u * features + f];
      out[r * units + u] = static_cast<float>(acc);
    }
  *outputs = units;
  return Value::Float({rows, units}, std::move(out));
}

Head HeadForTrees(const Node& n, const TreeModel& m) {
  Head h;
  h.post = PostTransformId(n);
  h.labels = ClassLabels(n);
  if (m.targets == 1 && h.labels.size() == 2) {
    bool positive = true;
    for (const auto& [id, nodes] : m.trees)
      for (const auto& [nid, s] : nodes)
        for (const auto& [t, w] : s.weights) positive = positive && w >= 0.0f;
    h.binary = positive ? 1 : 2;
  } else if (m.targets != static_cast<int64_t>(h.labels.size())) {
    Fail(n, std::to_string(m.targets) + " score columns for " + std::to_string(h.labels.size()) + " classes");
  }
  return h;
}

Head HeadForLinear(const Node& n, int64_t units) {
  Head h;
  h.post = PostTransformId(n);
  h.labels = ClassLabels(n);
  if (units == 1 && h.labels.size() == 2) h.binary = 2;
  else if (units != static_cast<int64_t>(h.labels.size())) Fail(n, "one score per class expected");
  return h;
}

void SetHead(Node& node, const Head& h) {
  node.attrs["post"].i = h.post;
  node.attrs["binary"].i = h.binary;
  node.attrs["labels"].ints = h.labels;
}

// The ClassifierHead that turns `scores` into the classifier's outputs.
Node HeadNode(Graph& g, const Node& classifier, const Head& h, int scores) {
  Node head;
  head.name = classifier.name + ".head";
  head.op = "ClassifierHead";
  head.inputs = {scores};
  head.outputs = classifier.outputs;
  SetHead(head, h);
  NameClasses(g, classifier, head.outputs[0]);
  return head;
}

int NewTensor(Graph& g, const std::string& name, Shape shape) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  return g.AddTensor(std::move(t));
}

const Value& ConstIn(const Graph& g, const Node& n, size_t k, const char* what) {
  if (k >= n.inputs.size() || n.inputs[k] < 0 || !g.tensors[n.inputs[k]].is_const()) {
    Unsupported(n, std::string(what) + " must be a constant");
  }
  return *g.tensors[n.inputs[k]].constant;
}

std::vector<float> PerFeature(const Node& n, const char* key, int64_t features, float fallback) {
  std::vector<float> v = n.has_attr(key) ? n.attrs.at(key).floats : std::vector<float>{};
  if (v.empty()) return std::vector<float>(static_cast<size_t>(features), fallback);
  if (v.size() == 1) return std::vector<float>(static_cast<size_t>(features), v[0]);
  if (static_cast<int64_t>(v.size()) != features) Fail(n, std::string(key) + " must have one value per feature");
  return v;
}

int NormId(const Node& n) {
  const std::string s = n.has_attr("norm") ? n.attrs.at("norm").s : "MAX";
  if (s == "MAX") return 0;
  if (s == "L1") return 1;
  if (s == "L2") return 2;
  Fail(n, "unknown norm " + s);
}

std::vector<int64_t> Indices(const Graph& g, const Node& n, int64_t features) {
  const Value& idx = ConstIn(g, n, 1, "the indices");
  std::vector<int64_t> out;
  for (int64_t k = 0; k < idx.size(); ++k) {
    const int64_t i = idx.AsInt(k);
    if (i < 0 || i >= features) Fail(n, "feature index " + std::to_string(i) + " out of range");
    out.push_back(i);
  }
  return out;
}

// The node reading `tensor`, if exactly one does and it is not a graph output.
int OnlyConsumer(const Graph& g, int tensor) {
  const std::vector<int> c = g.Consumers(tensor);
  return (c.size() == 1 && !g.IsGraphOutput(tensor)) ? c[0] : -1;
}

// Exp(x - [Reshape|Unsqueeze](ReduceLogSumExp(x, last axis))): the tensor it
// produces and the nodes it spans, or -1.
int SoftmaxChain(const Graph& g, int x, std::vector<int>* nodes) {
  for (int r : g.Consumers(x)) {
    const Node& rlse = g.nodes[r];
    if (rlse.op != "ReduceLogSumExp") continue;
    const int64_t rank = static_cast<int64_t>(g.tensors[x].shape.size());
    std::vector<int64_t> axes = rlse.attr_ints("axes");
    if (rlse.inputs.size() > 1 && rlse.inputs[1] >= 0 && g.tensors[rlse.inputs[1]].is_const()) {
      axes = g.tensors[rlse.inputs[1]].constant->i;
    }
    if (axes.size() != 1 || (axes[0] != rank - 1 && axes[0] != -1)) continue;
    std::vector<int> span = {r};
    int t = rlse.outputs[0];
    int next = OnlyConsumer(g, t);
    while (next >= 0 && (g.nodes[next].op == "Reshape" || g.nodes[next].op == "Unsqueeze")) {
      span.push_back(next);
      t = g.nodes[next].outputs[0];
      next = OnlyConsumer(g, t);
    }
    if (next < 0 || g.nodes[next].op != "Sub" || g.nodes[next].inputs[0] != x || g.nodes[next].inputs[1] != t) continue;
    span.push_back(next);
    const int exp = OnlyConsumer(g, g.nodes[next].outputs[0]);
    if (exp < 0 || g.nodes[exp].op != "Exp") continue;
    span.push_back(exp);
    *nodes = span;
    return g.nodes[exp].outputs[0];
  }
  return -1;
}

}  // namespace

int PostTransformId(const Node& n) {
  const std::string s = n.has_attr("post_transform") ? n.attrs.at("post_transform").s : "NONE";
  if (s == "NONE") return 0;
  if (s == "LOGISTIC") return 1;
  if (s == "SOFTMAX") return 2;
  if (s == "SOFTMAX_ZERO") return 3;
  Unsupported(n, "post_transform " + s + " is not supported");
}

namespace {

bool HasIntLabels(const Node& n) {
  for (const char* key : {"classlabels_int64s", "classlabels_ints"}) {
    if (n.has_attr(key) && !n.attrs.at(key).ints.empty()) return true;
  }
  return false;
}

bool HasStringLabels(const Node& n) {
  return n.has_attr("classlabels_strings") && !n.attrs.at("classlabels_strings").strings.empty();
}

}  // namespace

std::vector<int64_t> ClassLabels(const Node& n) {
  if (HasIntLabels(n) && HasStringLabels(n)) Fail(n, "the classifier has both integer and string class labels");
  for (const char* key : {"classlabels_int64s", "classlabels_ints"}) {
    if (n.has_attr(key) && !n.attrs.at(key).ints.empty()) return n.attrs.at(key).ints;
  }
  if (HasStringLabels(n)) {
    std::vector<int64_t> indices(n.attrs.at("classlabels_strings").strings.size());
    for (size_t k = 0; k < indices.size(); ++k) indices[k] = static_cast<int64_t>(k);
    return indices;
  }
  Fail(n, "the classifier has no class labels");
}

void NameClasses(Graph& g, const Node& n, int label_tensor) {
  if (!HasStringLabels(n) || HasIntLabels(n) || label_tensor < 0) return;
  g.tensors[label_tensor].class_names = n.attrs.at("classlabels_strings").strings;
  g.tensors[label_tensor].dtype = DType::kInt64;
}

void FuseClassifierChains(Graph& g) {
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    // The head picks the first maximum; select_last_index goes to TopK (ops/argmax.cc).
    if (g.nodes[k].op != "ArgMax" || g.nodes[k].attr_int("select_last_index", 0) != 0) continue;
    const Node argmax = g.nodes[k];
    const int scores = argmax.inputs[0];
    const Shape shape = g.tensors[scores].shape;  // a copy: AddTensor below may reallocate g.tensors
    if (shape.size() != 2 || (argmax.attr_int("axis", 0) != 1 && argmax.attr_int("axis", 0) != -1)) continue;
    // Label: ArgMax -> [ArrayFeatureExtractor(class list, .)] -> Cast/Reshape/... -> graph output.
    std::vector<int> dead = {static_cast<int>(k)};
    std::vector<int64_t> labels;
    for (int64_t c = 0; c < shape[1]; ++c) labels.push_back(c);
    int t = argmax.outputs[0];
    while (!g.IsGraphOutput(t)) {
      const int next = OnlyConsumer(g, t);
      if (next < 0) break;
      const Node& n = g.nodes[next];
      if (n.op == "ArrayFeatureExtractor" && n.inputs.size() == 2 && n.inputs[1] == t && g.tensors[n.inputs[0]].is_const()) {
        const Value& classes = *g.tensors[n.inputs[0]].constant;
        if (classes.size() != shape[1]) break;
        for (int64_t c = 0; c < shape[1]; ++c) labels[c] = classes.AsInt(c);
      } else if (n.op != "Cast" && n.op != "Reshape" && n.op != "Squeeze" && n.op != "Identity" && n.op != "Flatten") {
        break;
      }
      dead.push_back(next);
      t = n.outputs[0];
    }
    if (!g.IsGraphOutput(t) || NumElements(g.tensors[t].shape) != shape[0]) continue;
    std::vector<int> softmax_nodes;
    int probs = SoftmaxChain(g, scores, &softmax_nodes);
    Node head;
    head.name = argmax.name + ".head";
    head.op = "ClassifierHead";
    head.inputs = {scores};
    head.attrs["binary"].i = 0;
    head.attrs["labels"].ints = labels;
    head.attrs["post"].i = probs >= 0 ? 2 : 0;
    if (probs < 0) {  // no softmax in the graph: the probabilities are the raw scores (unused)
      Tensor p;
      p.name = argmax.name + ".scores";
      p.shape = shape;
      probs = g.AddTensor(std::move(p));
    }
    dead.insert(dead.end(), softmax_nodes.begin(), softmax_nodes.end());
    head.outputs = {t, probs};
    g.tensors[t].dtype = DType::kInt64;
    // One label per row; ArgMax's keepdims ([N, 1]) and the like keep their shape.
    if (g.tensors[t].shape.empty() || g.tensors[t].shape[0] != shape[0]) g.tensors[t].shape = {shape[0]};
    std::vector<Node> kept;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (i == k) kept.push_back(head);
      if (std::find(dead.begin(), dead.end(), static_cast<int>(i)) == dead.end()) kept.push_back(g.nodes[i]);
    }
    g.nodes = std::move(kept);
  }
}

bool IsClassicOp(const std::string& op) { return kOnnxMl.count(op) || kRuntime.count(op); }

std::optional<std::vector<Value>> EvalClassic(const Graph& g, const Node& n, const std::vector<const Value*>& ins) {
  if (!IsClassicOp(n.op)) return std::nullopt;
  if (n.op == "ArrayFeatureExtractor" && ins.size() > 1 && ins[0] != nullptr && ins[1] != nullptr) {
    // Columns of the last axis of data (float or integer, e.g. a class list).
    const Value& data = *ins[0];
    const Value& idx = *ins[1];
    const int64_t depth = data.shape.empty() ? 1 : data.shape.back();
    const int64_t rows = data.size() / std::max<int64_t>(depth, 1);
    Shape shape = data.shape.size() <= 1 ? idx.shape : data.shape;
    if (data.shape.size() > 1) shape.back() = idx.size();
    std::vector<int64_t> ints;
    std::vector<float> floats;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < idx.size(); ++k) {
        const int64_t i = idx.AsInt(k);
        if (i < 0 || i >= depth) Fail(n, "feature index out of range");
        if (data.is_int) ints.push_back(data.i[r * depth + i]);
        else floats.push_back(data.f[r * depth + i]);
      }
    if (data.is_int) return std::vector<Value>{Value::Int(shape, ints)};
    return std::vector<Value>{Value::Float(shape, Eigen::Map<Eigen::ArrayXf>(floats.data(), static_cast<Eigen::Index>(floats.size())))};
  }
  if (ins.empty() || ins[0] == nullptr || ins[0]->is_int) Fail(n, "needs a float input");
  const Value& x = *ins[0];
  const int64_t features = x.shape.empty() ? 1 : x.shape.back();
  const int64_t rows = x.size() / std::max<int64_t>(features, 1);
  if (IsSvmOp(n.op)) return EvalSvm(n, x);
  if (n.op == "TreeEnsembleClassifier" || n.op == "TreeEnsembleRegressor" || n.op == "TreeEnsemble") {
    const TreeModel& m = CachedTreeModel(n);
    const std::vector<float> s = EvaluateTreeModel(m, x.f.data(), rows, features);
    Value scores = Value::Float({rows, m.targets}, Eigen::Map<const Eigen::ArrayXf>(s.data(), static_cast<Eigen::Index>(s.size())));
    if (n.op == "TreeEnsembleClassifier") return HeadOutputs(HeadForTrees(n, m), scores);
    if (n.op == "TreeEnsembleRegressor" && PostTransformId(n) != 0) {
      Unsupported(n, "post_transform on a regressor is not supported");
    }
    return std::vector<Value>{scores};
  }
  if (n.op == "ClassifierHead") return HeadOutputs(HeadOf(n), x);
  if (n.op == "LinearClassifier" || n.op == "LinearRegressor") {
    int64_t units = 0;
    const Value scores = LinearScores(n, x, &units);
    if (n.op == "LinearClassifier") return HeadOutputs(HeadForLinear(n, units), scores);
    if (PostTransformId(n) != 0) Unsupported(n, "post_transform on a regressor is not supported");
    return std::vector<Value>{scores};
  }
  if (n.op == "Scaler") {
    const auto offset = PerFeature(n, "offset", features, 0.0f), scale = PerFeature(n, "scale", features, 1.0f);
    Value y = x;
    for (int64_t k = 0; k < x.size(); ++k) y.f[k] = (x.f[k] - offset[k % features]) * scale[k % features];
    return std::vector<Value>{y};
  }
  if (n.op == "Normalizer" || n.op == "Normalize") {
    const int norm = n.op == "Normalize" ? static_cast<int>(n.attr_int("norm", 0)) : NormId(n);
    Value y = x;
    for (int64_t r = 0; r < rows; ++r) {
      auto row = y.f.segment(r * features, features);
      const double d = norm == 0 ? row.maxCoeff() : norm == 1 ? row.abs().cast<double>().sum()
                                                              : std::sqrt(row.cast<double>().square().sum());
      if (d != 0) row = (row.cast<double>() / d).cast<float>();
    }
    return std::vector<Value>{y};
  }
  // ArrayFeatureExtractor: columns of the last axis.
  const std::vector<int64_t> idx = Indices(g, n, features);
  Shape shape = x.shape;
  shape.back() = static_cast<int64_t>(idx.size());
  Eigen::ArrayXf y(rows * static_cast<int64_t>(idx.size()));
  for (int64_t r = 0; r < rows; ++r)
    for (size_t k = 0; k < idx.size(); ++k) y[r * idx.size() + k] = x.f[r * features + idx[k]];
  return std::vector<Value>{Value::Float(shape, std::move(y))};
}

namespace {
thread_local TreeCacheScope* active_tree_cache = nullptr;
}  // namespace

TreeCacheScope::TreeCacheScope() : previous_(active_tree_cache) { active_tree_cache = this; }
TreeCacheScope::~TreeCacheScope() { active_tree_cache = previous_; }

const TreeModel& CachedTreeModel(const Node& n) {
  if (active_tree_cache == nullptr) {
    static thread_local TreeModel last;
    last = ParseTreeModel(n);
    return last;
  }
  auto& cache = active_tree_cache->cache_;
  const auto it = cache.find(&n);
  if (it != cache.end()) return it->second;
  return cache.emplace(&n, ParseTreeModel(n)).first->second;
}

size_t LowerClassic(Graph& g, size_t index) {
  if (g.nodes[index].op == "SVMClassifier" || g.nodes[index].op == "SVMRegressor") return LowerSvm(g, index);
  Node n = g.nodes[index];
  const Shape in_shape = g.tensors[n.inputs[0]].shape;
  const int64_t features = in_shape.empty() ? 1 : in_shape.back();
  const int64_t rows = NumElements(in_shape) / std::max<int64_t>(features, 1);
  std::vector<Node> out;
  if (n.op == "TreeEnsembleClassifier" || n.op == "TreeEnsembleRegressor") {
    const TreeModel m = ParseTreeModel(n);
    Node trees = n;
    trees.op = "TreeEnsemble";
    trees.inputs.resize(1);
    trees.attrs["kind"].s = n.op == "TreeEnsembleClassifier" ? "class" : "target";
    if (n.op == "TreeEnsembleRegressor") {
      if (PostTransformId(n) != 0) Unsupported(n, "post_transform on a regressor is not supported");
      out.push_back(trees);
    } else {
      const Head h = HeadForTrees(n, m);
      const int scores = NewTensor(g, n.name + ".scores", {rows, m.targets});
      trees.outputs = {scores};
      out = {trees, HeadNode(g, n, h, scores)};
    }
  } else if (n.op == "LinearClassifier" || n.op == "LinearRegressor") {
    const auto& coef = n.attrs.count("coefficients") ? n.attrs.at("coefficients").floats : std::vector<float>{};
    if (coef.empty() || coef.size() % features != 0) Fail(n, "coefficients do not match the input's features");
    const int64_t units = static_cast<int64_t>(coef.size()) / features;
    Node fc;
    fc.name = n.name;
    fc.op = "FullyConnected";
    fc.inputs = {n.inputs[0], g.AddConstant(n.name + ".weights", Value::Float({units, features},
                     Eigen::Map<const Eigen::ArrayXf>(coef.data(), static_cast<Eigen::Index>(coef.size()))))};
    auto bias = n.attrs.count("intercepts") ? n.attrs.at("intercepts").floats : std::vector<float>{};
    if (!bias.empty()) {
      if (static_cast<int64_t>(bias.size()) != units) Fail(n, "one intercept per output expected");
      fc.inputs.push_back(g.AddConstant(n.name + ".bias", Value::Float({units},
                              Eigen::Map<const Eigen::ArrayXf>(bias.data(), units))));
    }
    if (n.op == "LinearRegressor") {
      if (PostTransformId(n) != 0) Unsupported(n, "post_transform on a regressor is not supported");
      fc.outputs = n.outputs;
      out = {fc};
    } else {
      const Head h = HeadForLinear(n, units);
      const int scores = NewTensor(g, n.name + ".scores", {rows, units});
      fc.outputs = {scores};
      out = {fc, HeadNode(g, n, h, scores)};
    }
  } else if (n.op == "Scaler") {
    const auto offset = PerFeature(n, "offset", features, 0.0f), scale = PerFeature(n, "scale", features, 1.0f);
    Eigen::ArrayXf neg(features), mul(features);
    for (int64_t f = 0; f < features; ++f) {
      neg[f] = -offset[f];
      mul[f] = scale[f];
    }
    const int shifted = NewTensor(g, n.name + ".shifted", in_shape);
    Node add;
    add.name = n.name + ".offset";
    add.op = "Add";
    add.inputs = {n.inputs[0], g.AddConstant(n.name + ".neg_offset", Value::Float({features}, neg))};
    add.outputs = {shifted};
    Node scaled;
    scaled.name = n.name;
    scaled.op = "Mul";
    scaled.inputs = {shifted, g.AddConstant(n.name + ".scale", Value::Float({features}, mul))};
    scaled.outputs = n.outputs;
    out = {add, scaled};
  } else if (n.op == "Normalizer") {
    Node norm = n;
    norm.op = "Normalize";
    norm.attrs.clear();
    norm.attrs["norm"].i = NormId(n);
    out = {norm};
  } else if (n.op == "ArrayFeatureExtractor") {
    // A selection matrix: exact for finite inputs.
    const std::vector<int64_t> idx = Indices(g, n, features);
    const int64_t k = static_cast<int64_t>(idx.size());
    Eigen::ArrayXf w = Eigen::ArrayXf::Zero(k * features);
    for (int64_t i = 0; i < k; ++i) w[i * features + idx[i]] = 1.0f;
    Node fc;
    fc.name = n.name;
    fc.op = "FullyConnected";
    fc.inputs = {n.inputs[0], g.AddConstant(n.name + ".select", Value::Float({k, features}, w))};
    fc.outputs = n.outputs;
    out = {fc};
  } else {
    return 1;
  }
  g.nodes.erase(g.nodes.begin() + static_cast<long>(index));
  g.nodes.insert(g.nodes.begin() + static_cast<long>(index), out.begin(), out.end());
  return out.size();
}

}  // namespace mote::modelc
