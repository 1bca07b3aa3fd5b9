// The layout pass: ONNX's NCHW spatial ops become the runtime's NHWC ops.
//
// Every computed 4-D tensor is stored NHWC. Weights and broadcast constants
// are permuted once, here. Where the element order matters (graph inputs and
// outputs, reshapes across the 4-D boundary) a Transpose is inserted, or a
// Reshape when the two orders coincide (C == 1 or H == W == 1).
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "ir/reference_executor.h"
#include "mote/tensor.h"
#include "ops/strided_gather.h"
#include "ops/op_registry.h"
#include "passes/passes.h"

namespace mote::modelc {
namespace {

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};  // NHWC dim k = NCHW dim kToNhwc[k]
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};

Shape Permuted(const Shape& s, const std::vector<int64_t>& perm) {
  Shape out(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) out[k] = s[perm[k]];
  return out;
}

// True when NCHW and NHWC hold the elements in the same order.
bool SameOrder(const Shape& nchw) { return nchw[1] == 1 || nchw[2] * nchw[3] == 1; }

class LayoutPass {
 public:
  explicit LayoutPass(Graph& g) : g_(g) {}

  void Run() {
    std::vector<Node> out;
    for (int t : g_.inputs) {
      if (IsSpatial(t)) out.push_back(ConvertInput(t));
    }
    for (Node& n : g_.nodes) Rewrite(n, out);
    g_.nodes = std::move(out);
    for (int& t : g_.outputs) {
      if (nhwc_.count(t)) t = RestoreOutput(t);
    }
  }

 private:
  bool IsSpatial(int t) const { return !g_.tensors[t].is_const() && g_.tensors[t].shape.size() == 4; }

  int NewTensor(const std::string& name, const Shape& shape) {
    Tensor t;
    t.name = name;
    t.shape = shape;
    return g_.AddTensor(std::move(t));
  }

  // Copy node `from` -> `to` that reorders (Transpose) or only relabels (Reshape).
  Node Reorder(const std::string& name, int from, int to, const std::vector<int64_t>& perm, bool same_order) {
    Node n;
    n.name = name;
    n.inputs = {from};
    n.outputs = {to};
    if (same_order) {
      n.op = "Reshape";
      n.attrs["shape"].ints = g_.tensors[to].shape;
    } else {
      n.op = "Transpose";
      n.attrs["perm"].ints = perm;
    }
    return n;
  }

  // The graph input stays NCHW (the ONNX contract); its readers get an NHWC copy.
  Node ConvertInput(int t) {
    const Shape nchw = g_.tensors[t].shape;
    const int nhwc = NewTensor(g_.tensors[t].name + ".nhwc", Permuted(nchw, kToNhwc));
    for (Node& n : g_.nodes) std::replace(n.inputs.begin(), n.inputs.end(), t, nhwc);
    std::replace(g_.outputs.begin(), g_.outputs.end(), t, nhwc);
    nhwc_.insert(nhwc);
    return Reorder(g_.tensors[t].name + ".to_nhwc", t, nhwc, kToNhwc, SameOrder(nchw));
  }

  int RestoreOutput(int t) {
    const Shape nchw = Permuted(g_.tensors[t].shape, kToNchw);
    const int restored = NewTensor(g_.tensors[t].name, nchw);
    g_.tensors[t].name += ".nhwc";
    g_.nodes.push_back(Reorder(g_.tensors[restored].name + ".to_nchw", t, restored, kToNchw, SameOrder(nchw)));
    return restored;
  }

  // A constant operand of an op on 4-D tensors: rank 4 (leading 1s), NHWC.
  int BroadcastConstant(int t) {
    Value v = *g_.tensors[t].constant;
    while (v.shape.size() < 4) v.shape.insert(v.shape.begin(), 1);
    return g_.AddConstant(g_.tensors[t].name + ".nhwc", Transpose(Node{}, v, kToNhwc));
  }

