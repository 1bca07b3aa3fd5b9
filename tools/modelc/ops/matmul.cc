// Matrix products of computed tensors: ONNX MatMul (numpy semantics: 1-D
// operands promoted, batch axes broadcast) and Gemm whose B is computed,
// lowered to the runtime's BatchMatMul (equal ranks, optional transposed B).
// A constant 2-D B stays a FullyConnected (passes/lower.cc).
#include <algorithm>

#include "mote/schema/mote_generated.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

Shape Padded(Shape s, size_t rank) {
  s.insert(s.begin(), rank - s.size(), 1);
  return s;
}

// out[b] = a[b] x b[b] (b[b] transposed if transpose_b), numpy broadcasting of
// batch axes; 1-D operands are promoted and their axis dropped from the result.
Value Product(const Node& n, const Value& a, const Value& b, bool transpose_b) {
  if (a.is_int || b.is_int) Fail(n, "inputs must be float");
  if (a.shape.empty() || b.shape.empty()) Fail(n, "inputs must have at least one axis");
  if (a.size() == 0 || b.size() == 0) {
    Unsupported(n, "an empty operand " + ShapeString(a.size() == 0 ? a.shape : b.shape) +
                       " is not supported");
  }
  Shape as = a.shape, bs = b.shape;
  const bool a_vector = as.size() == 1, b_vector = bs.size() == 1;
  if (a_vector) as.insert(as.begin(), 1);
  if (b_vector) bs.push_back(1);  // [K] -> [K, 1] (never transposed: MatMul has no transpose)
  const size_t rank = std::max(as.size(), bs.size());
  as = Padded(as, rank);
  bs = Padded(bs, rank);
  const int64_t m = as[rank - 2], k = as[rank - 1];
  const int64_t bk = transpose_b ? bs[rank - 1] : bs[rank - 2];
  const int64_t nn = transpose_b ? bs[rank - 2] : bs[rank - 1];
  if (bk != k) {
    Fail(n, "inner dimensions differ: " + ShapeString(a.shape) + " times " + ShapeString(b.shape));
  }
  Shape out(rank);
  for (size_t d = 0; d + 2 < rank; ++d) {
    if (as[d] != bs[d] && as[d] != 1 && bs[d] != 1) {
      Fail(n, "batch axes of " + ShapeString(a.shape) + " and " + ShapeString(b.shape) +
                  " do not broadcast");
    }
    out[d] = std::max(as[d], bs[d]);
  }
  out[rank - 2] = m;
  out[rank - 1] = nn;
  Eigen::ArrayXf y(NumElements(out));
  const int64_t batches = NumElements(out) / (m * nn);
  for (int64_t o = 0; o < batches; ++o) {
    int64_t ai = 0, bi = 0, rest = o, astep = 1, bstep = 1;
    for (size_t d = rank - 2; d-- > 0;) {
      const int64_t i = rest % out[d];
      rest /= out[d];
      ai += (as[d] == 1 ? 0 : i) * astep;
      bi += (bs[d] == 1 ? 0 : i) * bstep;
      astep *= as[d];
      bstep *= bs[d];
    }
    const float* am = a.f.data() + ai * m * k;
    const float* bm = b.f.data() + bi * k * nn;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < nn; ++j) {
        double acc = 0;
        for (int64_t q = 0; q < k; ++q) {
          acc +=
              static_cast<double>(am[i * k + q]) * (transpose_b ? bm[j * k + q] : bm[q * nn + j]);
        }
        y[o * m * nn + i * nn + j] = static_cast<float>(acc);
      }
    }
  }
  if (b_vector) out.pop_back();
  if (a_vector) out.erase(out.end() - (b_vector ? 1 : 2));
  return Value::Float(out, std::move(y));
}

// Integer inputs are refused naming the tensor (a Cast to an integer type upstream).
void ExpectFloat(const Graph& g, const Node& n, const OpInputs& ins, size_t count) {
  for (size_t k = 0; k < count && k < ins.size(); ++k) {
    if (ins[k] == nullptr || !ins[k]->is_int) continue;
    const bool named = k < n.inputs.size() && n.inputs[k] >= 0 &&
                       static_cast<size_t>(n.inputs[k]) < g.tensors.size();
    Fail(n, "input " + std::to_string(k) +
                (named ? " ('" + g.tensors[n.inputs[k]].name + "')" : "") +
                " is an integer tensor; the op needs float");
  }
}

std::vector<Value> EvalMatMul(const Graph& g, const Node& n, const OpInputs& ins) {
  if (ins.size() != 2 || ins[0] == nullptr || ins[1] == nullptr) Fail(n, "needs inputs A and B");
  ExpectFloat(g, n, ins, 2);
  return {Product(n, *ins[0], *ins[1], false)};
}

