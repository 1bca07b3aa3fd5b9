// ConvTranspose (1-D and 2-D; strides, pads, output_padding, dilations,
// group, auto_pad, output_shape) and the runtime's TransposeConv2D it
// becomes. The float references scatter every input tap (the runtime
// gathers), so they are an independent check of the kernel.
#include <algorithm>
#include <limits>

#include "ir/reference_executor.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

// Bound on sizes, strides, pads and dilations: keeps every coordinate (and
// the runtime's int32 geometry) far from overflow.
constexpr int64_t kMaxGeometry = int64_t{1} << 24;

// One spatial axis of a transposed convolution: input i and tap k feed
// output i * stride + k * dilation - pad_begin.
struct Axis {
  int64_t in = 1, kernel = 1, stride = 1, dilation = 1, pad_begin = 0, out = 1;
  int64_t span() const { return (in - 1) * stride + (kernel - 1) * dilation + 1; }
};

std::vector<int64_t> Ints(const Node& n, const char* key, size_t rank, int64_t fallback) {
  if (!n.has_attr(key)) return std::vector<int64_t>(rank, fallback);
  std::vector<int64_t> v = n.attr_ints(key);
  if (v.size() != rank) {
    Fail(n, std::string(key) + " must have " + std::to_string(rank) + " values, not " +
                ShapeString(v));
  }
  return v;
}

// The geometry of every spatial axis of `n` on input x [N, C, spatial...]
// and weights w [C, M / group, kernel...], with auto_pad, output_shape and
// output_padding resolved. Refuses what the runtime cannot run.
std::vector<Axis> Geometry(const Node& n, const Shape& x, const Shape& w) {
  if (x.size() != 3 && x.size() != 4) {
    Unsupported(n, "transposed convolution over input " + ShapeString(x) +
                       " is not supported (only 1-D and 2-D)");
  }
  if (w.size() != x.size()) {
    Fail(n, "weights " + ShapeString(w) + " do not match the input " + ShapeString(x));
  }
  const size_t rank = x.size() - 2;
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  if (n.has_attr("kernel_shape") && n.attr_ints("kernel_shape") != kernel) {
    Fail(n, "kernel_shape " + ShapeString(n.attr_ints("kernel_shape")) +
                " does not match the weights " + ShapeString(w));
  }
  const auto strides = Ints(n, "strides", rank, 1);
  const auto dilations = Ints(n, "dilations", rank, 1);
  const auto output_padding = Ints(n, "output_padding", rank, 0);
  const auto pads = Ints(n, "pads", 2 * rank, 0);
  std::vector<int64_t> output_shape;
  if (n.has_attr("output_shape")) {
    output_shape = n.attr_ints("output_shape");
    if (output_shape.size() == rank + 2)
      output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
    if (output_shape.size() != rank) Fail(n, "output_shape must have one value per spatial axis");
  }
  const std::string auto_pad = n.has_attr("auto_pad") ? n.attrs.at("auto_pad").s : "NOTSET";
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" &&
      auto_pad != "SAME_LOWER") {
    Fail(n, "auto_pad '" + auto_pad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  }
  std::vector<Axis> axes(rank);
  for (size_t i = 0; i < rank; ++i) {
    Axis& a = axes[i];
    a.in = x[i + 2];
    a.kernel = kernel[i];
    a.stride = strides[i];
    a.dilation = dilations[i];
    for (int64_t v : {a.in, a.kernel, a.stride, a.dilation}) {
      if (v < 1 || v > kMaxGeometry) {
        Fail(n,
             "input size, kernel, stride or dilation out of range [1, 2^24]: " + std::to_string(v));
      }
    }
    const int64_t extra = output_padding[i];
    if (extra < 0 || extra >= std::max(a.stride, a.dilation)) {
      Fail(n,
           "output_padding " + std::to_string(extra) + " must be below the stride or the dilation");
    }
    const int64_t full = a.span() + extra;
    if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      // The padding that gives the requested size, split as the ONNX spec says;
      // a size beyond `full` leaves the last rows to the bias.
      a.out = !output_shape.empty() ? output_shape[i] : a.in * a.stride;
      const int64_t total = std::max<int64_t>(0, full - a.out);
      a.pad_begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (auto_pad == "VALID") {
      a.out = full;
    } else {
      a.pad_begin = pads[i];
      const int64_t end = pads[i + rank];
      if (a.pad_begin < 0 || end < 0) Fail(n, "negative padding: pads " + ShapeString(pads));
      if (a.pad_begin > kMaxGeometry || end > kMaxGeometry) Fail(n, "padding too large");
      a.out = full - a.pad_begin - end;
    }
    if (a.out < 1 || a.out > kMaxGeometry) {
      Fail(n, "output size " + std::to_string(a.out) + " out of range along spatial axis " +
                  std::to_string(i));
    }
    if (a.pad_begin >= a.span() ||
        a.span() - a.pad_begin - a.out <= -std::max(a.stride, a.dilation)) {
      Unsupported(n,
                  "an output reaching past the input by the stride or dilation, or padding "
                  "beyond the output, is not supported");
    }
  }
  return axes;
}