  void MarkOutputNhwc(Node& n) {
    for (int t : n.outputs) {
      if (g_.tensors[t].shape.size() != 4) continue;
      g_.tensors[t].shape = Permuted(g_.tensors[t].shape, kToNhwc);
      nhwc_.insert(t);
    }
  }

  // The runtime stores only the leading padding and derives the trailing one;
  // it accepts leading pads up to the window extent - 1 and trailing pads in
  // [1 - stride, extent - 1] (every SAME/VALID geometry).
  static void CheckWindow(const Node& n, const Window& w, const Shape& nchw_in) {
    const int64_t eh = (w.kh - 1) * w.dh + 1, ew = (w.kw - 1) * w.dw + 1;
    const int64_t bottom = (w.out_h - 1) * w.sh + eh - nchw_in[2] - w.pad_top;
    const int64_t right = (w.out_w - 1) * w.sw + ew - nchw_in[3] - w.pad_left;
    if (w.pad_top > eh - 1 || w.pad_left > ew - 1 || bottom > eh - 1 || right > ew - 1) {
      Unsupported(n, "padding as large as the window is not supported");
    }
  }

  void SetWindow(Node& n, const Window& w, const Shape& nchw_in) {
    CheckWindow(n, w, nchw_in);
    n.attrs["stride_h"].i = w.sh;
    n.attrs["stride_w"].i = w.sw;
    n.attrs["dilation_h"].i = w.dh;
    n.attrs["dilation_w"].i = w.dw;
    n.attrs["pad_top"].i = w.pad_top;
    n.attrs["pad_left"].i = w.pad_left;
    n.attrs["pad_bottom"].i = w.pad_bottom;
    n.attrs["pad_right"].i = w.pad_right;
    n.attrs["filter_h"].i = w.kh;
    n.attrs["filter_w"].i = w.kw;
  }

  void RewriteConv(Node& n) {
    const Shape in = Permuted(g_.tensors[n.inputs[0]].shape, kToNchw);  // already NHWC
    const Value& w = *g_.tensors[n.inputs[1]].constant;                  // OIHW
    if (w.shape.size() != 4) Unsupported(n, "only 2-D convolution is supported");
    const Window win = WindowOf(n, in, w.shape[2], w.shape[3]);
    const int64_t groups = n.attr_int("group", 1);
    const int64_t channels = in[1];
    n.attrs.clear();
    SetWindow(n, win, in);
    if (groups == channels && groups > 1 && w.shape[1] == 1) {
      n.op = "DepthwiseConv2D";
      n.attrs["depth_multiplier"].i = w.shape[0] / channels;
      n.inputs[1] = g_.AddConstant(n.name + ".weights", Transpose(n, w, {1, 2, 3, 0}));  // [1,kh,kw,C*m]
    } else {
      n.op = "Conv2D";
      n.attrs["groups"].i = groups;
      n.inputs[1] = g_.AddConstant(n.name + ".weights", Transpose(n, w, {0, 2, 3, 1}));  // OHWI
    }
  }

  void RewritePool(Node& n) {
    const Shape in = Permuted(g_.tensors[n.inputs[0]].shape, kToNchw);
    const auto k = n.attr_ints("kernel_shape");
    if (k.size() != 2) Unsupported(n, "only 2-D pooling is supported");
    const Window win = WindowOf(n, in, k[0], k[1]);
    if (n.op == "AveragePool" && n.attr_int("count_include_pad", 0) &&
        (win.pad_top || win.pad_left || win.pad_bottom || win.pad_right)) {
      Unsupported(n, "average pooling that counts padding (count_include_pad=1) is not supported");
    }
    if (win.dh != 1 || win.dw != 1) Unsupported(n, "dilated pooling is not supported");
    n.op = n.op == "MaxPool" ? "MaxPool2D" : "AveragePool2D";
    n.attrs.clear();
    SetWindow(n, win, in);
    if (n.outputs.size() > 1) n.outputs.resize(1);  // MaxPool's optional indices
  }