std::vector<Value> EvalBatchMatMul(const Graph& g, const Node& n, const OpInputs& ins) {
  ExpectFloat(g, n, ins, 2);
  Value y = Product(n, *ins.at(0), *ins.at(1), n.attr_int("transpose_b", 0) != 0);
  y.f = y.f.max(n.attr_float("act_min", -INFINITY)).min(n.attr_float("act_max", INFINITY));
  return {y};
}

// Gemm: alpha * A' B' + beta * C, A' and B' 2-D, optionally transposed.
std::vector<Value> EvalGemm(const Graph& g, const Node& n, const OpInputs& ins) {
  if (ins.size() < 2 || ins[0] == nullptr || ins[1] == nullptr) Fail(n, "needs inputs A and B");
  ExpectFloat(g, n, ins, 3);
  const Value& a = *ins[0];
  if (a.shape.size() != 2 || ins[1]->shape.size() != 2) Fail(n, "Gemm needs 2-D inputs");
  Value at = a;
  if (n.attr_int("transA", 0)) {
    at.shape = {a.shape[1], a.shape[0]};
    for (int64_t r = 0; r < a.shape[0]; ++r)
      for (int64_t c = 0; c < a.shape[1]; ++c) at.f[c * a.shape[0] + r] = a.f[r * a.shape[1] + c];
  }
  Value y = Product(n, at, *ins[1], n.attr_int("transB", 0) != 0);
  y.f *= n.attr_float("alpha", 1.0f);
  if (ins.size() > 2 && ins[2] != nullptr) {
    const Value& c = *ins[2];
    const float beta = n.attr_float("beta", 1.0f);
    const Shape cs = Padded(c.shape, 2);
    if (c.shape.size() > 2 || (cs[0] != 1 && cs[0] != y.shape[0]) ||
        (cs[1] != 1 && cs[1] != y.shape[1])) {
      Fail(n, "C " + ShapeString(c.shape) + " does not broadcast to " + ShapeString(y.shape));
    }
    for (int64_t r = 0; r < y.shape[0]; ++r)
      for (int64_t q = 0; q < y.shape[1]; ++q) {
        y.f[r * y.shape[1] + q] +=
            beta * c.AsFloat((cs[0] == 1 ? 0 : r) * cs[1] + (cs[1] == 1 ? 0 : q));
      }
  }
  return {y};
}

int NewTensor(Graph& g, const std::string& name, const Shape& shape) {
  Tensor t;
  t.name = name;
  t.shape = shape;
  return g.AddTensor(std::move(t));
}

Node MakeNode(const std::string& name, const std::string& op, std::vector<int> inputs, int output) {
  Node m;
  m.name = name;
  m.op = op;
  m.inputs = std::move(inputs);
  m.outputs = {output};
  return m;
}

// `t` as rank `shape.size()`: itself, a reshaped constant, or a Reshape node.
int AsShape(Graph& g, std::vector<Node>& nodes, const std::string& name, int t,
            const Shape& shape) {
  if (g.tensors[t].shape == shape) return t;
  if (g.tensors[t].is_const()) {
    Value v = *g.tensors[t].constant;
    v.shape = shape;
    return g.AddConstant(name, std::move(v));
  }
  const int r = NewTensor(g, name, shape);
  Node reshape = MakeNode(name, "Reshape", {t}, r);
  reshape.attrs["shape"].ints = shape;
  nodes.push_back(reshape);
  return r;
}

// B produced by a Transpose that swaps only its last two axes (K^T in
// attention): read its input with transpose_b instead of copying.
int UntransposedB(const Graph& g, int b, bool* transpose_b) {
  const int p = g.Producer(b);
  if (p < 0 || g.nodes[p].op != "Transpose" || g.IsGraphOutput(b)) return b;
  const std::vector<int64_t> perm = g.nodes[p].attr_ints("perm");
  const size_t rank = g.tensors[b].shape.size();
  if (perm.size() != rank || rank < 2) return b;
  for (size_t d = 0; d + 2 < rank; ++d) {
    if (perm[d] != static_cast<int64_t>(d)) return b;
  }
  if (perm[rank - 2] != static_cast<int64_t>(rank - 1) ||
      perm[rank - 1] != static_cast<int64_t>(rank - 2))
    return b;
  *transpose_b = !*transpose_b;
  return g.nodes[p].inputs[0];
}

