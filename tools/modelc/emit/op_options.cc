#include "emit/op_options.h"
#include "ops/op_registry.h"
#include "ops/strided_gather.h"

#include "emit/weight_layout.h"

#include "emit/classic_options.h"
#include "emit/weight_layout.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "quantize/fixed_point.h"
#include "quantize/tflite_softmax.h"

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

// An imported (TFLite) model can leave a tensor of a quantized op without
// parameters: refuse it here rather than read an empty optional.
const QuantParams& QuantOf(const Tensor& t) {
  if (!t.quant || t.quant->scale.empty() || t.quant->zero_point.size() != t.quant->scale.size()) {
    throw ConvertError("tensor '" + t.name + "' (" + DTypeName(t.dtype) +
                       ") of a quantized operator has no quantization parameters");
  }
  return *t.quant;
}
float Scale(const Tensor& t) { return QuantOf(t).scale[0]; }
int32_t Zp(const Tensor& t) { return QuantOf(t).zero_point[0]; }

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

// Per-output-channel s_in * s_w[c] / s_out for FullyConnected and convolutions.
struct ChannelMultipliers {
  std::vector<int32_t> multiplier;
  std::vector<int8_t> shift;
};

ChannelMultipliers PerChannel(const Graph& g, const Node& n) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& w = g.tensors[n.inputs[1]];
  const Tensor& out = g.tensors[n.outputs[0]];
  ChannelMultipliers m;
  if (in.dtype == DType::kFloat32) return m;
  const int max_shift = in.dtype == DType::kInt8 ? 30 : 7;
  const bool depthwise = n.op == "DepthwiseConv2D";
  const int64_t channels = depthwise ? w.shape.back() : w.shape[0];
  const QuantParams& wq = QuantOf(w);
  if (wq.scale.size() != 1 && wq.scale.size() != static_cast<size_t>(channels)) {
    throw ConvertError("weights '" + w.name + "' have " + std::to_string(wq.scale.size()) + " scales for " +
                       std::to_string(channels) + " output channels");
  }
  // TFLite multiplies the scales of a per-tensor FULLY_CONNECTED in float32
  // (GetQuantizedConvolutionMultipler) and every other product in double
  // (PopulateConvolutionQuantizationParams): the rounding is kept, so imported
  // models stay bit-exact with TFLite.
  const bool float_product = n.op == "FullyConnected" && wq.scale.size() == 1;
  for (int64_t c = 0; c < channels; ++c) {  // per-tensor weights repeat their one scale
    const float ws = wq.scale.size() == 1 ? wq.scale[0] : wq.scale[static_cast<size_t>(c)];
    const double product = float_product ? static_cast<double>(Scale(in) * ws) : static_cast<double>(Scale(in)) * ws;
    const Multiplier q = QuantizeMultiplier(product / Scale(out), -31, max_shift);
    m.multiplier.push_back(q.multiplier);
    m.shift.push_back(static_cast<int8_t>(q.shift));
  }
  return m;
}

// FullyConnectedOptions.short_requantize: int8, every shift < 0 and every
// |bias| + depth * 255 * 128 < 2^30 (the loader checks the same).
bool ShortRequantize(const Graph& g, const Node& n, const ChannelMultipliers& m) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& w = g.tensors[n.inputs[1]];
  if (in.dtype != DType::kInt8 || w.shape.size() != 2 || m.shift.empty()) return false;
  for (int8_t s : m.shift) {
    if (s >= 0) return false;
  }
  const int64_t room = (int64_t{1} << 30) - w.shape[1] * 255 * 128;
  if (room <= 0) return false;
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    const Tensor& bias = g.tensors[n.inputs[2]];
    if (bias.encoded.size() % 4 != 0) return false;
    for (size_t k = 0; k < bias.encoded.size(); k += 4) {
      int32_t b;
      std::memcpy(&b, bias.encoded.data() + k, 4);  // little-endian, as written
      if (b >= room || -int64_t{b} >= room) return false;
    }
  }
  return true;
}