  void RewriteMean(Node& n) {
    std::vector<int64_t> axes = n.op == "GlobalAveragePool" ? std::vector<int64_t>{2, 3} : n.attr_ints("axes");
    if (n.op == "ReduceMean" && n.inputs.size() > 1 && n.inputs[1] >= 0) {
      const Value& a = *g_.tensors[n.inputs[1]].constant;
      axes.assign(a.i.begin(), a.i.end());
    }
    for (int64_t& a : axes) a = a < 0 ? a + 4 : a;
    std::sort(axes.begin(), axes.end());
    if (axes != std::vector<int64_t>{2, 3}) Unsupported(n, "only the mean over the spatial axes is supported");
    const bool keep = n.op == "GlobalAveragePool" || n.attr_int("keepdims", 1) != 0;
    n.op = "Mean";
    n.inputs.resize(1);
    n.attrs.clear();
    Shape out = g_.tensors[n.outputs[0]].shape;  // NCHW [N,C,1,1] or [N,C]
    if (keep) out = Permuted(out, kToNhwc);
    n.attrs["shape"].ints = out;
    if (keep) {
      g_.tensors[n.outputs[0]].shape = out;
      nhwc_.insert(n.outputs[0]);
    }
  }

  // A reshape whose input and/or output is stored NHWC.
  void RewriteReshape(Node& n, std::vector<Node>& out) {
    const int in = n.inputs[0], result = n.outputs[0];
    if (nhwc_.count(in)) {
      const Shape nchw = Permuted(g_.tensors[in].shape, kToNchw);
      if (!SameOrder(nchw)) {
        const int tmp = NewTensor(g_.tensors[in].name + ".nchw", nchw);
        out.push_back(Reorder(n.name + ".to_nchw", in, tmp, kToNchw, false));
        n.inputs[0] = tmp;
      }
    }
    if (g_.tensors[result].shape.size() == 4) {
      const Shape nchw = g_.tensors[result].shape;
      if (!SameOrder(nchw)) {
        const int tmp = NewTensor(g_.tensors[result].name + ".nchw", nchw);
        n.outputs[0] = tmp;
        n.attrs["shape"].ints = nchw;
        out.push_back(n);
        g_.tensors[result].shape = Permuted(nchw, kToNhwc);
        nhwc_.insert(result);
        out.push_back(Reorder(n.name + ".to_nhwc", tmp, result, kToNhwc, false));
        return;
      }
      g_.tensors[result].shape = Permuted(nchw, kToNhwc);
      nhwc_.insert(result);
    }
    n.attrs["shape"].ints = g_.tensors[result].shape;
    out.push_back(n);
  }

  // A StridedGather reads its NHWC input and writes a 4-D output NHWC by
  // permuting its source map; no Transpose is needed.
  void RewriteStridedGather(Node& n, std::vector<Node>& out) {
    const int in = n.inputs[0];
    const bool in_nhwc = nhwc_.count(in) != 0;
    const bool out_4d = g_.tensors[n.outputs[0]].shape.size() == 4;
    if (in_nhwc || out_4d) {
      const Shape& shape = g_.tensors[in].shape;
      n.attrs["source"].ints = PermuteSource(n.attr_ints("source"), in_nhwc ? Permuted(shape, kToNchw) : shape,
                                             in_nhwc ? kToNhwc : std::vector<int64_t>{},
                                             g_.tensors[n.outputs[0]].shape,
                                             out_4d ? kToNhwc : std::vector<int64_t>{});
    }
    MarkOutputNhwc(n);
    out.push_back(n);
  }

