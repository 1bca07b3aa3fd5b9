// ONNX Einsum of one or two operands (attention written as
// torch.einsum('bhid,bhjd->bhij', q, k), bilinear forms, batched products),
// with explicit or implicit output and "..." for leading axes. Before
// lowering, each becomes the ops modelc already runs (DecomposeEinsum):
// two operands -> [ReduceSum of an operand's own summed indices] ->
// Transpose to [batch, free, contracted] / [batch, contracted, free] ->
// Reshape to 3-D (2-D with a constant right operand: a FullyConnected) ->
// MatMul -> Reshape -> Transpose to the output's order; one operand ->
// ReduceSum -> Transpose. Repeated indices within an operand (traces,
// diagonals), size-1 broadcasting between operands and more than two
// operands are refused by name.
#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>

#include "ir/reference_executor.h"
#include "ops/op_registry.h"
#include "passes/passes.h"

namespace mote::modelc {
namespace {

struct Equation {
  std::vector<std::string> inputs;  // one label per axis; '0'.. '9' stand for "..." axes
  std::string output;
  std::map<char, int64_t> size;
};

std::string Strip(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

// An operand's labels with "..." replaced by `ellipsis` digit labels ending
// at '0' + kMaxEllipsis, so ellipsis axes align from the right.
constexpr int kMaxEllipsis = 8;
std::string ExpandEllipsis(const Node& n, const std::string& term, int64_t rank, int* count) {
  const size_t dots = term.find("...");
  const int64_t letters = static_cast<int64_t>(term.size()) - (dots == std::string::npos ? 0 : 3);
  if (dots == std::string::npos) {
    if (letters != rank) {
      Fail(n, "term '" + term + "' has " + std::to_string(letters) +
                  " indices for an input of rank " + std::to_string(rank));
    }
    return term;
  }
  const int64_t e = rank - letters;
  if (e < 0 || e > kMaxEllipsis) Fail(n, "'...' in term '" + term + "' does not fit the rank");
  *count = std::max(*count, static_cast<int>(e));
  std::string labels;
  for (int64_t k = 0; k < e; ++k) labels += static_cast<char>('0' + kMaxEllipsis - e + k);
  return term.substr(0, dots) + labels + term.substr(dots + 3);
}

Equation Parse(const Node& n, const std::vector<Shape>& shapes) {
  if (!n.has_attr("equation")) Fail(n, "the equation attribute is missing");
  const std::string eq = Strip(n.attrs.at("equation").s);
  const size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(
        lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != shapes.size()) Fail(n, "the equation's operands do not match the inputs");
  if (terms.size() > 2) Unsupported(n, "Einsum of more than two operands is not supported");
  Equation q;
  int ellipsis = 0;
  for (size_t k = 0; k < terms.size(); ++k) {
    for (char c : terms[k]) {
      if (c != '.' && !std::isalpha(static_cast<unsigned char>(c)))
        Fail(n, std::string("invalid index '") + c + "' in the equation");
    }
    const std::string labels =
        ExpandEllipsis(n, terms[k], static_cast<int64_t>(shapes[k].size()), &ellipsis);
    if (labels.find('.') != std::string::npos) Fail(n, "a '.' outside '...' in the equation");
    for (size_t a = 0; a < labels.size(); ++a) {
      const char c = labels[a];
      if (std::count(labels.begin(), labels.end(), c) > 1) {
        Unsupported(n, std::string("index '") + c +
                           "' repeated within an operand (a trace or diagonal) is not supported");
      }
      const auto [it, fresh] = q.size.emplace(c, shapes[k][a]);
      if (!fresh && it->second != shapes[k][a]) {
        Unsupported(n, std::string("index '") + c + "' has sizes " + std::to_string(it->second) +
                           " and " + std::to_string(shapes[k][a]) +
                           " (broadcasting between operands is not supported)");
      }
    }
    q.inputs.push_back(labels);
  }
  std::string all;
  for (const std::string& t : q.inputs) all += t;
  if (arrow == std::string::npos) {  // implicit: "..." axes, then the indices seen once, sorted
    for (int k = 0; k < ellipsis; ++k)
      q.output += static_cast<char>('0' + kMaxEllipsis - ellipsis + k);
    std::string once;
    for (char c : all)
      if (std::isalpha(static_cast<unsigned char>(c)) && std::count(all.begin(), all.end(), c) == 1)
        once += c;
    std::sort(once.begin(), once.end());
    q.output += once;
  } else {
    std::string out = eq.substr(arrow + 2);
    const size_t dots = out.find("...");
    if (dots != std::string::npos) {
      std::string labels;
      for (int k = 0; k < ellipsis; ++k)
        labels += static_cast<char>('0' + kMaxEllipsis - ellipsis + k);
      out = out.substr(0, dots) + labels + out.substr(dots + 3);
    }
    for (char c : out) {
      if (all.find(c) == std::string::npos)
        Fail(n, std::string("output index '") + c + "' is in no operand");
      if (std::count(out.begin(), out.end(), c) > 1)
        Fail(n, std::string("output index '") + c + "' is repeated");
    }
    q.output = out;
  }
  return q;
}

Shape ShapeOf(const Equation& q, const std::string& labels) {
  Shape s;
  for (char c : labels) s.push_back(q.size.at(c));
  return s;
}

// The float reference: every output element sums the products over the
// indices not in the output.
std::vector<Value> EvalEinsum(const Graph&, const Node& n, const OpInputs& ins) {
  std::vector<Shape> shapes;
  for (const Value* v : ins) {
    if (v == nullptr || v->is_int) Fail(n, "needs float inputs");
    shapes.push_back(v->shape);
  }
  const Equation q = Parse(n, shapes);
  std::string summed;
  for (const auto& [c, size] : q.size)
    if (q.output.find(c) == std::string::npos) summed += c;
  const std::string labels = q.output + summed;
  const Shape out_shape = ShapeOf(q, q.output);
  std::vector<std::vector<int64_t>> stride(ins.size());  // per operand, per label position
  for (size_t k = 0; k < ins.size(); ++k) {
    for (char c : labels) {
      int64_t s = 0, step = 1;
      for (size_t a = q.inputs[k].size(); a-- > 0;) {
        if (q.inputs[k][a] == c) s = step;
        step *= shapes[k][a];
      }
      stride[k].push_back(s);
    }
  }
  const Shape all = ShapeOf(q, labels);
  const int64_t outputs = NumElements(out_shape), terms = NumElements(ShapeOf(q, summed));
  // The reference visits every (output, summed) pair: bound it as the
  // executor bounds any op's work, so a hostile model cannot stall modelc.
  if (terms > 0 && outputs > (int64_t{1} << 30) / terms)
    Unsupported(n, "the contraction is too large (over 2^30 products)");
  Eigen::ArrayXf y(outputs);
  std::vector<int64_t> index(labels.size(), 0);
  for (int64_t o = 0; o < outputs; ++o) {
    double acc = 0;
    for (int64_t t = 0; t < terms; ++t) {
      double product = 1;
      for (size_t k = 0; k < ins.size(); ++k) {
        int64_t at = 0;
        for (size_t a = 0; a < labels.size(); ++a) at += index[a] * stride[k][a];
        product *= ins[k]->f[at];
      }
      acc += product;
      for (size_t a = labels.size(); a-- > q.output.size();) {  // next summed index
        if (++index[a] < all[a]) break;
        index[a] = 0;
      }
    }
    y[o] = static_cast<float>(acc);
    for (size_t a = q.output.size(); a-- > 0;) {  // next output index
      if (++index[a] < all[a]) break;
      index[a] = 0;
    }
  }
  return {Value::Float(out_shape, std::move(y))};
}

// Builds the replacement nodes of one Einsum.
class Decomposer {
 public:
  Decomposer(Graph& g, const Node& n) : g_(g), n_(n) {}

  std::vector<Node> Run() {
    std::vector<int> in = n_.inputs;
    std::vector<Shape> shapes;
    for (int t : in) shapes.push_back(g_.tensors[t].shape);
    Equation q = Parse(n_, shapes);
    // A constant operand goes on the right (a FullyConnected when 2-D).
    if (in.size() == 2 && g_.tensors[in[0]].is_const() && !g_.tensors[in[1]].is_const()) {
      std::swap(in[0], in[1]);
      std::swap(q.inputs[0], q.inputs[1]);
    }
    q_ = q;
    std::vector<std::string> labels = q.inputs;
    for (size_t k = 0; k < in.size(); ++k) in[k] = SumOwnIndices(in[k], &labels[k], labels, k);
    if (in.size() == 1) {
      Permute(in[0], labels[0], q.output, n_.outputs[0]);
      return std::move(nodes_);
    }
    std::string batch, contract, a_free, b_free;
    for (char c : q.output) {
      const bool in_a = labels[0].find(c) != std::string::npos;
      const bool in_b = labels[1].find(c) != std::string::npos;
      (in_a && in_b ? batch : in_a ? a_free : b_free) += c;
    }
    for (char c : labels[0])
      if (labels[1].find(c) != std::string::npos && q.output.find(c) == std::string::npos)
        contract += c;
    const int64_t bt = Product(batch), m = Product(a_free), k = Product(contract),
                  nn = Product(b_free);
    const bool flat = batch.empty();
    const int a = Reshape(Permute(in[0], labels[0], batch + a_free + contract, -1),
                          flat ? Shape{m, k} : Shape{bt, m, k});
    const int b = Reshape(Permute(in[1], labels[1], batch + contract + b_free, -1),
                          flat ? Shape{k, nn} : Shape{bt, k, nn});
    const int product = NewTensor(".product", flat ? Shape{m, nn} : Shape{bt, m, nn});
    nodes_.push_back(Node::Of(n_.name, "MatMul", {a, b}, product));
    const std::string order = batch + a_free + b_free;
    if (order == q.output) {
      nodes_.push_back(Node::Of(n_.name + ".to_output", "Reshape", {product}, n_.outputs[0]));
    } else {
      Permute(Reshape(product, ShapeOf(q, order)), order, q.output, n_.outputs[0]);
    }
    return std::move(nodes_);
  }

 private:
  int64_t Product(const std::string& labels) const { return NumElements(ShapeOf(q_, labels)); }

  int NewTensor(const std::string& suffix, const Shape& shape) {
    return g_.AddTensor(n_.name + suffix + std::to_string(count_++), shape);
  }

  // Sums the indices only operand k has and the output lacks.
  int SumOwnIndices(int t, std::string* labels, const std::vector<std::string>& all, size_t k) {
    std::vector<int64_t> axes;
    std::string kept;
    for (size_t a = 0; a < labels->size(); ++a) {
      const char c = (*labels)[a];
      const bool other = all.size() == 2 && all[1 - k].find(c) != std::string::npos;
      if (!other && q_.output.find(c) == std::string::npos)
        axes.push_back(static_cast<int64_t>(a));
      else
        kept += c;
    }
    if (axes.empty()) return t;
    const int64_t count = static_cast<int64_t>(axes.size());
    const int y = NewTensor(".summed", ShapeOf(q_, kept));
    Node sum = Node::Of(n_.name + ".sum" + std::to_string(count_), "ReduceSum",
                        {t, g_.AddConstant(n_.name + ".sum_axes" + std::to_string(count_),
                                           Value::Int({count}, axes))},
                        y);
    sum.attrs["keepdims"].i = 0;
    nodes_.push_back(sum);
    *labels = kept;
    return y;
  }

  // t (axes `from`) with its axes in the order `to`, into `out` (or a new
  // tensor when out < 0); a constant is permuted here.
  int Permute(int t, const std::string& from, const std::string& to, int out) {
    std::vector<int64_t> perm;
    for (char c : to) perm.push_back(static_cast<int64_t>(from.find(c)));
    std::vector<int64_t> identity(perm.size());
    std::iota(identity.begin(), identity.end(), 0);
    if (perm == identity && out < 0) return t;
    if (g_.tensors[t].is_const() && out < 0) {
      return g_.AddConstant(n_.name + ".permuted" + std::to_string(count_++),
                            Transpose(n_, *g_.tensors[t].constant, perm));
    }
    const int y = out >= 0 ? out : NewTensor(".permuted", ShapeOf(q_, to));
    Node tr = Node::Of(n_.name + ".transpose" + std::to_string(count_++), "Transpose", {t}, y);
    tr.attrs["perm"].ints = perm;
    nodes_.push_back(tr);
    return y;
  }

  int Reshape(int t, const Shape& shape) {
    if (g_.tensors[t].shape == shape) return t;
    if (g_.tensors[t].is_const()) {
      Value v = *g_.tensors[t].constant;
      v.shape = shape;
      return g_.AddConstant(n_.name + ".reshaped" + std::to_string(count_++), std::move(v));
    }
    const int y = NewTensor(".reshaped", shape);
    nodes_.push_back(Node::Of(n_.name + ".reshape" + std::to_string(count_), "Reshape", {t}, y));
    return y;
  }

  Graph& g_;
  const Node& n_;
  Equation q_;
  std::vector<Node> nodes_;
  int count_ = 0;
};

}  // namespace

void DecomposeEinsum(Graph& g) {
  std::vector<Node> nodes;
  for (Node& n : g.nodes) {
    if (n.op != "Einsum") {
      nodes.push_back(std::move(n));
      continue;
    }
    CheckAttributes(*FindOp(n.op), n);
    for (Node& m : Decomposer(g, n).Run()) nodes.push_back(std::move(m));
  }
  g.nodes = std::move(nodes);
}

std::vector<OpDef> EinsumOps() { return {{"Einsum", {"equation"}, EvalEinsum}}; }

}  // namespace mote::modelc
