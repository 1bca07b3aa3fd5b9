#include "import/tflite_importer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <limits>

#include "common/files.h"
#include "tflite_schema_generated.h"

namespace mote::modelc {
namespace {

namespace tfl = mote::tflite;

// TFLite builtin operator codes modelc reads (tensorflow/lite/schema/schema.fbs).
enum Builtin : int32_t {
  kAdd = 0, kAveragePool2D = 1, kConcatenation = 2, kConv2D = 3, kDepthwiseConv2D = 4, kDequantize = 6,
  kFullyConnected = 9, kLogistic = 14, kMaxPool2D = 17, kMul = 18, kRelu = 19, kReluN1To1 = 20, kRelu6 = 21,
  kReshape = 22, kSoftmax = 25, kTanh = 28, kPad = 34, kTranspose = 39, kMean = 40, kSub = 41, kSqueeze = 43,
  kUnidirectionalSequenceLstm = 44,
  kPadV2 = 60, kLeakyRelu = 98, kQuantize = 114, kHardSwish = 117,
};

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr int64_t kMaxElements = int64_t{1} << 30;

DType DTypeOf(tfl::TensorType t, const std::string& what) {
  switch (t) {
    case tfl::TensorType::FLOAT32: return DType::kFloat32;
    case tfl::TensorType::INT8: return DType::kInt8;
    case tfl::TensorType::INT16: return DType::kInt16;
    case tfl::TensorType::INT32: return DType::kInt32;
    case tfl::TensorType::INT64: return DType::kInt64;
    case tfl::TensorType::UINT8: return DType::kUInt8;
    case tfl::TensorType::BOOL: return DType::kBool;
    default: break;
  }
  const std::string name = tfl::EnumNameTensorType(t);
  throw ConvertError(what + ": tensor type " + (name.empty() ? "" : name + " ") + "(" +
                         std::to_string(static_cast<int>(t)) + ") is not supported",
                     ErrorKind::kUnsupported);
}

std::string FloatText(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(v));
  return text;
}

std::string ShapeText(const flatbuffers::Vector<int32_t>& shape) {
  std::string out = "[";
  for (uint32_t k = 0; k < shape.size(); ++k) out += (k ? "," : "") + std::to_string(shape.Get(k));
  return out + "]";
}

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

class Importer {
 public:
  Importer(const std::string& bytes, const std::string& what) : bytes_(bytes), what_(what) {}

  Graph Run() {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes_.data());
    flatbuffers::Verifier verifier(data, bytes_.size(), 64, 10000000);
    if (bytes_.size() < 8) {
      throw ConvertError(what_ + ": not a valid TFLite model (" + std::to_string(bytes_.size()) +
                         " bytes: empty or truncated)");
    }
    if (!flatbuffers::BufferHasIdentifier(data, tfl::ModelIdentifier())) {
      std::string id;
      for (size_t k = 4; k < 8; ++k) id += std::isprint(data[k]) ? static_cast<char>(data[k]) : '?';
      throw ConvertError(what_ + ": not a valid TFLite model (file identifier '" + id + "', not '" +
                         tfl::ModelIdentifier() + "')");
    }
    if (!tfl::VerifyModelBuffer(verifier)) {
      throw ConvertError(what_ + ": not a valid TFLite model (the flatbuffer does not verify: truncated or corrupt)");
    }
    model_ = tfl::GetModel(data);
    if (model_->subgraphs() == nullptr || model_->subgraphs()->size() == 0) {
      throw ConvertError(what_ + ": TFLite model has no subgraph");
    }
    if (model_->subgraphs()->size() > 1) {
      throw ConvertError(what_ + ": TFLite models with several subgraphs (control flow) are not supported",
                         ErrorKind::kUnsupported);
    }
    sub_ = model_->subgraphs()->Get(0);
    if (sub_->tensors() == nullptr || sub_->tensors()->size() == 0) throw ConvertError(what_ + ": the subgraph has no tensors");
    if (sub_->inputs() == nullptr || sub_->inputs()->size() == 0) throw ConvertError(what_ + ": the subgraph has no inputs");
    if (sub_->outputs() == nullptr || sub_->outputs()->size() == 0) throw ConvertError(what_ + ": the subgraph has no outputs");
    graph_.name = sub_->name() ? sub_->name()->str() : "";
    graph_.nhwc = true;
    for (uint32_t t = 0; t < sub_->tensors()->size(); ++t) graph_.AddTensor(MakeTensor(t));
    for (int32_t t : *sub_->inputs()) graph_.inputs.push_back(Index(t, "graph input"));
    for (int32_t t : *sub_->outputs()) graph_.outputs.push_back(Index(t, "graph output"));
    writer_.assign(graph_.tensors.size(), -1);
    for (int t : graph_.inputs) {
      const Tensor& in = graph_.tensors[t];
      if (in.is_const()) throw ConvertError(what_ + ": graph input '" + in.name + "' has constant data");
      if (NumElements(in.shape) > kMaxInputElements) {
        throw ConvertError(what_ + ": graph input '" + in.name + "': shape " + ShapeString(in.shape) +
                           " has more than 2^24 elements (the bound on an input)");
      }
      if (in.dtype != DType::kFloat32 && !in.quant) {
        throw ConvertError(what_ + ": graph input '" + in.name + "' is " + DTypeName(in.dtype) +
                           " without quantization parameters; inputs must be float32 or quantized int8/int16",
                           ErrorKind::kUnsupported);
      }
    }
    if (sub_->operators() != nullptr) {
      for (uint32_t k = 0; k < sub_->operators()->size(); ++k) AddOperator(*sub_->operators()->Get(k), k);
    }
    for (int t : graph_.outputs) {
      if (writer_[t] < 0 && !graph_.tensors[t].is_const() && !graph_.IsGraphInput(t)) {
        throw ConvertError(what_ + ": graph output '" + graph_.tensors[t].name + "' is never computed");
      }
      graph_.declared_shapes[t] = graph_.tensors[t].shape;
    }
    return std::move(graph_);
  }

