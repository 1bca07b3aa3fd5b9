#include "quantize/quantizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/progress.h"
#include "ir/reference_executor.h"
#include "ml/tree_model.h"
#include "mote/schema/mote_generated.h"
#include "quantize/fixed_point.h"

namespace mote::modelc {
namespace {

template <typename T>
void Append(std::vector<uint8_t>& bytes, T v) {
  uint8_t raw[sizeof(T)];
  std::memcpy(raw, &v, sizeof(T));
  bytes.insert(bytes.end(), raw, raw + sizeof(T));
}

QuantParams PerTensor(float scale, int32_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

// Activation parameters for the range [lo, hi] (widened to include 0).
QuantParams ForRange(float lo, float hi, DType type) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    throw ConvertError("calibration produced a non-finite activation range");
  }
  if (type == DType::kInt16) {
    const float m = std::max(-lo, hi);
    return PerTensor(m > 0 ? m / 32767.0f : 1.0f, 0);
  }
  if (hi == lo) return PerTensor(1.0f, -128);
  const float scale = (hi - lo) / 255.0f;
  return PerTensor(scale, static_cast<int32_t>(RoundClamp(-128.0 - lo / scale, -128, 127)));
}

void EncodeFloat(Tensor& t) {
  t.encoded.clear();
  for (Eigen::Index k = 0; k < t.constant->f.size(); ++k) Append(t.encoded, t.constant->f[k]);
  t.dtype = DType::kFloat32;
}

// int8 weights, symmetric per output channel: channels along the first axis
// ([units, depth], OHWI) or, for depthwise filters, the last ([1, kh, kw, C]).
void EncodeWeights(Tensor& w, bool channels_last = false) {
  const int64_t total = NumElements(w.shape);
  const int64_t channels = channels_last ? w.shape.back() : w.shape[0];
  const int64_t per = total / channels;
  auto index = [&](int64_t c, int64_t k) { return channels_last ? k * channels + c : c * per + k; };
  QuantParams q;
  q.axis = channels_last ? static_cast<int>(w.shape.size()) - 1 : 0;
  std::vector<int8_t> values(static_cast<size_t>(total));
  for (int64_t c = 0; c < channels; ++c) {
    float max_abs = 0.0f;
    for (int64_t k = 0; k < per; ++k) max_abs = std::max(max_abs, std::fabs(w.constant->f[index(c, k)]));
    if (!std::isfinite(max_abs)) throw ConvertError("weights '" + w.name + "' hold NaN or Inf");
    const float scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
    q.scale.push_back(scale);
    q.zero_point.push_back(0);
    for (int64_t k = 0; k < per; ++k) {
      values[index(c, k)] = static_cast<int8_t>(RoundClamp(w.constant->f[index(c, k)] / scale, -127, 127));
    }
  }
  w.encoded.assign(reinterpret_cast<const uint8_t*>(values.data()),
                   reinterpret_cast<const uint8_t*>(values.data()) + values.size());
  w.quant = q;
  w.dtype = DType::kInt8;
}

// Weights a QDQ model quantized (Graph::weight_pins): its scales, so the
// integers are the model's own (w / scale is within rounding of one).
void EncodePinnedWeights(Tensor& w, const Node& n, const QuantParams& pin, bool channels_last) {
  const int64_t total = NumElements(w.shape);
  const int64_t channels = channels_last ? w.shape.back() : w.shape[0];
  const int64_t per = total / channels;
  if (pin.scale.size() != 1 && static_cast<int64_t>(pin.scale.size()) != channels) {
    Fail(n, std::to_string(pin.scale.size()) + " weight scales for " + std::to_string(channels) + " output channels");
  }
  QuantParams q;
  q.axis = channels_last ? static_cast<int>(w.shape.size()) - 1 : 0;
  std::vector<int8_t> values(static_cast<size_t>(total));
  for (int64_t c = 0; c < channels; ++c) {
    const float scale = pin.scale.size() == 1 ? pin.scale[0] : pin.scale[c];
    q.scale.push_back(scale);
    q.zero_point.push_back(0);
    for (int64_t k = 0; k < per; ++k) {
      const int64_t i = channels_last ? k * channels + c : c * per + k;
      const double v = w.constant->f[i] / static_cast<double>(scale);
      // Folding (BatchNormalization into the Conv, ...) changed the weights.
      if (std::fabs(v - std::nearbyint(v)) > 1e-3 || v < -128.5 || v > 127.5) {
        Unsupported(n, "weights quantized by the model changed before quantization (a BatchNormalization "
                       "folded into them?); weight " + std::to_string(i) + " is " + std::to_string(v) + " steps");
      }
      values[i] = static_cast<int8_t>(RoundClamp(v, -128, 127));
    }
  }
  w.encoded.assign(reinterpret_cast<const uint8_t*>(values.data()),
                   reinterpret_cast<const uint8_t*>(values.data()) + values.size());
  w.quant = q;
  w.dtype = DType::kInt8;
}

bool HasPins(const Graph& g) {
  if (!g.weight_pins.empty()) return true;
  for (const Tensor& t : g.tensors) {
    if (t.pinned) return true;
  }
  return false;
}

// A pinned output whose op fixes its parameters otherwise (a pass-through op,
// Sigmoid, ...) gets a requantizing Quantize after it.
void RequantizeToPins(Graph& g) {
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const int out = g.nodes[k].outputs[0];
    Tensor& t = g.tensors[out];
    if (!t.pinned || !t.quant || (t.quant->scale == t.pinned->scale && t.quant->zero_point == t.pinned->zero_point)) {
      continue;
    }
    Tensor inner = t;
    inner.name = t.name + ".before_requantize";
    inner.pinned.reset();
    t.quant = t.pinned;
    const int inner_index = g.AddTensor(std::move(inner));
    Node q;
    q.name = g.nodes[k].name + ".requantize";
    q.op = "Quantize";
    q.inputs = {inner_index};
    q.outputs = {out};
    g.nodes[k].outputs[0] = inner_index;
    g.nodes.insert(g.nodes.begin() + static_cast<long>(k) + 1, std::move(q));
    ++k;
  }
}

