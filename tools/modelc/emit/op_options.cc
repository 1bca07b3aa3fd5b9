#include "emit/op_options.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "quantize/fixed_point.h"

namespace mote::modelc {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

struct Limits {
  int64_t lo, hi;
};

Limits LimitsOf(DType t) {
  if (t == DType::kInt8) return {-128, 127};
  if (t == DType::kInt16) return {-32768, 32767};
  return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
}

float Scale(const Tensor& t) { return t.quant->scale[0]; }
int32_t Zp(const Tensor& t) { return t.quant->zero_point[0]; }

// The clamp [lo, hi] (real values) in `t`'s own domain.
flatbuffers::Offset<schema::ActivationRange> Range(flatbuffers::FlatBufferBuilder& fbb,
                                                   const Tensor& t, float lo, float hi) {
  if (t.dtype == DType::kFloat32) {
    return schema::CreateActivationRange(fbb, std::numeric_limits<int32_t>::min(),
                                         std::numeric_limits<int32_t>::max(), lo, hi);
  }
  const Limits l = LimitsOf(t.dtype);
  const int64_t qlo = std::isfinite(lo) ? RoundClamp(lo / Scale(t) + Zp(t), l.lo, l.hi) : l.lo;
  const int64_t qhi = std::isfinite(hi) ? RoundClamp(hi / Scale(t) + Zp(t), l.lo, l.hi) : l.hi;
  return schema::CreateActivationRange(fbb, static_cast<int32_t>(qlo), static_cast<int32_t>(qhi),
                                       -kInf, kInf);
}

template <typename T>
void Append(std::vector<uint8_t>& bytes, T v) {
  uint8_t raw[sizeof(T)];
  std::memcpy(raw, &v, sizeof(T));
  bytes.insert(bytes.end(), raw, raw + sizeof(T));
}

BuiltOp FullyConnected(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& w = g.tensors[n.inputs[1]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto range = Range(fbb, out, n.attr_float("act_min", -kInf), n.attr_float("act_max", kInf));
  std::vector<int32_t> multipliers;
  std::vector<int8_t> shifts;
  if (in.dtype != DType::kFloat32) {
    const int max_shift = in.dtype == DType::kInt8 ? 30 : 7;
    for (float ws : w.quant->scale) {
      const double real = static_cast<double>(Scale(in)) * ws / Scale(out);
      const Multiplier m = QuantizeMultiplier(real, -31, max_shift);
      multipliers.push_back(m.multiplier);
      shifts.push_back(static_cast<int8_t>(m.shift));
    }
  }
  const auto options = schema::CreateFullyConnectedOptions(
      fbb, range, fbb.CreateVector(multipliers), fbb.CreateVector(shifts));
  return {schema::OpCode::FullyConnected, schema::OpOptions::FullyConnectedOptions, options.Union()};
}

BuiltOp Clamp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& out = g.tensors[n.outputs[0]];
  float lo = 0.0f, hi = kInf;
  schema::OpCode code = schema::OpCode::Relu;
  if (n.op == "Relu6") {
    hi = 6.0f;
    code = schema::OpCode::Relu6;
  } else if (n.op == "Clip") {
    lo = n.attr_float("min", -kInf);
    hi = n.attr_float("max", kInf);
    code = schema::OpCode::Clip;
  }
  const auto options = schema::CreateClampOptions(fbb, Range(fbb, out, lo, hi));
  return {code, schema::OpOptions::ClampOptions, options.Union()};
}

double Activation(const std::string& op, double x) {
  return op == "Sigmoid" ? 1.0 / (1.0 + std::exp(-x)) : std::tanh(x);
}

// int8: f at every input value; int16: f at every 128th value, 513 points.
std::vector<uint8_t> ActivationTable(const Tensor& in, const Tensor& out, const std::string& op) {
  std::vector<uint8_t> table;
  const Limits l = LimitsOf(out.dtype);
  if (in.dtype == DType::kInt8) {
    for (int q = -128; q < 128; ++q) {
      const double y = Activation(op, static_cast<double>(Scale(in)) * (q - Zp(in)));
      Append(table, static_cast<int8_t>(RoundClamp(y / Scale(out) + Zp(out), l.lo, l.hi)));
    }
  } else {
    for (int k = 0; k <= 512; ++k) {
      const double y = Activation(op, static_cast<double>(Scale(in)) * (-32768 + 128 * k));
      Append(table, static_cast<int16_t>(RoundClamp(y / Scale(out), l.lo, l.hi)));
    }
  }
  return table;
}

// exp(-s_in * d) in Q16 for d = 0, 1, ... (int8) or 0, 128, ... (int16).
std::vector<uint8_t> ExpTable(const Tensor& in, float beta) {
  std::vector<uint8_t> table;
  const int entries = in.dtype == DType::kInt8 ? 256 : 513;
  const int step = in.dtype == DType::kInt8 ? 1 : 128;
  for (int k = 0; k < entries; ++k) {
    const double e = std::exp(-static_cast<double>(beta) * Scale(in) * (k * step));
    Append(table, static_cast<int32_t>(RoundClamp(e * 65536.0, 0, 65536)));
  }
  return table;
}

BuiltOp Add(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& a = g.tensors[n.inputs[0]];
  const Tensor& b = g.tensors[n.inputs[1]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto range = Range(fbb, out, n.attr_float("act_min", -kInf), n.attr_float("act_max", kInf));
  schema::AddOptionsBuilder o(fbb);
  o.add_activation(range);
  if (out.dtype != DType::kFloat32) {
    const int left_shift = out.dtype == DType::kInt8 ? 20 : 15;
    const double twice_max = 2.0 * std::max(Scale(a), Scale(b));
    const Multiplier m1 = QuantizeMultiplier(Scale(a) / twice_max);
    const Multiplier m2 = QuantizeMultiplier(Scale(b) / twice_max);
    const Multiplier mo = QuantizeMultiplier(twice_max / ((int64_t{1} << left_shift) * static_cast<double>(Scale(out))));
    o.add_left_shift(left_shift);
    o.add_input1_multiplier(m1.multiplier);
    o.add_input1_shift(static_cast<int8_t>(m1.shift));
    o.add_input2_multiplier(m2.multiplier);
    o.add_input2_shift(static_cast<int8_t>(m2.shift));
    o.add_output_multiplier(mo.multiplier);
    o.add_output_shift(static_cast<int8_t>(mo.shift));
  }
  return {schema::OpCode::Add, schema::OpOptions::AddOptions, o.Finish().Union()};
}

}  // namespace

BuiltOp BuildOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n,
                const AddBuffer& add_buffer) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (n.op == "FullyConnected") return FullyConnected(fbb, g, n);
  if (n.op == "Relu" || n.op == "Relu6" || n.op == "Clip") return Clamp(fbb, g, n);
  if (n.op == "Add") return Add(fbb, g, n);
  if (n.op == "Sigmoid" || n.op == "Tanh") {
    const int32_t table = in.dtype == DType::kFloat32 ? -1 : add_buffer(ActivationTable(in, out, n.op));
    return {n.op == "Sigmoid" ? schema::OpCode::Sigmoid : schema::OpCode::Tanh,
            schema::OpOptions::LutOptions, schema::CreateLutOptions(fbb, table).Union()};
  }
  if (n.op == "Softmax") {
    const float beta = 1.0f;
    const int32_t table = in.dtype == DType::kFloat32 ? -1 : add_buffer(ExpTable(in, beta));
    return {schema::OpCode::Softmax, schema::OpOptions::SoftmaxOptions,
            schema::CreateSoftmaxOptions(fbb, beta, table).Union()};
  }
  if (n.op == "Reshape") {
    return {schema::OpCode::Reshape, schema::OpOptions::ReshapeOptions,
            schema::CreateReshapeOptions(fbb).Union()};
  }
  Fail(n, "no mote operator for this op");
}

}  // namespace mote::modelc
