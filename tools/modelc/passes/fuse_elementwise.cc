// Elementwise chains that compute a function of one tensor become one
// tabulated Unary (quantized models only; see passes.h).
#include <algorithm>
#include <set>

#include "passes/passes.h"

namespace mote::modelc {
namespace {

constexpr int64_t kTableFunction = 22;  // schema::UnaryFunction::Table

bool IsScalarConstant(const Graph& g, int t) {
  return t >= 0 && g.tensors[t].is_const() && NumElements(g.tensors[t].shape) == 1 &&
         !g.tensors[t].constant->is_int;
}

// One computed input (or two of the output's shape), constants only scalars.
bool IsElementwise(const Graph& g, const Node& n) {
  static const std::set<std::string> kUnary = {"Unary",     "Sigmoid", "Tanh",  "HardSwish",
                                               "LeakyRelu", "Relu",    "Relu6", "Clip"};
  if (n.outputs.size() != 1) return false;
  if (kUnary.count(n.op)) return n.inputs.size() == 1;
  if ((n.op != "Add" && n.op != "Mul") || n.inputs.size() != 2) return false;
  const Shape& out = g.tensors[n.outputs[0]].shape;
  for (int t : n.inputs) {
    if (t < 0) return false;
    if (g.tensors[t].is_const() ? !IsScalarConstant(g, t) : g.tensors[t].shape != out) return false;
  }
  return true;
}

class ChainFusion {
 public:
  explicit ChainFusion(Graph& g)
      : g_(g), source_(g.tensors.size(), -1), producer_(g.tensors.size(), -1) {}

  void Run() {
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      const Node& n = g_.nodes[k];
      for (int t : n.outputs) producer_[t] = static_cast<int>(k);
      std::set<int> sources;
      bool elementwise = IsElementwise(g_, n);
      for (int t : n.inputs) {
        if (t >= 0 && !g_.tensors[t].is_const()) sources.insert(SourceOf(t));
      }
      for (int t : n.outputs)
        source_[t] = elementwise && sources.size() == 1 ? *sources.begin() : t;
    }
    std::vector<Node> fused(g_.nodes.size());
    std::vector<bool> replaced(g_.nodes.size(), false);
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      const Node& n = g_.nodes[k];
      if (!IsElementwise(g_, n) || source_[n.outputs[0]] == n.outputs[0] || !Exported(n.outputs[0]))
        continue;
      std::vector<int> body;  // node indices, in graph order
      Collect(n.outputs[0], source_[n.outputs[0]], body);
      if (body.size() < 2 || !Quantized(body, source_[n.outputs[0]])) continue;
      Node u;
      u.name = n.name + ".fused";
      u.op = "Unary";
      u.inputs = {source_[n.outputs[0]]};
      u.outputs = n.outputs;
      u.attrs["function"].i = kTableFunction;
      std::sort(body.begin(), body.end());
      for (int b : body) u.body.push_back(g_.nodes[b]);
      fused[k] = std::move(u);
      replaced[k] = true;
    }
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      if (replaced[k]) g_.nodes[k] = std::move(fused[k]);
    }
    RemoveDeadNodes(g_);
  }

 private:
  int SourceOf(int t) const { return source_[t] >= 0 ? source_[t] : t; }

  // Read by anything but an elementwise node of the same chain.
  bool Exported(int t) const {
    if (g_.IsGraphOutput(t)) return true;
    for (int c : g_.Consumers(t)) {
      const Node& n = g_.nodes[c];
      if (!IsElementwise(g_, n) || source_[n.outputs[0]] != source_[t]) return true;
    }
    return false;
  }

  // The chain's input and every tensor it computes hold one integer type
  // (float parts of a quantized model, e.g. classic models' scores, stay).
  bool Quantized(const std::vector<int>& body, int source) const {
    const DType type = g_.tensors[source].dtype;
    if (type != DType::kInt8 && type != DType::kInt16) return false;
    for (int b : body) {
      for (int t : g_.nodes[b].outputs) {
        if (g_.tensors[t].dtype != type || !g_.tensors[t].quant) return false;
      }
    }
    return true;
  }

  void Collect(int t, int source, std::vector<int>& body) const {
    if (t == source || g_.tensors[t].is_const()) return;
    const int p = producer_[t];
    if (std::find(body.begin(), body.end(), p) != body.end()) return;
    body.push_back(p);
    for (int in : g_.nodes[p].inputs) Collect(in, source, body);
  }

  Graph& g_;
  std::vector<int> source_;    // per tensor: the one tensor it is an elementwise function of
  std::vector<int> producer_;  // per tensor: its node
};

}  // namespace

void FuseElementwiseChains(Graph& graph) { ChainFusion(graph).Run(); }

}  // namespace mote::modelc