 private:
  int Index(int32_t t, const std::string& what) const {
    if (t < 0 || static_cast<uint32_t>(t) >= sub_->tensors()->size()) {
      throw ConvertError(what_ + ": " + what + " refers to tensor " + std::to_string(t) + ", which does not exist (the subgraph has " +
                         std::to_string(sub_->tensors()->size()) + ")");
    }
    return t;
  }

  // Bytes of a buffer, inside the flatbuffer or (offset/size) after it.
  std::pair<const uint8_t*, size_t> BufferData(uint32_t index, const std::string& what) const {
    if (model_->buffers() == nullptr || index >= model_->buffers()->size()) {
      throw ConvertError(what + " refers to buffer " + std::to_string(index) + ", which does not exist (the model has " +
                         std::to_string(model_->buffers() ? model_->buffers()->size() : 0) + ")");
    }
    const tfl::Buffer* b = model_->buffers()->Get(index);
    if (b->data() != nullptr && b->data()->size() > 0) return {b->data()->data(), b->data()->size()};
    if (b->offset() > 1) {
      if (b->offset() > bytes_.size() || b->size() > bytes_.size() - b->offset()) {
        throw ConvertError(what + ": buffer " + std::to_string(index) + " lies outside the file");
      }
      return {reinterpret_cast<const uint8_t*>(bytes_.data()) + b->offset(), static_cast<size_t>(b->size())};
    }
    return {nullptr, 0};
  }