// Bias at scale s_in * s_w[u]: int32 for int8 inputs (kept within what the
// runtime accepts for `depth`), int64 for int16 inputs.
void EncodeBias(Tensor& b, float input_scale, const QuantParams& weights, DType input, int64_t depth) {
  b.encoded.clear();
  QuantParams q;
  q.axis = 0;
  const int64_t headroom = std::numeric_limits<int32_t>::max() - depth * 255 * 128;
  if (input == DType::kInt8 && headroom <= 0) {
    throw ConvertError("fully connected layer of depth " + std::to_string(depth) +
                       " could overflow the int8 accumulator; use --precision int16");
  }
  for (Eigen::Index u = 0; u < b.constant->f.size(); ++u) {
    const double scale = static_cast<double>(input_scale) * weights.scale[u];
    q.scale.push_back(static_cast<float>(scale));
    q.zero_point.push_back(0);
    const double v = b.constant->f[u] / scale;
    if (input == DType::kInt8) {
      Append(b.encoded, static_cast<int32_t>(RoundClamp(v, -headroom, headroom)));
    } else {
      constexpr int64_t kLimit = int64_t{1} << 60;
      Append(b.encoded, RoundClamp(v, -kLimit, kLimit));
    }
  }
  b.quant = q;
  b.dtype = input == DType::kInt8 ? DType::kInt32 : DType::kInt64;
}

// A constant operand of an elementwise op, quantized like an activation.
void EncodeActivationConstant(Tensor& t, DType type) {
  const Eigen::ArrayXf& f = t.constant->f;
  t.quant = ForRange(f.minCoeff(), f.maxCoeff(), type);
  const float s = t.quant->scale[0];
  const int32_t zp = t.quant->zero_point[0];
  t.encoded.clear();
  for (Eigen::Index k = 0; k < f.size(); ++k) {
    if (type == DType::kInt8) Append(t.encoded, static_cast<int8_t>(RoundClamp(f[k] / s + zp, -128, 127)));
    else Append(t.encoded, static_cast<int16_t>(RoundClamp(f[k] / s, -32768, 32767)));
  }
  t.dtype = type;
}


