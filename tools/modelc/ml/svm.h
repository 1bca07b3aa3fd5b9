// ONNX-ML SVMClassifier / SVMRegressor in modelc: parsing, the float
// reference with onnxruntime's semantics, lowering to the runtime's Svm and
// SvmPairwise ops (mote.fbs), and the fusion of the one-vs-rest decision
// function skl2onnx writes after an SVC as generic ops.
#ifndef MOTE_TOOLS_MODELC_ML_SVM_H_
#define MOTE_TOOLS_MODELC_ML_SVM_H_

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

struct SvmModel {
  enum class Mode { kRegressor, kOneVsOne, kLinear };
  Mode mode = Mode::kRegressor;
  int kernel = 0;  // 0 linear, 1 poly, 2 rbf, 3 sigmoid (mote.fbs SvmOptions)
  float gamma = 0.0f, coef0 = 0.0f;
  int degree = 0;
  int64_t features = 0;
  // [vectors, features]: the support vectors; the coefficient rows of a linear
  // classifier; the one coefficient row of a linear regressor (coefficient 1).
  std::vector<float> support_vectors;
  int64_t vectors = 0;
  std::vector<float> coefficients;  // regressor [V]; one-vs-one [C - 1, V]
  std::vector<int32_t> vectors_per_class;
  std::vector<float> rho, prob_a, prob_b;
  std::vector<int64_t> labels;
  int post = 0;  // 0 none, 1 logistic, 2 softmax, 3 softmax_zero
  bool one_class = false;
  int label_rule = 0;  // linear classifier with 2 classes: 1 / 2, onnxruntime's binary rules

  int64_t classes() const { return static_cast<int64_t>(labels.size()); }
  int64_t pairs() const { return classes() * (classes() - 1) / 2; }
  bool probabilities() const { return !prob_a.empty(); }
};

bool IsSvmOp(const std::string& op);

// The model of an SVMClassifier / SVMRegressor node, or of the Svm node it was
// lowered to (which keeps its attributes), for an input of `features`
// columns. Throws ConvertError naming the node for anything invalid.
SvmModel ParseSvm(const Node& node, int64_t features);

// SVMClassifier, SVMRegressor, Svm and SvmPairwise on float input [N, F].
std::vector<Value> EvalSvm(const Node& node, const Value& x);

// Rewrites the SVM node at `index` into Svm (+ SvmPairwise) and, for an SVC,
// folds a one-vs-rest decision function computed from its scores by generic
// ops into SvmPairwise; returns how many nodes now stand where it stood.
size_t LowerSvm(Graph& graph, size_t index);

// Multiply-accumulates and other operations per inference of Svm / SvmPairwise.
void SvmCost(const Graph& graph, const Node& node, int64_t* macs, int64_t* elementwise);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_ML_SVM_H_