  Tensor MakeTensor(uint32_t index) {
    const tfl::Tensor& src = *sub_->tensors()->Get(index);
    Tensor t;
    t.name = src.name() ? src.name()->str() : "tensor_" + std::to_string(index);
    const std::string what = what_ + ": tensor '" + t.name + "'";
    t.dtype = DTypeOf(src.type(), what);
    int64_t n = 1;
    if (src.shape() != nullptr) {
      for (int32_t d : *src.shape()) {
        if (d < 1) throw ConvertError(what + ": dimension " + std::to_string(d) + " of " + ShapeText(*src.shape()) + " is not positive");
        if (n > kMaxElements / d) throw ConvertError(what + ": shape " + ShapeText(*src.shape()) + " has more than 2^30 elements");
        t.shape.push_back(d);
        n *= d;
      }
    }
    if (src.sparsity() != nullptr) throw ConvertError(what + ": sparse tensors are not supported", ErrorKind::kUnsupported);
    const tfl::QuantizationParameters* q = src.quantization();
    if (q != nullptr && q->scale() != nullptr && q->scale()->size() > 0) {
      QuantParams p;
      for (float s : *q->scale()) p.scale.push_back(s);
      if (q->zero_point() == nullptr || q->zero_point()->size() != q->scale()->size()) {
        throw ConvertError(what + ": quantization has " + std::to_string(q->scale()->size()) + " scales but " +
                           std::to_string(q->zero_point() ? q->zero_point()->size() : 0) + " zero points");
      }
      // The verifier checks where a vector starts, not that its 8-byte elements
      // are aligned: copied out, never loaded in place.
      std::vector<int64_t> zero_points(q->zero_point()->size());
      if (!zero_points.empty()) {
        std::memcpy(zero_points.data(), q->zero_point()->Data(), zero_points.size() * sizeof(int64_t));
      }
      if (p.scale.size() > 1) {
        p.axis = q->quantized_dimension();
        if (p.axis < 0 || static_cast<size_t>(p.axis) >= t.shape.size()) {
          throw ConvertError(what + ": quantized_dimension " + std::to_string(p.axis) + " is outside the shape " +
                             ShapeString(t.shape));
        }
        if (t.shape[p.axis] != static_cast<int64_t>(p.scale.size())) {
          throw ConvertError(what + ": per-axis quantization has " + std::to_string(p.scale.size()) +
                             " scales for dimension " + std::to_string(p.axis) + " of size " +
                             std::to_string(t.shape[p.axis]) + " (shape " + ShapeString(t.shape) + ")");
        }
      }
      for (float s : p.scale) {
        if (!(s > 0.0f) || !std::isfinite(s)) {
          throw ConvertError(what + ": quantization scale " + FloatText(s) + " must be positive and finite");
        }
      }
      int64_t lo = 0, hi = -1;  // the element type's range; int32's for float and wide types
      if (t.dtype == DType::kInt8) lo = -128, hi = 127;
      if (t.dtype == DType::kUInt8) lo = 0, hi = 255;
      if (t.dtype == DType::kInt16) lo = -32768, hi = 32767;
      if (lo > hi) lo = INT32_MIN, hi = INT32_MAX;  // stored as int32
      for (int64_t z : zero_points) {
        if (z < lo || z > hi) {
          throw ConvertError(what + ": zero point " + std::to_string(z) + " is outside " + DTypeName(t.dtype) +
                             "'s range [" + std::to_string(lo) + "," + std::to_string(hi) + "]");
        }
        p.zero_point.push_back(static_cast<int32_t>(z));
      }
      t.quant = p;
      graph_.prequantized = graph_.prequantized || t.dtype != DType::kFloat32;
    } else if (t.dtype == DType::kInt8 || t.dtype == DType::kInt16) {
      if (src.buffer() == 0 || BufferData(src.buffer(), what).second == 0) {
        throw ConvertError(what + ": integer activation without quantization parameters", ErrorKind::kUnsupported);
      }
    }
    const auto [data, size] = BufferData(src.buffer(), what);
    if (size > 0) {
      const size_t want = static_cast<size_t>(n) * DTypeSize(t.dtype);
      if (size != want) {
        throw ConvertError(what + ": buffer holds " + std::to_string(size) + " bytes, the shape needs " +
                           std::to_string(want));
      }
      t.constant = Decode(t, data, n);
      CheckNotNaN(*t.constant, what);
      if (t.quant && t.dtype != DType::kFloat32) t.encoded.assign(data, data + size);
    }
    return t;
  }

  // Float values (dequantized if quantized) or integers (shape data).
  static Value Decode(const Tensor& t, const uint8_t* data, int64_t n) {
    const size_t size = DTypeSize(t.dtype);
    auto raw = [&](int64_t k) -> int64_t {
      const uint8_t* p = data + k * size;
      switch (t.dtype) {
        case DType::kInt8: return static_cast<int8_t>(*p);
        case DType::kUInt8: case DType::kBool: return *p;
        case DType::kInt16: return Load<int16_t>(p);
        case DType::kInt32: return Load<int32_t>(p);
        default: return Load<int64_t>(p);
      }
    };
    if (t.dtype == DType::kFloat32) {
      Eigen::ArrayXf f(n);
      if (n > 0) std::memcpy(f.data(), data, static_cast<size_t>(n) * 4);
      return Value::Float(t.shape, std::move(f));
    }
    if (!t.quant) {
      std::vector<int64_t> v(static_cast<size_t>(n));
      for (int64_t k = 0; k < n; ++k) v[k] = raw(k);
      return Value::Int(t.shape, std::move(v));
    }
    // Per-axis: the channel of element k along `axis`.
    int64_t inner = 1;
    if (t.quant->axis >= 0) {
      for (size_t d = static_cast<size_t>(t.quant->axis) + 1; d < t.shape.size(); ++d) inner *= t.shape[d];
    }
    Eigen::ArrayXf f(n);
    for (int64_t k = 0; k < n; ++k) {
      const size_t c = t.quant->axis >= 0 ? static_cast<size_t>((k / inner) % t.shape[t.quant->axis]) : 0;
      f[k] = t.quant->scale[c] * static_cast<float>(raw(k) - t.quant->zero_point[c]);
    }
    return Value::Float(t.shape, std::move(f));
  }

  int32_t BuiltinCode(const tfl::Operator& op, uint32_t k) const {
    if (model_->operator_codes() == nullptr || op.opcode_index() >= model_->operator_codes()->size()) {
      throw ConvertError(what_ + ": operator #" + std::to_string(k) + " refers to operator code " +
                         std::to_string(op.opcode_index()) + ", which does not exist (the model has " +
                         std::to_string(model_->operator_codes() ? model_->operator_codes()->size() : 0) + ")");
    }
    const tfl::OperatorCode& code = *model_->operator_codes()->Get(op.opcode_index());
    return std::max<int32_t>(code.deprecated_builtin_code(), code.builtin_code());
  }

