// Float reference execution of the IR with Eigen: the oracle for constant
// folding, shape inference, calibration and tests. It runs both imported
// ONNX ops and the mote ops they are lowered to.
#ifndef MOTE_TOOLS_MODELC_IR_REFERENCE_EXECUTOR_H_
#define MOTE_TOOLS_MODELC_IR_REFERENCE_EXECUTOR_H_

#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

// Evaluates one node on its input values (nullptr for absent optional inputs).
std::vector<Value> EvalNode(const Graph& graph, const Node& node,
                            const std::vector<const Value*>& inputs);

// Runs the whole graph (nodes must be in topological order) on `inputs`
// (one per graph input) and returns the value of every tensor.
std::vector<Value> Execute(const Graph& graph, const std::vector<Value>& inputs);

// True if EvalNode knows the op.
bool IsKnownOp(const std::string& op);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_IR_REFERENCE_EXECUTOR_H_