// Per output channel c of int8 weights [channels][...] (rows of `depth`
// values, plain as encoded): bias[c] + input_offset * sum of row c, the
// runtime's effective bias (the loader recomputes it). Empty for other
// types, or if a value leaves int32 (the loader's accumulator bound makes
// that impossible for a file it accepts).
std::vector<int32_t> EffectiveBias(const Graph& g, const Node& n, int64_t channels) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& w = g.tensors[n.inputs[1]];
  if (in.dtype != DType::kInt8 || w.dtype != DType::kInt8 || channels < 1 ||
      w.encoded.size() != static_cast<size_t>(NumElements(w.shape)) ||
      w.encoded.size() % static_cast<size_t>(channels) != 0) {
    return {};
  }
  const size_t depth = w.encoded.size() / static_cast<size_t>(channels);
  const int64_t offset = -static_cast<int64_t>(Zp(in));
  std::vector<int32_t> bias(static_cast<size_t>(channels), 0);
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    const Tensor& b = g.tensors[n.inputs[2]];
    if (b.encoded.size() != bias.size() * 4) return {};
    std::memcpy(bias.data(), b.encoded.data(), b.encoded.size());  // little-endian, as written
  }
  std::vector<int32_t> effective(bias.size());
  for (size_t c = 0; c < bias.size(); ++c) {
    int64_t sum = 0;
    for (size_t k = 0; k < depth; ++k) sum += static_cast<int8_t>(w.encoded[c * depth + k]);
    const int64_t v = bias[c] + offset * sum;
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) return {};
    effective[c] = static_cast<int32_t>(v);
  }
  return effective;
}

flatbuffers::Offset<flatbuffers::Vector<int32_t>> EffectiveBiasVector(
    flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n, int64_t channels, bool wanted) {
  if (!wanted) return 0;
  const std::vector<int32_t> effective = EffectiveBias(g, n, channels);
  return effective.empty() ? 0 : fbb.CreateVector(effective);
}

BuiltOp FullyConnected(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n, bool effective_bias) {
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto range = Range(fbb, out, n.attr_float("act_min", -kInf), n.attr_float("act_max", kInf));
  const ChannelMultipliers m = PerChannel(g, n);
  const bool compensated = n.attr_int("compensated", 0) != 0 && out.dtype == DType::kFloat32;
  const Tensor& w = g.tensors[n.inputs[1]];
  const auto effective = EffectiveBiasVector(fbb, g, n, w.shape.empty() ? 0 : w.shape[0], effective_bias);
  const auto options = schema::CreateFullyConnectedOptions(fbb, range, fbb.CreateVector(m.multiplier),
                                                           fbb.CreateVector(m.shift), compensated,
                                                           InterleavesWeights(g, n),
                                                           ShortRequantize(g, n, m), effective);
  return {schema::OpCode::FullyConnected, schema::OpOptions::FullyConnectedOptions, options.Union()};
}

int32_t I(const Node& n, const char* key, int64_t fallback) { return static_cast<int32_t>(n.attr_int(key, fallback)); }

BuiltOp Convolution(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n, bool effective_bias) {
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto range = Range(fbb, out, n.attr_float("act_min", -kInf), n.attr_float("act_max", kInf));
  const ChannelMultipliers m = PerChannel(g, n);
  const auto mult = fbb.CreateVector(m.multiplier);
  const auto shift = fbb.CreateVector(m.shift);
  if (n.op == "DepthwiseConv2D") {
    const auto o = schema::CreateDepthwiseConv2DOptions(
        fbb, I(n, "stride_h", 1), I(n, "stride_w", 1), I(n, "dilation_h", 1), I(n, "dilation_w", 1),
        I(n, "pad_top", 0), I(n, "pad_left", 0), I(n, "depth_multiplier", 1), range, mult, shift);
    return {schema::OpCode::DepthwiseConv2D, schema::OpOptions::DepthwiseConv2DOptions, o.Union()};
  }
  const Tensor& w = g.tensors[n.inputs[1]];
  const auto effective = EffectiveBiasVector(fbb, g, n, w.shape.empty() ? 0 : w.shape[0],
                                             effective_bias && I(n, "groups", 1) == 1);
  const auto o = schema::CreateConv2DOptions(fbb, I(n, "stride_h", 1), I(n, "stride_w", 1), I(n, "dilation_h", 1),
                                             I(n, "dilation_w", 1), I(n, "pad_top", 0), I(n, "pad_left", 0),
                                             I(n, "groups", 1), range, mult, shift, effective);
  return {schema::OpCode::Conv2D, schema::OpOptions::Conv2DOptions, o.Union()};
}

