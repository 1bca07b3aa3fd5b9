// QuantizeLinear and DequantizeLinear (opsets 10, 13, 19): their float
// reference (what the ONNX reference computes, in float), and the quantized
// ops QLinearConv, QLinearMatMul, ConvInteger and MatMulInteger, which
// passes/qdq.cc rewrites into DequantizeLinear -> float op -> QuantizeLinear
// before anything evaluates them.
#include "ops/qdq.h"

#include <cmath>

#include "ops/op_registry.h"

namespace mote::modelc {

QdqParams ReadQdqParams(const Graph& g, const Node& n, const Value& scale, const Value* zero_point,
                        int64_t rank) {
  QdqParams p;
  if (scale.is_int || scale.size() == 0) Fail(n, "the scale must be a non-empty float tensor");
  if (scale.shape.size() > 1)
    Unsupported(n, "block-wise quantization (a scale of rank > 1) is not supported");
  for (int64_t k = 0; k < scale.size(); ++k) {
    const float s = scale.f[k];
    if (!(s > 0.0f) || !std::isfinite(s))
      Fail(n, "scale " + std::to_string(s) + " must be positive and finite");
    p.scale.push_back(s);
  }
  const bool is_q = n.op == "QuantizeLinear";
  const int zp_tensor = n.inputs.size() > 2 ? n.inputs[2] : -1;
  const int x_tensor = n.inputs[0];
  auto type_of = [&](int t) {
    const auto it = t >= 0 ? g.element_types.find(t) : g.element_types.end();
    return it == g.element_types.end() ? DType::kUInt8 : it->second;
  };
  // The zero point's type is the quantized type; without one, QuantizeLinear
  // makes uint8 and DequantizeLinear reads its input's type.
  p.type = zero_point != nullptr ? type_of(zp_tensor) : is_q ? DType::kUInt8 : type_of(x_tensor);
  if (zero_point != nullptr && g.element_types.count(zp_tensor) == 0) {
    Unsupported(n,
                "the zero point must be an int8, uint8 or int32 constant (float8, int16, int4 "
                "and other types are not supported)");
  }
  if (p.type == DType::kInt32 && is_q) Unsupported(n, "quantizing to int32 is not supported");
  if (zero_point != nullptr) {
    // Shapes [] and [1] both mean one value.
    if (!zero_point->is_int || zero_point->size() != scale.size() ||
        (scale.size() > 1 && zero_point->shape != scale.shape)) {
      Fail(n, "the zero point must have the scale's shape " + ShapeString(scale.shape));
    }
    for (int64_t z : zero_point->i) p.zero_point.push_back(static_cast<int32_t>(z));
  } else {
    p.zero_point.assign(p.scale.size(), 0);
  }
  if (p.type == DType::kInt32) {
    for (int32_t z : p.zero_point) {
      if (z != 0) Fail(n, "an int32 input must have zero point 0");
    }
  }
  p.lo = p.type == DType::kUInt8 ? 0 : p.type == DType::kInt8 ? -128 : INT32_MIN;
  p.hi = p.type == DType::kUInt8 ? 255 : p.type == DType::kInt8 ? 127 : INT32_MAX;
  if (p.scale.size() > 1 || scale.shape.size() == 1) {
    if (g.opset < 13 && p.scale.size() > 1) Fail(n, "per-axis quantization needs opset 13");
    int64_t axis = n.attr_int("axis", 1);
    if (axis < 0) axis += rank;
    if (p.scale.size() > 1) {
      if (axis < 0 || axis >= rank)
        Fail(n, "axis " + std::to_string(n.attr_int("axis", 1)) + " is outside rank " +
                    std::to_string(rank));
      p.axis = static_cast<int>(axis);
    }
  }
  return p;
}

int64_t QdqChannel(const QdqParams& p, const Shape& shape, int64_t k) {
  if (p.axis < 0) return 0;
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(p.axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  return (k / inner) % shape[static_cast<size_t>(p.axis)];
}

namespace {

const Value& ScaleInput(const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr) Fail(n, "needs an input");
  if (ins.size() < 2 || ins[1] == nullptr) Fail(n, "needs a scale input");
  return *ins[1];
}

const Value* ZeroPointInput(const OpInputs& ins) { return ins.size() > 2 ? ins[2] : nullptr; }

void CheckChannels(const Node& n, const QdqParams& p, const Shape& shape) {
  if (p.axis >= 0 && shape[static_cast<size_t>(p.axis)] != static_cast<int64_t>(p.scale.size())) {
    Fail(n, std::to_string(p.scale.size()) + " scales for axis " + std::to_string(p.axis) +
                " of shape " + ShapeString(shape));
  }
}

// ONNX rounds x / scale half to even (the default rounding mode: nearbyint).
std::vector<Value> EvalQuantizeLinear(const Graph& g, const Node& n, const OpInputs& ins) {
  const Value& scale = ScaleInput(n, ins);
  const Value& x = *ins[0];
  const QdqParams p =
      ReadQdqParams(g, n, scale, ZeroPointInput(ins), static_cast<int64_t>(x.shape.size()));
  CheckChannels(n, p, x.shape);
  std::vector<int64_t> q(static_cast<size_t>(x.size()));
  for (int64_t k = 0; k < x.size(); ++k) {
    const int64_t c = QdqChannel(p, x.shape, k);
    const double v =
        std::nearbyint(static_cast<double>(x.AsFloat(k) / p.scale[c])) + p.zero_point[c];
    q[k] = static_cast<int64_t>(
        std::clamp(std::isnan(v) ? 0.0 : v, static_cast<double>(p.lo), static_cast<double>(p.hi)));
  }
  Eigen::ArrayXf f(x.size());
  for (int64_t k = 0; k < x.size(); ++k) f[k] = static_cast<float>(q[k]);
  return {Value::Float(x.shape, std::move(f))};
}

std::vector<Value> EvalDequantizeLinear(const Graph& g, const Node& n, const OpInputs& ins) {
  const Value& scale = ScaleInput(n, ins);
  const Value& x = *ins[0];
  const QdqParams p =
      ReadQdqParams(g, n, scale, ZeroPointInput(ins), static_cast<int64_t>(x.shape.size()));
  CheckChannels(n, p, x.shape);
  Eigen::ArrayXf f(x.size());
  for (int64_t k = 0; k < x.size(); ++k) {
    const int64_t c = QdqChannel(p, x.shape, k);
    f[k] = (x.AsFloat(k) - static_cast<float>(p.zero_point[c])) * p.scale[c];
  }
  return {Value::Float(x.shape, std::move(f))};
}

}  // namespace

std::vector<OpDef> QdqOps() {
  // `saturate` (float8), `block_size` and `output_dtype` are refused by name:
  // not listed here.
  const std::vector<std::string> conv = {"auto_pad",     "dilations", "group",
                                         "kernel_shape", "pads",      "strides"};
  return {{"QuantizeLinear", {"axis"}, EvalQuantizeLinear, nullptr, nullptr},
          {"DequantizeLinear", {"axis"}, EvalDequantizeLinear, nullptr, nullptr},
          {"QLinearConv", conv, nullptr, nullptr, nullptr},
          {"ConvInteger", conv, nullptr, nullptr, nullptr},
          {"QLinearMatMul", {}, nullptr, nullptr, nullptr},
          {"MatMulInteger", {}, nullptr, nullptr, nullptr}};
}

}  // namespace mote::modelc
