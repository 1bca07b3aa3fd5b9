// Resize (opset 10+) and Upsample (opset 7 and 9), nearest and linear over
// the height and width of NCHW tensors, and the runtime's Resize they become.
// Every coordinate_transformation_mode but tf_crop_and_resize and every
// nearest_mode is resolved here, in double, into source indices and weights
// per output row and column (mote.fbs ResizeOptions); the float reference and
// the runtime read the same tables.
#include <cmath>

#include "ir/reference_executor.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

// Source coordinates of one output axis. Nearest: index[out]. Linear:
// index[2 * out] pairs (lower, upper), weight[out] the upper one's.
struct AxisTable {
  std::vector<int64_t> index;
  std::vector<float> weight;
};

struct ResizeSpec {
  bool linear = false;
  std::string transform = "half_pixel";
  std::string nearest_mode = "round_prefer_floor";
  Shape out;             // NCHW
  double scale[2] = {};  // height, width
};

const Value* ConstantInput(const Graph& g, const Node& n, const OpInputs* ins, size_t k) {
  if (k >= n.inputs.size() || n.inputs[k] < 0) return nullptr;
  const Tensor& t = g.tensors[n.inputs[k]];
  // Values fed at run time (shape inference sees zeros) cannot fix the geometry.
  if (ins != nullptr && !g.IsGraphInput(n.inputs[k])) return k < ins->size() ? (*ins)[k] : nullptr;
  if (!t.is_const()) {
    Unsupported(
        n, "input " + std::to_string(k) + " ('" + t.name +
               "') computed at run time is not supported (scales and sizes must be constants)");
  }
  return &*t.constant;
}

