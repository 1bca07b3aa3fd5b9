#include "ir/reference_executor.h"

#include "ml/classic.h"
#include "ops/op_registry.h"
#include "passes/passes.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

namespace mote::modelc {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Bound on computed tensors and on the window and padding attributes that
// size them, so that a hostile model cannot make modelc allocate without limit
// or overflow its size arithmetic: 2^28 elements (1 GiB of float) is far
// beyond any model a microcontroller runs.
constexpr int64_t kMaxComputedElements = int64_t{1} << 28;

void CheckComputedSize(const Node& node, const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > kMaxComputedElements / d)) Fail(node, "output " + ShapeString(shape) + " is too large");
    n *= d;
  }
}

const Value& In(const Node& node, const std::vector<const Value*>& ins, size_t k) {
  if (k >= ins.size() || ins[k] == nullptr) Fail(node, "input " + std::to_string(k) + " missing");
  return *ins[k];
}

int64_t NormalizeAxis(const Node& node, int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  // Every caller indexes the shape with the result: a scalar has no axis.
  if (axis < -r || axis >= r) {
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

// `v` seen with another shape of the same number of elements.
Value WithShape(const Node& node, Value v, Shape shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > kMaxComputedElements / d)) Fail(node, "bad shape " + ShapeString(shape));
    n *= d;
  }
  const int64_t held = v.is_int ? static_cast<int64_t>(v.i.size()) : static_cast<int64_t>(v.f.size());
  if (n != held) {
    Fail(node, "shape " + ShapeString(shape) + " does not hold the " + std::to_string(held) + " elements of " +
                   ShapeString(v.shape));
  }
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
  if (b != nullptr && b->size() != units) Fail(node, "bias " + ShapeString(b->shape) + " does not match the units");
  const int64_t rows = x.size() / depth;
  Eigen::Map<const Matrix> xm(x.f.data(), rows, depth);
  Eigen::Map<const Matrix> wm(w.f.data(), units, depth);
  // A compensated sum (a lowered ReduceSum) is modelled in double.
  Matrix y = node.attr_int("compensated", 0) != 0
                 ? Matrix((xm.cast<double>() * wm.cast<double>().transpose()).cast<float>())
                 : Matrix(xm * wm.transpose());
  if (b != nullptr) y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(b->f.data(), units);
  const float lo = node.attr_float("act_min", -std::numeric_limits<float>::infinity());
  const float hi = node.attr_float("act_max", std::numeric_limits<float>::infinity());
  Shape out = x.shape;
  out.back() = units;
  Eigen::ArrayXf flat = Eigen::Map<Eigen::ArrayXf>(y.data(), y.size()).max(lo).min(hi);
  return Value::Float(out, std::move(flat));
}

