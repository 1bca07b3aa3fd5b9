#include "ir/reference_executor.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

namespace mote::modelc {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

const Value& In(const Node& node, const std::vector<const Value*>& ins, size_t k) {
  if (k >= ins.size() || ins[k] == nullptr) Fail(node, "input " + std::to_string(k) + " missing");
  return *ins[k];
}

int64_t NormalizeAxis(const Node& node, int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= std::max<int64_t>(r, 1)) {
    Fail(node, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + r : axis;
}

Shape BroadcastShape(const Node& node, const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t k = 0; k < out.size(); ++k) {
    const int64_t da = k < out.size() - a.size() ? 1 : a[k - (out.size() - a.size())];
    const int64_t db = k < out.size() - b.size() ? 1 : b[k - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1) {
      Fail(node, "shapes " + ShapeString(a) + " and " + ShapeString(b) + " do not broadcast");
    }
    out[k] = da == 1 ? db : da;
  }
  return out;
}

// Flat index into `in` (broadcast to `out`) for every flat output index.
std::vector<int64_t> BroadcastIndex(const Shape& in, const Shape& out) {
  const size_t rank = out.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t s = 1;
  for (size_t k = rank; k-- > 0;) {
    const size_t off = rank - in.size();
    const int64_t d = k < off ? 1 : in[k - off];
    strides[k] = d == 1 ? 0 : s;
    s *= d;
  }
  std::vector<int64_t> index(static_cast<size_t>(NumElements(out)));
  std::vector<int64_t> counter(rank, 0);
  int64_t pos = 0;
  for (size_t o = 0; o < index.size(); ++o) {
    index[o] = pos;
    for (size_t k = rank; k-- > 0;) {
      pos += strides[k];
      if (++counter[k] < out[k]) break;
      pos -= strides[k] * counter[k];
      counter[k] = 0;
    }
  }
  return index;
}

Value Binary(const Node& node, const Value& a, const Value& b,
             const std::function<float(float, float)>& ff,
             const std::function<int64_t(int64_t, int64_t)>& fi) {
  const Shape out = BroadcastShape(node, a.shape, b.shape);
  const auto ia = BroadcastIndex(a.shape, out);
  const auto ib = BroadcastIndex(b.shape, out);
  if (a.is_int && b.is_int) {
    std::vector<int64_t> r(ia.size());
    for (size_t k = 0; k < r.size(); ++k) r[k] = fi(a.i[ia[k]], b.i[ib[k]]);
    return Value::Int(out, std::move(r));
  }
  Eigen::ArrayXf r(static_cast<Eigen::Index>(ia.size()));
  for (size_t k = 0; k < ia.size(); ++k) r[k] = ff(a.AsFloat(ia[k]), b.AsFloat(ib[k]));
  return Value::Float(out, std::move(r));
}

Value Unary(const Value& a, const std::function<float(float)>& f) {
  Eigen::ArrayXf r(a.size());
  for (int64_t k = 0; k < a.size(); ++k) r[k] = f(a.AsFloat(k));
  return Value::Float(a.shape, std::move(r));
}

Value WithShape(Value v, Shape shape) {
  v.shape = std::move(shape);
  return v;
}

// x [.., depth] times w [units, depth]^T plus bias, clamped.
Value FullyConnected(const Node& node, const Value& x, const Value& w, const Value* b) {
  if (w.shape.size() != 2 || x.shape.empty() || x.shape.back() != w.shape[1]) {
    Fail(node, "input " + ShapeString(x.shape) + " does not match weights " + ShapeString(w.shape));
  }
  const int64_t depth = w.shape[1];
  const int64_t units = w.shape[0];
  const int64_t rows = x.size() / depth;
  Eigen::Map<const Matrix> xm(x.f.data(), rows, depth);
  Eigen::Map<const Matrix> wm(w.f.data(), units, depth);
  Matrix y = xm * wm.transpose();
  if (b != nullptr) y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(b->f.data(), units);
  const float lo = node.attr_float("act_min", -std::numeric_limits<float>::infinity());
  const float hi = node.attr_float("act_max", std::numeric_limits<float>::infinity());
  Shape out = x.shape;
  out.back() = units;
  Eigen::ArrayXf flat = Eigen::Map<Eigen::ArrayXf>(y.data(), y.size()).max(lo).min(hi);
  return Value::Float(out, std::move(flat));
}

Value MatMul(const Node& node, const Value& a, const Value& b) {
  if (b.shape.size() != 2 || a.shape.empty() || a.shape.back() != b.shape[0]) {
    Unsupported(node, "MatMul of " + ShapeString(a.shape) + " by " + ShapeString(b.shape) +
                          " is not supported (second input must be a matrix)");
  }
  const int64_t rows = a.size() / a.shape.back();
  Eigen::Map<const Matrix> am(a.f.data(), rows, a.shape.back());
  Eigen::Map<const Matrix> bm(b.f.data(), b.shape[0], b.shape[1]);
  Matrix y = am * bm;
  Shape out = a.shape;
  out.back() = b.shape[1];
  return Value::Float(out, Eigen::Map<Eigen::ArrayXf>(y.data(), y.size()));
}

Value Gemm(const Node& node, const Value& a, const Value& b, const Value* c) {
  if (a.shape.size() != 2 || b.shape.size() != 2) Fail(node, "Gemm needs 2-D inputs");
  Eigen::Map<const Matrix> am(a.f.data(), a.shape[0], a.shape[1]);
  Eigen::Map<const Matrix> bm(b.f.data(), b.shape[0], b.shape[1]);
  Matrix A = node.attr_int("transA", 0) ? Matrix(am.transpose()) : Matrix(am);
  Matrix B = node.attr_int("transB", 0) ? Matrix(bm.transpose()) : Matrix(bm);
  if (A.cols() != B.rows()) Fail(node, "Gemm inner dimensions differ");
  Matrix y = node.attr_float("alpha", 1.0f) * (A * B);
  Value out = Value::Float({y.rows(), y.cols()}, Eigen::Map<Eigen::ArrayXf>(y.data(), y.size()));
  if (c != nullptr) {
    const float beta = node.attr_float("beta", 1.0f);
    Value scaled = Unary(*c, [beta](float v) { return beta * v; });
    out = Binary(node, out, scaled, std::plus<float>(), std::plus<int64_t>());
  }
  return out;
}

Value Softmax(const Graph& graph, const Node& node, const Value& x) {
  const int64_t axis = NormalizeAxis(node, node.attr_int("axis", graph.opset < 13 ? 1 : -1),
                                     x.shape.size());
  // opset < 13: softmax over the flattened dims from `axis`; >= 13: one axis.
  int64_t inner = 1;
  for (size_t k = static_cast<size_t>(axis) + 1; k < x.shape.size(); ++k) inner *= x.shape[k];
  int64_t len = x.shape[axis];
  if (graph.opset < 13) {
    len *= inner;
    inner = 1;
  }
  const int64_t outer = x.size() / (len * inner);
  Eigen::ArrayXf r = x.f;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const int64_t base = o * len * inner + in;
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < len; ++k) m = std::max(m, r[base + k * inner]);
      float sum = 0;
      for (int64_t k = 0; k < len; ++k) sum += (r[base + k * inner] = std::exp(r[base + k * inner] - m));
      for (int64_t k = 0; k < len; ++k) r[base + k * inner] /= sum;
    }
  }
  return Value::Float(x.shape, std::move(r));
}