// The resize of `n` on an NCHW input of shape x; `ins` are the input values
// (evaluation) or null (lowering: scales and sizes must be constants).
ResizeSpec SpecOf(const Graph& g, const Node& n, const Shape& x, const OpInputs* ins) {
  ResizeSpec s;
  const bool upsample = n.op == "Upsample";
  const std::string mode = n.has_attr("mode") ? n.attrs.at("mode").s : "nearest";
  if (mode == "linear" || mode == "bilinear") {
    s.linear = true;
  } else if (mode != "nearest") {
    Unsupported(n, "mode '" + mode + "' is not supported (nearest and linear are)");
  }
  if (upsample) {
    s.transform = "asymmetric";
    s.nearest_mode = "floor";
  } else if (g.opset < 11) {
    s.transform = "asymmetric";  // opset 10's Resize: Upsample's coordinates
    s.nearest_mode = "floor";
  } else {
    if (n.has_attr("coordinate_transformation_mode")) {
      s.transform = n.attrs.at("coordinate_transformation_mode").s;
    }
    if (n.has_attr("nearest_mode")) s.nearest_mode = n.attrs.at("nearest_mode").s;
  }
  if (n.attr_int("exclude_outside", 0) != 0) Unsupported(n, "exclude_outside=1 is not supported");
  if (s.transform == "tf_crop_and_resize") {
    Unsupported(n, "coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
  }
  if (s.transform != "half_pixel" && s.transform != "pytorch_half_pixel" &&
      s.transform != "align_corners" && s.transform != "asymmetric" &&
      s.transform != "tf_half_pixel_for_nn") {
    Unsupported(n, "coordinate_transformation_mode '" + s.transform + "' is not supported");
  }
  if (s.nearest_mode != "round_prefer_floor" && s.nearest_mode != "round_prefer_ceil" &&
      s.nearest_mode != "floor" && s.nearest_mode != "ceil") {
    Unsupported(n, "nearest_mode '" + s.nearest_mode + "' is not supported");
  }
  if (x.size() != 4) {
    Unsupported(n, "resizing a tensor of shape " + ShapeString(x) +
                       " is not supported (only 4-D NCHW, over height and width)");
  }
  // Scales or sizes: an attribute (Upsample-7), input 1 (Upsample-9, Resize-10)
  // or inputs 2 and 3 (Resize-11+).
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (upsample && n.has_attr("scales")) {
    for (float f : n.attrs.at("scales").floats) scales.push_back(f);
  } else {
    const size_t scales_at = upsample || g.opset < 11 ? 1 : 2;
    const Value* sv = ConstantInput(g, n, ins, scales_at);
    if (sv != nullptr && sv->size() > 0) {
      for (int64_t k = 0; k < sv->size(); ++k) scales.push_back(sv->AsFloat(k));
    }
    const Value* zv = scales_at == 2 ? ConstantInput(g, n, ins, 3) : nullptr;
    if (zv != nullptr && zv->size() > 0) {
      if (!scales.empty()) Fail(n, "only one of scales and sizes may be given");
      for (int64_t k = 0; k < zv->size(); ++k) sizes.push_back(zv->AsInt(k));
    }
  }
  s.out = x;
  if (!sizes.empty()) {
    if (sizes.size() != 4) Fail(n, "sizes must have 4 values, not " + ShapeString(sizes));
    for (int k = 0; k < 4; ++k) {
      if (sizes[k] < 1 || sizes[k] > (int64_t{1} << 24)) Fail(n, "sizes out of range");
    }
    s.out = sizes;
    s.scale[0] = static_cast<double>(sizes[2]) / static_cast<double>(x[2]);
    s.scale[1] = static_cast<double>(sizes[3]) / static_cast<double>(x[3]);
  } else {
    if (scales.size() != 4) Fail(n, "scales must have 4 values (or sizes be given)");
    for (int k = 0; k < 4; ++k) {
      if (!(scales[k] > 0.0) || scales[k] > 65536.0) Fail(n, "scales must be positive");
      s.out[k] = static_cast<int64_t>(std::floor(static_cast<double>(x[k]) * scales[k]));
      if (s.out[k] < 1 || s.out[k] > (int64_t{1} << 24)) Fail(n, "output size out of range");
    }
    s.scale[0] = scales[2];
    s.scale[1] = scales[3];
  }
  if (s.out[0] != x[0] || s.out[1] != x[1]) {
    Unsupported(n, "resizing the batch or channel axis is not supported");
  }
  return s;
}

// Output coordinate -> input coordinate (ONNX's formulas). The resized
// length is in * scale before flooring, as ONNX's reference computes it (it
// differs from the output size only for scales that do not give an integer).
double SourceCoordinate(const ResizeSpec& s, int64_t o, int64_t in, double scale) {
  const double x = static_cast<double>(o);
  const double length = static_cast<double>(in) * scale;
  if (s.transform == "align_corners") {
    return length == 1.0 ? 0.0 : x * static_cast<double>(in - 1) / (length - 1.0);
  }
  if (s.transform == "asymmetric") return x / scale;
  if (s.transform == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  if (s.transform == "pytorch_half_pixel" && length == 1.0) return -0.5;
  return (x + 0.5) / scale - 0.5;  // half_pixel
}

int64_t Nearest(const std::string& mode, double x) {
  const double f = std::floor(x);
  if (mode == "floor") return static_cast<int64_t>(f);
  if (mode == "ceil") return static_cast<int64_t>(std::ceil(x));
  const double frac = x - f;
  if (frac == 0.5) return static_cast<int64_t>(mode == "round_prefer_ceil" ? f + 1.0 : f);
  return static_cast<int64_t>(frac < 0.5 ? f : f + 1.0);
}

AxisTable TableOf(const ResizeSpec& s, int64_t in, int64_t out, double scale) {
  AxisTable t;
  auto clamp = [&](int64_t i) { return std::min(std::max<int64_t>(i, 0), in - 1); };
  for (int64_t o = 0; o < out; ++o) {
    const double x = SourceCoordinate(s, o, in, scale);
    if (!s.linear) {
      t.index.push_back(clamp(Nearest(s.nearest_mode, x)));
      continue;
    }
    const double f = std::floor(x);
    t.index.push_back(clamp(static_cast<int64_t>(f)));
    t.index.push_back(clamp(static_cast<int64_t>(f) + 1));
    t.weight.push_back(static_cast<float>(x - f));
  }
  return t;
}

// Applies the tables to NCHW x (double sums, x first, then y).
Value Apply(const Value& x, const Shape& out, bool linear, const AxisTable& ty,
            const AxisTable& tx) {
  const int64_t planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t oh = out[2], ow = out[3];
  Eigen::ArrayXf y(planes * oh * ow);
  for (int64_t p = 0; p < planes; ++p) {
    const float* in = x.f.data() + p * h * w;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        double v;
        if (!linear) {
          v = in[ty.index[oy] * w + tx.index[ox]];
        } else {
          auto row = [&](int64_t r) {
            const double a = in[r * w + tx.index[2 * ox]], b = in[r * w + tx.index[2 * ox + 1]];
            return a + (b - a) * tx.weight[ox];
          };
          const double top = row(ty.index[2 * oy]), bottom = row(ty.index[2 * oy + 1]);
          v = top + (bottom - top) * ty.weight[oy];
        }
        y[(p * oh + oy) * ow + ox] = static_cast<float>(v);
      }
  }
  return Value::Float(out, std::move(y));
}

std::vector<Value> EvalMoteResize(const Graph& g, const Node& n, const OpInputs& ins);

// ONNX Resize / Upsample, or (with its tables) the mote Resize of the same name.
std::vector<Value> EvalResize(const Graph& g, const Node& n, const OpInputs& ins) {
  if (n.has_attr("y_index")) return EvalMoteResize(g, n, ins);
  if (ins.empty() || ins[0] == nullptr || ins[0]->is_int) Fail(n, "input 0 must be a float tensor");
  const Value& x = *ins[0];
  const ResizeSpec s = SpecOf(g, n, x.shape, &ins);
  const AxisTable ty = TableOf(s, x.shape[2], s.out[2], s.scale[0]);
  const AxisTable tx = TableOf(s, x.shape[3], s.out[3], s.scale[1]);
  return {Apply(x, s.out, s.linear, ty, tx)};
}

void ResizeToNhwc(Graph& g, Node& n) {
  const Shape& nhwc = g.tensors[n.inputs[0]].shape;
  const Shape x = {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
  const ResizeSpec s = SpecOf(g, n, x, nullptr);
  const AxisTable ty = TableOf(s, x[2], s.out[2], s.scale[0]);
  const AxisTable tx = TableOf(s, x[3], s.out[3], s.scale[1]);
  n.op = "Resize";
  n.inputs.resize(1);
  n.attrs.clear();
  n.attrs["mode"].i = s.linear ? 1 : 0;
  n.attrs["y_index"].ints = ty.index;
  n.attrs["x_index"].ints = tx.index;
  n.attrs["y_weight"].floats = ty.weight;
  n.attrs["x_weight"].floats = tx.weight;
}

// The mote op on NHWC, as the runtime's float kernel computes it.
std::vector<Value> EvalMoteResize(const Graph& g, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr || ins[0]->is_int) Fail(n, "input 0 must be a float tensor");
  const Value& x = *ins[0];
  if (x.shape.size() != 4) Fail(n, "input must be 4-D NHWC");
  const bool linear = n.attr_int("mode", 0) == 1;
  AxisTable ty{n.attr_ints("y_index"), {}}, tx{n.attr_ints("x_index"), {}};
  if (linear) {
    ty.weight = n.attrs.at("y_weight").floats;
    tx.weight = n.attrs.at("x_weight").floats;
  }
  const int64_t per = linear ? 2 : 1;
  const int64_t oh = static_cast<int64_t>(ty.index.size()) / per;
  const int64_t ow = static_cast<int64_t>(tx.index.size()) / per;
  const int64_t batches = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
  (void)g;
  (void)h;
  Eigen::ArrayXf y(batches * oh * ow * c);
  int64_t k = 0;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t ch = 0; ch < c; ++ch) {
          auto at = [&](int64_t r, int64_t col) { return x.f[((b * h + r) * w + col) * c + ch]; };
          if (!linear) {
            y[k++] = at(ty.index[oy], tx.index[ox]);
            continue;
          }
          auto row = [&](int64_t r) {
            const float wx = tx.weight[ox];
            return at(r, tx.index[2 * ox]) * (1.0f - wx) + at(r, tx.index[2 * ox + 1]) * wx;
          };
          const float wy = ty.weight[oy];
          y[k++] = row(ty.index[2 * oy]) * (1.0f - wy) + row(ty.index[2 * oy + 1]) * wy;
        }
  return {Value::Float({batches, oh, ow, c}, std::move(y))};
}

}  // namespace

std::vector<OpDef> ResizeOps() {
  std::vector<OpDef> ops;
  OpDef resize = {"Resize",
                  {"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
                   "exclude_outside", "extrapolation_value"},
                  EvalResize};
  resize.to_nhwc = ResizeToNhwc;
  ops.push_back(resize);
  OpDef upsample = {"Upsample", {"mode", "scales"}, EvalResize};
  upsample.to_nhwc = ResizeToNhwc;
  ops.push_back(upsample);
  return ops;
}

}  // namespace mote::modelc