Value MatMul(const Node& node, const Value& a, const Value& b) {
  if (b.shape.size() == 2 && !a.shape.empty() && a.shape.back() != b.shape[0]) {
    Fail(node, "inner dimensions differ: " + ShapeString(a.shape) + " times " + ShapeString(b.shape));
  }
  if (b.shape.size() != 2 || a.shape.empty()) {
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
  if (A.cols() != B.rows()) {
    Fail(node, "inner dimensions differ: A " + ShapeString(a.shape) + (node.attr_int("transA", 0) ? " transposed" : "") +
                   " times B " + ShapeString(b.shape) + (node.attr_int("transB", 0) ? " transposed" : ""));
  }
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
      const float beta = node.attr_float("beta", 1.0f);
      for (int64_t k = 0; k < len; ++k) sum += (r[base + k * inner] = std::exp(beta * (r[base + k * inner] - m)));
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

}  // namespace

Value Transpose(const Node& node, const Value& x, std::vector<int64_t> perm) {
  const size_t rank = x.shape.size();
  if (perm.empty()) {
    for (size_t k = rank; k-- > 0;) perm.push_back(static_cast<int64_t>(k));
  }
  auto perm_text = [&perm]() {
    std::string t = "[";
    for (size_t k = 0; k < perm.size(); ++k) t += (k ? "," : "") + std::to_string(perm[k]);
    return t + "]";
  };
  if (perm.size() != rank) Fail(node, "perm " + perm_text() + " does not match the rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)]) {
      Fail(node, "perm " + perm_text() + " is not a permutation of 0.." + std::to_string(rank - 1));
    }
    seen[static_cast<size_t>(p)] = true;
  }
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

namespace {

Value Concat(const Node& node, const std::vector<const Value*>& ins) {
  const Value& first = In(node, ins, 0);
  const int64_t axis = NormalizeAxis(node, node.attr_int("axis", 0), first.shape.size());
  Shape out = first.shape;
  out[axis] = 0;
  bool all_int = true;
  for (const Value* v : ins) {
    if (v == nullptr || v->shape.size() != first.shape.size()) Fail(node, "concat ranks differ");
    for (size_t d = 0; d < out.size(); ++d) {
      if (static_cast<int64_t>(d) != axis && v->shape[d] != first.shape[d]) {
        Fail(node, "concat shapes " + ShapeString(first.shape) + " and " + ShapeString(v->shape) +
                       " differ outside the axis");
      }
    }
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
  return WithShape(node, x, out);
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
  return WithShape(node, x, out);
}

Value Cast(const Node& node, const Value& x) {
  const int64_t to = node.attr_int("to", 1);
  // ONNX element types: float, float16, double; then bool and the integers.
  static const std::set<int64_t> kFloats = {1, 10, 11}, kInts = {2, 3, 4, 5, 6, 7, 9, 12, 13};
  if (!kFloats.count(to) && !kInts.count(to)) Unsupported(node, "Cast to element type " + std::to_string(to) + " is not supported");
  if (kFloats.count(to)) {
    Eigen::ArrayXf r(x.size());
    for (int64_t k = 0; k < x.size(); ++k) r[k] = x.AsFloat(k);
    return Value::Float(x.shape, std::move(r));
  }
  std::vector<int64_t> r(static_cast<size_t>(x.size()));
  for (int64_t k = 0; k < x.size(); ++k) {
    r[k] = to == 9 ? (x.AsFloat(k) != 0.0f) : (x.is_int ? x.i[k] : SaturatingInt(x.f[k]));
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

Window WindowOf(const Node& node, const Shape& x, int64_t kh, int64_t kw) {
  if (x.size() != 4) Unsupported(node, "only 2-D spatial (4-D NCHW) tensors are supported");
  Window w;
  w.kh = kh;
  w.kw = kw;
  const auto strides = node.attr_ints("strides");
  const auto dilations = node.attr_ints("dilations");
  const auto pads = node.attr_ints("pads");
  if (!strides.empty() && strides.size() != 2) Fail(node, "strides must have 2 values for a 2-D window, not " + ShapeString(strides));
  if (!dilations.empty() && dilations.size() != 2) {
    Fail(node, "dilations must have 2 values for a 2-D window, not " + ShapeString(dilations));
  }
  if (strides.size() == 2) { w.sh = strides[0]; w.sw = strides[1]; }
  if (dilations.size() == 2) { w.dh = dilations[0]; w.dw = dilations[1]; }
  const std::string geometry = "kernel [" + std::to_string(kh) + "," + std::to_string(kw) + "], strides [" +
                               std::to_string(w.sh) + "," + std::to_string(w.sw) + "], dilations [" +
                               std::to_string(w.dh) + "," + std::to_string(w.dw) + "]";
  if (w.sh < 1 || w.sw < 1 || w.dh < 1 || w.dw < 1) Fail(node, "strides and dilations must be positive: " + geometry);
  for (int64_t v : {kh, kw, w.sh, w.sw, w.dh, w.dw}) {
    if (v < 1 || v > kMaxComputedElements) Fail(node, "window size, stride or dilation out of range: " + geometry);
  }
  for (int64_t p : pads) {
    if (p > kMaxComputedElements) Fail(node, "padding too large");
  }
  const int64_t in_h = x[2], in_w = x[3];
  const int64_t eff_h = (kh - 1) * w.dh + 1, eff_w = (kw - 1) * w.dw + 1;
  const std::string auto_pad = node.has_attr("auto_pad") ? node.attrs.at("auto_pad").s : "NOTSET";
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") {
    Fail(node, "auto_pad '" + auto_pad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  }
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    w.out_h = (in_h + w.sh - 1) / w.sh;
    w.out_w = (in_w + w.sw - 1) / w.sw;
    const int64_t total_h = std::max<int64_t>(0, (w.out_h - 1) * w.sh + eff_h - in_h);
    const int64_t total_w = std::max<int64_t>(0, (w.out_w - 1) * w.sw + eff_w - in_w);
    const bool upper = auto_pad == "SAME_UPPER";
    w.pad_top = upper ? total_h / 2 : total_h - total_h / 2;
    w.pad_left = upper ? total_w / 2 : total_w - total_w / 2;
    w.pad_bottom = total_h - w.pad_top;
    w.pad_right = total_w - w.pad_left;
    return w;
  }
  if (pads.size() == 4) {
    w.pad_top = pads[0]; w.pad_left = pads[1]; w.pad_bottom = pads[2]; w.pad_right = pads[3];
  } else if (!pads.empty()) {
    Fail(node, "pads must have 4 values for a 2-D window");
  }
  if (w.pad_top < 0 || w.pad_left < 0 || w.pad_bottom < 0 || w.pad_right < 0) {
    Fail(node, "negative padding: pads " + ShapeString(pads));
  }
  const bool ceil_mode = node.attr_int("ceil_mode", 0) != 0;
  auto out = [&](int64_t in, int64_t eff, int64_t s, int64_t p0, int64_t p1) {
    const int64_t span = in + p0 + p1 - eff;
    if (span < 0) Fail(node, "window larger than the padded input");
    return (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  };
  w.out_h = out(in_h, eff_h, w.sh, w.pad_top, w.pad_bottom);
  w.out_w = out(in_w, eff_w, w.sw, w.pad_left, w.pad_right);
  CheckComputedSize(node, {x[0], x[1], w.out_h, w.out_w});
  return w;
}

Node AsWindow2D(const Node& node) {
  Node twin = node;
  for (const char* key : {"kernel_shape", "strides", "dilations"}) {
    if (!node.has_attr(key)) continue;
    const std::vector<int64_t> v = node.attr_ints(key);
    if (v.size() != 1) Fail(node, std::string(key) + " must have 1 value for a 1-D window, not " + ShapeString(v));
    twin.attrs[key].ints = {1, v[0]};
  }
  if (node.has_attr("pads")) {
    const std::vector<int64_t> p = node.attr_ints("pads");
    if (p.size() != 2) Fail(node, "pads must have 2 values for a 1-D window, not " + ShapeString(p));
    twin.attrs["pads"].ints = {0, p[0], 0, p[1]};
  }
  return twin;
}

namespace {

// [N, C, L] <-> [N, C, 1, L]: the same elements.
Value WithHeight1(const Node& node, const Value& v) {
  if (v.shape.size() != 3) Fail(node, "a 1-D window needs a 3-D tensor, not " + ShapeString(v.shape));
  return WithShape(node, v, {v.shape[0], v.shape[1], 1, v.shape[2]});
}
Value WithoutHeight(const Node& node, const Value& v) {
  return WithShape(node, v, {v.shape[0], v.shape[1], v.shape[3]});
}

// ONNX Conv on NCHW with OIHW weights and `group` groups.
Value ConvNchw(const Node& node, const Value& x, const Value& wt, const Value* bias) {
  if (wt.shape.size() != 4) Unsupported(node, "only 2-D convolution is supported");
  if (x.shape.size() != 4) Fail(node, "the input must be 4-D, not " + ShapeString(x.shape));
  const int64_t groups = node.attr_int("group", 1);
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const int64_t oc = wt.shape[0], icg = wt.shape[1], kh = wt.shape[2], kw = wt.shape[3];
  if (groups < 1 || c != icg * groups || oc % groups != 0) {
    Fail(node, "input channels " + std::to_string(c) + " do not match weights " + ShapeString(wt.shape) + " and group " +
                   std::to_string(groups));
  }
  const auto kernel_shape = node.attr_ints("kernel_shape");
  if (!kernel_shape.empty() && kernel_shape != std::vector<int64_t>{kh, kw}) {
    Fail(node, "kernel_shape " + ShapeString(kernel_shape) + " does not match the weights' [" + std::to_string(kh) +
                   "," + std::to_string(kw) + "]");
  }
  if (bias != nullptr && bias->size() != oc) Fail(node, "bias " + ShapeString(bias->shape) + " does not match the filters");
  const Window g = WindowOf(node, x.shape, kh, kw);
  const int64_t ocg = oc / groups;
  CheckComputedSize(node, {n, oc, g.out_h, g.out_w});
  Eigen::ArrayXf out = Eigen::ArrayXf::Zero(n * oc * g.out_h * g.out_w);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < oc; ++o) {
      const int64_t grp = o / ocg;
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          double acc = bias ? bias->f[o] : 0.0;
          for (int64_t i = 0; i < icg; ++i)
            for (int64_t ky = 0; ky < kh; ++ky) {
              const int64_t iy = oy * g.sh - g.pad_top + ky * g.dh;
              if (iy < 0 || iy >= h) continue;
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t ix = ox * g.sw - g.pad_left + kx * g.dw;
                if (ix < 0 || ix >= wd) continue;
                acc += double{x.f[((b * c + grp * icg + i) * h + iy) * wd + ix]} *
                       wt.f[((o * icg + i) * kh + ky) * kw + kx];
              }
            }
          out[((b * oc + o) * g.out_h + oy) * g.out_w + ox] = static_cast<float>(acc);
        }
    }
  return Value::Float({n, oc, g.out_h, g.out_w}, std::move(out));
}

// ONNX Conv over [N, C, D, H, W] with [O, C / group, kd, kh, kw] weights,
// directly (the oracle for passes/conv3d.cc's 2-D form).
Value ConvNcdhw(const Node& node, const Value& x, const Value& wt, const Value* bias) {
  const Conv3DGeometry g = Conv3DGeometryOf(node, x.shape, wt.shape);
  if (bias != nullptr && bias->size() != g.o) Fail(node, "bias does not match the filters");
  const int64_t icg = g.c / g.group, ocg = g.o / g.group;
  CheckComputedSize(node, {g.n, g.o, g.out_d, g.out_h, g.out_w});
  Eigen::ArrayXf out(g.n * g.o * g.out_d * g.out_h * g.out_w);
  int64_t at = 0;
  const int64_t in_size[3] = {g.d, g.h, g.w};
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t o = 0; o < g.o; ++o)
      for (int64_t od = 0; od < g.out_d; ++od)
        for (int64_t oy = 0; oy < g.out_h; ++oy)
          for (int64_t ox = 0; ox < g.out_w; ++ox) {
            double acc = bias ? bias->f[o] : 0.0;
            const int64_t pos[3] = {od, oy, ox};
            for (int64_t i = 0; i < icg; ++i)
              for (int64_t kz = 0; kz < g.kd; ++kz)
                for (int64_t ky = 0; ky < g.kh; ++ky)
                  for (int64_t kx = 0; kx < g.kw; ++kx) {
                    const int64_t tap[3] = {kz, ky, kx};
                    int64_t idx[3];
                    bool inside = true;
                    for (int a = 0; a < 3; ++a) {
                      idx[a] = pos[a] * g.stride[a] - g.pads[a] + tap[a] * g.dilation[a];
                      inside = inside && idx[a] >= 0 && idx[a] < in_size[a];
                    }
                    if (!inside) continue;
                    const int64_t ch = b * g.c + (o / ocg) * icg + i;
                    acc += double{x.f[((ch * g.d + idx[0]) * g.h + idx[1]) * g.w + idx[2]]} *
                           wt.f[(((o * icg + i) * g.kd + kz) * g.kh + ky) * g.kw + kx];
                  }
            out[at++] = static_cast<float>(acc);
          }
  return Value::Float({g.n, g.o, g.out_d, g.out_h, g.out_w}, std::move(out));
}

// MaxPool / AveragePool on NCHW. Averages count valid positions unless
// count_include_pad.
Value PoolNchw(const Node& node, const Value& x, bool is_max) {
  const auto k = node.attr_ints("kernel_shape");
  if (k.size() != 2) Unsupported(node, "only 2-D pooling is supported");
  const Window g = WindowOf(node, x.shape, k[0], k[1]);
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const bool include_pad = node.attr_int("count_include_pad", 0) != 0;
  Eigen::ArrayXf out(n * c * g.out_h * g.out_w);
  for (int64_t b = 0; b < n * c; ++b)
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0;
        for (int64_t ky = 0; ky < g.kh; ++ky)
          for (int64_t kx = 0; kx < g.kw; ++kx) {
            const int64_t iy = oy * g.sh - g.pad_top + ky * g.dh;
            const int64_t ix = ox * g.sw - g.pad_left + kx * g.dw;
            const bool inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
            const bool in_pad_area = iy < h + g.pad_bottom && ix < wd + g.pad_right;
            if (!inside) {
              if (include_pad && in_pad_area) ++count;
              continue;
            }
            const float v = x.f[(b * h + iy) * wd + ix];
            acc = is_max ? std::max<double>(acc, v) : acc + v;
            ++count;
          }
        out[(b * g.out_h + oy) * g.out_w + ox] = static_cast<float>(is_max ? acc : acc / std::max<int64_t>(count, 1));
      }
  return Value::Float({n, c, g.out_h, g.out_w}, std::move(out));
}

// Mean over `axes` (ReduceMean; GlobalAveragePool is axes {2, 3}).
Value ReduceMean(const Node& node, const Value& x, std::vector<int64_t> axes, bool keepdims) {
  const size_t rank = x.shape.size();
  if (axes.empty()) for (size_t k = 0; k < rank; ++k) axes.push_back(static_cast<int64_t>(k));
  std::vector<bool> reduce(rank, false);
  for (int64_t a : axes) reduce[NormalizeAxis(node, a, rank)] = true;
  Shape out_keep = x.shape, out;
  for (size_t k = 0; k < rank; ++k) {
    if (reduce[k]) out_keep[k] = 1;
    if (!reduce[k] || keepdims) out.push_back(out_keep[k]);
  }
  Eigen::ArrayXd sum = Eigen::ArrayXd::Zero(NumElements(out_keep));
  std::vector<int64_t> counter(rank, 0);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t o = 0;
    for (size_t k = 0; k < rank; ++k) o = o * out_keep[k] + (reduce[k] ? 0 : counter[k]);
    sum[o] += x.f[i];
    for (size_t k = rank; k-- > 0;) {
      if (++counter[k] < x.shape[k]) break;
      counter[k] = 0;
    }
  }
  const double count = static_cast<double>(x.size() / std::max<int64_t>(1, NumElements(out_keep)));
  return Value::Float(out, (sum / count).cast<float>());
}

