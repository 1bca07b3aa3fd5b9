// 1-D sequence models (Conv1d, MaxPool1d, AvgPool1d, BatchNorm1d,
// AdaptiveAvgPool1d over [N, C, L]) run as the 2-D ops over [N, C, 1, L],
// which hold the same elements in the same order. The pass lifts the
// connected region of 3-D tensors around the 1-D window ops to rank 4, so the
// layout pass stores it NHWC ([N, 1, L, C]) like any image and a Reshape is
// needed only where the region meets an op that must see the 3-D tensor.
#include <algorithm>
#include <set>

#include "ir/reference_executor.h"
#include "ops/op_registry.h"
#include "passes/passes.h"

namespace mote::modelc {
namespace {

bool IsComputed3D(const Graph& g, int t) {
  return t >= 0 && !g.tensors[t].is_const() && g.tensors[t].shape.size() == 3;
}

Shape Lifted(const Shape& s) { return {s[0], s[1], 1, s[2]}; }

// A constant broadcast against [N, C, L] (aligned to the right) as one
// broadcast against [N, C, 1, L]: rank 2 and 3 gain the 1 before their last
// axis; rank 0 and 1 broadcast alike.
Shape LiftedBroadcast(Shape s) {
  if (s.size() >= 2) s.insert(s.end() - 1, 1);
  return s;
}

std::vector<int64_t> ConstInts(const Graph& g, const Node& n, size_t k) {
  if (k >= n.inputs.size() || n.inputs[k] < 0) return {};
  const Tensor& t = g.tensors[n.inputs[k]];
  if (!t.is_const() || !t.constant->is_int) return {};
  return t.constant->i;
}

int64_t NormalizedAxis(int64_t axis) { return axis < 0 ? axis + 3 : axis; }

// Ops that see no difference between [N, C, L] and [N, C, 1, L] once their
// attributes are adjusted (Adjust below).
const std::set<std::string>& ElementwiseOps() {
  static const std::set<std::string> kOps = {
      "Relu",      "Clip",        "Sigmoid",  "Tanh",    "LeakyRelu",
      "HardSwish", "HardSigmoid", "Identity", "Dropout", "Neg",
      "Abs",       "Sqrt",        "Exp",      "Add",     "Sub",
      "Mul",       "Div",         "Pow",      "Sum",     "BatchNormalization"};
  return kOps;
}

bool IsWindow1D(const Graph& g, const Node& n) {
  if (n.inputs.empty() || !IsComputed3D(g, n.inputs[0])) return false;
  if (n.op == "Conv" || n.op == "ConvTranspose") {
    return n.inputs.size() > 1 && n.inputs[1] >= 0 && g.tensors[n.inputs[1]].is_const() &&
           g.tensors[n.inputs[1]].shape.size() == 3;
  }
  if (n.op == "MaxPool" || n.op == "AveragePool") return n.attr_ints("kernel_shape").size() == 1;
  return n.op == "GlobalAveragePool" || n.op == "GlobalMaxPool";
}

// Mean over the length axis only: [N, C, L] -> [N, C(, 1)].
bool IsLengthMean(const Graph& g, const Node& n) {
  if (n.op != "ReduceMean" || n.inputs.empty() || !IsComputed3D(g, n.inputs[0])) return false;
  std::vector<int64_t> axes = n.has_attr("axes") ? n.attr_ints("axes") : ConstInts(g, n, 1);
  return axes.size() == 1 && NormalizedAxis(axes[0]) == 2;
}

class Lift1D {
 public:
  explicit Lift1D(Graph& g) : g_(g), lifted_(g.tensors.size(), -1) {}

