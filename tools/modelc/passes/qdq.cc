// Pre-quantized ONNX: QuantizeLinear / DequantizeLinear (QDQ) and the
// quantized ops QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger.
//
// The quantized ops become DequantizeLinear -> Conv/MatMul -> QuantizeLinear.
// Then, converting to int8, a DequantizeLinear(QuantizeLinear(x)) pair pins
// x's quantization (the quantizer uses it instead of a calibrated range), a
// DequantizeLinear of constant weights pins their per-channel scales (the
// quantizer then encodes exactly the integers the model holds), and the
// pairs disappear. Converting to float32, the pairs stay as float ops
// ("fake quantization": Div, Round, Add, Clip and Sub, Mul), so the float
// model computes what the ONNX model computes.
#include "ops/qdq.h"

#include <algorithm>
#include <cmath>

#include "ir/reference_executor.h"
#include "passes/passes.h"

namespace mote::modelc {
namespace {

bool IsQdqOp(const std::string& op) {
  return op == "QuantizeLinear" || op == "DequantizeLinear" || op == "QLinearConv" ||
         op == "QLinearMatMul" || op == "ConvInteger" || op == "MatMulInteger";
}

int Input(const Node& n, size_t k) { return k < n.inputs.size() ? n.inputs[k] : -1; }

class QdqRewriter {
 public:
  QdqRewriter(Graph& g, bool keep) : g_(g), keep_(keep) {}

  void Run() {
    ExpandQuantizedOps();
    for (const Node& n : g_.nodes) {
      if (n.op != "QuantizeLinear" && n.op != "DequantizeLinear") continue;
      if (n.inputs.size() < 2 || n.inputs[0] < 0 || n.inputs[1] < 0)
        Fail(n, "needs an input and a scale");
      for (size_t k = 1; k < 3 && k < n.inputs.size(); ++k) {
        if (n.inputs[k] >= 0 && !g_.tensors[n.inputs[k]].is_const()) {
          Unsupported(n, std::string(k == 1 ? "the scale" : "the zero point") +
                             " must be a constant (dynamic quantization is not supported)");
        }
      }
    }
    InferShapes(g_);
    if (!keep_) {
      ExpandToFloat();
      return;
    }
    FoldConstantQuantize();
    FoldConstantDequantize();
    PinActivations();
  }

 private:
  // --- QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger --------------

  int NewTensor(const std::string& name) {
    Tensor t;
    t.name = name;
    return g_.AddTensor(std::move(t));
  }

  Node Dq(const std::string& name, int x, int scale, int zp, int out, std::optional<int64_t> axis) {
    Node d;
    d.name = name;
    d.op = "DequantizeLinear";
    d.inputs = {x, scale, zp};
    d.outputs = {out};
    if (axis) d.attrs["axis"].i = *axis;
    return d;
  }

  const Value& ConstOf(const Node& n, int t, const std::string& what) {
    if (t < 0 || !g_.tensors[t].is_const()) Unsupported(n, what + " must be a constant");
    return *g_.tensors[t].constant;
  }

  const Value& ScaleOf(const Node& n, int t, const std::string& what) {
    const Value& v = ConstOf(n, t, what);
    if (v.is_int || v.size() == 0) Fail(n, what + " must be a non-empty float tensor");
    return v;
  }

  int Ones(const std::string& name) {
    return g_.AddConstant(name, Value::Float({}, Eigen::ArrayXf::Ones(1)));
  }