// Padding; `pads` = ONNX order (all begins, then all ends). `mode`:
// constant (`value` outside), reflect, edge or wrap (ONNX Pad's modes).
Value PadConstant(const Node& node, const Value& x, const std::vector<int64_t>& pads, float value,
                  const std::string& mode = "constant") {
  const size_t rank = x.shape.size();
  if (pads.size() != 2 * rank) Fail(node, "pads must have two values per dimension");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
    Unsupported(node, "pad mode '" + mode + "' is not supported");
  }
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    if (pads[k] < 0 || pads[k + rank] < 0) Unsupported(node, "negative pads (cropping) are not supported");
    if (pads[k] > kMaxComputedElements || pads[k + rank] > kMaxComputedElements) Fail(node, "padding too large");
    const int64_t most = std::max(pads[k], pads[k + rank]);
    if (mode == "reflect" && most > 0 && most >= x.shape[k]) {
      Fail(node, "reflect pads must be smaller than the dimension (" + std::to_string(most) + " >= " +
                     std::to_string(x.shape[k]) + ")");
    }
    if ((mode == "edge" || mode == "wrap") && most > 0 && x.shape[k] == 0) {
      Fail(node, mode + " padding of an empty dimension");
    }
    out[k] = x.shape[k] + pads[k] + pads[k + rank];
  }
  CheckComputedSize(node, out);
  Eigen::ArrayXf r = Eigen::ArrayXf::Constant(NumElements(out), value);
  auto map = [&](int64_t i, int64_t n) -> int64_t {
    if (i >= 0 && i < n) return i;
    if (mode == "constant") return -1;
    if (mode == "reflect") return i < 0 ? -i : 2 * (n - 1) - i;
    if (mode == "edge") return i < 0 ? 0 : n - 1;
    return ((i % n) + n) % n;  // wrap
  };
  std::vector<int64_t> counter(rank, 0);
  for (int64_t o = 0; o < r.size(); ++o) {
    int64_t src = 0;
    bool inside = true;
    for (size_t k = 0; k < rank; ++k) {
      const int64_t i = map(counter[k] - pads[k], x.shape[k]);
      if (i < 0) {
        inside = false;
        break;
      }
      src = src * x.shape[k] + i;
    }
    if (inside) r[o] = x.AsFloat(src);
    for (size_t k = rank; k-- > 0;) {
      if (++counter[k] < out[k]) break;
      counter[k] = 0;
    }
  }
  return Value::Float(out, std::move(r));
}

}  // namespace