// Scatter of x [N, C, H, W] through weights [C, M / group, kh, kw] (a 1-D
// problem has H = kh = 1) into [N, M, out_h, out_w], in double.
Eigen::ArrayXf Scatter(const Node& n, const Value& x, const Value& w, const Value* bias,
                       const Axis& ay, const Axis& ax, int64_t group) {
  const int64_t batches = x.shape[0], c = x.shape[1];
  const int64_t mg = w.shape[1], m = mg * group, cg = c / group;
  std::vector<double> acc(static_cast<size_t>(batches * m * ay.out * ax.out), 0.0);
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t ic = 0; ic < c; ++ic) {
      const int64_t g = ic / cg;
      for (int64_t iy = 0; iy < ay.in; ++iy)
        for (int64_t ix = 0; ix < ax.in; ++ix) {
          const double v = x.f[((b * c + ic) * ay.in + iy) * ax.in + ix];
          for (int64_t om = 0; om < mg; ++om) {
            const int64_t oc = g * mg + om;
            for (int64_t ky = 0; ky < ay.kernel; ++ky) {
              const int64_t oy = iy * ay.stride + ky * ay.dilation - ay.pad_begin;
              if (oy < 0 || oy >= ay.out) continue;
              for (int64_t kx = 0; kx < ax.kernel; ++kx) {
                const int64_t ox = ix * ax.stride + kx * ax.dilation - ax.pad_begin;
                if (ox < 0 || ox >= ax.out) continue;
                acc[((b * m + oc) * ay.out + oy) * ax.out + ox] +=
                    v * w.f[((ic * mg + om) * ay.kernel + ky) * ax.kernel + kx];
              }
            }
          }
        }
    }
  (void)n;
  Eigen::ArrayXf out(static_cast<Eigen::Index>(acc.size()));
  const int64_t plane = ay.out * ax.out;
  for (size_t k = 0; k < acc.size(); ++k) {
    const int64_t oc = static_cast<int64_t>(k) / plane % m;
    out[static_cast<Eigen::Index>(k)] = static_cast<float>(acc[k] + (bias ? bias->f[oc] : 0.0));
  }
  return out;
}

const Value& FloatInput(const Node& n, const OpInputs& ins, size_t k, const char* what) {
  if (k >= ins.size() || ins[k] == nullptr) Fail(n, std::string("missing ") + what);
  if (ins[k]->is_int) Fail(n, std::string(what) + " must be a float tensor");
  return *ins[k];
}