Shape ReshapeTarget(const Node& node, const Shape& in, const std::vector<int64_t>& spec) {
  Shape out(spec.size());
  int64_t known = 1;
  int infer = -1;
  for (size_t k = 0; k < spec.size(); ++k) {
    if (spec[k] == 0 && !node.attr_int("allowzero", 0)) {
      if (k >= in.size()) Fail(node, "reshape copies a dimension the input does not have");
      out[k] = in[k];
    } else if (spec[k] == -1) {
      if (infer >= 0) Fail(node, "reshape has more than one -1");
      infer = static_cast<int>(k);
      continue;
    } else if (spec[k] < 0) {
      Fail(node, "negative reshape dimension");
    } else {
      out[k] = spec[k];
    }
    known *= out[k];
  }
  if (infer >= 0) {
    if (known == 0 || NumElements(in) % known != 0) Fail(node, "reshape -1 cannot be inferred");
    out[infer] = NumElements(in) / known;
  }
  if (NumElements(out) != NumElements(in)) {
    Fail(node, "reshape from " + ShapeString(in) + " to " + ShapeString(out) +
                   " changes the element count");
  }
  return out;
}

std::vector<int64_t> IntsOf(const Value& v) {
  std::vector<int64_t> r(static_cast<size_t>(v.size()));
  for (int64_t k = 0; k < v.size(); ++k) r[k] = v.AsInt(k);
  return r;
}