// Pad's `pads` for the listed `axes` (opset 18) as pads for every dimension.
std::vector<int64_t> PadsOverAxes(const Node& node, const std::vector<int64_t>& axes,
                                  const std::vector<int64_t>& pads, size_t rank) {
  if (pads.size() != 2 * axes.size()) Fail(node, "pads must have two values per listed axis");
  const int64_t r = static_cast<int64_t>(rank);
  std::vector<int64_t> full(2 * rank, 0);
  std::vector<bool> seen(rank, false);
  for (size_t j = 0; j < axes.size(); ++j) {
    if (axes[j] < -r || axes[j] >= r) Fail(node, "pad axis " + std::to_string(axes[j]) + " out of range");
    const size_t a = static_cast<size_t>(axes[j] < 0 ? axes[j] + r : axes[j]);
    if (seen[a]) Fail(node, "pad axis " + std::to_string(axes[j]) + " listed twice");
    seen[a] = true;
    full[a] = pads[j];
    full[a + rank] = pads[j + axes.size()];
  }
  return full;
}

namespace {

const std::vector<int64_t> kToNchw = {0, 3, 1, 2};
const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};

// A mote NHWC window op, evaluated through its NCHW ONNX twin.
Node OnnxTwin(const Node& node) {
  Node twin = node;
  twin.attrs["strides"].ints = {node.attr_int("stride_h", 1), node.attr_int("stride_w", 1)};
  twin.attrs["dilations"].ints = {node.attr_int("dilation_h", 1), node.attr_int("dilation_w", 1)};
  twin.attrs["pads"].ints = {node.attr_int("pad_top", 0), node.attr_int("pad_left", 0), node.attr_int("pad_bottom", 0),
                             node.attr_int("pad_right", 0)};
  twin.attrs["kernel_shape"].ints = {node.attr_int("filter_h", 1), node.attr_int("filter_w", 1)};
  return twin;
}