  std::vector<Node> Expand(const Node& n) {
    std::vector<Node> out;
    const bool conv = n.op == "QLinearConv" || n.op == "ConvInteger";
    const bool linear = n.op == "QLinearConv" || n.op == "QLinearMatMul";
    if (!linear && keep_) {
      Unsupported(n,
                  "its int32 output has no mote kernel (the int8 kernels requantize their sums); "
                  "convert with --precision float32");
    }
    // Input positions: x, x_scale, x_zp, w, w_scale, w_zp (QLinear*) or x, w, x_zp, w_zp
    // (*Integer).
    const int x = Input(n, 0), w = linear ? Input(n, 3) : Input(n, 1);
    const int xs = linear ? Input(n, 1) : Ones(n.name + ".one");
    const int ws = linear ? Input(n, 4) : xs;
    const int xz = linear ? Input(n, 2) : Input(n, 2);
    const int wz = linear ? Input(n, 5) : Input(n, 3);
    if (x < 0 || w < 0 || xs < 0 || ws < 0) Fail(n, "missing a required input");
    const int64_t w_channels = ScaleOf(n, ws, "the weight scale").size();
    const int64_t x_channels = ScaleOf(n, xs, "the input scale").size();
    int64_t wz_channels =
        wz >= 0 && g_.tensors[wz].is_const() ? g_.tensors[wz].constant->size() : 1;
    const int xf = NewTensor(n.name + ".x"), wf = NewTensor(n.name + ".w"),
              yf = NewTensor(n.name + ".y");
    // Per-row a (MatMul): rows are the second-last axis; per-column b: the last.
    const std::optional<int64_t> x_axis =
        x_channels > 1 ? std::optional<int64_t>(conv ? 1 : -2) : std::nullopt;
    const bool w_per_channel = std::max(w_channels, wz_channels) > 1;
    const std::optional<int64_t> w_axis =
        w_per_channel ? std::optional<int64_t>(conv ? 0 : -1) : std::nullopt;
    if (!linear && x_channels == 1 && xz >= 0 && g_.tensors[xz].is_const() &&
        g_.tensors[xz].constant->size() > 1) {
      Unsupported(n, "a per-row input zero point is not supported");
    }
    // *Integer: scale 1 of the zero points' shape (DequantizeLinear wants them alike).
    auto unit_scale = [&](int zp, const std::string& name) {
      if (zp < 0 || !g_.tensors[zp].is_const() || g_.tensors[zp].constant->size() == 1) return xs;
      const Value& z = *g_.tensors[zp].constant;
      return g_.AddConstant(name, Value::Float(z.shape, Eigen::ArrayXf::Ones(z.size())));
    };
    out.push_back(Dq(n.name + ".dequantize_x", x, linear ? xs : unit_scale(xz, n.name + ".x_one"),
                     xz, xf, x_axis));
    out.push_back(Dq(n.name + ".dequantize_w", w, linear ? ws : unit_scale(wz, n.name + ".w_one"),
                     wz, wf, w_axis));
    Node op;
    op.name = n.name;  // errors and the weight pins name the original node
    op.op = conv ? "Conv" : "MatMul";
    op.attrs = n.attrs;
    op.inputs = {xf, wf};
    op.outputs = {linear ? yf : n.outputs[0]};
    const int bias = n.op == "QLinearConv" ? Input(n, 8) : -1;
    if (bias >= 0) {
      // The int32 bias has scale x_scale * w_scale (per output channel).
      const Value& s_x = ScaleOf(n, xs, "the input scale");
      const Value& s_w = ScaleOf(n, ws, "the weight scale");
      Eigen::ArrayXf s = s_w.f * s_x.f[0];
      const int bs = g_.AddConstant(n.name + ".bias_scale", Value::Float({s.size()}, s));
      const int bf = NewTensor(n.name + ".b");
      Node d = Dq(n.name + ".dequantize_b", bias, bs, -1, bf,
                  s.size() > 1 ? std::optional<int64_t>(0) : std::nullopt);
      out.push_back(std::move(d));
      op.inputs.push_back(bf);
    }
    out.push_back(std::move(op));
    if (linear) {
      Node q;
      q.name = n.name + ".quantize_y";
      q.op = "QuantizeLinear";
      q.inputs = {yf, Input(n, 6), Input(n, 7)};
      q.outputs = {n.outputs[0]};
      if (q.inputs[1] < 0) Fail(n, "missing the output scale");
      out.push_back(std::move(q));
    }
    return out;
  }

  void ExpandQuantizedOps() {
    std::vector<Node> nodes;
    for (const Node& n : g_.nodes) {
      if (n.op == "QLinearConv" || n.op == "QLinearMatMul" || n.op == "ConvInteger" ||
          n.op == "MatMulInteger") {
        for (Node& e : Expand(n)) nodes.push_back(std::move(e));
      } else {
        nodes.push_back(n);
      }
    }
    g_.nodes = std::move(nodes);
  }

