#include "import/validate.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "ml/classic.h"
#include "ml/svm.h"
#include "ml/tree_model.h"

namespace mote::modelc {
namespace {

using Inputs = std::vector<const Value*>;

std::string At(const std::string& what, size_t k, int64_t value) {
  return what + "[" + std::to_string(k) + "] = " + std::to_string(value);
}

const Value& Input(const Node& n, const Inputs& ins, size_t k) {
  if (k >= ins.size() || ins[k] == nullptr) Fail(n, "input " + std::to_string(k) + " is missing");
  return *ins[k];
}

// The columns (last axis) of input k: the features of an ONNX-ML op.
int64_t Features(const Node& n, const Inputs& ins, size_t k = 0) {
  const Shape& s = Input(n, ins, k).shape;
  const int64_t features = s.empty() ? 1 : s.back();
  if (features < 1) Fail(n, "input " + std::to_string(k) + " " + ShapeString(s) + " has no features");
  return features;
}

std::string InputName(const Graph& g, const Node& n, size_t k) {
  return "input '" + (k < n.inputs.size() && n.inputs[k] >= 0 ? g.tensors[n.inputs[k]].name : std::string("?")) + "'";
}

void CheckTrees(const Graph&, const Node& n, const Inputs& ins) {
  int64_t outputs = std::numeric_limits<int64_t>::max();
  if (n.op == "TreeEnsembleClassifier") {
    outputs = static_cast<int64_t>(ClassLabels(n).size());
  } else if (n.has_attr("n_targets")) {
    outputs = n.attr_int("n_targets", 1);
    if (outputs < 1) Fail(n, "attribute n_targets = " + std::to_string(outputs) + " must be positive");
  }
  CheckTreeIndices(n, Features(n, ins), outputs);
}

// Columns of the data's last axis, by a constant list of indices.
void CheckArrayFeatureExtractor(const Graph& g, const Node& n, const Inputs& ins) {
  const Value& data = Input(n, ins, 0);
  const Value& idx = Input(n, ins, 1);
  const int64_t columns = data.shape.empty() ? 1 : data.shape.back();
  if (!idx.is_int) Fail(n, InputName(g, n, 1) + " (the indices) must be integers");
  for (int64_t k = 0; k < idx.size(); ++k) {
    if (idx.i[k] < 0 || idx.i[k] >= columns) {
      Fail(n, InputName(g, n, 1) + " " + At("", static_cast<size_t>(k), idx.i[k]) + " is out of range: the data " +
                  ShapeString(data.shape) + " has " + std::to_string(columns) + " columns");
    }
  }
}

void CheckSvm(const Graph&, const Node& n, const Inputs& ins) { (void)ParseSvm(n, Features(n, ins)); }

// Coefficients [units, features], one intercept per unit, one unit per class.
void CheckLinear(const Graph&, const Node& n, const Inputs& ins) {
  const int64_t features = Features(n, ins);
  const auto& coef = n.has_attr("coefficients") ? n.attrs.at("coefficients").floats : std::vector<float>{};
  const int64_t count = static_cast<int64_t>(coef.size());
  if (count == 0 || count % features != 0) {
    Fail(n, "attribute coefficients has " + std::to_string(count) + " values, not a multiple of the input's " +
                std::to_string(features) + " features");
  }
  const int64_t units = count / features;
  if (n.has_attr("intercepts") && !n.attrs.at("intercepts").floats.empty() &&
      static_cast<int64_t>(n.attrs.at("intercepts").floats.size()) != units) {
    Fail(n, "attribute intercepts has " + std::to_string(n.attrs.at("intercepts").floats.size()) + " values for " +
                std::to_string(units) + " outputs");
  }
  if (n.op == "LinearRegressor" && n.has_attr("targets") && n.attr_int("targets", 1) != units) {
    Fail(n, "attribute targets = " + std::to_string(n.attr_int("targets", 1)) + " but coefficients hold " +
                std::to_string(units) + " rows of " + std::to_string(features) + " features");
  }
  if (n.op == "LinearClassifier") {
    const int64_t classes = static_cast<int64_t>(ClassLabels(n).size());
    if (units != classes && !(units == 1 && classes == 2)) {
      Fail(n, "coefficients hold " + std::to_string(units) + " rows of " + std::to_string(features) +
                  " features for " + std::to_string(classes) + " class labels");
    }
  }
}

// offset / scale (Scaler): one value, or one per feature.
void CheckScaler(const Graph&, const Node& n, const Inputs& ins) {
  const int64_t features = Features(n, ins);
  for (const char* key : {"offset", "scale"}) {
    if (!n.has_attr(key)) continue;
    const size_t size = n.attrs.at(key).floats.size();
    if (size > 1 && static_cast<int64_t>(size) != features) {
      Fail(n, std::string("attribute ") + key + " has " + std::to_string(size) + " values for " +
                  std::to_string(features) + " features (one, or one per feature)");
    }
  }
}

void CheckArgMax(const Graph&, const Node& n, const Inputs& ins) {
  const int64_t rank = static_cast<int64_t>(Input(n, ins, 0).shape.size());
  const int64_t axis = n.attr_int("axis", 0);
  if (axis < -rank || axis >= rank) {
    Fail(n, "attribute axis = " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
}

// Axes of the output (rank + number of axes), each once.
void CheckUnsqueeze(const Graph& g, const Node& n, const Inputs& ins) {
  std::vector<int64_t> axes = n.attr_ints("axes");
  std::string what = "attribute axes";
  if (ins.size() > 1 && ins[1] != nullptr) {
    if (!ins[1]->is_int) Fail(n, InputName(g, n, 1) + " (the axes) must be integers");
    axes = ins[1]->i;
    what = InputName(g, n, 1);
  }
  const int64_t rank = static_cast<int64_t>(Input(n, ins, 0).shape.size() + axes.size());
  std::set<int64_t> seen;
  for (size_t k = 0; k < axes.size(); ++k) {
    if (axes[k] < -rank || axes[k] >= rank) {
      Fail(n, what + " " + At("", k, axes[k]) + " is out of range for the output's rank " + std::to_string(rank));
    }
    if (!seen.insert(axes[k] < 0 ? axes[k] + rank : axes[k]).second) {
      Fail(n, what + " " + At("", k, axes[k]) + " repeats an axis");
    }
  }
}

using Check = void (*)(const Graph&, const Node&, const Inputs&);

const std::map<std::string, Check>& Checks() {
  static const std::map<std::string, Check> kChecks = {
      {"TreeEnsembleClassifier", CheckTrees},
      {"TreeEnsembleRegressor", CheckTrees},
      {"ArrayFeatureExtractor", CheckArrayFeatureExtractor},
      {"SVMClassifier", CheckSvm},
      {"SVMRegressor", CheckSvm},
      {"LinearClassifier", CheckLinear},
      {"LinearRegressor", CheckLinear},
      {"Scaler", CheckScaler},
      {"ArgMax", CheckArgMax},
      {"ArgMin", CheckArgMax},
      {"Unsqueeze", CheckUnsqueeze},
  };
  return kChecks;
}

}  // namespace

void ValidateNode(const Graph& graph, const Node& node, const std::vector<const Value*>& inputs) {
  const auto it = Checks().find(node.op);
  if (it != Checks().end()) it->second(graph, node, inputs);
}

void ValidateOutputs(const Graph& graph, const Node& node, const std::vector<Value>& outputs) {
  for (size_t k = 0; k < outputs.size() && k < node.outputs.size(); ++k) {
    const Value& v = outputs[k];
    if (v.is_int || v.shape.empty() || NumElements(v.shape) != 0) continue;
    Unsupported(node, "output '" + graph.tensors[node.outputs[k]].name + "' " + ShapeString(v.shape) +
                   " is empty (a dimension of 0); empty tensors are not supported");
  }
}

}  // namespace mote::modelc