// Moves axes: out dim k = in dim perm[k].
Value Transpose(const Node& node, const Value& x, std::vector<int64_t> perm) {
  const size_t rank = x.shape.size();
  if (perm.empty()) {
    for (size_t k = rank; k-- > 0;) perm.push_back(static_cast<int64_t>(k));
  }
  if (perm.size() != rank) Fail(node, "perm does not match the rank");
  Shape out(rank);
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t k = rank; k-- > 1;) in_strides[k - 1] = in_strides[k] * x.shape[k];
  for (size_t k = 0; k < rank; ++k) out[k] = x.shape[perm[k]];
  Value r = x;
  r.shape = out;
  std::vector<int64_t> counter(rank, 0);
  for (int64_t o = 0; o < x.size(); ++o) {
    int64_t src = 0;
    for (size_t k = 0; k < rank; ++k) src += counter[k] * in_strides[perm[k]];
    if (x.is_int) r.i[o] = x.i[src]; else r.f[o] = x.f[src];
    for (size_t k = rank; k-- > 0;) {
      if (++counter[k] < out[k]) break;
      counter[k] = 0;
    }
  }
  return r;
}

Value Concat(const Node& node, const std::vector<const Value*>& ins) {
  const Value& first = In(node, ins, 0);
  const int64_t axis = NormalizeAxis(node, node.attr_int("axis", 0), first.shape.size());
  Shape out = first.shape;
  out[axis] = 0;
  bool all_int = true;
  for (const Value* v : ins) {
    if (v == nullptr || v->shape.size() != first.shape.size()) Fail(node, "concat ranks differ");
    out[axis] += v->shape[axis];
    all_int = all_int && v->is_int;
  }
  int64_t outer = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= out[k];
  std::vector<float> f;
  std::vector<int64_t> i;
  for (int64_t o = 0; o < outer; ++o) {
    for (const Value* v : ins) {
      const int64_t chunk = v->size() / outer;
      for (int64_t k = 0; k < chunk; ++k) {
        if (all_int) i.push_back(v->AsInt(o * chunk + k)); else f.push_back(v->AsFloat(o * chunk + k));
      }
    }
  }
  if (all_int) return Value::Int(out, std::move(i));
  return Value::Float(out, Eigen::Map<Eigen::ArrayXf>(f.data(), static_cast<Eigen::Index>(f.size())));
}

Value Gather(const Node& node, const Value& data, const Value& indices) {
  const int64_t axis = NormalizeAxis(node, node.attr_int("axis", 0), data.shape.size());
  Shape out;
  for (int64_t k = 0; k < axis; ++k) out.push_back(data.shape[k]);
  for (int64_t d : indices.shape) out.push_back(d);
  for (size_t k = static_cast<size_t>(axis) + 1; k < data.shape.size(); ++k) out.push_back(data.shape[k]);
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= data.shape[k];
  for (size_t k = static_cast<size_t>(axis) + 1; k < data.shape.size(); ++k) inner *= data.shape[k];
  const int64_t n = data.shape[axis];
  std::vector<int64_t> ri;
  std::vector<float> rf;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < indices.size(); ++j) {
      int64_t idx = indices.AsInt(j);
      if (idx < 0) idx += n;
      if (idx < 0 || idx >= n) Fail(node, "gather index out of range");
      for (int64_t k = 0; k < inner; ++k) {
        const int64_t src = (o * n + idx) * inner + k;
        if (data.is_int) ri.push_back(data.i[src]); else rf.push_back(data.f[src]);
      }
    }
  }
  if (data.is_int) return Value::Int(out, std::move(ri));
  return Value::Float(out, Eigen::Map<Eigen::ArrayXf>(rf.data(), static_cast<Eigen::Index>(rf.size())));
}

std::vector<int64_t> AxesOf(const Node& node, const std::vector<const Value*>& ins) {
  if (ins.size() > 1 && ins[1] != nullptr) return IntsOf(*ins[1]);
  return node.attr_ints("axes");
}