  // --- float32: QuantizeLinear / DequantizeLinear as float ops --------------

  // The scale or zero point as a float constant broadcasting along `p.axis`.
  int Broadcast(const std::string& name, const std::vector<float>& v, const QdqParams& p,
                size_t rank) {
    Shape shape;
    if (p.axis >= 0) {
      shape.push_back(static_cast<int64_t>(v.size()));
      for (size_t d = static_cast<size_t>(p.axis) + 1; d < rank; ++d) shape.push_back(1);
    }
    Eigen::ArrayXf f =
        Eigen::Map<const Eigen::ArrayXf>(v.data(), static_cast<Eigen::Index>(v.size()));
    return g_.AddConstant(name, Value::Float(shape, std::move(f)));
  }

  QdqParams ParamsOf(const Node& n) {
    const Value& scale = ConstOf(n, Input(n, 1), "the scale");
    const int zp = Input(n, 2);
    const Value* z = zp >= 0 ? &ConstOf(n, zp, "the zero point") : nullptr;
    return ReadQdqParams(g_, n, scale, z,
                         static_cast<int64_t>(g_.tensors[n.inputs[0]].shape.size()));
  }

  Node Binary(const std::string& op, const std::string& name, int a, int b, int out) {
    Node n;
    n.op = op;
    n.name = name;
    n.inputs = {a, b};
    n.outputs = {out};
    return n;
  }

  void ExpandToFloat() {
    std::vector<Node> nodes;
    for (const Node& n : g_.nodes) {
      const bool q = n.op == "QuantizeLinear";
      if ((!q && n.op != "DequantizeLinear") || g_.tensors[n.inputs[0]].is_const()) {
        nodes.push_back(n);  // constants fold (FoldConstants, with the op's reference)
        continue;
      }
      const QdqParams p = ParamsOf(n);
      const size_t rank = g_.tensors[n.inputs[0]].shape.size();
      std::vector<float> zp(p.zero_point.begin(), p.zero_point.end());
      const int scale = Broadcast(n.name + ".scale", p.scale, p, rank);
      const int zero = Broadcast(n.name + ".zero_point", zp, p, rank);
      const int y = n.outputs[0];
      if (q) {  // clamp(round_half_even(x / scale) + zero_point)
        const int a = NewTensor(n.name + ".divided"), b = NewTensor(n.name + ".rounded"),
                  c = NewTensor(n.name + ".shifted");
        nodes.push_back(Binary("Div", n.name + ".div", n.inputs[0], scale, a));
        Node round;
        round.op = "Round";
        round.name = n.name + ".round";
        round.inputs = {a};
        round.outputs = {b};
        nodes.push_back(std::move(round));
        nodes.push_back(Binary("Add", n.name + ".add", b, zero, c));
        Node clip;
        clip.op = "Clip";
        clip.name = n.name;
        clip.inputs = {
            c, g_.AddConstant(n.name + ".min", Value::Float({}, Eigen::ArrayXf::Constant(1, p.lo))),
            g_.AddConstant(n.name + ".max", Value::Float({}, Eigen::ArrayXf::Constant(1, p.hi)))};
        clip.outputs = {y};
        nodes.push_back(std::move(clip));
      } else {  // (x - zero_point) * scale
        const int a = NewTensor(n.name + ".centred");
        nodes.push_back(Binary("Sub", n.name + ".sub", n.inputs[0], zero, a));
        nodes.push_back(Binary("Mul", n.name, a, scale, y));
      }
    }
    g_.nodes = std::move(nodes);
    InferShapes(g_);
  }

  // --- int8: pins ----------------------------------------------------------

  void Replace(int from, int to) {
    for (Node& n : g_.nodes) std::replace(n.inputs.begin(), n.inputs.end(), from, to);
    for (int& o : g_.outputs) {
      if (o != from) continue;
      o = to;
      // The model's output keeps its ONNX name.
      if (!g_.IsGraphInput(to)) std::swap(g_.tensors[from].name, g_.tensors[to].name);
      const auto it = g_.declared_shapes.find(from);
      if (it != g_.declared_shapes.end()) {
        g_.declared_shapes[to] = it->second;
        g_.declared_shapes.erase(from);
      }
    }
  }