BuiltOp TransposeConvolution(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto range = Range(fbb, out, n.attr_float("act_min", -kInf), n.attr_float("act_max", kInf));
  const ChannelMultipliers m = PerChannel(g, n);
  const auto mult = fbb.CreateVector(m.multiplier);
  const auto shift = fbb.CreateVector(m.shift);
  const auto o = schema::CreateTransposeConv2DOptions(
      fbb, I(n, "stride_h", 1), I(n, "stride_w", 1), I(n, "dilation_h", 1), I(n, "dilation_w", 1),
      I(n, "pad_top", 0), I(n, "pad_left", 0), I(n, "groups", 1), range, mult, shift);
  return {schema::OpCode::TransposeConv2D, schema::OpOptions::TransposeConv2DOptions, o.Union()};
}

// Resize tables (ops/resize.cc): int32 indices; linear weights as floats
// (float32) or Q15 fractions (quantized, kernels/reference/resize.h).
BuiltOp ResizeOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const bool linear = n.attr_int("mode", 0) == 1;
  const bool is_float = g.tensors[n.inputs[0]].dtype == DType::kFloat32;
  auto indices = [&](const char* key) {
    const std::vector<int64_t> v = n.attr_ints(key);
    return fbb.CreateVector(std::vector<int32_t>(v.begin(), v.end()));
  };
  auto fractions = [&](const char* key) -> flatbuffers::Offset<flatbuffers::Vector<uint16_t>> {
    if (!linear || is_float) return 0;
    std::vector<uint16_t> q;
    for (float w : n.attrs.at(key).floats) {
      q.push_back(static_cast<uint16_t>(RoundClamp(static_cast<double>(w) * 32768.0, 0, 32768)));
    }
    return fbb.CreateVector(q);
  };
  auto weights = [&](const char* key) -> flatbuffers::Offset<flatbuffers::Vector<float>> {
    if (!linear || !is_float) return 0;
    return fbb.CreateVector(n.attrs.at(key).floats);
  };
  const auto y_index = indices("y_index");
  const auto x_index = indices("x_index");
  const auto y_fraction = fractions("y_weight");
  const auto x_fraction = fractions("x_weight");
  const auto y_weight = weights("y_weight");
  const auto x_weight = weights("x_weight");
  const auto o = schema::CreateResizeOptions(
      fbb, linear ? schema::ResizeMode::Linear : schema::ResizeMode::Nearest, y_index, x_index,
      y_fraction, x_fraction, y_weight, x_weight);
  return {schema::OpCode::Resize, schema::OpOptions::ResizeOptions, o.Union()};
}

BuiltOp Pool(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto range = Range(fbb, out, n.attr_float("act_min", -kInf), n.attr_float("act_max", kInf));
  const auto o = schema::CreatePool2DOptions(fbb, I(n, "filter_h", 1), I(n, "filter_w", 1), I(n, "stride_h", 1),
                                             I(n, "stride_w", 1), I(n, "pad_top", 0), I(n, "pad_left", 0), range);
  return {n.op == "MaxPool2D" ? schema::OpCode::MaxPool2D : schema::OpCode::AveragePool2D,
          schema::OpOptions::Pool2DOptions, o.Union()};
}

BuiltOp Mean(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  Multiplier m;
  if (in.dtype != DType::kFloat32) m = QuantizeMultiplier(static_cast<double>(Scale(in)) / Scale(out));
  return {schema::OpCode::Mean, schema::OpOptions::MeanOptions,
          schema::CreateMeanOptions(fbb, m.multiplier, static_cast<int8_t>(m.shift)).Union()};
}