Value Unsqueeze(const Node& node, const Value& x, std::vector<int64_t> axes) {
  const int64_t rank = static_cast<int64_t>(x.shape.size() + axes.size());
  for (int64_t& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  Shape out;
  size_t src = 0;
  for (int64_t k = 0; k < rank; ++k) {
    if (std::binary_search(axes.begin(), axes.end(), k)) out.push_back(1);
    else if (src < x.shape.size()) out.push_back(x.shape[src++]);
    else Fail(node, "unsqueeze axes out of range");
  }
  return WithShape(x, out);
}

Value Squeeze(const Node& node, const Value& x, std::vector<int64_t> axes) {
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  std::set<int64_t> drop;
  for (int64_t a : axes) drop.insert(NormalizeAxis(node, a, x.shape.size()));
  Shape out;
  for (int64_t k = 0; k < rank; ++k) {
    const bool squeeze = axes.empty() ? x.shape[k] == 1 : drop.count(k) != 0;
    if (squeeze && x.shape[k] != 1) Fail(node, "cannot squeeze a dimension that is not 1");
    if (!squeeze) out.push_back(x.shape[k]);
  }
  return WithShape(x, out);
}

Value Cast(const Node& node, const Value& x) {
  const int64_t to = node.attr_int("to", 1);
  if (to == 1 || to == 11 || to == 10) {  // float, double, float16
    Eigen::ArrayXf r(x.size());
    for (int64_t k = 0; k < x.size(); ++k) r[k] = x.AsFloat(k);
    return Value::Float(x.shape, std::move(r));
  }
  std::vector<int64_t> r(static_cast<size_t>(x.size()));
  for (int64_t k = 0; k < x.size(); ++k) {
    r[k] = to == 9 ? (x.AsFloat(k) != 0.0f) : static_cast<int64_t>(x.is_int ? x.i[k] : std::trunc(x.f[k]));
  }
  return Value::Int(x.shape, std::move(r));
}

float ClipBound(const Node& node, const std::vector<const Value*>& ins, size_t k, const char* attr,
                float fallback) {
  if (ins.size() > k && ins[k] != nullptr) return ins[k]->AsFloat(0);
  return node.attr_float(attr, fallback);
}

// Inference-mode batch normalization over axis 1.
Value BatchNorm(const Node& node, const Value& x, const Value& scale, const Value& bias, const Value& mean,
                const Value& var) {
  if (x.shape.size() < 2) Fail(node, "input needs a channel axis");
  const int64_t channels = x.shape[1];
  if (scale.size() != channels || bias.size() != channels || mean.size() != channels || var.size() != channels) {
    Fail(node, "parameters do not have one value per channel");
  }
  int64_t inner = 1;
  for (size_t k = 2; k < x.shape.size(); ++k) inner *= x.shape[k];
  const float eps = node.attr_float("epsilon", 1e-5f);
  Eigen::ArrayXf r = x.f;
  for (int64_t k = 0; k < x.size(); ++k) {
    const int64_t c = (k / inner) % channels;
    r[k] = (r[k] - mean.f[c]) / std::sqrt(var.f[c] + eps) * scale.f[c] + bias.f[c];
  }
  return Value::Float(x.shape, std::move(r));
}

}  // namespace

bool IsKnownOp(const std::string& op) {
  static const std::set<std::string> kOps = {
      "Identity", "Dropout", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Relu6",
      "Clip", "Sigmoid", "Tanh", "Softmax", "Flatten", "Reshape", "Squeeze", "Unsqueeze",
      "Transpose", "Concat", "Gather", "Shape", "Cast", "FullyConnected", "Neg", "Sqrt",
      "BatchNormalization"};
  return kOps.count(op) != 0;
}