// The Rnn op (mote.fbs RnnOptions): int8 weights per row, int64 biases at
// the scales of the sums they join, Y and Y_h sharing Y's calibrated
// parameters, the int16 state in Q0.15 and the LSTM cell at a power-of-two
// scale covering its calibrated range (modelc's reference writes the
// largest |cell| into the state tensor's last row).
void QuantizeRnn(Graph& g, Node& n, DType type, const QuantParams& y_quant, const Calibration& cal) {
  if (n.inputs.size() > 6 && n.inputs[6] >= 0) Unsupported(n, "LSTM peepholes are supported in float32 only");
  const float s_x = g.tensors[n.inputs[0]].quant->scale[0];
  Tensor& w = g.tensors[n.inputs[1]];
  Tensor& r = g.tensors[n.inputs[2]];
  EncodeWeights(w);
  EncodeWeights(r);
  Tensor& b = g.tensors[n.inputs[3]];
  const int64_t rows = w.shape[0], directions = b.shape[0], per = rows / directions;
  b.encoded.clear();
  constexpr int64_t kLimit = int64_t{1} << 60;
  for (int64_t d = 0; d < directions; ++d) {
    for (int64_t side = 0; side < 2; ++side) {
      for (int64_t k = 0; k < per; ++k) {
        const int64_t row = d * per + k;
        const double scale = side == 0 ? static_cast<double>(s_x) * w.quant->scale[row]
                                       : std::ldexp(static_cast<double>(r.quant->scale[row]), -15);
        Append(b.encoded, RoundClamp(b.constant->f[(d * 2 + side) * per + k] / scale, -kLimit, kLimit));
      }
    }
  }
  b.dtype = DType::kInt64;
  b.quant.reset();
  for (size_t k : {size_t{4}, size_t{5}}) {  // constant initial states
    if (k < n.inputs.size() && n.inputs[k] >= 0 && g.tensors[n.inputs[k]].is_const()) {
      EncodeActivationConstant(g.tensors[n.inputs[k]], type);
    }
  }
  for (int o : {n.outputs[0], n.outputs[1]}) {
    g.tensors[o].dtype = type;
    g.tensors[o].quant = y_quant;
  }
  const int state = n.outputs[2];
  g.tensors[state].dtype = DType::kInt16;
  g.tensors[state].quant = PerTensor(1.0f / 32768.0f, 0);
  const float cell = std::max(std::fabs(cal.min[state]), std::fabs(cal.max[state]));
  int bits = 0;  // the cell's integer bits: |cell| < 2^bits
  while (bits < 15 && std::ldexp(1.0f, bits) <= cell) ++bits;
  n.attrs["cell_shift"].i = 15 - bits;
}

}  // namespace

Precision ParsePrecision(const std::string& s) {
  if (s == "int8") return Precision::kInt8;
  if (s == "int16") return Precision::kInt16;
  if (s == "float32") return Precision::kFloat32;
  throw ConvertError("unknown precision '" + s + "' (int8, int16 or float32)");
}

const char* PrecisionName(Precision p) {
  return p == Precision::kInt8 ? "int8" : p == Precision::kInt16 ? "int16" : "float32";
}

Calibration Calibrate(const Graph& graph, const std::vector<std::vector<Value>>& samples) {
  Calibration c;
  const float inf = std::numeric_limits<float>::infinity();
  c.min.assign(graph.tensors.size(), inf);
  c.max.assign(graph.tensors.size(), -inf);
  c.input_min.resize(graph.inputs.size());
  c.input_max.resize(graph.inputs.size());
  const TreeCacheScope trees;  // one graph, many samples
  tools::ProgressPhase("calibrating", samples.size());
  for (const auto& sample : samples) {
    std::vector<Value> values = Execute(graph, sample, nullptr, false);
    std::vector<Value>& outputs = c.outputs.emplace_back();
    for (int t : graph.outputs) outputs.push_back(values[t]);
    for (size_t t = 0; t < values.size(); ++t) {
      if (values[t].is_int || values[t].f.size() == 0) continue;
      c.min[t] = std::min(c.min[t], values[t].f.minCoeff());
      c.max[t] = std::max(c.max[t], values[t].f.maxCoeff());
    }
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      const Value& x = sample[i];
      const int64_t features = x.shape.empty() ? 1 : x.shape.back();
      c.input_min[i].resize(static_cast<size_t>(features), inf);
      c.input_max[i].resize(static_cast<size_t>(features), -inf);
      for (int64_t k = 0; k < x.size(); ++k) {
        float& lo = c.input_min[i][static_cast<size_t>(k % features)];
        float& hi = c.input_max[i][static_cast<size_t>(k % features)];
        lo = std::min(lo, x.AsFloat(k));
        hi = std::max(hi, x.AsFloat(k));
      }
    }
    ++c.samples;
    tools::ProgressStep();
  }
  return c;
}