  // An op whose meaning depends on the axis order (BatchMatMul, LayerNorm)
  // computes in NCHW: NHWC inputs are reordered back and a 4-D result forward.
  void RewriteInNchw(Node& n, std::vector<Node>& out) {
    for (int& t : n.inputs) {
      if (t < 0 || !nhwc_.count(t)) continue;
      const Shape nchw = Permuted(g_.tensors[t].shape, kToNchw);
      const int tmp = NewTensor(g_.tensors[t].name + ".nchw", nchw);
      g_.tensors[tmp].dtype = g_.tensors[t].dtype;  // indices stay integers
      out.push_back(Reorder(n.name + ".to_nchw", t, tmp, kToNchw, SameOrder(nchw)));
      t = tmp;
    }
    const int result = n.outputs[0];
    if (g_.tensors[result].shape.size() != 4) {
      out.push_back(n);
      return;
    }
    const Shape nchw = g_.tensors[result].shape;
    const int tmp = NewTensor(g_.tensors[result].name + ".nchw", nchw);
    n.outputs[0] = tmp;
    out.push_back(n);
    g_.tensors[result].shape = Permuted(nchw, kToNhwc);
    nhwc_.insert(result);
    out.push_back(Reorder(n.name + ".to_nhwc", tmp, result, kToNhwc, SameOrder(nchw)));
  }

  void Rewrite(Node& n, std::vector<Node>& out) {
    const bool spatial = std::any_of(n.inputs.begin(), n.inputs.end(), [&](int t) { return t >= 0 && nhwc_.count(t); });
    if (n.op == "Reshape") return RewriteReshape(n, out);
    if (n.op == "StridedGather") return RewriteStridedGather(n, out);
    if (n.op == "BatchMatMul" || n.op == "LayerNorm" || n.op == "Reduce" || n.op == "TopK" ||
        n.op == "Gather" || n.op == "GatherElements") {
      return RewriteInNchw(n, out);  // TopK: its indices stay NCHW (only output 0 moves)
    }
    // Comparisons and Where broadcasting a lower-rank computed tensor over a 4-D one compute in NCHW.
    if ((n.op == "Compare" || n.op == "Where") && spatial &&
        std::any_of(n.inputs.begin(), n.inputs.end(),
                    [&](int t) { return t >= 0 && !g_.tensors[t].is_const() && !nhwc_.count(t); })) {
      return RewriteInNchw(n, out);
    }
    if (!spatial) {
      static const std::set<std::string> kSpatialOnly = {"Conv", "MaxPool", "AveragePool", "GlobalAveragePool"};
      if (kSpatialOnly.count(n.op)) Unsupported(n, "input must be a 4-D NCHW tensor");
      out.push_back(n);
      return;
    }
    const OpDef* def = FindOp(n.op);
    if (def != nullptr && def->to_nhwc != nullptr) def->to_nhwc(g_, n);
    else if (n.op == "Conv") RewriteConv(n);
    else if (n.op == "MaxPool" || n.op == "AveragePool") RewritePool(n);
    else if (n.op == "GlobalAveragePool" || n.op == "ReduceMean") {
      RewriteMean(n);
      out.push_back(n);
      return;
    }
    else if (n.op == "Concat") {
      const int64_t axis = n.attr_int("axis", 1);
      n.attrs["axis"].i = std::find(kToNhwc.begin(), kToNhwc.end(), axis < 0 ? axis + 4 : axis) - kToNhwc.begin();
    } else if (n.op == "Pad") {
      const std::vector<int64_t> pads = n.attr_ints("pads");  // normalized by lowering
      const float value = n.attr_float("value", 0.0f);
      if (pads.size() != 8) Fail(n, "pads must have 8 values for a 4-D input");
      std::vector<int64_t> nhwc(8);
      for (int k = 0; k < 4; ++k) {
        nhwc[k] = pads[kToNhwc[k]];
        nhwc[k + 4] = pads[kToNhwc[k] + 4];
      }
      const std::string mode = n.has_attr("mode") ? n.attrs.at("mode").s : "constant";
      n.attrs.clear();
      n.attrs["pads"].ints = nhwc;
      n.attrs["value"].f = value;
      n.attrs["mode"].s = mode;
    } else if (n.op == "Transpose") {
      std::vector<int64_t> p = n.attr_ints("perm");
      if (p.empty()) p = {3, 2, 1, 0};
      std::vector<int64_t> q(4);
      for (int k = 0; k < 4; ++k) q[k] = kToNchw[p[kToNhwc[k]]];
      n.attrs["perm"].ints = q;
    } else if (n.op == "Softmax") {
      // Lowering left axis 1 (channels) or -1 (NCHW's width); NHWC's last
      // axis is the channels, which is the width's order only when C == 1.
      const Shape nchw = Permuted(g_.tensors[n.inputs[0]].shape, kToNchw);
      if (n.attr_int("axis", -1) != 1 && nchw[1] != 1) {
        Unsupported(n, "softmax over the width axis of a 4-D tensor " + ShapeString(nchw) +
                           " is not supported (only over the channels, axis 1)");
      }
      n.attrs["axis"].i = -1;  // channels, last in NHWC
    } else if (n.op == "CumSum") {
      const int64_t axis = n.attr_int("axis", 0);
      n.attrs["axis"].i = std::find(kToNhwc.begin(), kToNhwc.end(), axis) - kToNhwc.begin();
    } else if (n.op == "Add" || n.op == "Mul" || n.op == "Compare" || n.op == "Where") {
      for (int& t : n.inputs) {
        if (g_.tensors[t].is_const()) t = BroadcastConstant(t);
        else if (!nhwc_.count(t)) Unsupported(n, "broadcasting a lower-rank computed tensor over a 4-D one");
      }
    } else if (n.op == "FullyConnected" || n.op == "Flatten") {
      Unsupported(n, "a 4-D input must be flattened first");
    }
    MarkOutputNhwc(n);
    out.push_back(n);
  }

