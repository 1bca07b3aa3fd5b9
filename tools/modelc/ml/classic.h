// ONNX-ML (classic machine learning) in modelc: lowering to the runtime's
// TreeEnsemble / FullyConnected / ClassifierHead / Normalize ops (SVMs to
// Svm / SvmPairwise, in ml/svm.h), and the float reference of both the
// ONNX-ML ops and those runtime ops.
#ifndef MOTE_TOOLS_MODELC_ML_CLASSIC_H_
#define MOTE_TOOLS_MODELC_ML_CLASSIC_H_

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

// True for the ONNX-ML and classic runtime ops handled here.
bool IsClassicOp(const std::string& op);

// An ONNX-ML post_transform: 0 NONE, 1 LOGISTIC, 2 SOFTMAX, 3 SOFTMAX_ZERO
// (anything else is refused).
int PostTransformId(const Node& n);

// Class labels of an ONNX-ML classifier: classlabels_ints / _int64s, or, for
// classlabels_strings, the indices 0..C-1 (NameClasses puts the names on the
// label tensor, and the runtime maps an index back to its name).
std::vector<int64_t> ClassLabels(const Node& classifier);
void NameClasses(Graph& graph, const Node& classifier, int label_tensor);

// Evaluates a classic op; nullopt if `node` is not one.
std::optional<std::vector<Value>> EvalClassic(const Graph& graph, const Node& node,
                                              const std::vector<const Value*>& inputs);

// Rewrites the ONNX-ML node at `index` into runtime ops (may insert nodes
// after it); returns how many nodes now stand where it stood.
size_t LowerClassic(Graph& graph, size_t index);

// Replaces ArgMax over class scores, followed by a class lookup and casts
// (and, if present, the softmax written as Exp(x - ReduceLogSumExp(x))), with
// one ClassifierHead: the graphs skl2onnx writes for naive Bayes and others.
void FuseClassifierChains(Graph& graph);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_ML_CLASSIC_H_