  // Evaluates node k (all inputs constant) into its output constant.
  void FoldNode(size_t k, DType int_type) {
    const Node& n = g_.nodes[k];
    std::vector<const Value*> ins;
    for (int t : n.inputs) ins.push_back(t >= 0 ? &*g_.tensors[t].constant : nullptr);
    Value v = EvalNode(g_, n, ins)[0];
    Tensor& out = g_.tensors[n.outputs[0]];
    if (int_type != DType::kFloat32) {
      std::vector<int64_t> ints(static_cast<size_t>(v.size()));
      for (int64_t i = 0; i < v.size(); ++i) ints[i] = static_cast<int64_t>(v.f[i]);
      v = Value::Int(v.shape, std::move(ints));
      g_.element_types[n.outputs[0]] = int_type;
      out.dtype = DType::kInt64;
    } else {
      out.dtype = DType::kFloat32;
    }
    out.shape = v.shape;
    out.constant = std::move(v);
    g_.nodes.erase(g_.nodes.begin() + static_cast<long>(k));
  }

  bool ConstInputs(const Node& n) {
    for (int t : n.inputs) {
      if (t >= 0 && !g_.tensors[t].is_const()) return false;
    }
    return true;
  }

  // Float weights with a QuantizeLinear (PyTorch's export of fake-quantized
  // weights): the integers it makes, as a constant.
  void FoldConstantQuantize() {
    for (size_t k = 0; k < g_.nodes.size();) {
      const Node& n = g_.nodes[k];
      if (n.op == "QuantizeLinear" && ConstInputs(n)) {
        FoldNode(k, ParamsOf(n).type);
      } else {
        ++k;
      }
    }
  }

  // Dequantized weights: float constants, their per-channel scales pinned
  // for the node that reads them as weights.
  void FoldConstantDequantize() {
    for (size_t k = 0; k < g_.nodes.size();) {
      const Node n = g_.nodes[k];
      if (n.op != "DequantizeLinear" || !ConstInputs(n)) {
        ++k;
        continue;
      }
      const QdqParams p = ParamsOf(n);
      const int out = n.outputs[0];
      FoldNode(k, DType::kFloat32);
      for (int c : g_.Consumers(out)) PinWeights(n, p, g_.nodes[c], out);
    }
  }