  static const char* BuiltinName(int32_t code) {
    switch (code) {
      case kAdd: return "ADD"; case kAveragePool2D: return "AVERAGE_POOL_2D";
      case kConcatenation: return "CONCATENATION"; case kConv2D: return "CONV_2D";
      case kDepthwiseConv2D: return "DEPTHWISE_CONV_2D"; case kDequantize: return "DEQUANTIZE";
      case kFullyConnected: return "FULLY_CONNECTED"; case kLogistic: return "LOGISTIC";
      case kMaxPool2D: return "MAX_POOL_2D"; case kMul: return "MUL"; case kRelu: return "RELU";
      case kReluN1To1: return "RELU_N1_TO_1"; case kRelu6: return "RELU6"; case kReshape: return "RESHAPE";
      case kSoftmax: return "SOFTMAX"; case kTanh: return "TANH"; case kPad: return "PAD";
      case kTranspose: return "TRANSPOSE"; case kMean: return "MEAN"; case kSub: return "SUB";
      case kSqueeze: return "SQUEEZE"; case kPadV2: return "PADV2"; case kLeakyRelu: return "LEAKY_RELU";
      case kQuantize: return "QUANTIZE"; case kHardSwish: return "HARD_SWISH";
      case kUnidirectionalSequenceLstm: return "UNIDIRECTIONAL_SEQUENCE_LSTM";
      case 32: return "CUSTOM"; case 16: return "LSTM"; case 36: return "GATHER"; case 45: return "STRIDED_SLICE";
      case 47: return "EXP"; case 49: return "SPLIT"; case 53: return "CAST"; case 55: return "MAXIMUM";
      case 56: return "ARG_MAX"; case 57: return "MINIMUM"; case 74: return "SUM"; case 83: return "PACK";
      case 97: return "RESIZE_NEAREST_NEIGHBOR"; case 23: return "RESIZE_BILINEAR"; case 54: return "PRELU";
      default: return nullptr;
    }
  }

  void SetActivation(Node& n, tfl::ActivationFunctionType act) {
    switch (act) {
      case tfl::ActivationFunctionType::NONE: return;
      case tfl::ActivationFunctionType::RELU: n.attrs["act_min"].f = 0.0f; return;
      case tfl::ActivationFunctionType::RELU6:
        n.attrs["act_min"].f = 0.0f;
        n.attrs["act_max"].f = 6.0f;
        return;
      case tfl::ActivationFunctionType::RELU_N1_TO_1:
        n.attrs["act_min"].f = -1.0f;
        n.attrs["act_max"].f = 1.0f;
        return;
      default: Unsupported(n, "fused activation " + std::to_string(static_cast<int>(act)) + " is not supported");
    }
  }

  // TFLite's explicit padding for SAME / VALID (ComputePaddingHeightWidth).
  void SetWindow(Node& n, tfl::Padding padding, int stride_h, int stride_w, int dil_h, int dil_w, int64_t kh,
                 int64_t kw) {
    const Shape& in = graph_.tensors[n.inputs[0]].shape;
    const Shape& out = graph_.tensors[n.outputs[0]].shape;
    if (in.size() != 4 || out.size() != 4) Fail(n, "input and output must be 4-D NHWC");
    if (stride_h < 1 || stride_w < 1 || dil_h < 1 || dil_w < 1) Fail(n, "strides and dilations must be positive");
    if (kh < 1 || kw < 1) Fail(n, "the window must be at least 1x1");
    // The output size TFLite computes (ComputeOutSize); padding is derived
    // from the declared output, so a wrong one would silently change the op.
    auto out_size = [&](int64_t in_size, int stride, int dil, int64_t k) -> int64_t {
      const int64_t eff = (k - 1) * dil + 1;
      return padding == tfl::Padding::VALID ? (in_size - eff + stride) / stride : (in_size + stride - 1) / stride;
    };
    const int64_t want_h = out_size(in[1], stride_h, dil_h, kh), want_w = out_size(in[2], stride_w, dil_w, kw);
    if (want_h < 1 || want_w < 1) {
      Fail(n, "the " + std::to_string(kh) + "x" + std::to_string(kw) + " window is larger than the input " +
                  ShapeString(in) + " (VALID padding)");
    }
    if (out[1] != want_h || out[2] != want_w) {
      Fail(n, "output " + ShapeString(out) + " does not match the window: input " + ShapeString(in) + ", " +
                  std::to_string(kh) + "x" + std::to_string(kw) + " window, strides " + std::to_string(stride_h) + "," +
                  std::to_string(stride_w) + " give " + std::to_string(want_h) + "x" + std::to_string(want_w));
    }
    auto pad = [&](int64_t in_size, int64_t out_size, int stride, int dil, int64_t k) -> int64_t {
      if (padding == tfl::Padding::VALID) return 0;
      const int64_t eff = (k - 1) * dil + 1;
      return std::max<int64_t>(0, ((out_size - 1) * stride + eff - in_size) / 2);
    };
    n.attrs["stride_h"].i = stride_h;
    n.attrs["stride_w"].i = stride_w;
    n.attrs["dilation_h"].i = dil_h;
    n.attrs["dilation_w"].i = dil_w;
    n.attrs["filter_h"].i = kh;
    n.attrs["filter_w"].i = kw;
    const int64_t top = pad(in[1], out[1], stride_h, dil_h, kh), left = pad(in[2], out[2], stride_w, dil_w, kw);
    n.attrs["pad_top"].i = top;
    n.attrs["pad_left"].i = left;
    // The rest of the window past the input, so the reference executor agrees.
    n.attrs["pad_bottom"].i = std::max<int64_t>(0, (out[1] - 1) * stride_h + (kh - 1) * dil_h + 1 - in[1] - top);
    n.attrs["pad_right"].i = std::max<int64_t>(0, (out[2] - 1) * stride_w + (kw - 1) * dil_w + 1 - in[2] - left);
  }