// a x b (b transposed if transpose_b) into `y`: operands reshaped to the
// common rank, a BatchMatMul, and a Reshape to y's shape if it differs.
std::vector<Node> ProductNodes(Graph& g, const Node& n, int a, int b, bool transpose_b, int y) {
  std::vector<Node> nodes;
  b = UntransposedB(g, b, &transpose_b);
  Shape as = g.tensors[a].shape, bs = g.tensors[b].shape;
  if (as.empty() || bs.empty()) Unsupported(n, "scalar operands are not supported");
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const size_t rank = std::max(as.size(), bs.size());
  if (rank > 6) Unsupported(n, "products of rank above 6 are not supported");
  as = Padded(as, rank);
  bs = Padded(bs, rank);
  Shape out(rank);
  for (size_t d = 0; d + 2 < rank; ++d) out[d] = std::max(as[d], bs[d]);
  out[rank - 2] = as[rank - 2];
  out[rank - 1] = transpose_b ? bs[rank - 2] : bs[rank - 1];
  const int a2 = AsShape(g, nodes, n.name + ".a", a, as);
  const int b2 = AsShape(g, nodes, n.name + ".b", b, bs);
  const bool reshaped = g.tensors[y].shape != out;
  const int product = reshaped ? NewTensor(g, n.name + ".product", out) : y;
  Node mm = MakeNode(n.name + (reshaped ? ".matmul" : ""), "BatchMatMul", {a2, b2}, product);
  mm.attrs["transpose_b"].i = transpose_b ? 1 : 0;
  nodes.push_back(mm);
  if (reshaped) {
    Node reshape = MakeNode(n.name, "Reshape", {product}, y);
    reshape.attrs["shape"].ints = g.tensors[y].shape;
    nodes.push_back(reshape);
  }
  return nodes;
}

std::vector<Node> ExpandMatMul(Graph& g, const Node& n) {
  if (n.inputs.size() != 2 || n.inputs[0] < 0 || n.inputs[1] < 0) Fail(n, "needs inputs A and B");
  if (g.tensors[n.inputs[0]].is_const() && g.tensors[n.inputs[1]].is_const())
    Fail(n, "both inputs are constant (should have been folded)");
  return ProductNodes(g, n, n.inputs[0], n.inputs[1], false, n.outputs.at(0));
}

// Gemm whose B is computed (a constant B is lowered to FullyConnected).
std::vector<Node> ExpandGemm(Graph& g, const Node& n) {
  if (n.inputs.size() < 2 || n.inputs[0] < 0 || n.inputs[1] < 0) Fail(n, "needs inputs A and B");
  const int y = n.outputs.at(0);
  std::vector<Node> nodes;
  int a = n.inputs[0];
  if (n.attr_int("transA", 0)) {
    const Shape s = g.tensors[a].shape;
    const int t = NewTensor(g, n.name + ".a_transposed", {s.at(1), s.at(0)});
    Node tr = MakeNode(n.name + ".transpose_a", "Transpose", {a}, t);
    tr.attrs["perm"].ints = {1, 0};
    nodes.push_back(tr);
    a = t;
  }
  const float alpha = n.attr_float("alpha", 1.0f), beta = n.attr_float("beta", 1.0f);
  const bool has_c = n.inputs.size() > 2 && n.inputs[2] >= 0;
  const bool scaled = alpha != 1.0f;
  int product = scaled || has_c ? NewTensor(g, n.name + ".product", g.tensors[y].shape) : y;
  for (Node& m : ProductNodes(g, n, a, n.inputs[1], n.attr_int("transB", 0) != 0, product))
    nodes.push_back(std::move(m));
  if (scaled) {
    const int next = has_c ? NewTensor(g, n.name + ".scaled", g.tensors[y].shape) : y;
    const int c =
        g.AddConstant(n.name + ".alpha", Value::Float({}, Eigen::ArrayXf::Constant(1, alpha)));
    nodes.push_back(MakeNode(n.name + (has_c ? ".alpha" : ""), "Mul", {product, c}, next));
    product = next;
  }
  if (has_c) {
    int c = n.inputs[2];
    if (beta != 1.0f) {
      if (!g.tensors[c].is_const()) Unsupported(n, "beta != 1 with a computed C is not supported");
      Value v = *g.tensors[c].constant;
      if (v.is_int) Fail(n, "C must be float");
      v.f *= beta;
      c = g.AddConstant(n.name + ".beta_c", std::move(v));
    }
    nodes.push_back(MakeNode(n.name, "Add", {product, c}, y));
  }
  return nodes;
}

}  // namespace

std::vector<OpDef> MatMulOps() {
  std::vector<OpDef> ops;
  ops.push_back({"MatMul", {}, EvalMatMul, nullptr, ExpandMatMul});
  ops.push_back({"Gemm", {"alpha", "beta", "transA", "transB"}, EvalGemm, nullptr, ExpandGemm});
  ops.push_back({"BatchMatMul", {"transpose_b", "act_min", "act_max"}, EvalBatchMatMul});
  return ops;
}

}  // namespace mote::modelc
