#include "import/validate.h"
#include "ir/reference_executor.h"
#include "passes/passes.h"

namespace mote::modelc {

void InferShapes(Graph& graph) {
  std::vector<Value> zeros;
  for (int t : graph.inputs) {
    const Shape& s = graph.tensors[t].shape;
    if (IsIndexType(graph.tensors[t].dtype)) {
      zeros.push_back(Value::Int(s, std::vector<int64_t>(static_cast<size_t>(NumElements(s)), 0)));
    } else {
      zeros.push_back(Value::Float(s, Eigen::ArrayXf::Zero(NumElements(s))));
    }
  }
  // Every node is validated before it is first evaluated (import/validate.h).
  NodeObserver validate;
  validate.before = [&graph](const Node& n, const std::vector<const Value*>& ins) { ValidateNode(graph, n, ins); };
  validate.after = [&graph](const Node& n, const std::vector<Value>& outs) { ValidateOutputs(graph, n, outs); };
  const std::vector<Value> values = Execute(graph, zeros, &validate);
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    Tensor& tensor = graph.tensors[t];
    if (tensor.is_const() || graph.IsGraphInput(static_cast<int>(t))) continue;
    if (values[t].shape.empty() && values[t].f.size() == 0 && values[t].i.empty()) continue;  // unused
    tensor.shape = values[t].shape;
    // Imported quantized tensors keep their element type; the executor runs them in float.
    if (values[t].is_int) tensor.dtype = DType::kInt64;
    else if (!graph.prequantized) tensor.dtype = DType::kFloat32;
  }
  // Integer activations computed from int32 ones (a reshaped or cast index
  // input) stay int32: their values are the input's, which fit.
  for (const Node& n : graph.nodes) {
    bool int32_in = false;
    for (int t : n.inputs) {
      int32_in = int32_in || (t >= 0 && !graph.tensors[t].is_const() && graph.tensors[t].dtype == DType::kInt32);
    }
    if (!int32_in || n.op == "TopK") continue;
    for (int t : n.outputs) {
      if (t >= 0 && graph.tensors[t].dtype == DType::kInt64) graph.tensors[t].dtype = DType::kInt32;
    }
  }
  for (const auto& [t, declared] : graph.declared_shapes) {
    const Shape& computed = values[t].shape;
    // An output the executor does not compute (Dropout's mask, ...): LowerToMoteOps refuses it by name.
    if (computed.empty() && values[t].f.size() == 0 && values[t].i.empty()) continue;
    // -1 is a symbolic dimension. Leading 1s may differ in number: TFLite's
    // FULLY_CONNECTED drops them, mote keeps them (the same data either way).
    auto agree = [](Shape a, Shape b) {
      if (a.size() != b.size()) {
        while (!a.empty() && a.front() == 1) a.erase(a.begin());
        while (!b.empty() && b.front() == 1) b.erase(b.begin());
      }
      if (a.size() != b.size()) return false;
      for (size_t d = 0; d < a.size(); ++d) {
        if (a[d] >= 0 && a[d] != b[d]) return false;
      }
      return true;
    };
    if (!agree(declared, computed)) {
      std::string text = "[";
      for (size_t d = 0; d < declared.size(); ++d) {
        text += (d ? "," : "") + (declared[d] < 0 ? std::string("?") : std::to_string(declared[d]));
      }
      throw ConvertError("graph output '" + graph.tensors[t].name + "': the model declares shape " + text +
                         "] but the graph computes " + ShapeString(computed));
    }
  }
}

void FoldConstants(Graph& graph) {
  std::vector<Node> kept;
  for (const Node& node : graph.nodes) {
    bool foldable = true;
    for (int t : node.inputs) foldable = foldable && (t < 0 || graph.tensors[t].is_const());
    if (node.op == "Shape" || node.op == "Size") foldable = true;  // shapes are static
    if (!foldable) {
      kept.push_back(node);
      continue;
    }
    std::vector<const Value*> ins;
    Value shape_only;
    for (int t : node.inputs) {
      if (t >= 0 && !graph.tensors[t].is_const()) {
        shape_only.shape = graph.tensors[t].shape;  // Shape reads only this
        ins.push_back(&shape_only);
      } else {
        ins.push_back(t >= 0 ? &*graph.tensors[t].constant : nullptr);
      }
    }
    std::vector<Value> outs = EvalNode(graph, node, ins);
    for (size_t k = 0; k < node.outputs.size() && k < outs.size(); ++k) {
      Tensor& out = graph.tensors[node.outputs[k]];
      out.dtype = outs[k].is_int ? DType::kInt64 : DType::kFloat32;
      out.shape = outs[k].shape;
      out.constant = std::move(outs[k]);
    }
  }
  graph.nodes = std::move(kept);
}

void RemoveDeadNodes(Graph& graph) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t n = graph.nodes.size(); n-- > 0;) {
      bool used = false;
      for (int t : graph.nodes[n].outputs) {
        used = used || graph.IsGraphOutput(t) || !graph.Consumers(t).empty();
      }
      if (!used) {
        graph.nodes.erase(graph.nodes.begin() + static_cast<long>(n));
        changed = true;
      }
    }
  }
}

namespace {

// Infinite weights or biases of a multiply-accumulate make every output
// infinite or NaN: the model is broken (NaN constants were refused at import).
void CheckFiniteWeights(const Graph& g) {
  for (const Node& n : g.nodes) {
    if (n.op != "FullyConnected" && n.op != "Conv2D" && n.op != "DepthwiseConv2D" &&
        n.op != "TransposeConv2D") {
      continue;
    }
    for (size_t k = 1; k < n.inputs.size(); ++k) {
      const int t = n.inputs[k];
      if (t < 0 || !g.tensors[t].is_const()) continue;
      CheckFinite(*g.tensors[t].constant, "node '" + n.name + "' (op " + n.op + "): " +
                                              (k == 1 ? "weights '" : "bias '") + g.tensors[t].name + "'");
    }
  }
}

}  // namespace

void Optimize(Graph& graph) {
  CheckSignalParameters(graph);
  InferShapes(graph);
  FoldConstants(graph);
  DecomposeSignalOps(graph);
  DecomposeEinsum(graph);
  LowerConv3DOps(graph);
  FuseLayerNorm(graph);
  if (!graph.nhwc) LiftSequenceOps(graph);
  LowerToMoteOps(graph);
  if (!graph.nhwc) ConvertLayout(graph);
  FuseDataMovement(graph);
  CheckMoteOps(graph);
  FuseOps(graph);
  RemoveDeadNodes(graph);
  CheckFiniteWeights(graph);
  for (int t : graph.outputs) {
    if (graph.tensors[t].is_const()) {
      throw ConvertError("graph output '" + graph.tensors[t].name +
                             "' is a constant; the model does not depend on its inputs",
                         ErrorKind::kUnsupported);
    }
  }
}

}  // namespace mote::modelc