BuiltOp Mul(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& a = g.tensors[n.inputs[0]];
  const Tensor& b = g.tensors[n.inputs[1]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto range = Range(fbb, out, n.attr_float("act_min", -kInf), n.attr_float("act_max", kInf));
  Multiplier m;
  if (out.dtype != DType::kFloat32) {
    m = QuantizeMultiplier(static_cast<double>(Scale(a)) * Scale(b) / Scale(out));
  }
  return {schema::OpCode::Mul, schema::OpOptions::MulOptions,
          schema::CreateMulOptions(fbb, range, m.multiplier, static_cast<int8_t>(m.shift)).Union()};
}

BuiltOp Concat(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& out = g.tensors[n.outputs[0]];
  std::vector<int32_t> mult;
  std::vector<int8_t> shift;
  for (int t : n.inputs) {
    const Tensor& in = g.tensors[t];
    Multiplier m;  // 0: same parameters, copied
    if (in.dtype != DType::kFloat32 && (Scale(in) != Scale(out) || Zp(in) != Zp(out))) {
      m = QuantizeMultiplier(static_cast<double>(Scale(in)) / Scale(out));
    }
    mult.push_back(m.multiplier);
    shift.push_back(static_cast<int8_t>(m.shift));
  }
  int64_t axis = n.attr_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(out.shape.size());
  return {schema::OpCode::Concat, schema::OpOptions::ConcatOptions,
          schema::CreateConcatOptions(fbb, static_cast<int32_t>(axis), fbb.CreateVector(mult),
                                      fbb.CreateVector(shift)).Union()};
}

BuiltOp Pad(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& out = g.tensors[n.outputs[0]];
  const std::vector<int64_t> onnx = n.attr_ints("pads");  // all begins, then all ends
  const size_t rank = onnx.size() / 2;
  std::vector<int32_t> pads;  // (before, after) per dimension
  for (size_t k = 0; k < rank; ++k) {
    pads.push_back(static_cast<int32_t>(onnx[k]));
    pads.push_back(static_cast<int32_t>(onnx[k + rank]));
  }
  const float value = n.attr_float("value", 0.0f);
  int32_t q = 0;
  if (out.dtype != DType::kFloat32) {
    const Limits l = LimitsOf(out.dtype);
    q = static_cast<int32_t>(RoundClamp(value / Scale(out) + Zp(out), l.lo, l.hi));
  }
  const std::string mode = n.has_attr("mode") ? n.attrs.at("mode").s : "constant";
  const schema::PadMode m = mode == "reflect" ? schema::PadMode::Reflect
                            : mode == "edge"  ? schema::PadMode::Edge
                            : mode == "wrap"  ? schema::PadMode::Wrap
                                              : schema::PadMode::Constant;
  return {schema::OpCode::Pad, schema::OpOptions::PadOptions,
          schema::CreatePadOptions(fbb, fbb.CreateVector(pads), q, value, m).Union()};
}

// Comparisons as TFLite's comparison kernels: both inputs shifted left by
// 8 bits and rescaled to twice the larger scale.
BuiltOp CompareOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& a = g.tensors[n.inputs[0]];
  const Tensor& b = g.tensors[n.inputs[1]];
  const auto f = static_cast<schema::CompareFunction>(n.attr_int("function", 0));
  int left_shift = 0;
  Multiplier m1, m2;
  if (a.dtype != DType::kFloat32) {
    left_shift = 8;
    const double twice_max = 2.0 * std::max(Scale(a), Scale(b));
    m1 = QuantizeMultiplier(Scale(a) / twice_max);
    m2 = QuantizeMultiplier(Scale(b) / twice_max);
  }
  return {schema::OpCode::Compare, schema::OpOptions::CompareOptions,
          schema::CreateCompareOptions(fbb, f, left_shift, m1.multiplier, static_cast<int8_t>(m1.shift),
                                       m2.multiplier, static_cast<int8_t>(m2.shift))
              .Union()};
}

// A branch with the output's parameters is copied (multiplier 0).
Multiplier BranchMultiplier(const Tensor& in, const Tensor& out) {
  if (in.dtype == DType::kFloat32 || (Scale(in) == Scale(out) && Zp(in) == Zp(out))) return {};
  return QuantizeMultiplier(static_cast<double>(Scale(in)) / Scale(out));
}

BuiltOp WhereOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& out = g.tensors[n.outputs[0]];
  const Multiplier x = BranchMultiplier(g.tensors[n.inputs[1]], out);
  const Multiplier y = BranchMultiplier(g.tensors[n.inputs[2]], out);
  return {schema::OpCode::Where, schema::OpOptions::WhereOptions,
          schema::CreateWhereOptions(fbb, x.multiplier, static_cast<int8_t>(x.shift), y.multiplier,
                                     static_cast<int8_t>(y.shift))
              .Union()};
}

