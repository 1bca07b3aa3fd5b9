// Float reference execution of the IR with Eigen: the oracle for constant
// folding, shape inference, calibration and tests. It runs both imported
// ONNX ops and the mote ops they are lowered to.
#ifndef MOTE_TOOLS_MODELC_IR_REFERENCE_EXECUTOR_H_
#define MOTE_TOOLS_MODELC_IR_REFERENCE_EXECUTOR_H_

#include <functional>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

// Evaluates one node on its input values (nullptr for absent optional inputs).
std::vector<Value> EvalNode(const Graph& graph, const Node& node,
                            const std::vector<const Value*>& inputs);

// Called around each node's evaluation (either may be empty).
struct NodeObserver {
  std::function<void(const Node&, const std::vector<const Value*>&)> before;
  std::function<void(const Node&, const std::vector<Value>&)> after;
};

// Runs the whole graph (nodes must be in topological order) on `inputs`
// (one per graph input) and returns the value of every tensor (constants'
// left empty unless `with_constants`).
std::vector<Value> Execute(const Graph& graph, const std::vector<Value>& inputs,
                           const NodeObserver* observer = nullptr, bool with_constants = true);

// True if EvalNode knows the op.
bool IsKnownOp(const std::string& op);

// Geometry of an ONNX 2-D window op (Conv, MaxPool, AveragePool) on an NCHW
// input, with auto_pad and ceil_mode resolved into explicit padding.
struct Window {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t out_h = 0, out_w = 0;
};
Window WindowOf(const Node& node, const Shape& nchw_input, int64_t kh, int64_t kw);

// A 1-D window op (Conv, MaxPool, AveragePool over [N, C, L]) as the 2-D op
// over [N, C, 1, L] that computes the same elements: kernel_shape, strides,
// dilations and pads gain a leading height of 1 (pads: 0 above and below).
Node AsWindow2D(const Node& node);

// Pad's `pads` for the listed `axes` (opset 18's input 3) as pads for every
// one of `rank` dimensions (ONNX order: all begins, then all ends).
std::vector<int64_t> PadsOverAxes(const Node& node, const std::vector<int64_t>& axes,
                                  const std::vector<int64_t>& pads, size_t rank);

// Transposition: output dim k is input dim perm[k] (empty perm reverses).
Value Transpose(const Node& node, const Value& x, std::vector<int64_t> perm);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_IR_REFERENCE_EXECUTOR_H_