  void PinWeights(const Node& dq, const QdqParams& p, const Node& reader, int weights) {
    const bool gemm = reader.op == "Gemm", matmul = reader.op == "MatMul",
               conv = reader.op == "Conv";
    if (!(gemm || matmul || conv) || Input(reader, 1) != weights)
      return;  // other constants: quantized as usual
    if (p.type == DType::kInt32) Unsupported(dq, "int32 weights are not supported");
    // mote's int8 kernels take symmetric weights: w - zero_point must fit int8
    // (always for int8 with zero point 0 and uint8 with 128; for other zero
    // points, if the values happen to), and is then the same number exactly.
    const Value& w = *g_.tensors[weights].constant;
    const Shape& shape = g_.tensors[weights].shape;
    int64_t lo = 0, hi = 0;
    for (int64_t k = 0; k < w.size(); ++k) {
      const int64_t v = std::llround(w.f[k] / p.scale[QdqChannel(p, shape, k)]);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (lo < -128 || hi > 127) {
      Unsupported(
          dq,
          "weights minus their zero point span [" + std::to_string(lo) + ", " + std::to_string(hi) +
              "] (read by node '" + reader.name +
              "'): mote's int8 kernels take symmetric int8 weights, and re-quantizing them would "
              "change the model");
    }
    // The output channel axis: Conv's weights [O, I, kh, kw], MatMul's [K, N], Gemm's [K, N] or [N,
    // K].
    const int channel_axis = conv ? 0
                             : gemm && reader.attr_int("transB", 0)
                                 ? 0
                                 : static_cast<int>(shape.size()) - 1;
    if (p.axis >= 0 && p.axis != channel_axis) {
      Unsupported(dq, "weights quantized along axis " + std::to_string(p.axis) + " (node '" +
                          reader.name + "' needs one scale per output channel, axis " +
                          std::to_string(channel_axis) + ")");
    }
    if (matmul && shape.size() != 2)
      return;  // a batched constant operand: quantized as an activation
    QuantParams q;
    q.scale = p.scale;
    q.zero_point.assign(p.scale.size(), 0);
    q.axis = 0;
    g_.weight_pins[reader.name] = q;
  }

  void Pin(const Node& n, int t, const QdqParams& p) {
    if (p.type == DType::kInt32) Unsupported(n, "an int32 activation is not supported");
    if (p.axis >= 0) {
      Unsupported(n, "per-axis quantization of an activation (axis " + std::to_string(p.axis) +
                         ") is not supported: mote's activations have one scale and zero point");
    }
    QuantParams q;
    q.scale = p.scale;
    // uint8 maps exactly to int8: the same real values with the zero point 128 lower.
    q.zero_point = {p.zero_point[0] - (p.type == DType::kUInt8 ? 128 : 0)};
    Tensor& tensor = g_.tensors[t];
    if (tensor.pinned &&
        (tensor.pinned->scale != q.scale || tensor.pinned->zero_point != q.zero_point)) {
      Unsupported(n, "tensor '" + tensor.name + "' is quantized twice with different parameters");
    }
    tensor.pinned = q;
  }

  void PinActivations() {
    std::vector<Node> nodes;
    std::vector<int> dropped_quantize;
    for (const Node& n : g_.nodes) {
      if (n.op == "DequantizeLinear") {
        const int x = n.inputs[0];
        const int producer = g_.Producer(x);
        const Node* q = producer >= 0 ? &g_.nodes[producer] : nullptr;
        const QdqParams p = ParamsOf(n);
        if (q != nullptr && q->op == "QuantizeLinear") {
          const QdqParams qp = ParamsOf(*q);
          if (qp.scale != p.scale || qp.zero_point != p.zero_point || qp.type != p.type) {
            Unsupported(n, "dequantizes with parameters other than its QuantizeLinear '" + q->name +
                               "' used");
          }
          Pin(*q, q->inputs[0], qp);
          Replace(n.outputs[0], q->inputs[0]);
        } else if (q == nullptr && g_.IsGraphInput(x)) {
          Pin(n, x, p);  // an integer model input: the runtime's int8 input
          Replace(n.outputs[0], x);
        } else {
          Unsupported(
              n, "reads a tensor computed by op " + (q ? q->op : std::string("?")) +
                     " (DequantizeLinear must read a QuantizeLinear, a graph input or a constant)");
        }
        continue;
      }
      nodes.push_back(n);
    }
    g_.nodes = std::move(nodes);
    // QuantizeLinear: its readers are gone; a graph output becomes the pinned int8 output.
    nodes.clear();
    for (const Node& n : g_.nodes) {
      if (n.op != "QuantizeLinear") {
        nodes.push_back(n);
        continue;
      }
      for (int c : g_.Consumers(n.outputs[0])) {
        Unsupported(g_.nodes[c], "reads the quantized tensor '" + g_.tensors[n.outputs[0]].name +
                                     "' of node '" + n.name + "' (only DequantizeLinear may)");
      }
      const QdqParams p = ParamsOf(n);
      Pin(n, n.inputs[0], p);
      Replace(n.outputs[0], n.inputs[0]);
    }
    g_.nodes = std::move(nodes);
    for (const Node& n : g_.nodes) {
      if (IsQdqOp(n.op)) Unsupported(n, "left over after folding the quantization");
    }
  }

  Graph& g_;
  bool keep_;
};

}  // namespace

void ImportQuantization(Graph& graph, bool keep) {
  bool any = false;
  for (const Node& n : graph.nodes) any = any || IsQdqOp(n.op);
  if (!any) return;
  QdqRewriter(graph, keep).Run();
}

}  // namespace mote::modelc