  void Run() {
    if (!Mark()) return;
    std::vector<Node> out;
    for (int t : g_.inputs) {
      if (Twin(t) >= 0) out.push_back(Reshape(t, Twin(t)));
    }
    for (Node n : g_.nodes) {
      const bool lift = Liftable(n) && Touches(n);
      for (int& t : n.inputs) {
        if (lift && Twin(t) >= 0) t = Twin(t);
      }
      if (lift) Adjust(n);
      std::vector<int> lowered;  // 3-D outputs read as such too
      for (int& t : n.outputs) {
        if (lift && Twin(t) >= 0) {
          lowered.push_back(t);
          t = Twin(t);
        }
      }
      const std::vector<int> produced = n.outputs;
      out.push_back(std::move(n));
      for (int t : produced) {
        if (Twin(t) >= 0) {
          out.push_back(Reshape(t, lifted_[t]));  // a 3-D producer outside the region
        }
      }
      for (int t : lowered) {
        if (ReadAs3D(t)) out.push_back(Reshape(lifted_[t], t));
      }
    }
    g_.nodes = std::move(out);
  }

 private:
  bool Liftable(const Node& n) const {
    if (IsWindow1D(g_, n) || IsLengthMean(g_, n)) return true;
    if (n.op ==
        "Softmax") {  // over the channels only: the runtime's softmax is over NHWC's last axis
      return g_.opset >= 13 && NormalizedAxis(n.attr_int("axis", -1)) == 1 &&
             AllComputed3D(n, false);
    }
    if (n.op == "Concat") {  // the layout pass permutes computed inputs only
      for (int t : n.inputs) {
        if (t >= 0 && g_.tensors[t].is_const()) return false;
      }
      return AllComputed3D(n, false);
    }
    if (n.op == "Pad") {
      const size_t pads =
          n.has_attr("pads") ? n.attr_ints("pads").size() : ConstInts(g_, n, 1).size();
      return pads == 6 && (n.inputs.size() < 4 || n.inputs[3] < 0) && AllComputed3D(n, false);
    }
    const OpDef* def = FindOp(n.op);
    const bool elementwise = ElementwiseOps().count(n.op) || (def != nullptr && def->elementwise);
    return elementwise && AllComputed3D(n, true);
  }

  // Every computed input and output is 3-D (constants broadcast when
  // `broadcast`, else they must be 3-D too).
  bool AllComputed3D(const Node& n, bool broadcast) const {
    bool any = false;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const int t = n.inputs[k];
      if (t < 0) continue;
      const Tensor& x = g_.tensors[t];
      if (x.is_const()) {
        if (n.op == "Pad" && k > 0) continue;
        if (n.op == "BatchNormalization" || n.op == "Clip")
          continue;  // per channel / scalar operands
        if (x.shape.size() > 3 || (!broadcast && x.shape.size() != 3)) return false;
        continue;
      }
      if (x.shape.size() != 3) return false;
      any = true;
    }
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      const int t = n.outputs[k];
      if (t < 0) continue;
      if (k > 0 && g_.Consumers(t).empty() && !g_.IsGraphOutput(t)) continue;  // unused extras
      if (g_.tensors[t].shape.size() != 3) return false;
    }
    return any;
  }

  // The rank-4 twin of tensor t, or -1 (also for tensors added by the pass).
  int Twin(int t) const { return t >= 0 && t < static_cast<int>(lifted_.size()) ? lifted_[t] : -1; }

  bool Touches(const Node& n) const {
    for (int t : n.inputs) {
      if (Twin(t) >= 0) return true;
    }
    for (int t : n.outputs) {
      if (Twin(t) >= 0) return true;
    }
    return false;
  }

  void MarkNode(const Node& n, bool& changed) {
    auto mark = [&](int t) {
      if (!IsComputed3D(g_, t) || Twin(t) >= 0) return;
      Tensor x;
      x.name = g_.tensors[t].name + ".h1";
      x.dtype = g_.tensors[t].dtype;
      x.shape = Lifted(g_.tensors[t].shape);
      x.pinned = g_.tensors[t].pinned;  // a QDQ model's parameters (passes/qdq.cc)
      lifted_[t] = g_.AddTensor(std::move(x));
      changed = true;
    };
    for (int t : n.inputs) mark(t);
    for (int t : n.outputs) mark(t);
  }