  const Value& Constant(const Node& n, size_t k, const char* what) {
    if (k >= n.inputs.size() || n.inputs[k] < 0 || !graph_.tensors[n.inputs[k]].is_const()) {
      Unsupported(n, std::string(what) + " must be constant");
    }
    return *graph_.tensors[n.inputs[k]].constant;
  }

  // A constant of indices (paddings, a permutation, axes): integers only, since
  // a float one could hold values no index can take.
  const Value& IndexConstant(const Node& n, size_t k, const char* what) {
    const Value& v = Constant(n, k, what);
    if (!v.is_int) {
      Fail(n, std::string(what) + " ('" + graph_.tensors[n.inputs[k]].name + "') must be an integer tensor, not " +
                  DTypeName(graph_.tensors[n.inputs[k]].dtype));
    }
    return v;
  }

  void AddOperator(const tfl::Operator& op, uint32_t k) {
    Node n;
    const int32_t code = BuiltinCode(op, k);
    const char* name = BuiltinName(code);
    n.op = name ? name : "builtin " + std::to_string(code);
    const std::string what = "operator #" + std::to_string(k) + " (" + n.op + ")";
    if (op.inputs() != nullptr) {
      for (int32_t t : *op.inputs()) n.inputs.push_back(t < 0 ? -1 : Index(t, what + " input"));
    }
    if (op.outputs() == nullptr || op.outputs()->size() == 0) throw ConvertError(what_ + ": " + what + " has no outputs");
    for (int32_t t : *op.outputs()) n.outputs.push_back(Index(t, what + " output"));
    n.name = graph_.tensors[n.outputs[0]].name + " (" + n.op + " #" + std::to_string(k) + ")";
    // Lowering reads the first input's shape; only later inputs are optional.
    if (n.inputs.empty() || n.inputs[0] < 0) Fail(n, "operator without a first input");
    if (code == kUnidirectionalSequenceLstm) DropLstmStates(n);
    CheckOrder(n, k);
    Lower(n, op, code);
    graph_.nodes.push_back(std::move(n));
    for (Node& m : after_) graph_.nodes.push_back(std::move(m));
    after_.clear();
  }

  // The LSTM's variable state tensors (inputs 18 and 19) hold the state
  // between invocations in TFLite, which resets them to zero; a one-shot
  // inference starts from zero, so they are not read.
  void DropLstmStates(Node& n) {
    for (size_t k : {size_t{18}, size_t{19}}) {
      if (k >= n.inputs.size() || n.inputs[k] < 0) continue;
      const tfl::Tensor& t = *sub_->tensors()->Get(static_cast<uint32_t>(n.inputs[k]));
      if (!t.is_variable()) Unsupported(n, "the LSTM's state input " + std::to_string(k) + " must be a variable tensor");
      n.inputs[k] = -1;
    }
  }