  Graph& g_;
  std::set<int> nhwc_;
};

}  // namespace

void ConvertLayout(Graph& graph) { LayoutPass(graph).Run(); }

void CheckMoteOps(const Graph& g) {
  static const std::set<std::string> kMoteOps = {
      "FullyConnected", "Relu", "Relu6", "Clip", "Sigmoid", "Tanh", "Softmax", "Reshape", "Add",
      "Conv2D", "DepthwiseConv2D", "AveragePool2D", "MaxPool2D", "Mean", "Mul", "Concat", "Pad",
      "Transpose", "HardSwish", "LeakyRelu", "Quantize", "Dequantize", "TreeEnsemble", "ClassifierHead",
      "Normalize", "Svm", "SvmPairwise", "Unary", "StridedGather", "BatchMatMul", "LayerNorm",
      "Reduce", "Rnn", "TransposeConv2D", "Resize", "Compare", "Where", "CumSum", "TopK",
      "Spectrogram", "Dct", "Fifo", "Gather", "GatherElements"};
  // Integer activations (indices) are read only by the ops that move them.
  static const std::set<std::string> kIndexReaders = {"Gather", "GatherElements", "Reshape"};
  for (const Node& n : g.nodes) {
    if (!kMoteOps.count(n.op)) Unsupported(n, "operator has no mote equivalent for these inputs");
    for (const std::vector<int>* list : {&n.inputs, &n.outputs}) {
      for (int t : *list) {
        if (t >= 0 && g.tensors[t].shape.size() > static_cast<size_t>(mote::kMaxRank)) {
          Unsupported(n, "tensor '" + g.tensors[t].name + "' has rank " + std::to_string(g.tensors[t].shape.size()) +
                             "; the runtime holds at most " + std::to_string(mote::kMaxRank) + " dimensions");
        }
      }
    }
    for (int t : n.inputs) {
      if (t >= 0 && !g.tensors[t].is_const() && IsIndexType(g.tensors[t].dtype) && kIndexReaders.count(n.op)) {
        continue;
      }
      if (t >= 0 && !g.tensors[t].is_const() && g.tensors[t].dtype != DType::kFloat32 && !g.prequantized) {
        Unsupported(n, "computed input '" + g.tensors[t].name + "' is " + DTypeName(g.tensors[t].dtype) +
                           "; only float32 activations are supported");
      }
    }
  }
}

}  // namespace mote::modelc