  // Lifts the tensors of the 1-D window ops, then of every liftable op that
  // touches a lifted tensor, until nothing changes. False if nothing is 1-D.
  bool Mark() {
    bool changed = false;
    for (const Node& n : g_.nodes) {
      if (IsWindow1D(g_, n)) MarkNode(n, changed);
    }
    if (!changed) return false;
    while (changed) {
      changed = false;
      for (const Node& n : g_.nodes) {
        if (Liftable(n) && Touches(n)) MarkNode(n, changed);
      }
    }
    return true;
  }

  bool ReadAs3D(int t) const {
    if (g_.IsGraphOutput(t)) return true;
    for (int c : g_.Consumers(t)) {
      if (!(Liftable(g_.nodes[c]) && Touches(g_.nodes[c]))) return true;
    }
    return false;
  }

  Node Reshape(int from, int to) {
    Node n;
    n.name = g_.tensors[to].name + ".reshape";
    n.op = "Reshape";
    const Shape& s = g_.tensors[to].shape;
    n.inputs = {from,
                g_.AddConstant(n.name + ".shape", Value::Int({static_cast<int64_t>(s.size())}, s))};
    n.outputs = {to};
    return n;
  }

  int LiftedConstant(const Node& n, int t, const Shape& shape) {
    Value v = *g_.tensors[t].constant;
    v.shape = shape;
    return g_.AddConstant(n.name + "." + g_.tensors[t].name + ".h1", std::move(v));
  }

  void Adjust(Node& n) {
    if (n.op == "ConvTranspose") {
      n = ConvTransposeAs2D(n);
      n.inputs[1] = LiftedConstant(n, n.inputs[1], Lifted(g_.tensors[n.inputs[1]].shape));
      return;
    }
    if (n.op == "Conv" || n.op == "MaxPool" || n.op == "AveragePool") {
      n = AsWindow2D(n);
      if (n.op == "Conv")
        n.inputs[1] = LiftedConstant(n, n.inputs[1], Lifted(g_.tensors[n.inputs[1]].shape));
      return;
    }
    if (n.op == "ReduceMean") {
      if (n.has_attr("axes")) {
        n.attrs["axes"].ints = {2, 3};
      } else {
        n.inputs[1] = g_.AddConstant(n.name + ".axes.h1", Value::Int({2}, {2, 3}));
      }
      return;
    }
    if (n.op == "Concat") {
      if (NormalizedAxis(n.attr_int("axis", 0)) == 2) n.attrs["axis"].i = 3;
      return;
    }
    if (n.op == "Pad") {
      const std::vector<int64_t> p = n.has_attr("pads") ? n.attr_ints("pads") : ConstInts(g_, n, 1);
      const std::vector<int64_t> pads = {p[0], p[1], 0, p[2], p[3], p[4], 0, p[5]};
      if (n.has_attr("pads")) {
        n.attrs["pads"].ints = pads;
      } else {
        n.inputs[1] = g_.AddConstant(n.name + ".pads.h1", Value::Int({8}, pads));
      }
      return;
    }
    if (n.op == "BatchNormalization" || n.op == "Clip") return;
    for (int& t : n.inputs) {  // broadcast operands of elementwise ops
      if (t >= 0 && g_.tensors[t].is_const() && g_.tensors[t].shape.size() >= 2) {
        t = LiftedConstant(n, t, LiftedBroadcast(g_.tensors[t].shape));
      }
    }
  }

  Graph& g_;
  std::vector<int> lifted_;  // per original tensor: its rank-4 twin, or -1
};

}  // namespace

void LiftSequenceOps(Graph& graph) { Lift1D(graph).Run(); }

}  // namespace mote::modelc