  // UNIDIRECTIONAL_SEQUENCE_LSTM (float32) as ONNX's LSTM (ops/rnn.cc):
  // TFLite's per-gate tensors (i f c o) stacked in ONNX's gate order (i o f c).
  void LowerLstm(Node& n, const tfl::Operator& op) {
    const auto* o = op.builtin_options_as_UnidirectionalSequenceLSTMOptions();
    if (!o) Fail(n, "missing options");
    if (o->fused_activation_function() != tfl::ActivationFunctionType::TANH) {
      Unsupported(n, "only the tanh cell activation is supported");
    }
    if (o->cell_clip() != 0.0f || o->proj_clip() != 0.0f) Unsupported(n, "cell and projection clipping are not supported");
    if (o->diagonal_recurrent_tensors()) Unsupported(n, "diagonal recurrent weights are not supported");
    auto present = [&](size_t k) { return k < n.inputs.size() && n.inputs[k] >= 0; };
    if (!present(1) || !present(5)) Unsupported(n, "coupled input and forget gates (CIFG) are not supported");
    if (present(16) || present(17)) Unsupported(n, "projection is not supported");
    for (size_t k = 20; k < n.inputs.size(); ++k) {
      if (present(k)) Unsupported(n, "layer normalization is not supported");
    }
    const Tensor& x = graph_.tensors[n.inputs[0]];
    if (x.dtype != DType::kFloat32 || graph_.tensors[n.outputs[0]].dtype != DType::kFloat32) {
      Unsupported(n, "only float32 LSTMs are imported (convert the float model and let modelc quantize it)");
    }
    if (x.shape.size() != 3) Fail(n, "the input must be 3-D");
    const int64_t in = x.shape[2];
    const Value& cell_w = Constant(n, 3, "input_to_cell_weights");
    if (cell_w.shape.size() != 2 || cell_w.shape[1] != in) Fail(n, "input_to_cell_weights must be [cells, input]");
    const int64_t h = cell_w.shape[0];
    // ONNX order i o f c; TFLite's tensors: weights 1-4, recurrent 5-8, biases 12-15 (i f c o).
    const size_t order[4] = {0, 3, 1, 2};
    auto stack = [&](size_t first, int64_t cols, const char* what) {
      Eigen::ArrayXf v(4 * h * cols);
      for (size_t g = 0; g < 4; ++g) {
        const Value& part = Constant(n, first + order[g], what);
        if (part.is_int || part.size() != h * cols) Fail(n, std::string(what) + " must be float with " + std::to_string(h * cols) + " values");
        v.segment(static_cast<Eigen::Index>(g) * h * cols, h * cols) = part.f;
      }
      return v;
    };
    const Eigen::ArrayXf w = stack(1, in, "input weights"), r = stack(5, h, "recurrent weights");
    Eigen::ArrayXf b = Eigen::ArrayXf::Zero(8 * h);
    b.head(4 * h) = stack(12, 1, "gate biases");
    const std::string base = graph_.tensors[n.outputs[0]].name;
    std::vector<int> ins = {n.inputs[0], graph_.AddConstant(base + ".W", Value::Float({1, 4 * h, in}, w)),
                            graph_.AddConstant(base + ".R", Value::Float({1, 4 * h, h}, r)),
                            graph_.AddConstant(base + ".B", Value::Float({1, 8 * h}, b))};
    if (present(9) || present(10) || present(11)) {  // peepholes, ONNX order i o f
      Eigen::ArrayXf p = Eigen::ArrayXf::Zero(3 * h);
      const size_t peep[3] = {9, 11, 10};
      for (size_t g = 0; g < 3; ++g) {
        if (!present(peep[g])) continue;
        const Value& part = Constant(n, peep[g], "peephole weights");
        if (part.is_int || part.size() != h) Fail(n, "peephole weights must be float [cells]");
        p.segment(static_cast<Eigen::Index>(g) * h, h) = part.f;
      }
      ins.insert(ins.end(), {-1, -1, -1, graph_.AddConstant(base + ".P", Value::Float({1, 3 * h}, p))});
    }
    // ONNX's Y is [S, 1, N, H] (layout 0) or [N, S, 1, H] (layout 1): TFLite's output reshaped.
    const int out = n.outputs[0];
    const Shape& s = graph_.tensors[out].shape;
    if (s.size() != 3 || s[2] != h) Fail(n, "the output must be 3-D with " + std::to_string(h) + " units");
    Tensor y4;
    y4.name = base + ".onnx_y";
    y4.shape = o->time_major() ? Shape{s[0], 1, s[1], h} : Shape{s[0], s[1], 1, h};
    const int y = graph_.AddTensor(std::move(y4));
    n.op = "LSTM";
    n.inputs = ins;
    n.outputs = {y};
    n.attrs["hidden_size"].i = h;
    n.attrs["layout"].i = o->time_major() ? 0 : 1;
    Node reshape;
    reshape.name = n.name + ".output";
    reshape.op = "Reshape";
    reshape.inputs = {y};
    reshape.outputs = {out};
    reshape.attrs["shape"].ints = s;
    after_.push_back(std::move(reshape));
  }