// Checks channels and group of input x [N, C, ...], weights [C, M / group,
// ...] and the optional bias [M].
int64_t Group(const Node& n, const Shape& x, const Shape& w, const Value* bias) {
  const int64_t group = n.attr_int("group", 1);
  if (w.size() < 3 || group < 1 || w[0] != x[1] || x[1] % group != 0) {
    Fail(n, "input channels " + std::to_string(x[1]) + " do not match weights " + ShapeString(w) +
                " and group " + std::to_string(group));
  }
  if (bias != nullptr && bias->size() != w[1] * group) {
    Fail(n, "bias " + ShapeString(bias->shape) + " does not match the output channels");
  }
  return group;
}

std::vector<Value> EvalConvTranspose(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = FloatInput(n, ins, 0, "input");
  const Value& w = FloatInput(n, ins, 1, "weights");
  const Value* bias =
      ins.size() > 2 && ins[2] != nullptr ? &FloatInput(n, ins, 2, "bias") : nullptr;
  const std::vector<Axis> axes = Geometry(n, x.shape, w.shape);
  const int64_t group = Group(n, x.shape, w.shape, bias);
  const Axis one;
  const Axis& ay = axes.size() == 2 ? axes[0] : one;
  const Axis& ax = axes.back();
  if (x.shape[0] * w.shape[1] * group * ay.out * ax.out > (int64_t{1} << 26)) {
    Unsupported(n, "an output this large is not supported");
  }
  Shape out = {x.shape[0], w.shape[1] * group};
  for (const Axis& a : axes) out.push_back(a.out);
  return {Value::Float(out, Scatter(n, x, w, bias, ay, ax, group))};
}

// NCHW ConvTranspose -> NHWC TransposeConv2D with weights
// [out_c, kh, kw, in_c / group].
void ConvTransposeToNhwc(Graph& g, Node& n) {
  const Shape& nhwc = g.tensors[n.inputs[0]].shape;
  if (n.inputs.size() < 2 || n.inputs[1] < 0 || !g.tensors[n.inputs[1]].is_const()) {
    Unsupported(n, "the weights must be a constant (initializer) to be supported");
  }
  if (n.inputs.size() > 2 && n.inputs[2] >= 0 && !g.tensors[n.inputs[2]].is_const()) {
    Unsupported(n, "the bias must be a constant (initializer) to be supported");
  }
  const Value& w = *g.tensors[n.inputs[1]].constant;
  const Shape x = {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
  const std::vector<Axis> axes = Geometry(n, x, w.shape);
  const int64_t group = Group(n, x, w.shape, nullptr);
  const int64_t cg = x[1] / group, mg = w.shape[1], kh = w.shape[2], kw = w.shape[3];
  Eigen::ArrayXf nhwc_w(w.size());
  for (int64_t ic = 0; ic < x[1]; ++ic)
    for (int64_t om = 0; om < mg; ++om)
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx) {
          const int64_t oc = ic / cg * mg + om;
          nhwc_w[((oc * kh + ky) * kw + kx) * cg + ic % cg] =
              w.f[((ic * mg + om) * kh + ky) * kw + kx];
        }
  n.inputs[1] = g.AddConstant(n.name + ".weights", Value::Float({mg * group, kh, kw, cg}, nhwc_w));
  n.op = "TransposeConv2D";
  n.attrs.clear();
  n.attrs["stride_h"].i = axes[0].stride;
  n.attrs["stride_w"].i = axes[1].stride;
  n.attrs["dilation_h"].i = axes[0].dilation;
  n.attrs["dilation_w"].i = axes[1].dilation;
  n.attrs["pad_top"].i = axes[0].pad_begin;
  n.attrs["pad_left"].i = axes[1].pad_begin;
  n.attrs["out_h"].i = axes[0].out;
  n.attrs["out_w"].i = axes[1].out;
  n.attrs["groups"].i = group;
}