// mote Conv2D (OHWI filters, `groups`) and DepthwiseConv2D ([1, kh, kw, C*m]
// filters: output channel o reads input channel o / m) on NHWC, without a
// layout change: im2col and one Eigen GEMM per group, or a direct loop over
// channels for depthwise. This is the float reference calibration and the
// self-check run on every sample, so it must be fast.
Value MoteConv(const Node& node, const Value& x, const Value& w, const Value* b, bool depthwise) {
  if (x.shape.size() != 4 || w.shape.size() != 4) Fail(node, "input and filter must be 4-D NHWC");
  const int64_t n = x.shape[0], h = x.shape[1], wd = x.shape[2], c = x.shape[3];
  const int64_t kh = w.shape[1], kw = w.shape[2];
  const int64_t oc = depthwise ? w.shape[3] : w.shape[0];
  const int64_t groups = depthwise ? c : node.attr_int("groups", 1);
  const int64_t icg = depthwise ? 1 : w.shape[3];
  if ((depthwise && w.shape[0] != 1) || groups < 1 || c != icg * groups || oc % groups != 0) {
    Fail(node, "input channels " + std::to_string(c) + " do not match filters " + ShapeString(w.shape) +
                   (depthwise ? "" : " and groups " + std::to_string(groups)));
  }
  if (node.attr_int("filter_h", 1) != kh || node.attr_int("filter_w", 1) != kw) {
    Fail(node, "filter_h/filter_w do not match the filters " + ShapeString(w.shape));
  }
  if (b != nullptr && b->size() != oc) Fail(node, "bias " + ShapeString(b->shape) + " does not match the filters");
  const Window g = WindowOf(OnnxTwin(node), {n, c, h, wd}, kh, kw);
  CheckComputedSize(node, {n, g.out_h, g.out_w, oc});
  const int64_t pixels = n * g.out_h * g.out_w, ocg = oc / groups;
  Matrix y(pixels, oc);
  if (b != nullptr) {
    y.rowwise() = Eigen::Map<const Eigen::RowVectorXf>(b->f.data(), oc);
  } else {
    y.setZero();
  }
  // Calls f(pixel, ky, kx, input offset of channel 0) for every tap inside the input.
  auto for_each_tap = [&](auto f) {
    for (int64_t bi = 0, p = 0; bi < n; ++bi)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox, ++p)
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t iy = oy * g.sh - g.pad_top + ky * g.dh;
            if (iy < 0 || iy >= h) continue;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t ix = ox * g.sw - g.pad_left + kx * g.dw;
              if (ix >= 0 && ix < wd) f(p, ky, kx, ((bi * h + iy) * wd + ix) * c);
            }
          }
  };
  if (depthwise) {
    const int64_t m = oc / c;
    for_each_tap([&](int64_t p, int64_t ky, int64_t kx, int64_t in) {
      const float* tap = w.f.data() + (ky * kw + kx) * oc;
      for (int64_t o = 0; o < oc; ++o) y(p, o) += x.f[in + o / m] * tap[o];
    });
  } else {
    const int64_t patch = kh * kw * icg;
    Matrix cols(pixels, patch);
    for (int64_t grp = 0; grp < groups; ++grp) {
      cols.setZero();
      for_each_tap([&](int64_t p, int64_t ky, int64_t kx, int64_t in) {
        const float* src = x.f.data() + in + grp * icg;
        std::copy(src, src + icg, cols.data() + p * patch + (ky * kw + kx) * icg);
      });
      Eigen::Map<const Matrix> filters(w.f.data() + grp * ocg * patch, ocg, patch);
      y.middleCols(grp * ocg, ocg).noalias() += cols * filters.transpose();
    }
  }
  const float lo = node.attr_float("act_min", -std::numeric_limits<float>::infinity());
  const float hi = node.attr_float("act_max", std::numeric_limits<float>::infinity());
  Eigen::ArrayXf flat = Eigen::Map<Eigen::ArrayXf>(y.data(), y.size()).max(lo).min(hi);
  return Value::Float({n, g.out_h, g.out_w, oc}, std::move(flat));
}

}  // namespace