  void Lower(Node& n, const tfl::Operator& op, int32_t code) {
    switch (code) {
      case kFullyConnected: {
        const auto* o = op.builtin_options_as_FullyConnectedOptions();
        if (o && o->weights_format() != 0) Unsupported(n, "shuffled weights are not supported");
        Constant(n, 1, "the weights");
        if (n.inputs.size() > 2 && n.inputs[2] >= 0) Constant(n, 2, "the bias");
        n.inputs.resize(std::min<size_t>(n.inputs.size(), 3));
        if (n.inputs.size() == 3 && n.inputs[2] < 0) n.inputs.resize(2);
        n.op = "FullyConnected";
        if (o) SetActivation(n, o->fused_activation_function());
        return;
      }
      case kConv2D: case kDepthwiseConv2D: {
        const Value& w = Constant(n, 1, "the filter");
        if (w.shape.size() != 4) Fail(n, "the filter must be 4-D");
        if (n.inputs.size() > 2 && n.inputs[2] >= 0) Constant(n, 2, "the bias");
        if (n.inputs.size() == 3 && n.inputs[2] < 0) n.inputs.resize(2);
        const Shape& in = graph_.tensors[n.inputs[0]].shape;
        const Shape& out = graph_.tensors[n.outputs[0]].shape;
        const int64_t filters = code == kConv2D ? w.shape[0] : w.shape[3];
        if (out.empty() || out.back() != filters) {
          Fail(n, "output " + ShapeString(out) + " does not have the " + std::to_string(filters) +
                      " channels the filter " + ShapeString(w.shape) + " makes");
        }
        if (code == kConv2D) {
          const auto* o = op.builtin_options_as_Conv2DOptions();
          if (!o) Fail(n, "missing options");
          if (in.size() != 4 || w.shape[3] < 1 || in[3] % w.shape[3] != 0) Fail(n, "filter depth does not divide the input channels");
          SetWindow(n, o->padding(), o->stride_h(), o->stride_w(), o->dilation_h_factor(), o->dilation_w_factor(),
                    w.shape[1], w.shape[2]);
          n.attrs["groups"].i = in[3] / w.shape[3];
          SetActivation(n, o->fused_activation_function());
          n.op = "Conv2D";
        } else {
          const auto* o = op.builtin_options_as_DepthwiseConv2DOptions();
          if (!o) Fail(n, "missing options");
          if (in.size() != 4 || in[3] < 1 || w.shape[3] % in[3] != 0) Fail(n, "filter channels are not a multiple of the input's");
          SetWindow(n, o->padding(), o->stride_h(), o->stride_w(), o->dilation_h_factor(), o->dilation_w_factor(),
                    w.shape[1], w.shape[2]);
          n.attrs["depth_multiplier"].i = w.shape[3] / in[3];
          SetActivation(n, o->fused_activation_function());
          n.op = "DepthwiseConv2D";
        }
        return;
      }
      case kAveragePool2D: case kMaxPool2D: {
        const auto* o = op.builtin_options_as_Pool2DOptions();
        if (!o) Fail(n, "missing options");
        SetWindow(n, o->padding(), o->stride_h(), o->stride_w(), 1, 1, o->filter_height(), o->filter_width());
        SetActivation(n, o->fused_activation_function());
        n.op = code == kMaxPool2D ? "MaxPool2D" : "AveragePool2D";
        return;
      }
      case kAdd: case kMul: case kSub: {
        tfl::ActivationFunctionType act = tfl::ActivationFunctionType::NONE;
        if (const auto* o = op.builtin_options_as_AddOptions()) act = o->fused_activation_function();
        if (const auto* o = op.builtin_options_as_MulOptions()) act = o->fused_activation_function();
        if (const auto* o = op.builtin_options_as_SubOptions()) act = o->fused_activation_function();
        n.op = code == kAdd ? "Add" : code == kMul ? "Mul" : "Sub";
        SetActivation(n, act);
        return;
      }
      case kConcatenation: {
        const auto* o = op.builtin_options_as_ConcatenationOptions();
        if (!o) Fail(n, "missing options");
        n.attrs["axis"].i = o->axis();
        SetActivation(n, o->fused_activation_function());
        if (n.has_attr("act_min") || n.has_attr("act_max")) Unsupported(n, "fused activation on concatenation");
        n.op = "Concat";
        return;
      }
      case kReshape: case kSqueeze:
        n.op = "Reshape";
        n.inputs.resize(1);
        n.attrs["shape"].ints = graph_.tensors[n.outputs[0]].shape;
        return;
      case kSoftmax: {
        const auto* o = op.builtin_options_as_SoftmaxOptions();
        n.op = "Softmax";
        n.attrs["axis"].i = -1;
        n.attrs["beta"].f = o ? o->beta() : 1.0f;
        return;
      }
      case kPad: case kPadV2: {
        const Value& p = IndexConstant(n, 1, "the paddings");
        const size_t rank = graph_.tensors[n.inputs[0]].shape.size();
        if (p.size() != static_cast<int64_t>(2 * rank)) Fail(n, "paddings must be [rank, 2]");
        std::vector<int64_t> pads(2 * rank);
        for (size_t d = 0; d < rank; ++d) {
          pads[d] = p.AsInt(static_cast<int64_t>(2 * d));
          pads[d + rank] = p.AsInt(static_cast<int64_t>(2 * d + 1));
          if (pads[d] < 0 || pads[d + rank] < 0) Fail(n, "negative padding");
        }
        float value = 0.0f;
        if (code == kPadV2 && n.inputs.size() > 2 && n.inputs[2] >= 0) value = Constant(n, 2, "the pad value").AsFloat(0);
        n.op = "Pad";
        n.inputs.resize(1);
        n.attrs["pads"].ints = pads;
        n.attrs["value"].f = value;
        return;
      }
      case kTranspose: {
        const Value& p = IndexConstant(n, 1, "the permutation");
        std::vector<int64_t> perm(static_cast<size_t>(p.size()));
        for (int64_t d = 0; d < p.size(); ++d) perm[d] = p.AsInt(d);
        n.op = "Transpose";
        n.inputs.resize(1);
        n.attrs["perm"].ints = perm;
        return;
      }
      case kMean: {
        const Value& axes = IndexConstant(n, 1, "the axes");
        const int64_t rank = static_cast<int64_t>(graph_.tensors[n.inputs[0]].shape.size());
        std::vector<int64_t> a;
        for (int64_t d = 0; d < axes.size(); ++d) {
          const int64_t axis = axes.AsInt(d);
          if (axis < -rank || axis >= rank) {
            Fail(n, "axes[" + std::to_string(d) + "] = " + std::to_string(axis) + " is out of range for rank " +
                        std::to_string(rank));
          }
          a.push_back(axis < 0 ? axis + rank : axis);
        }
        std::sort(a.begin(), a.end());
        if (rank != 4 || a != std::vector<int64_t>{1, 2}) {
          Unsupported(n, "only the mean over the spatial axes of NHWC is supported (axes " + ShapeString(a) + ")");
        }
        n.op = "Mean";
        n.inputs.resize(1);
        n.attrs["shape"].ints = graph_.tensors[n.outputs[0]].shape;
        return;
      }
      case kRelu: n.op = "Relu"; return;
      case kRelu6: n.op = "Relu6"; return;
      case kReluN1To1:
        n.op = "Clip";
        n.attrs["min"].f = -1.0f;
        n.attrs["max"].f = 1.0f;
        return;
      case kLogistic: n.op = "Sigmoid"; return;
      case kTanh: n.op = "Tanh"; return;
      case kHardSwish: n.op = "HardSwish"; return;
      case kLeakyRelu: {
        const auto* o = op.builtin_options_as_LeakyReluOptions();
        n.op = "LeakyRelu";
        n.attrs["alpha"].f = o ? o->alpha() : 0.2f;
        return;
      }
      case kQuantize: n.op = "Quantize"; return;
      case kDequantize: n.op = "Dequantize"; return;
      case kUnidirectionalSequenceLstm: LowerLstm(n, op); return;
      default:
        Unsupported(n, "TFLite operator is not supported by modelc");
    }
  }