// The mote op on NHWC: through the ONNX scatter on NCHW.
std::vector<Value> EvalTransposeConv2D(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = FloatInput(n, ins, 0, "input");
  const Value& w = FloatInput(n, ins, 1, "weights");
  const Value* bias =
      ins.size() > 2 && ins[2] != nullptr ? &FloatInput(n, ins, 2, "bias") : nullptr;
  if (x.shape.size() != 4 || w.shape.size() != 4) Fail(n, "input and weights must be 4-D NHWC");
  const int64_t group = n.attr_int("groups", 1);
  Axis ay, ax;
  ay.in = x.shape[1];
  ax.in = x.shape[2];
  ay.kernel = w.shape[1];
  ax.kernel = w.shape[2];
  ay.stride = n.attr_int("stride_h", 1);
  ax.stride = n.attr_int("stride_w", 1);
  ay.dilation = n.attr_int("dilation_h", 1);
  ax.dilation = n.attr_int("dilation_w", 1);
  ay.pad_begin = n.attr_int("pad_top", 0);
  ax.pad_begin = n.attr_int("pad_left", 0);
  ay.out = n.attr_int("out_h", 1);
  ax.out = n.attr_int("out_w", 1);
  const int64_t cg = w.shape[3], m = w.shape[0];
  if (group < 1 || cg * group != x.shape[3] || m % group != 0) Fail(n, "groups do not match");
  // OHWI [m, kh, kw, cg] -> ONNX [C, m / group, kh, kw].
  const int64_t mg = m / group;
  Value onnx_w = Value::Float({x.shape[3], mg, ay.kernel, ax.kernel}, Eigen::ArrayXf(w.size()));
  for (int64_t oc = 0; oc < m; ++oc)
    for (int64_t ky = 0; ky < ay.kernel; ++ky)
      for (int64_t kx = 0; kx < ax.kernel; ++kx)
        for (int64_t i = 0; i < cg; ++i) {
          const int64_t ic = oc / mg * cg + i;
          onnx_w.f[((ic * mg + oc % mg) * ay.kernel + ky) * ax.kernel + kx] =
              w.f[((oc * ay.kernel + ky) * ax.kernel + kx) * cg + i];
        }
  const Value nchw = Transpose(n, x, {0, 3, 1, 2});
  Value y =
      Value::Float({x.shape[0], m, ay.out, ax.out}, Scatter(n, nchw, onnx_w, bias, ay, ax, group));
  y = Transpose(n, y, {0, 2, 3, 1});
  const float lo = n.attr_float("act_min", -std::numeric_limits<float>::infinity());
  const float hi = n.attr_float("act_max", std::numeric_limits<float>::infinity());
  y.f = y.f.max(lo).min(hi);
  return {y};
}

}  // namespace

Node ConvTransposeAs2D(const Node& node) {
  Node twin = node;
  for (const char* key :
       {"kernel_shape", "strides", "dilations", "output_padding", "output_shape"}) {
    if (!node.has_attr(key)) continue;
    std::vector<int64_t> v = node.attr_ints(key);
    if (std::string(key) == "output_shape" && v.size() == 3) v.erase(v.begin(), v.begin() + 2);
    if (v.size() != 1)
      Fail(node, std::string(key) + " must have 1 value for a 1-D window, not " + ShapeString(v));
    twin.attrs[key].ints = {std::string(key) == "output_padding" ? 0 : 1, v[0]};
  }
  if (node.has_attr("pads")) {
    const std::vector<int64_t> p = node.attr_ints("pads");
    if (p.size() != 2)
      Fail(node, "pads must have 2 values for a 1-D window, not " + ShapeString(p));
    twin.attrs["pads"].ints = {0, p[0], 0, p[1]};
  }
  return twin;
}

std::vector<OpDef> ConvTransposeOps() {
  std::vector<OpDef> ops;
  OpDef onnx = {"ConvTranspose",
                {"auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape",
                 "pads", "strides"},
                EvalConvTranspose};
  onnx.to_nhwc = ConvTransposeToNhwc;
  ops.push_back(onnx);
  ops.push_back({"TransposeConv2D",
                 {"stride_h", "stride_w", "dilation_h", "dilation_w", "pad_top", "pad_left",
                  "out_h", "out_w", "groups", "act_min", "act_max"},
                 EvalTransposeConv2D});
  return ops;
}

}  // namespace mote::modelc
