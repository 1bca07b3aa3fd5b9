// Layer normalization as exported before opset 17 (PyTorch's nn.LayerNorm at
// opset 13): m = ReduceMean(x), d = x - m, v = ReduceMean(d ^ 2),
// n = d / Sqrt(v + eps), y = n * gamma + beta (gamma and beta optional),
// both means over the same trailing axes, becomes one LayerNormalization.
#include <algorithm>
#include <set>

#include "passes/passes.h"

namespace mote::modelc {
namespace {

// The single node reading `t` (none if t is a graph output or read twice).
int OnlyConsumer(const Graph& g, int t) {
  const std::vector<int> c = g.Consumers(t);
  return c.size() == 1 && !g.IsGraphOutput(t) ? c[0] : -1;
}

const Value* Constant(const Graph& g, int t) {
  return t >= 0 && g.tensors[t].is_const() ? &*g.tensors[t].constant : nullptr;
}

// The other input of binary node `n` than `t`, -1 if `t` is not an input.
int Other(const Node& n, int t) {
  if (n.inputs.size() != 2) return -1;
  if (n.inputs[0] == t) return n.inputs[1];
  if (n.inputs[1] == t) return n.inputs[0];
  return -1;
}

bool IsScalar(const Value* v, float* value) {
  if (v == nullptr || v->size() != 1 || v->is_int) return false;
  *value = v->f[0];
  return true;
}

// The first normalized axis if `mean` (a ReduceMean keeping dims) averages
// exactly the trailing axes of its input, else -1.
int64_t TrailingAxis(const Graph& g, const Node& mean) {
  if (mean.op != "ReduceMean" || mean.attr_int("keepdims", 1) == 0) return -1;
  std::vector<int64_t> axes = mean.attr_ints("axes");
  if (mean.inputs.size() > 1 && mean.inputs[1] >= 0) {
    const Value* a = Constant(g, mean.inputs[1]);
    if (a == nullptr || !a->is_int) return -1;
    axes = a->i;
  }
  const int64_t rank = static_cast<int64_t>(g.tensors[mean.inputs[0]].shape.size());
  if (axes.empty() || rank == 0) return -1;
  for (int64_t& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  for (size_t k = 0; k < axes.size(); ++k) {
    if (axes[k] != rank - static_cast<int64_t>(axes.size() - k)) return -1;
  }
  return axes[0];
}

struct Match {
  std::vector<int> nodes;  // every node of the pattern
  int last = -1;           // the node whose output becomes the LayerNormalization's
  int x = -1, gamma = -1, beta = -1;
  int64_t axis = -1;
  float epsilon = 0;
};

bool MatchAt(const Graph& g, int mean_index, Match* m) {
  const Node& mean = g.nodes[mean_index];
  m->axis = TrailingAxis(g, mean);
  if (m->axis < 0) return false;
  m->x = mean.inputs[0];
  const int sub = OnlyConsumer(g, mean.outputs[0]);
  if (sub < 0 || g.nodes[sub].op != "Sub" ||
      g.nodes[sub].inputs != std::vector<int>{m->x, mean.outputs[0]})
    return false;
  const int d = g.nodes[sub].outputs[0];
  const std::vector<int> users = g.Consumers(d);
  if (users.size() != 2 || g.IsGraphOutput(d)) return false;
  int pow = users[0], div = users[1];
  if (g.nodes[pow].op != "Pow") std::swap(pow, div);
  float value = 0;
  if (g.nodes[pow].op != "Pow" || g.nodes[pow].inputs.size() != 2 || g.nodes[pow].inputs[0] != d ||
      !IsScalar(Constant(g, g.nodes[pow].inputs[1]), &value) || value != 2.0f)
    return false;
  if (g.nodes[div].op != "Div" || g.nodes[div].inputs.size() != 2 || g.nodes[div].inputs[0] != d)
    return false;
  const int var = OnlyConsumer(g, g.nodes[pow].outputs[0]);
  if (var < 0 || TrailingAxis(g, g.nodes[var]) != m->axis) return false;
  const int add = OnlyConsumer(g, g.nodes[var].outputs[0]);
  if (add < 0 || g.nodes[add].op != "Add" ||
      !IsScalar(Constant(g, Other(g.nodes[add], g.nodes[var].outputs[0])), &m->epsilon) ||
      m->epsilon < 0)
    return false;
  const int sqrt = OnlyConsumer(g, g.nodes[add].outputs[0]);
  if (sqrt < 0 || g.nodes[sqrt].op != "Sqrt" ||
      g.nodes[div].inputs[1] != g.nodes[sqrt].outputs[0] ||
      OnlyConsumer(g, g.nodes[sqrt].outputs[0]) != div)
    return false;
  m->nodes = {mean_index, sub, pow, var, add, sqrt, div};
  m->last = div;
  // Optional affine part: Mul by a constant, then Add of a constant.
  const int mul = OnlyConsumer(g, g.nodes[div].outputs[0]);
  if (mul >= 0 && g.nodes[mul].op == "Mul" &&
      Constant(g, Other(g.nodes[mul], g.nodes[div].outputs[0]))) {
    m->gamma = Other(g.nodes[mul], g.nodes[div].outputs[0]);
    m->nodes.push_back(mul);
    m->last = mul;
    const int bias = OnlyConsumer(g, g.nodes[mul].outputs[0]);
    if (bias >= 0 && g.nodes[bias].op == "Add" &&
        Constant(g, Other(g.nodes[bias], g.nodes[mul].outputs[0]))) {
      m->beta = Other(g.nodes[bias], g.nodes[mul].outputs[0]);
      m->nodes.push_back(bias);
      m->last = bias;
    }
  }
  return true;
}

}  // namespace

void FuseLayerNorm(Graph& g) {
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    Match m;
    if (g.nodes[k].op != "ReduceMean" || !MatchAt(g, static_cast<int>(k), &m)) continue;
    const Shape xs = g.tensors[m.x].shape;
    if (m.gamma < 0) {
      const Shape row(xs.begin() + m.axis, xs.end());
      m.gamma = g.AddConstant(g.nodes[m.last].name + ".ones",
                              Value::Float(row, Eigen::ArrayXf::Ones(NumElements(row))));
    }
    Node ln;
    ln.name = g.nodes[m.last].name;
    ln.op = "LayerNormalization";
    ln.inputs = {m.x, m.gamma, m.beta};
    ln.outputs = {g.nodes[m.last].outputs[0]};
    ln.attrs["axis"].i = m.axis;
    ln.attrs["epsilon"].f = m.epsilon;
    const std::set<int> drop(m.nodes.begin(), m.nodes.end());
    std::vector<Node> kept;
    for (size_t j = 0; j < g.nodes.size(); ++j) {
      if (static_cast<int>(j) == m.last)
        kept.push_back(ln);
      else if (!drop.count(static_cast<int>(j)))
        kept.push_back(std::move(g.nodes[j]));
    }
    g.nodes = std::move(kept);
    k = 0;
  }
}

}  // namespace mote::modelc