  // TFLite runs operators in file order: every input must be a graph input, a
  // constant or the output of an earlier operator, and no tensor has two writers.
  void CheckOrder(const Node& n, uint32_t k) {
    for (int t : n.outputs) {
      const Tensor& out = graph_.tensors[t];
      if (writer_[t] >= 0) {
        Fail(n, "writes tensor '" + out.name + "', which operator #" + std::to_string(writer_[t]) +
                    " writes too (two operators cannot write one tensor)");
      }
      if (out.is_const() || graph_.IsGraphInput(t)) {
        Fail(n, "writes tensor '" + out.name + "', which is " + (out.is_const() ? "a constant" : "a graph input"));
      }
    }
    for (int t : n.inputs) {
      if (t < 0 || writer_[t] >= 0 || graph_.tensors[t].is_const() || graph_.IsGraphInput(t)) continue;
      const std::string& in = graph_.tensors[t].name;
      if (std::count(n.outputs.begin(), n.outputs.end(), t)) {
        Fail(n, "reads its own output '" + in + "' (a cycle of one operator)");
      }
      for (uint32_t later = k + 1; later < sub_->operators()->size(); ++later) {
        const auto* outs = sub_->operators()->Get(later)->outputs();
        if (outs != nullptr && std::count(outs->begin(), outs->end(), t)) {
          Fail(n, "reads tensor '" + in + "', which only the later operator #" + std::to_string(later) +
                      " computes (the operators form a cycle or are out of order)");
        }
      }
      Fail(n, "reads tensor '" + in + "', which nothing computes (not a graph input, constant or operator output)");
    }
    for (int t : n.outputs) writer_[t] = static_cast<int>(k);
  }

  const std::string& bytes_;
  std::string what_;
  std::vector<int> writer_;  // per tensor: the operator writing it, -1 for none yet
  std::vector<Node> after_;  // nodes Lower adds after the operator's own
  const tfl::Model* model_ = nullptr;
  const tfl::SubGraph* sub_ = nullptr;
  Graph graph_;
};

}  // namespace

Graph ImportTfliteBytes(const std::string& bytes, const std::string& what) { return Importer(bytes, what).Run(); }

Graph ImportTflite(const std::string& path) { return ImportTfliteBytes(tools::ReadFile(path), path); }

}  // namespace mote::modelc