// An imported quantized model run in float: every tensor float, the imported
// Quantize/Dequantize ops become copies.
void Dequantize(Graph& g) {
  for (Tensor& t : g.tensors) {
    if (t.is_const() && t.constant->is_int) continue;
    t.quant.reset();
    t.dtype = DType::kFloat32;
    if (t.is_const()) EncodeFloat(t);
  }
  for (Node& n : g.nodes) {
    if (n.op == "Quantize" || n.op == "Dequantize") {
      n.op = "Reshape";
      n.attrs["shape"].ints = g.tensors[n.outputs[0]].shape;
    }
  }
  g.prequantized = false;
}

// Per-feature power-of-two grid for a tree ensemble's input: the largest
// scale 2^-k that keeps every threshold and calibrated value below 2^30, so
// x / scale is exact in float and integer comparisons equal float ones except
// within 2^-k of a threshold.
std::vector<float> GridScales(const Graph& g, const Node& trees, const Calibration& cal) {
  const int input = trees.inputs[0];
  const int64_t features = g.tensors[input].shape.back();
  std::vector<float> max_abs(static_cast<size_t>(features), 0.0f);
  const TreeModel m = ParseTreeModel(trees);
  for (const auto& [id, nodes] : m.trees)
    for (const auto& [nid, s] : nodes) {
      if (s.mode < 0) continue;
      // Validated at shape inference (CheckTreeIndices); checked again as it indexes.
      if (s.feature >= features) Fail(trees, "a branch reads feature " + std::to_string(s.feature) + " of " + std::to_string(features));
      max_abs[s.feature] = std::max(max_abs[s.feature], std::fabs(s.threshold));
    }
  const auto it = std::find(g.inputs.begin(), g.inputs.end(), input);
  if (it != g.inputs.end() && cal.samples > 0) {
    const auto& lo = cal.input_min[it - g.inputs.begin()];
    const auto& hi = cal.input_max[it - g.inputs.begin()];
    for (int64_t f = 0; f < features && static_cast<size_t>(f) < lo.size(); ++f) {
      max_abs[f] = std::max({max_abs[f], std::fabs(lo[f]), std::fabs(hi[f])});
    }
  }
  std::vector<float> scales;
  for (float a : max_abs) {
    int e = 0;
    std::frexp(a > 0.0f && std::isfinite(a) ? a : 1.0f, &e);  // a < 2^e
    const int k = std::clamp(30 - e, -100, 100);
    scales.push_back(std::ldexp(1.0f, -k));
  }
  return scales;
}

// Classic ML graphs keep float activations; tree inputs move to the grid.
void QuantizeClassic(Graph& g, Precision precision, const Calibration& cal) {
  for (Tensor& t : g.tensors) {
    if (t.is_const() && !t.constant->is_int) EncodeFloat(t);
  }
  if (precision == Precision::kFloat32) return;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    if (g.nodes[k].op != "TreeEnsemble") continue;
    const int input = g.nodes[k].inputs[0];
    Tensor grid;
    grid.name = g.tensors[input].name + ".grid";
    grid.shape = g.tensors[input].shape;
    grid.dtype = DType::kInt32;
    QuantParams q;
    q.scale = GridScales(g, g.nodes[k], cal);
    q.zero_point.assign(q.scale.size(), 0);
    q.axis = static_cast<int>(grid.shape.size()) - 1;
    grid.quant = q;
    const int grid_index = g.AddTensor(std::move(grid));
    Node quantize;
    quantize.name = g.nodes[k].name + ".to_grid";
    quantize.op = "Quantize";
    quantize.inputs = {input};
    quantize.outputs = {grid_index};
    g.nodes[k].inputs[0] = grid_index;
    g.nodes.insert(g.nodes.begin() + static_cast<long>(k), std::move(quantize));
    ++k;
  }
}

bool IsClassic(const Graph& g) {
  for (const Node& n : g.nodes) {
    if (n.op == "TreeEnsemble" || n.op == "ClassifierHead" || n.op == "Normalize" || n.op == "Svm") return true;
  }
  return false;
}