std::vector<Value> EvalNode(const Graph& graph, const Node& node,
                            const std::vector<const Value*>& ins) {
  const std::string& op = node.op;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  auto in = [&](size_t k) -> const Value& { return In(node, ins, k); };
  auto float_in = [&](size_t k) -> const Value& {
    const Value& v = In(node, ins, k);
    if (v.is_int) Fail(node, "expects a float input");
    return v;
  };
  if (op == "Identity" || op == "Dropout") return {in(0)};
  if (op == "FullyConnected") {
    return {FullyConnected(node, float_in(0), float_in(1), ins.size() > 2 ? ins[2] : nullptr)};
  }
  if (op == "Gemm") return {Gemm(node, float_in(0), float_in(1), ins.size() > 2 ? ins[2] : nullptr)};
  if (op == "MatMul") return {MatMul(node, float_in(0), float_in(1))};
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    Value r;
    if (op == "Add") r = Binary(node, in(0), in(1), std::plus<float>(), std::plus<int64_t>());
    if (op == "Sub") r = Binary(node, in(0), in(1), std::minus<float>(), std::minus<int64_t>());
    if (op == "Mul") r = Binary(node, in(0), in(1), std::multiplies<float>(), std::multiplies<int64_t>());
    if (op == "Div") {
      r = Binary(node, in(0), in(1), std::divides<float>(), [&](int64_t a, int64_t b) {
        if (b == 0) Fail(node, "integer division by zero");
        return a / b;
      });
    }
    if (!r.is_int && (node.has_attr("act_min") || node.has_attr("act_max"))) {
      r.f = r.f.max(node.attr_float("act_min", -kInf)).min(node.attr_float("act_max", kInf));
    }
    return {r};
  }
  if (op == "Neg") return {Unary(float_in(0), [](float v) { return -v; })};
  if (op == "Sqrt") return {Unary(float_in(0), [](float v) { return std::sqrt(v); })};
  if (op == "Relu") return {Unary(float_in(0), [](float v) { return v < 0.0f ? 0.0f : v; })};
  if (op == "Relu6") return {Unary(float_in(0), [](float v) { return std::min(std::max(v, 0.0f), 6.0f); })};
  if (op == "Clip") {
    const float lo = ClipBound(node, ins, 1, "min", -kInf);
    const float hi = ClipBound(node, ins, 2, "max", kInf);
    return {Unary(float_in(0), [lo, hi](float v) { return std::min(std::max(v, lo), hi); })};
  }
  if (op == "Sigmoid") return {Unary(float_in(0), [](float v) { return 1.0f / (1.0f + std::exp(-v)); })};
  if (op == "Tanh") return {Unary(float_in(0), [](float v) { return std::tanh(v); })};
  if (op == "Softmax") return {Softmax(graph, node, float_in(0))};
  if (op == "Flatten") {
    const Value& x = in(0);
    const int64_t axis = NormalizeAxis(node, node.attr_int("axis", 1), x.shape.size() + 1);
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k) outer *= x.shape[k];
    return {WithShape(x, {outer, outer == 0 ? 0 : x.size() / outer})};
  }
  if (op == "Reshape") {
    const Value& x = in(0);
    const std::vector<int64_t> spec = ins.size() > 1 && ins[1] ? IntsOf(*ins[1]) : node.attr_ints("shape");
    return {WithShape(x, ReshapeTarget(node, x.shape, spec))};
  }
  if (op == "Squeeze") return {Squeeze(node, in(0), AxesOf(node, ins))};
  if (op == "Unsqueeze") return {Unsqueeze(node, in(0), AxesOf(node, ins))};
  if (op == "Transpose") return {Transpose(node, in(0), node.attr_ints("perm"))};
  if (op == "Concat") return {Concat(node, ins)};
  if (op == "Gather") return {Gather(node, in(0), in(1))};
  if (op == "Shape") {
    const Value& x = in(0);
    return {Value::Int({static_cast<int64_t>(x.shape.size())}, x.shape)};
  }
  if (op == "Cast") return {Cast(node, in(0))};
  if (op == "BatchNormalization") return {BatchNorm(node, float_in(0), float_in(1), float_in(2), float_in(3), float_in(4))};
  Unsupported(node, "op is not supported by modelc");
}

std::vector<Value> Execute(const Graph& graph, const std::vector<Value>& inputs) {
  std::vector<Value> values(graph.tensors.size());
  std::vector<bool> ready(graph.tensors.size(), false);
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    if (graph.tensors[t].is_const()) {
      values[t] = *graph.tensors[t].constant;
      ready[t] = true;
    }
  }
  if (inputs.size() != graph.inputs.size()) throw ConvertError("wrong number of graph inputs");
  for (size_t k = 0; k < inputs.size(); ++k) {
    values[graph.inputs[k]] = inputs[k];
    ready[graph.inputs[k]] = true;
  }
  for (const Node& node : graph.nodes) {
    std::vector<const Value*> ins;
    for (int t : node.inputs) {
      if (t >= 0 && !ready[t]) Fail(node, "input '" + graph.tensors[t].name + "' is never computed");
      ins.push_back(t >= 0 ? &values[t] : nullptr);
    }
    std::vector<Value> outs = EvalNode(graph, node, ins);
    for (size_t k = 0; k < node.outputs.size() && k < outs.size(); ++k) {
      values[node.outputs[k]] = std::move(outs[k]);
      ready[node.outputs[k]] = true;
    }
  }
  return values;
}

}  // namespace mote::modelc