bool IsKnownOp(const std::string& op) {
  if (IsClassicOp(op) || FindOp(op) != nullptr) return true;
  static const std::set<std::string> kOps = {
      "Identity", "Dropout", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Relu6",
      "Clip", "Sigmoid", "Tanh", "Softmax", "Flatten", "Reshape", "Squeeze", "Unsqueeze",
      "Transpose", "Concat", "Shape", "Cast", "FullyConnected",
      "BatchNormalization", "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean", "Pad",
      "LeakyRelu", "HardSwish", "Conv2D", "DepthwiseConv2D", "MaxPool2D", "AveragePool2D",
      "Mean", "Quantize", "Dequantize", "Pow", "ReduceSum", "ReduceLogSumExp",
      "Less", "Sum", "Size"};
  return kOps.count(op) != 0;
}

std::vector<Value> EvalNode(const Graph& graph, const Node& node,
                            const std::vector<const Value*>& ins) {
  if (auto classic = EvalClassic(graph, node, ins)) return *classic;
  if (const OpDef* def = FindOp(node.op); def != nullptr && def->eval != nullptr) {
    return def->eval(graph, node, ins);
  }
  const std::string& op = node.op;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  auto in = [&](size_t k) -> const Value& { return In(node, ins, k); };
  auto float_in = [&](size_t k) -> const Value& {
    const Value& v = In(node, ins, k);
    if (v.is_int) {
      const bool named = k < node.inputs.size() && node.inputs[k] >= 0 &&
                         static_cast<size_t>(node.inputs[k]) < graph.tensors.size();
      Fail(node, "input " + std::to_string(k) + (named ? " ('" + graph.tensors[node.inputs[k]].name + "')" : "") +
                     " is an integer tensor; the op needs float");
    }
    return v;
  };
  // An optional float input (a bias): null when absent.
  auto optional_float_in = [&](size_t k) -> const Value* { return k < ins.size() && ins[k] ? &float_in(k) : nullptr; };
  // In float, quantization is the identity (the reference ignores rounding).
  if (op == "Identity" || op == "Dropout" || op == "Quantize" || op == "Dequantize") return {in(0)};
  if (op == "FullyConnected") {
    return {FullyConnected(node, float_in(0), float_in(1), optional_float_in(2))};
  }
  if (op == "Gemm") return {Gemm(node, float_in(0), float_in(1), optional_float_in(2))};
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
  if (op == "Less") {  // a boolean tensor, held as 0 / 1 integers
    Value r = Binary(node, in(0), in(1), [](float a, float b) { return a < b ? 1.0f : 0.0f; },
                     [](int64_t a, int64_t b) -> int64_t { return a < b; });
    if (r.is_int) return {r};
    std::vector<int64_t> b(static_cast<size_t>(r.size()));
    for (int64_t k = 0; k < r.size(); ++k) b[k] = r.f[k] != 0.0f;
    return {Value::Int(r.shape, std::move(b))};
  }
  if (op == "Sum") {  // variadic Add with broadcasting, summed in input order
    Value r = in(0);
    for (size_t k = 1; k < ins.size(); ++k) {
      r = Binary(node, r, in(k), std::plus<float>(), std::plus<int64_t>());
    }
    return {r};
  }
  if (op == "Pow") {
    return {Binary(node, in(0), in(1), [](float a, float b) { return std::pow(a, b); },
                   [](int64_t a, int64_t b) {
                     return SaturatingInt(std::pow(static_cast<double>(a), static_cast<double>(b)));
                   })};
  }
  if (op == "ReduceSum" || op == "ReduceLogSumExp") {
    const Value& x = float_in(0);
    std::vector<int64_t> axes = ins.size() > 1 && ins[1] ? IntsOf(*ins[1]) : node.attr_ints("axes");
    const bool keep = node.attr_int("keepdims", 1) != 0;
    if (axes.empty() && node.attr_int("noop_with_empty_axes", 0)) return {x};
    if (op == "ReduceSum") {
      Value mean = ReduceMean(node, x, axes, keep);
      const double count = static_cast<double>(x.size()) / static_cast<double>(std::max<int64_t>(1, mean.size()));
      mean.f = (mean.f.cast<double>() * count).cast<float>();
      return {mean};
    }
    // log(sum(exp(x))) = m + log(sum(exp(x - m))) per reduced group: via max-shifted means.
    Value shifted = x;
    const float m = x.f.maxCoeff();
    shifted.f = (x.f - m).exp();
    Value mean = ReduceMean(node, shifted, axes, keep);
    const double count = static_cast<double>(x.size()) / static_cast<double>(std::max<int64_t>(1, mean.size()));
    mean.f = ((mean.f.cast<double>() * count).log() + m).cast<float>();
    return {mean};
  }
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
    const int64_t rank = static_cast<int64_t>(x.shape.size());
    int64_t axis = node.attr_int("axis", 1);
    if (axis < -rank || axis > rank) {
      Fail(node, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
    }
    if (axis < 0) axis += rank;
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k) outer *= x.shape[k];
    return {WithShape(node, x, {outer, outer == 0 ? 0 : x.size() / outer})};
  }
  if (op == "Reshape") {
    const Value& x = in(0);
    const std::vector<int64_t> spec = ins.size() > 1 && ins[1] ? IntsOf(*ins[1]) : node.attr_ints("shape");
    return {WithShape(node, x, ReshapeTarget(node, x.shape, spec))};
  }
  if (op == "Squeeze") return {Squeeze(node, in(0), AxesOf(node, ins))};
  if (op == "Unsqueeze") return {Unsqueeze(node, in(0), AxesOf(node, ins))};
  if (op == "Transpose") return {Transpose(node, in(0), node.attr_ints("perm"))};
  if (op == "Concat") return {Concat(node, ins)};
  if (op == "Shape") {  // dims [start, end) (opset 15), negative counted from the end, clamped
    const Value& x = in(0);
    const int64_t rank = static_cast<int64_t>(x.shape.size());
    auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    const int64_t start = clamp(node.attr_int("start", 0)), end = clamp(node.attr_int("end", rank));
    const Shape dims(x.shape.begin() + start, x.shape.begin() + std::max(start, end));
    return {Value::Int({static_cast<int64_t>(dims.size())}, dims)};
  }
  if (op == "Size") return {Value::Int({}, {in(0).size()})};  // static, like Shape
  if (op == "Cast") return {Cast(node, in(0))};
  const bool one_d = (op == "Conv" || op == "MaxPool" || op == "AveragePool") && in(0).shape.size() == 3;
  if (one_d && op == "Conv") {
    return {WithoutHeight(node, ConvNchw(AsWindow2D(node), WithHeight1(node, float_in(0)),
                                         WithHeight1(node, float_in(1)), optional_float_in(2)))};
  }
  if (one_d) {
    return {WithoutHeight(node, PoolNchw(AsWindow2D(node), WithHeight1(node, float_in(0)), op == "MaxPool"))};
  }
  if (op == "Conv" && in(1).shape.size() == 5) {
    return {ConvNcdhw(node, float_in(0), float_in(1), optional_float_in(2))};
  }
  if (op == "Conv") return {ConvNchw(node, float_in(0), float_in(1), optional_float_in(2))};
  if (op == "MaxPool" || op == "AveragePool") return {PoolNchw(node, float_in(0), op == "MaxPool")};
  if (op == "GlobalAveragePool") {
    std::vector<int64_t> spatial;
    for (size_t k = 2; k < in(0).shape.size(); ++k) spatial.push_back(static_cast<int64_t>(k));
    if (spatial.empty()) Fail(node, "the input " + ShapeString(in(0).shape) + " has no spatial axes");
    return {ReduceMean(node, float_in(0), spatial, true)};
  }
  if (op == "ReduceMean") {
    return {ReduceMean(node, float_in(0), ins.size() > 1 && ins[1] ? IntsOf(*ins[1]) : node.attr_ints("axes"),
                       node.attr_int("keepdims", 1) != 0)};
  }
  if (op == "Pad") {
    const std::string mode = node.has_attr("mode") ? node.attrs.at("mode").s : "constant";
    std::vector<int64_t> pads = ins.size() > 1 && ins[1] ? IntsOf(*ins[1]) : node.attr_ints("pads");
    if (ins.size() > 2 && ins[2] && ins[2]->size() != 1) Fail(node, "the pad value must be a single value");
    const float value = ins.size() > 2 && ins[2] ? ins[2]->AsFloat(0) : node.attr_float("value", 0.0f);
    if (ins.size() > 3 && ins[3]) pads = PadsOverAxes(node, IntsOf(*ins[3]), pads, in(0).shape.size());
    return {PadConstant(node, in(0), pads, value, mode)};
  }
  if (op == "LeakyRelu") {
    const float alpha = node.attr_float("alpha", 0.01f);
    return {Unary(float_in(0), [alpha](float v) { return v < 0.0f ? alpha * v : v; })};
  }
  if (op == "HardSwish") {
    return {Unary(float_in(0), [](float v) { return v * std::min(std::max(v + 3.0f, 0.0f), 6.0f) / 6.0f; })};
  }
  // mote ops on NHWC (after the layout pass).
  if (op == "Conv2D" || op == "DepthwiseConv2D") {
    return {MoteConv(node, float_in(0), float_in(1), optional_float_in(2), op == "DepthwiseConv2D")};
  }
  if (op == "MaxPool2D" || op == "AveragePool2D") {
    Value y = Transpose(node, PoolNchw(OnnxTwin(node), Transpose(node, float_in(0), kToNchw), op == "MaxPool2D"), kToNhwc);
    y.f = y.f.max(node.attr_float("act_min", -kInf)).min(node.attr_float("act_max", kInf));
    return {y};
  }
  if (op == "Mean") {  // NHWC spatial mean, shape from the output the layout pass recorded
    Value y = ReduceMean(node, float_in(0), {1, 2}, true);
    return {WithShape(node, y, node.attr_ints("shape"))};
  }
  if (op == "BatchNormalization") return {BatchNorm(node, float_in(0), float_in(1), float_in(2), float_in(3), float_in(4))};
  Unsupported(node, "op is not supported by modelc");
}

std::vector<Value> Execute(const Graph& graph, const std::vector<Value>& inputs, const NodeObserver* observer,
                           bool with_constants) {
  std::vector<Value> values(graph.tensors.size());
  std::vector<bool> ready(graph.tensors.size(), false);
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    if (graph.tensors[t].is_const()) {
      if (with_constants) values[t] = *graph.tensors[t].constant;
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
      // Constants are read in place (copying a network's weights per sample costs more than running it).
      ins.push_back(t < 0 ? nullptr : graph.tensors[t].is_const() ? &*graph.tensors[t].constant : &values[t]);
    }
    if (observer && observer->before) observer->before(node, ins);
    std::vector<Value> outs = EvalNode(graph, node, ins);
    if (observer && observer->after) observer->after(node, outs);
    for (size_t k = 0; k < node.outputs.size() && k < outs.size(); ++k) {
      values[node.outputs[k]] = std::move(outs[k]);
      ready[node.outputs[k]] = true;
    }
  }
  return values;
}

}  // namespace mote::modelc
