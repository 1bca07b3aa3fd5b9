// modelc's op registry: one entry per imported (ONNX) or mote op, found by
// name, holding what modelc knows about the op in one place: the attributes
// it implements (any other attribute is refused by name, never ignored), its
// float reference and its lowering to the runtime's ops. Families live in one
// file each (ops/unary.cc, ...); ops not yet moved here are still handled by
// the passes' own code (passes/lower.cc, ir/reference_executor.cc).
#ifndef MOTE_TOOLS_MODELC_OPS_OP_REGISTRY_H_
#define MOTE_TOOLS_MODELC_OPS_OP_REGISTRY_H_

#include <string>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

using OpInputs = std::vector<const Value*>;

struct OpDef {
  std::string name;                     // ONNX op type, or a mote op after lowering
  std::vector<std::string> attributes;  // every attribute the op defines that modelc implements
  // Float reference on the op's input values (shape inference, folding, calibration).
  std::vector<Value> (*eval)(const Graph& g, const Node& n, const OpInputs& inputs) = nullptr;
  // Rewrites the node into mote ops in place; nullptr for mote ops.
  void (*lower)(Graph& g, Node& n) = nullptr;
  // Or: the mote nodes that replace it (in order, the last one writing its output).
  std::vector<Node> (*expand)(Graph& g, const Node& n) = nullptr;
  // One input, one output of its shape, each element a function of one
  // input element (so any layout or rank computes the same).
  bool elementwise = false;
  // The layout pass's rewrite of the node, whose 4-D inputs are already NHWC
  // (their NCHW shapes permuted), into its NHWC mote op; nullptr if none.
  void (*to_nhwc)(Graph& g, Node& n) = nullptr;
};

// nullptr if the op is not (yet) in the registry.
const OpDef* FindOp(const std::string& name);

// Throws Unsupported naming the first attribute of `n` its OpDef does not list.
void CheckAttributes(const OpDef& def, const Node& n);

// The families (one file each).
std::vector<OpDef> UnaryOps();
std::vector<OpDef> GlobalPoolOps();
std::vector<OpDef> CompositeOps();
std::vector<OpDef> DataMovementOps();
std::vector<OpDef> MatMulOps();
std::vector<OpDef> LayerNormOps();
std::vector<OpDef> SoftmaxOps();
std::vector<OpDef> ReduceOps();

// Softmax or LogSoftmax on any axis (ONNX semantics of the graph's opset)
// as the runtime's last-axis Softmax between Transposes or Reshapes, then
// for LogSoftmax a Unary Log (ops/softmax.cc).
std::vector<Node> LowerSoftmax(Graph& g, const Node& n);

// An ONNX Reduce* node as the runtime's Reduce over trailing axes (after a
// Transpose if needed), for every axis set (ops/reduce.cc).
std::vector<Node> ExpandReduce(Graph& g, const Node& n);
std::vector<OpDef> RnnOps();              // ops/rnn.cc
std::vector<OpDef> ConstantOfShapeOps();  // ops/constant_of_shape.cc
std::vector<OpDef> ConvTransposeOps();
std::vector<OpDef> ResizeOps();
std::vector<OpDef> QdqOps();  // ops/qdq.cc
std::vector<OpDef> LogicOps();   // ops/logic.cc: comparisons, logical ops, Where, Cast
std::vector<OpDef> CumSumOps();  // ops/cumsum.cc
std::vector<OpDef> HardmaxOps();  // ops/hardmax.cc
std::vector<OpDef> TopKOps();     // ops/topk.cc
std::vector<OpDef> SpectrogramOps();  // ops/spectrogram.cc: the audio front-end
std::vector<OpDef> FifoOps();  // ops/fifo.cc
std::vector<OpDef> SignalOps();  // ops/signal.cc: ONNX DFT, STFT, MelWeightMatrix, windows
std::vector<OpDef> EinsumOps();  // ops/einsum.cc
std::vector<OpDef> ArgMaxOps();  // ops/argmax.cc: ArgMax, ArgMin

// A 1-D ConvTranspose over [N, C, L] as the 2-D one over [N, C, 1, L]
// (ops/conv_transpose.cc): its attributes gain a leading height of 1.
Node ConvTransposeAs2D(const Node& node);

// The mote Unary op's function at each of `xs` (ops/unary.cc), in double
// precision (a tabulated chain: its nodes' float reference), for the
// quantized lookup tables.
std::vector<double> UnaryValues(const Graph& g, const Node& unary, const std::vector<double>& xs);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_OPS_OP_REGISTRY_H_