void Quantize(Graph& g, Precision precision, const Calibration& cal) {
  if (IsClassic(g) && !g.prequantized) return QuantizeClassic(g, precision, cal);
  if (g.prequantized) {
    if (precision == Precision::kFloat32) return Dequantize(g);
    if (precision == Precision::kInt16) {
      throw ConvertError("the model is already quantized; convert it as it is (int8) or with --precision float32",
                         ErrorKind::kUnsupported);
    }
    // A constant operand the lowering made (e.g. the negated subtrahend of a
    // SUB) has no imported parameters: quantize it like the op's output.
    for (const Node& n : g.nodes) {
      const DType type = g.tensors[n.outputs[0]].dtype;
      if ((n.op != "Add" && n.op != "Mul" && n.op != "Concat") || (type != DType::kInt8 && type != DType::kInt16)) {
        continue;
      }
      for (int k : n.inputs) {
        Tensor& t = g.tensors[k];
        if (t.is_const() && !t.constant->is_int && !t.quant && t.constant->f.size() > 0) {
          EncodeActivationConstant(t, type);
        }
      }
    }
    for (Tensor& t : g.tensors) {  // keep the imported parameters; only float constants need encoding
      if (t.is_const() && !t.constant->is_int && t.encoded.empty()) EncodeFloat(t);
    }
    return;
  }
  if (precision == Precision::kFloat32) {
    for (Tensor& t : g.tensors) {
      if (t.is_const() && !t.constant->is_int) EncodeFloat(t);
    }
    return;
  }
  const bool pins = HasPins(g);
  if (pins && precision != Precision::kInt8) {
    throw ConvertError("the model carries int8 quantization (QuantizeLinear/DequantizeLinear); convert it to int8 "
                       "or float32", ErrorKind::kUnsupported);
  }
  if (cal.samples == 0 && !pins) {
    throw ConvertError(std::string("quantizing to ") + PrecisionName(precision) +
                       " needs calibration data (--calibration CALIB.npy), or use --precision float32");
  }
  const DType type = precision == Precision::kInt8 ? DType::kInt8 : DType::kInt16;
  const bool is8 = type == DType::kInt8;
  // Parameters a QDQ model pins are kept; only the others are calibrated.
  auto calibrated = [&](int t) {
    if (g.tensors[t].pinned) return *g.tensors[t].pinned;
    if (cal.samples == 0) {
      const int p = g.Producer(t);
      throw ConvertError(p >= 0 ? g.nodes[p].name : "", p >= 0 ? g.nodes[p].op : "",
                         "its output '" + g.tensors[t].name +
                             "' carries no QuantizeLinear/DequantizeLinear parameters; give --calibration data",
                         ErrorKind::kUnsupported);
    }
    return ForRange(cal.min[t], cal.max[t], type);
  };
  for (int t : g.inputs) {
    if (IsIndexType(g.tensors[t].dtype)) continue;  // indices stay integers
    g.tensors[t].dtype = type;
    g.tensors[t].quant = calibrated(t);
  }
  for (Node& n : g.nodes) {
    Tensor& out = g.tensors[n.outputs[0]];
    const Tensor& in = g.tensors[n.inputs[0]];
    if (IsIndexType(out.dtype)) continue;  // integer activations are not quantized
    out.dtype = type;
    if ((n.op == "Gather" || n.op == "GatherElements") && in.is_const()) {
      // A table (embedding): quantized like an activation; the rows it
      // picks keep its parameters.
      EncodeActivationConstant(g.tensors[n.inputs[0]], type);
      out.quant = g.tensors[n.inputs[0]].quant;
    } else if (n.op == "FullyConnected" || n.op == "Conv2D" || n.op == "DepthwiseConv2D" ||
        n.op == "TransposeConv2D") {
      Tensor& w = g.tensors[n.inputs[1]];
      const bool depthwise = n.op == "DepthwiseConv2D";
      const auto pin = g.weight_pins.find(n.name);
      if (pin != g.weight_pins.end()) EncodePinnedWeights(w, n, pin->second, depthwise);
      else EncodeWeights(w, depthwise);
      // Products summed per output: depth, or the filter window times its input channels.
      const int64_t depth = depthwise ? w.shape[1] * w.shape[2] : NumElements(w.shape) / w.shape[0];
      if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
        EncodeBias(g.tensors[n.inputs[2]], in.quant->scale[0], *w.quant, type, depth);
      }
      out.quant = calibrated(n.outputs[0]);
    } else if (n.op == "Add" || n.op == "Mul" || n.op == "Concat") {
      for (int k : n.inputs) {
        if (g.tensors[k].is_const()) EncodeActivationConstant(g.tensors[k], type);
      }
      out.quant = calibrated(n.outputs[0]);
    } else if (n.op == "Compare" || n.op == "Where") {
      // Each input keeps its parameters (the kernels rescale); a boolean
      // result is 1 / 0 at scale 1 (ops/logic.cc).
      for (int k : n.inputs) {
        if (g.tensors[k].is_const()) EncodeActivationConstant(g.tensors[k], type);
      }
      out.quant = n.op == "Compare" ? PerTensor(1.0f, 0) : calibrated(n.outputs[0]);
    } else if (n.op == "CumSum") {  // int32 sums requantized to the calibrated range
      out.quant = calibrated(n.outputs[0]);
    } else if (n.op == "BatchMatMul") {
      for (int k : n.inputs) {
        if (g.tensors[k].is_const()) EncodeActivationConstant(g.tensors[k], type);
      }
      out.quant = calibrated(n.outputs[0]);
    } else if (n.op == "LayerNorm") {
      // gamma and beta go into the op's per-channel multipliers (emit).
      for (size_t k = 1; k < 3; ++k) {
        const char* name = k == 1 ? "gamma" : "beta";
        if (k < n.inputs.size() && n.inputs[k] >= 0) {
          const Eigen::ArrayXf& v = g.tensors[n.inputs[k]].constant->f;
          n.attrs[name].floats.assign(v.data(), v.data() + v.size());
        }
      }
      n.inputs.resize(1);
      out.quant = calibrated(n.outputs[0]);
    } else if (n.op == "Reduce") {
      using F = schema::ReduceFunction;
      const auto f = static_cast<F>(n.attr_int("function", 0));
      if (f == F::Prod || f == F::L2 || f == F::SumSquare || f == F::LogSumExp) {
        Unsupported(n, std::string("reduction ") + schema::EnumNameReduceFunction(f) +
                           " is not supported in int8/int16 (no integer kernel); convert with --precision float32");
      }
      const bool extreme = f == F::Max || f == F::Min;  // the input's values, its parameters
      if (extreme && !in.quant) Fail(n, "input has no quantization parameters");
      out.quant = extreme ? *in.quant : calibrated(n.outputs[0]);
    } else if (n.op == "Rnn") {
      QuantizeRnn(g, n, type, calibrated(n.outputs[0]), cal);
    } else if (n.op == "Sigmoid" || n.op == "Softmax") {
      out.quant = is8 ? PerTensor(1.0f / 256.0f, -128) : PerTensor(1.0f / 32768.0f, 0);
    } else if (n.op == "Tanh") {
      out.quant = is8 ? PerTensor(1.0f / 128.0f, 0) : PerTensor(1.0f / 32768.0f, 0);
    } else if (n.op == "Spectrogram") {
      // Raw audio in int16 (scale 2^-15); log-mels for a Dct as int32 Q20, else the calibrated type.
      Tensor& audio = g.tensors[n.inputs[0]];
      audio.dtype = DType::kInt16;
      audio.quant = PerTensor(1.0f / 32768.0f, 0);
      const std::vector<int> readers = g.Consumers(n.outputs[0]);
      if (!readers.empty() && g.nodes[readers[0]].op == "Dct") {
        out.dtype = DType::kInt32;
        out.quant = PerTensor(1.0f / 1048576.0f, 0);
      } else {
        out.quant = calibrated(n.outputs[0]);
      }
    } else if (n.op == "Mean" || n.op == "HardSwish" || n.op == "LeakyRelu" || n.op == "Unary" ||
               n.op == "Dct") {
      out.quant = calibrated(n.outputs[0]);
    } else {  // Relu, Relu6, Clip, Reshape, Transpose, Pad, pools: same values, same parameters
      if (!in.quant) Fail(n, "input has no quantization parameters");
      out.quant = in.quant;
    }
  }
  if (pins) RequantizeToPins(g);
}

}  // namespace mote::modelc
