// Graph passes, in the order Optimize() runs them.
#ifndef MOTE_TOOLS_MODELC_PASSES_PASSES_H_
#define MOTE_TOOLS_MODELC_PASSES_PASSES_H_

#include "ir/graph.h"

namespace mote::modelc {

// Shapes and element types of every tensor, by running the reference
// executor once on zero inputs (every shape is static after import).
void InferShapes(Graph& graph);
// Replaces nodes whose inputs are all constant (and Shape nodes, whose
// result is static) by their values.
void FoldConstants(Graph& graph);
// Runs 1-D window ops (Conv, MaxPool, AveragePool, GlobalAveragePool over
// [N, C, L]) and the ops around them on [N, C, 1, L] (passes/lift_1d.cc).
void LiftSequenceOps(Graph& graph);
// Rewrites imported ops into the runtime's ops (FullyConnected, Relu, Relu6,
// Clip, Sigmoid, Tanh, Softmax, Reshape, Add); throws for anything else.
void LowerToMoteOps(Graph& graph);
// Stores computed 4-D tensors NHWC and turns ONNX spatial ops (Conv,
// MaxPool, AveragePool, GlobalAveragePool, ReduceMean) into the runtime's.
void ConvertLayout(Graph& graph);
// Joins chains of Transpose / Reshape / StridedGather into one StridedGather
// (or a Reshape when the chain moves nothing).
void FuseDataMovement(Graph& graph);
// Throws for any op the runtime cannot run.
void CheckMoteOps(const Graph& graph);
// Folds a following constant Add into FullyConnected bias, and a following
// Relu/Relu6/Clip into the clamp of FullyConnected or Add.
void FuseOps(Graph& graph);
void RemoveDeadNodes(Graph& graph);
// After quantization: every chain of elementwise ops on int8 (or int16)
// tensors that computes a function of one tensor (x * sigmoid(x), GELU,
// Mish, x / (1 + |x|), ...) becomes one tabulated Unary, so the model keeps
// no intermediate rounding and runs one lookup per element.
void FuseElementwiseChains(Graph& graph);

// The opset 13 form of layer normalization as one LayerNormalization
// (passes/fuse_layer_norm.cc).
void FuseLayerNorm(Graph& graph);

// Pre-quantized ONNX (passes/qdq.cc): QLinearConv, QLinearMatMul,
// ConvInteger and MatMulInteger become DequantizeLinear -> float op ->
// QuantizeLinear; then with `keep` (an int8 conversion) the
// QuantizeLinear/DequantizeLinear pairs become the quantization they pin
// (Tensor::pinned, Graph::weight_pins), else float ops (fake quantization).
void ImportQuantization(Graph& graph, bool keep);

// ONNX signal ops (ops/signal.cc): throws Unsupported if an input that sets
// a shape or the transform (a window's size, STFT's frame_step, ...) depends
// on the graph's inputs; run before shape inference.
void CheckSignalParameters(const Graph& graph);
// DFT and STFT on computed signals as Transpose/Reshape/Gather and a MatMul
// by a constant DFT matrix (ops/signal.cc); after constant folding.
void DecomposeSignalOps(Graph& graph);
// Einsum of one or two operands as ReduceSum / Transpose / Reshape / MatMul
// (ops/einsum.cc); after constant folding.
void DecomposeEinsum(Graph& graph);
// A 3-D Conv's geometry from its attributes (auto_pad resolved), input
// [N, C, D, H, W] and weights [O, C / group, kd, kh, kw]; throws if they do
// not fit together.
struct Conv3DGeometry {
  int64_t n, c, d, h, w;  // input
  int64_t o, kd, kh, kw;  // weights
  int64_t group;
  std::vector<int64_t> stride, dilation, pads;  // depth, height, width; pads begins then ends
  int64_t out_d, out_h, out_w;
};
Conv3DGeometry Conv3DGeometryOf(const Node& n, const Shape& in, const Shape& weights);
// Conv over [N, C, D, H, W] with constant 3-D weights as a 2-D Conv over the
// depth slices' taps (passes/conv3d.cc); after constant folding.
void LowerConv3DOps(Graph& graph);
// All of the above.
void Optimize(Graph& graph);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_PASSES_PASSES_H_