BuiltOp CumSumOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  Multiplier m;
  if (in.dtype != DType::kFloat32) m = QuantizeMultiplier(static_cast<double>(Scale(in)) / Scale(out));
  return {schema::OpCode::CumSum, schema::OpOptions::CumSumOptions,
          schema::CreateCumSumOptions(fbb, static_cast<int32_t>(n.attr_int("axis", 0)),
                                      n.attr_int("exclusive", 0) != 0, n.attr_int("reverse", 0) != 0,
                                      m.multiplier, static_cast<int8_t>(m.shift))
              .Union()};
}

BuiltOp TransposeOp(flatbuffers::FlatBufferBuilder& fbb, const Node& n) {
  std::vector<int32_t> perm;
  for (int64_t p : n.attr_ints("perm")) perm.push_back(static_cast<int32_t>(p));
  return {schema::OpCode::Transpose, schema::OpOptions::TransposeOptions,
          schema::CreateTransposeOptions(fbb, fbb.CreateVector(perm)).Union()};
}

BuiltOp StridedGatherOp(flatbuffers::FlatBufferBuilder& fbb, const Node& n) {
  const GatherDims d = FitGatherDims(n, n.attr_ints("source"));
  auto int32s = [](const std::vector<int64_t>& v) { return std::vector<int32_t>(v.begin(), v.end()); };
  return {schema::OpCode::StridedGather, schema::OpOptions::StridedGatherOptions,
          schema::CreateStridedGatherOptions(
              fbb, static_cast<int32_t>(d.offset), fbb.CreateVector(int32s(d.counts)),
              fbb.CreateVector(int32s(d.strides)), static_cast<int32_t>(d.table_dim),
              d.table.empty() ? 0 : fbb.CreateVector(int32s(d.table)))
              .Union()};
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

double Activation(const Node& n, double x) {
  if (n.op == "Sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (n.op == "Tanh") return std::tanh(x);
  if (n.op == "HardSwish") return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
  return x < 0 ? n.attr_float("alpha", 0.01f) * x : x;  // LeakyRelu
}

// int8: f at every input value; int16: f at every 128th value, 513 points.
std::vector<uint8_t> ActivationTable(const Graph& g, const Tensor& in, const Tensor& out, const Node& op) {
  std::vector<double> xs;
  if (in.dtype == DType::kInt8) {
    for (int q = -128; q < 128; ++q) xs.push_back(static_cast<double>(Scale(in)) * (q - Zp(in)));
  } else {
    for (int k = 0; k <= 512; ++k) xs.push_back(static_cast<double>(Scale(in)) * (-32768 + 128 * k));
  }
  std::vector<double> ys;
  if (op.op == "Unary") {
    ys = UnaryValues(g, op, xs);
  } else {
    for (double x : xs) ys.push_back(Activation(op, x));
  }
  std::vector<uint8_t> table;
  const Limits l = LimitsOf(out.dtype);
  for (double y : ys) {
    if (in.dtype == DType::kInt8) {
      Append(table, static_cast<int8_t>(RoundClamp(y / Scale(out) + Zp(out), l.lo, l.hi)));
    } else {
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

// int8 with TFLite's output parameters: TFLite's algorithm (exp_format 1),
// bit-exact with its reference kernels. Otherwise the Q16 table (format 0).
BuiltOp Softmax(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n,
                const AddBuffer& add_buffer) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const float beta = n.attr_float("beta", 1.0f);
  int32_t table = -1;
  int8_t exp_format = 0;
  if (in.dtype == DType::kInt8 && out.dtype == DType::kInt8 && out.quant &&
      Scale(out) == 1.0f / 256.0f && Zp(out) == -128) {
    const auto params = ComputeTfliteSoftmaxParams(beta, Scale(in));
    if (!params) Fail(n, "softmax input scale times beta is too small for TFLite's int8 softmax");
    std::vector<uint8_t> bytes;
    for (int32_t v : TfliteSoftmaxExpTable(*params)) Append(bytes, v);
    table = add_buffer(std::move(bytes));
    exp_format = 1;
  } else if (in.dtype != DType::kFloat32) {
    table = add_buffer(ExpTable(in, beta));
  }
  return {schema::OpCode::Softmax, schema::OpOptions::SoftmaxOptions,
          schema::CreateSoftmaxOptions(fbb, beta, table, exp_format).Union()};
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

BuiltOp BatchMatMul(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& a = g.tensors[n.inputs[0]];
  const Tensor& b = g.tensors[n.inputs[1]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto range = Range(fbb, out, n.attr_float("act_min", -kInf), n.attr_float("act_max", kInf));
  Multiplier m;
  if (out.dtype != DType::kFloat32) {
    m = QuantizeMultiplier(static_cast<double>(Scale(a)) * Scale(b) / Scale(out), -31,
                           out.dtype == DType::kInt8 ? 30 : 7);
  }
  return {schema::OpCode::BatchMatMul, schema::OpOptions::BatchMatMulOptions,
          schema::CreateBatchMatMulOptions(fbb, n.attr_int("transpose_b", 0) != 0, range,
                                           m.multiplier, static_cast<int8_t>(m.shift))
              .Union()};
}

// Quantized: gamma / s_out / 2^16 per channel (signed), round(beta / s_out),
// and epsilon in the kernel's units, D^2 epsilon / s_in^2 (mote.fbs).
BuiltOp LayerNorm(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const int64_t axis = n.attr_int("axis", -1);
  const float epsilon = n.attr_float("epsilon", 1e-5f);
  if (in.dtype == DType::kFloat32) {
    return {schema::OpCode::LayerNorm, schema::OpOptions::LayerNormOptions,
            schema::CreateLayerNormOptions(fbb, static_cast<int32_t>(axis), epsilon).Union()};
  }
  const std::vector<float> gamma = n.attrs.at("gamma").floats;
  const std::vector<float> beta = n.has_attr("beta") ? n.attrs.at("beta").floats
                                                     : std::vector<float>(gamma.size(), 0.0f);
  const double depth = static_cast<double>(gamma.size());
  const double s_in = Scale(in), s_out = Scale(out);
  const int64_t eps_q = RoundClamp(epsilon * depth * depth / (s_in * s_in), 1, int64_t{1} << 60);
  std::vector<int32_t> mult, bias;
  std::vector<int8_t> shift;
  for (size_t c = 0; c < gamma.size(); ++c) {
    const double real = gamma[c] / s_out / 65536.0;
    const Multiplier m = QuantizeMultiplier(std::fabs(real));
    mult.push_back(real < 0 ? -m.multiplier : m.multiplier);
    shift.push_back(static_cast<int8_t>(m.shift));
    bias.push_back(static_cast<int32_t>(RoundClamp(beta[c] / s_out, -(int64_t{1} << 24), int64_t{1} << 24)));
  }
  return {schema::OpCode::LayerNorm, schema::OpOptions::LayerNormOptions,
          schema::CreateLayerNormOptions(fbb, static_cast<int32_t>(axis), epsilon, eps_q,
                                         fbb.CreateVector(mult), fbb.CreateVector(shift),
                                         fbb.CreateVector(bias))
              .Union()};
}

// Quantized: s_in / s_out, over the row length for Mean.
BuiltOp ReduceOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const auto f = static_cast<schema::ReduceFunction>(n.attr_int("function", 0));
  const int64_t axis = n.attr_int("axis", 0);
  Multiplier m;
  if (in.dtype != DType::kFloat32) {
    const int64_t depth = NumElements(Shape(in.shape.begin() + axis, in.shape.end()));
    const double real = static_cast<double>(Scale(in)) / Scale(out);
    m = QuantizeMultiplier(f == schema::ReduceFunction::Mean ? real / static_cast<double>(depth) : real);
  }
  return {schema::OpCode::Reduce, schema::OpOptions::ReduceOptions,
          schema::CreateReduceOptions(fbb, f, static_cast<int32_t>(axis), m.multiplier,
                                      static_cast<int8_t>(m.shift))
              .Union()};
}

// Q3.12 -> Q0.15 gate table of the Rnn op: 513 entries 128 inputs apart.
std::vector<uint8_t> GateTable(double (*f)(double)) {
  std::vector<uint8_t> table;
  for (int k = 0; k <= 512; ++k) {
    const double x = (-32768.0 + 128.0 * k) / 4096.0;
    Append(table, static_cast<int16_t>(RoundClamp(f(x) * 32768.0, -32768, 32767)));
  }
  return table;
}

double GateSigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double GateTanh(double x) { return std::tanh(x); }

// Per row: real multiplier `row_scale[row] * common` (64-bit requantization).
void RowMultipliers(const std::vector<float>& row_scale, double common, std::vector<int32_t>& mult,
                    std::vector<int8_t>& shift) {
  for (float s : row_scale) {
    const Multiplier m = QuantizeMultiplier(static_cast<double>(s) * common, -31, 7);
    mult.push_back(m.multiplier);
    shift.push_back(static_cast<int8_t>(m.shift));
  }
}

BuiltOp Rnn(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n, const AddBuffer& add_buffer) {
  const Tensor& x = g.tensors[n.inputs[0]];
  const auto cell = static_cast<schema::RnnCell>(n.attr_int("cell", 0));
  const bool reverse = n.attr_int("reverse", 0) != 0;
  const bool lbr = n.attr_int("linear_before_reset", 0) != 0;
  if (x.dtype == DType::kFloat32) {
    schema::RnnOptionsBuilder o(fbb);
    o.add_cell(cell);
    o.add_reverse(reverse);
    o.add_linear_before_reset(lbr);
    o.add_stateful(n.attr_int("stateful", 0) != 0);
    return {schema::OpCode::Rnn, schema::OpOptions::RnnOptions, o.Finish().Union()};
  }
  const Tensor& y = g.tensors[n.outputs[0]];
  const int cell_shift = static_cast<int>(n.attr_int("cell_shift", 15));
  std::vector<int32_t> in_mult, rec_mult;
  std::vector<int8_t> in_shift, rec_shift;
  // Both sums land in Q3.12 (x 4096); h is Q0.15 (x 2^-15).
  RowMultipliers(QuantOf(g.tensors[n.inputs[1]]).scale, static_cast<double>(Scale(x)) * 4096.0, in_mult, in_shift);
  RowMultipliers(QuantOf(g.tensors[n.inputs[2]]).scale, 4096.0 / 32768.0, rec_mult, rec_shift);
  const Multiplier out = QuantizeMultiplier(1.0 / (32768.0 * Scale(y)));
  auto state_multiplier = [&](size_t k, double unit) {
    if (k >= n.inputs.size() || n.inputs[k] < 0) return Multiplier{};
    return QuantizeMultiplier(Scale(g.tensors[n.inputs[k]]) / unit);
  };
  const Multiplier h0 = state_multiplier(4, 1.0 / 32768.0);
  const Multiplier c0 = state_multiplier(5, std::ldexp(1.0, -cell_shift));
  const int32_t sigmoid = add_buffer(GateTable(GateSigmoid));
  const int32_t tanh = add_buffer(GateTable(GateTanh));
  const auto options = schema::CreateRnnOptions(
      fbb, cell, reverse, lbr, fbb.CreateVector(in_mult), fbb.CreateVector(in_shift), fbb.CreateVector(rec_mult),
      fbb.CreateVector(rec_shift), out.multiplier, static_cast<int8_t>(out.shift), h0.multiplier,
      static_cast<int8_t>(h0.shift), c0.multiplier, static_cast<int8_t>(c0.shift), static_cast<int8_t>(cell_shift),
      sigmoid, tanh, n.attr_int("stateful", 0) != 0);
  return {schema::OpCode::Rnn, schema::OpOptions::RnnOptions, options.Union()};
}

}  // namespace

BuiltOp BuildOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n,
                const AddBuffer& add_buffer, bool effective_bias) {
  if (auto classic = BuildClassicOp(fbb, g, n, add_buffer)) return *classic;
  if (auto frontend = BuildFrontendOp(fbb, g, n)) return *frontend;
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (n.op == "FullyConnected") return FullyConnected(fbb, g, n, effective_bias);
  if (n.op == "Relu" || n.op == "Relu6" || n.op == "Clip") return Clamp(fbb, g, n);
  if (n.op == "Add") return Add(fbb, g, n);
  if (n.op == "Sigmoid" || n.op == "Tanh" || n.op == "HardSwish" || n.op == "LeakyRelu") {
    const int32_t table = in.dtype == DType::kFloat32 ? -1 : add_buffer(ActivationTable(g, in, out, n));
    const schema::OpCode code = n.op == "Sigmoid"     ? schema::OpCode::Sigmoid
                                : n.op == "Tanh"      ? schema::OpCode::Tanh
                                : n.op == "HardSwish" ? schema::OpCode::HardSwish
                                                      : schema::OpCode::LeakyRelu;
    return {code, schema::OpOptions::LutOptions,
            schema::CreateLutOptions(fbb, table, n.attr_float("alpha", 0.01f)).Union()};
  }
  if (n.op == "Unary") {
    const int32_t table = in.dtype == DType::kFloat32 ? -1 : add_buffer(ActivationTable(g, in, out, n));
    return {schema::OpCode::Unary, schema::OpOptions::UnaryOptions,
            schema::CreateUnaryOptions(fbb, static_cast<schema::UnaryFunction>(n.attr_int("function", 0)),
                                       n.attr_float("alpha", 0.0f), n.attr_float("beta", 0.0f), table)
                .Union()};
  }
  if (n.op == "Conv2D" || n.op == "DepthwiseConv2D") return Convolution(fbb, g, n, effective_bias);
  if (n.op == "TransposeConv2D") return TransposeConvolution(fbb, g, n);
  if (n.op == "Resize") return ResizeOp(fbb, g, n);
  if (n.op == "Fifo") {
    return {schema::OpCode::Fifo, schema::OpOptions::FifoOptions,
            schema::CreateFifoOptions(fbb, static_cast<int32_t>(n.attr_int("axis", 0)),
                                      static_cast<int32_t>(n.attr_int("hop", 1)))
                .Union()};
  }
  if (n.op == "MaxPool2D" || n.op == "AveragePool2D") return Pool(fbb, g, n);
  if (n.op == "Mean") return Mean(fbb, g, n);
  if (n.op == "Mul") return Mul(fbb, g, n);
  if (n.op == "BatchMatMul") return BatchMatMul(fbb, g, n);
  if (n.op == "LayerNorm") return LayerNorm(fbb, g, n);
  if (n.op == "Reduce") return ReduceOp(fbb, g, n);
  if (n.op == "Concat") return Concat(fbb, g, n);
  if (n.op == "Pad") return Pad(fbb, g, n);
  if (n.op == "Compare") return CompareOp(fbb, g, n);
  if (n.op == "Where") return WhereOp(fbb, g, n);
  if (n.op == "CumSum") return CumSumOp(fbb, g, n);
  if (n.op == "TopK") {
    return {schema::OpCode::TopK, schema::OpOptions::TopKOptions,
            schema::CreateTopKOptions(fbb, static_cast<int32_t>(n.attr_int("axis", 0)),
                                      static_cast<int32_t>(n.attr_int("k", 0)),
                                      n.attr_int("largest", 1) != 0,
                                      n.attr_int("mote_ties_to_last", 0) != 0)
                .Union()};
  }
  if (n.op == "Transpose") return TransposeOp(fbb, n);
  if (n.op == "StridedGather") return StridedGatherOp(fbb, n);
  if (n.op == "Gather" || n.op == "GatherElements") {  // computed indices (ops/data_movement.cc)
    return {schema::OpCode::Gather, schema::OpOptions::GatherOptions,
            schema::CreateGatherOptions(fbb, static_cast<int32_t>(n.attr_int("axis", 0)),
                                        n.op == "GatherElements")
                .Union()};
  }
  if (n.op == "Quantize") {
    Multiplier m;  // only for requantizing between integer types
    if (in.dtype != DType::kFloat32) m = QuantizeMultiplier(static_cast<double>(Scale(in)) / Scale(out));
    return {schema::OpCode::Quantize, schema::OpOptions::QuantizeOptions,
            schema::CreateQuantizeOptions(fbb, m.multiplier, static_cast<int8_t>(m.shift)).Union()};
  }
  if (n.op == "Dequantize") {
    return {schema::OpCode::Dequantize, schema::OpOptions::DequantizeOptions,
            schema::CreateDequantizeOptions(fbb).Union()};
  }
  if (n.op == "Softmax") return Softmax(fbb, g, n, add_buffer);
  if (n.op == "Rnn") return Rnn(fbb, g, n, add_buffer);
  if (n.op == "Reshape") {
    return {schema::OpCode::Reshape, schema::OpOptions::ReshapeOptions,
            schema::CreateReshapeOptions(fbb).Union()};
  }
  Fail(n, "no mote operator for this op");
}

}  // namespace mote::modelc
