#include "import/onnx_importer.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ir/reference_executor.h"
#include "onnx/onnx-ml.pb.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 30;
// Newer opsets are refused: an op may mean something else in them, and modelc
// would silently apply the meaning it knows. Raise this after checking the
// changes to the ops IsKnownOp lists (onnx/docs/Changelog.md).
constexpr int64_t kNewestOpset = 23;

std::string ElemTypeName(int type) {
  // Types newer than the onnx.proto modelc is built with (float8, 4-bit: opsets 19 to 23).
  static const std::map<int, std::string> kNewer = {
      {17, "FLOAT8E4M3FN"}, {18, "FLOAT8E4M3FNUZ"}, {19, "FLOAT8E5M2"}, {20, "FLOAT8E5M2FNUZ"},
      {21, "UINT4"}, {22, "INT4"}, {23, "FLOAT4E2M1"}};
  const std::string name = onnx::TensorProto::DataType_IsValid(type)
                               ? onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(type))
                           : kNewer.count(type) ? kNewer.at(type)
                                                : "unknown";
  return name + " (" + std::to_string(type) + ")";
}

std::string DimsString(const google::protobuf::RepeatedField<int64_t>& dims) {
  std::string out = "[";
  for (int k = 0; k < dims.size(); ++k) out += (k ? "," : "") + std::to_string(dims[k]);
  return out + "]";
}

template <typename T>
std::vector<T> RawAs(const std::string& raw, int64_t n, const std::string& what) {
  if (raw.size() != static_cast<size_t>(n) * sizeof(T)) {
    throw ConvertError(what + ": raw_data holds " + std::to_string(raw.size()) + " bytes, shape needs " +
                       std::to_string(n * static_cast<int64_t>(sizeof(T))));
  }
  std::vector<T> out(static_cast<size_t>(n));
  if (n > 0) std::memcpy(out.data(), raw.data(), raw.size());  // an empty vector's data() may be null
  return out;
}

template <typename Field>
void ExpectCount(const Field& field, int64_t n, const std::string& what) {
  if (field.size() != n) {
    throw ConvertError(what + ": holds " + std::to_string(field.size()) + " values, shape needs " +
                       std::to_string(n));
  }
}

Value TensorToValue(const onnx::TensorProto& t, const std::string& what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    throw ConvertError(what + ": external tensor data is not supported (save the model with weights inside)",
                       ErrorKind::kUnsupported);
  }
  Shape shape;
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) throw ConvertError(what + ": dimension " + std::to_string(d) + " of " + DimsString(t.dims()) + " is negative");
    if (d > 0 && n > kMaxElements / d) {
      throw ConvertError(what + ": shape " + DimsString(t.dims()) + " has more than 2^30 elements");
    }
    shape.push_back(d);
    n *= d;
  }
  const std::string& raw = t.raw_data();
  const bool has_raw = t.has_raw_data();
  auto ints = [&](std::vector<int64_t> v) { return Value::Int(shape, std::move(v)); };
  switch (t.data_type()) {
    // Sizes are checked against the data before allocating: the shape alone
    // could ask for gigabytes.
    case onnx::TensorProto::FLOAT: {
      if (has_raw) {
        const auto v = RawAs<float>(raw, n, what);
        Eigen::ArrayXf f(n);
        if (!v.empty()) std::memcpy(f.data(), v.data(), v.size() * 4);
        return Value::Float(shape, std::move(f));
      }
      ExpectCount(t.float_data(), n, what);
      Eigen::ArrayXf f(n);
      for (int64_t k = 0; k < n; ++k) f[k] = t.float_data(static_cast<int>(k));
      return Value::Float(shape, std::move(f));
    }
    case onnx::TensorProto::DOUBLE: {
      if (has_raw) {
        const auto v = RawAs<double>(raw, n, what);
        Eigen::ArrayXf f(n);
        for (int64_t k = 0; k < n; ++k) f[k] = static_cast<float>(v[k]);
        return Value::Float(shape, std::move(f));
      }
      ExpectCount(t.double_data(), n, what);
      Eigen::ArrayXf f(n);
      for (int64_t k = 0; k < n; ++k) f[k] = static_cast<float>(t.double_data(static_cast<int>(k)));
      return Value::Float(shape, std::move(f));
    }
    case onnx::TensorProto::INT64: {
      if (has_raw) return ints(RawAs<int64_t>(raw, n, what));
      ExpectCount(t.int64_data(), n, what);
      return ints({t.int64_data().begin(), t.int64_data().end()});
    }
    case onnx::TensorProto::INT32: case onnx::TensorProto::INT16: case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8: case onnx::TensorProto::UINT16: case onnx::TensorProto::BOOL: {
      if (has_raw) {
        // Decoded once: per element it made the import quadratic in the size.
        auto widen = [](const auto& narrow) { return std::vector<int64_t>(narrow.begin(), narrow.end()); };
        switch (t.data_type()) {
          case onnx::TensorProto::INT32: return ints(widen(RawAs<int32_t>(raw, n, what)));
          case onnx::TensorProto::INT16: return ints(widen(RawAs<int16_t>(raw, n, what)));
          case onnx::TensorProto::UINT16: return ints(widen(RawAs<uint16_t>(raw, n, what)));
          case onnx::TensorProto::INT8: return ints(widen(RawAs<int8_t>(raw, n, what)));
          default: return ints(widen(RawAs<uint8_t>(raw, n, what)));
        }
      }
      ExpectCount(t.int32_data(), n, what);
      std::vector<int64_t> v(static_cast<size_t>(n));
      for (int64_t k = 0; k < n; ++k) v[k] = t.int32_data(static_cast<int>(k));
      return ints(std::move(v));
    }
    default:
      throw ConvertError(what + ": element type " + ElemTypeName(t.data_type()) + " is not supported",
                         ErrorKind::kUnsupported);
  }
}

// The type each attribute of the standard ops modelc imports must have
// (UNDEFINED: an attribute modelc does not read, or one of another domain).
onnx::AttributeProto::AttributeType ExpectedType(const std::string& name) {
  using A = onnx::AttributeProto;
  static const std::map<std::string, A::AttributeType> kTypes = {
      {"strides", A::INTS}, {"pads", A::INTS}, {"dilations", A::INTS}, {"kernel_shape", A::INTS},
      {"perm", A::INTS}, {"axes", A::INTS}, {"shape", A::INTS}, {"axis", A::INT}, {"group", A::INT},
      {"transA", A::INT}, {"transB", A::INT}, {"keepdims", A::INT}, {"ceil_mode", A::INT},
      {"count_include_pad", A::INT}, {"allowzero", A::INT}, {"to", A::INT}, {"noop_with_empty_axes", A::INT},
      {"select_last_index", A::INT}, {"alpha", A::FLOAT}, {"beta", A::FLOAT}, {"epsilon", A::FLOAT},
      {"min", A::FLOAT}, {"max", A::FLOAT}, {"auto_pad", A::STRING}, {"mode", A::STRING}};
  auto it = kTypes.find(name);
  return it == kTypes.end() ? A::UNDEFINED : it->second;
}

Attr ConvertAttr(const onnx::AttributeProto& a, const std::string& what) {
  Attr out;
  out.i = a.i();
  out.f = a.f();
  out.s = a.s();
  out.ints.assign(a.ints().begin(), a.ints().end());
  out.floats.assign(a.floats().begin(), a.floats().end());
  out.strings.assign(a.strings().begin(), a.strings().end());
  if (a.has_t()) {
    out.tensor = TensorToValue(a.t(), what + " attribute " + a.name());
    CheckNotNaN(*out.tensor, what + " attribute " + a.name());
  }
  // Converting NaN or a float outside int64 is undefined behaviour.
  if (a.type() == onnx::AttributeProto::FLOAT && std::fabs(a.f()) < 0x1p62f) out.i = static_cast<int64_t>(a.f());
  if (a.type() == onnx::AttributeProto::INT) out.f = static_cast<float>(a.i());
  return out;
}

// The value of a Constant node.
Value ConstantValue(const onnx::NodeProto& n, const std::string& what) {
  for (const auto& a : n.attribute()) {
    if (a.name() == "value") {
      Value v = TensorToValue(a.t(), what);
      CheckNotNaN(v, what);
      return v;
    }
    if (a.name() == "value_float") {
      Value v = Value::Float({}, Eigen::ArrayXf::Constant(1, a.f()));
      CheckNotNaN(v, what);
      return v;
    }
    if (a.name() == "value_int") return Value::Int({}, {a.i()});
    if (a.name() == "value_floats") {
      Eigen::ArrayXf f(a.floats_size());
      for (int k = 0; k < a.floats_size(); ++k) f[k] = a.floats(k);
      Value v = Value::Float({a.floats_size()}, std::move(f));
      CheckNotNaN(v, what);
      return v;
    }
    if (a.name() == "value_ints") return Value::Int({a.ints_size()}, {a.ints().begin(), a.ints().end()});
  }
  throw ConvertError(what + ": Constant without a supported value attribute");
}

class Importer {
 public:
  explicit Importer(const onnx::ModelProto& model) : model_(model) {}

  Graph Run() {
    const onnx::GraphProto& g = model_.graph();
    graph_.name = g.name();
    graph_.opset = Opset();
    if (graph_.opset < 1 || graph_.opset > kNewestOpset) {
      throw ConvertError("the model imports ONNX opset " + std::to_string(graph_.opset) + "; modelc knows opsets 1 to " +
                             std::to_string(kNewestOpset),
                         graph_.opset < 1 ? ErrorKind::kInvalid : ErrorKind::kUnsupported);
    }
    for (const auto& init : g.initializer()) {
      const std::string what = "initializer '" + init.name() + "'";
      if (names_.count(init.name())) throw ConvertError(what + " is defined twice");
      Value v = ReaderNamed(init.name(), [&] { return TensorToValue(init, what); });
      CheckNotNaN(v, what);
      const int index = graph_.AddConstant(init.name(), std::move(v));
      RecordElementType(index, init.data_type());
      Define(init.name(), index);
    }
    for (const auto& in : g.input()) {
      const auto it = names_.find(in.name());
      if (it != names_.end() && graph_.IsGraphInput(it->second)) {
        throw ConvertError("graph input '" + in.name() + "' is listed twice");
      }
      if (it != names_.end()) continue;  // an initializer listed as input (IR < 4)
      graph_.inputs.push_back(AddInput(in));
    }
    for (int k = 0; k < g.node_size(); ++k) AddNode(g.node(k), k);
    for (const auto& out : g.output()) {
      auto it = names_.find(out.name());
      if (it == names_.end()) throw ConvertError("graph output '" + out.name() + "' is never computed");
      if (graph_.IsGraphOutput(it->second)) throw ConvertError("graph output '" + out.name() + "' is listed twice");
      graph_.outputs.push_back(it->second);
      if (out.type().has_tensor_type() && out.type().tensor_type().has_shape()) {
        Shape declared;
        for (const auto& d : out.type().tensor_type().shape().dim()) {
          declared.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : -1);
        }
        graph_.declared_shapes[it->second] = declared;
      }
    }
    if (graph_.inputs.empty()) throw ConvertError("the graph has no inputs (a constant model?)", ErrorKind::kUnsupported);
    if (graph_.outputs.empty()) throw ConvertError("the graph has no outputs");
    SortNodes();
    CheckMacConstants();
    return std::move(graph_);
  }

 private:
  // Weights and biases must be finite (other constants may be infinite: a
  // Clip bound, a mask); named here, before lowering renames them.
  void CheckMacConstants() const {
    static const std::map<std::string, std::vector<size_t>> kMacInputs = {
        {"Gemm", {0, 1, 2}}, {"MatMul", {0, 1}}, {"Conv", {1, 2}}, {"ConvTranspose", {1, 2}}};
    for (const Node& n : graph_.nodes) {
      const auto it = kMacInputs.find(n.op);
      if (it == kMacInputs.end()) continue;
      for (size_t k : it->second) {
        if (k >= n.inputs.size() || n.inputs[k] < 0 || !graph_.tensors[n.inputs[k]].is_const()) continue;
        const Tensor& t = graph_.tensors[n.inputs[k]];
        CheckFinite(*t.constant, "node '" + n.name + "' (op " + n.op + "): input '" + t.name + "'");
      }
    }
  }

  int64_t Opset() const {
    for (const auto& o : model_.opset_import()) {
      if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
    }
    return 13;
  }

  void Define(const std::string& name, int index) { names_[name] = index; }

  // Runs `read`; an unsupported initializer (a float8 zero point, ...) names
  // the first node reading it.
  template <typename F>
  Value ReaderNamed(const std::string& initializer, F read) {
    try {
      return read();
    } catch (const ConvertError& e) {
      if (e.kind() != ErrorKind::kUnsupported) throw;
      const auto& nodes = model_.graph().node();
      for (int k = 0; k < nodes.size(); ++k) {
        for (const auto& in : nodes[k].input()) {
          if (in != initializer) continue;
          const std::string name = nodes[k].name().empty() ? nodes[k].op_type() + "_" + std::to_string(k)
                                                           : nodes[k].name();
          throw ConvertError(name, nodes[k].op_type(), e.what(), ErrorKind::kUnsupported);
        }
      }
      throw;
    }
  }

  // The integer types quantized ops distinguish (uint8 zero points, int32 biases).
  void RecordElementType(int index, int type) {
    if (type == onnx::TensorProto::INT8) graph_.element_types[index] = DType::kInt8;
    if (type == onnx::TensorProto::UINT8) graph_.element_types[index] = DType::kUInt8;
    if (type == onnx::TensorProto::INT32) graph_.element_types[index] = DType::kInt32;
  }

  // int8 / uint8 / int32 graph inputs are accepted when every reader is a
  // quantized op that takes integers (DequantizeLinear, QLinear*, *Integer);
  // modelc runs them as float tensors holding the integers.
  bool QuantizedOpsOnly(const std::string& input) const {
    static const std::set<std::string> kIntegerReaders = {
        "DequantizeLinear", "QuantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger"};
    bool read = false;
    for (const auto& n : model_.graph().node()) {
      for (const auto& in : n.input()) {
        if (in != input) continue;
        if (!kIntegerReaders.count(n.op_type())) return false;
        read = true;
      }
    }
    return read;
  }

  // An INT64 / INT32 input is taken as indices when every use of it is the
  // indices of a Gather / GatherElements, possibly through ops that only
  // move or retype it (a cast, a reshape). Elsewhere an integer input is a
  // shape, a count or integer data, which mote does not compute.
  bool IndicesOnly(const std::string& value, int depth = 0) const {
    static const std::set<std::string> kMovers = {"Cast", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Identity"};
    if (depth > 8) return false;
    bool read = false;
    for (const auto& n : model_.graph().node()) {
      for (int k = 0; k < n.input_size(); ++k) {
        if (n.input(k) != value) continue;
        read = true;
        const bool gather = (n.op_type() == "Gather" || n.op_type() == "GatherElements") && k == 1;
        const bool moved = kMovers.count(n.op_type()) && k == 0 && n.output_size() == 1;
        if (!gather && !(moved && IndicesOnly(n.output(0), depth + 1))) return false;
      }
    }
    for (const auto& o : model_.graph().output()) {
      if (o.name() == value) return false;
    }
    return read;
  }

  int AddInput(const onnx::ValueInfoProto& in) {
    const std::string what = "graph input '" + in.name() + "'";
    if (!in.type().has_tensor_type()) {
      throw ConvertError(what + ": only tensor inputs are supported", ErrorKind::kUnsupported);
    }
    const auto& tt = in.type().tensor_type();
    const bool integer = tt.elem_type() == onnx::TensorProto::INT8 || tt.elem_type() == onnx::TensorProto::UINT8 ||
                         tt.elem_type() == onnx::TensorProto::INT32;
    // A BOOL input is a float32 input holding 1 / 0: mote's booleans are
    // activations (ops/logic.cc).
    // INT64 / INT32 inputs otherwise hold indices (token ids, positions):
    // int32 tensors on the device, an int64 one on the user's promise that
    // its values fit (mote-sim and the Python API check them when converting).
    const bool indices = (tt.elem_type() == onnx::TensorProto::INT64 || tt.elem_type() == onnx::TensorProto::INT32) &&
                       !QuantizedOpsOnly(in.name()) && IndicesOnly(in.name());
    if (tt.elem_type() != onnx::TensorProto::FLOAT && tt.elem_type() != onnx::TensorProto::BOOL && !indices &&
        !(integer && QuantizedOpsOnly(in.name()))) {
      throw ConvertError(what + ": element type " + ElemTypeName(tt.elem_type()) +
                         " is not supported (inputs must be FLOAT, i.e. float32, or BOOL; INT64 / INT32 only "
                         "as the indices of Gather / GatherElements)", ErrorKind::kUnsupported);
    }
    if (!tt.has_shape()) throw ConvertError(what + ": has no shape; export with a fixed rank");
    Tensor t;
    t.name = in.name();
    if (indices) {
      t.dtype = DType::kInt32;
      if (tt.elem_type() == onnx::TensorProto::INT64) {
        graph_.notes.push_back(what + " (INT64) is an int32 input: its values must lie in [-2^31, 2^31)");
      }
    }
    std::string dims_text = "[";
    for (const auto& d : tt.shape().dim()) {
      dims_text += (dims_text.size() > 1 ? "," : "") + (d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param());
    }
    dims_text += "]";
    for (const auto& d : tt.shape().dim()) {
      // Symbolic (batch) dimensions run one sample at a time.
      const int64_t v = d.has_dim_value() ? d.dim_value() : 1;
      if (v == 0) throw ConvertError(what + ": empty tensors (a dimension of 0) are not supported", ErrorKind::kUnsupported);
      if (v < 0) throw ConvertError(what + ": dimension " + std::to_string(v) + " is negative");
      if (v > kMaxInputElements) {
        throw ConvertError(what + ": dimension " + std::to_string(v) + " is too large (an input holds at most 2^24 elements)");
      }
      // Checked per dimension: the product of a few large ones overflows int64.
      if (NumElements(t.shape) > kMaxInputElements / v) {
        throw ConvertError(what + ": shape " + dims_text + " has more than 2^24 elements (the bound on an input)");
      }
      t.shape.push_back(v);
    }
    const int index = graph_.AddTensor(std::move(t));
    RecordElementType(index, tt.elem_type());
    Define(in.name(), index);
    return index;
  }

  void AddNode(const onnx::NodeProto& n, int k) {
    const std::string name = n.name().empty() ? n.op_type() + "_" + std::to_string(k) : n.name();
    if (!n.domain().empty() && n.domain() != "ai.onnx" && n.domain() != "ai.onnx.ml") {
      throw ConvertError(name, n.op_type(), "operator domain '" + n.domain() + "' is not supported",
                         ErrorKind::kUnsupported);
    }
    if (n.op_type() == "Constant") {
      if (n.output_size() != 1) throw ConvertError(name, "Constant", "needs exactly one output");
      const int index = graph_.AddConstant(n.output(0), ConstantValue(n, "node '" + name + "' (op Constant)"));
      for (const auto& a : n.attribute()) {
        if (a.name() == "value") RecordElementType(index, a.t().data_type());
      }
      Define(n.output(0), index);
      return;
    }
    if (!IsKnownOp(n.op_type())) {
      throw ConvertError(name, n.op_type(), "operator is not supported by modelc", ErrorKind::kUnsupported);
    }
    Node node;
    node.name = name;
    node.op = n.op_type();
    for (const auto& a : n.attribute()) {
      const auto expected = ExpectedType(a.name());
      if ((n.domain().empty() || n.domain() == "ai.onnx") && expected != onnx::AttributeProto::UNDEFINED &&
          a.type() != onnx::AttributeProto::UNDEFINED && a.type() != expected) {
        throw ConvertError(name, n.op_type(), "attribute '" + a.name() + "' must be " +
                                                  onnx::AttributeProto::AttributeType_Name(expected) + ", not " +
                                                  onnx::AttributeProto::AttributeType_Name(a.type()));
      }
      node.attrs[a.name()] = ConvertAttr(a, "node '" + name + "'");
    }
    if (const OpDef* def = FindOp(node.op)) CheckAttributes(*def, node);
    for (const auto& in : n.input()) {
      if (in.empty()) {
        node.inputs.push_back(-1);
        continue;
      }
      auto it = names_.find(in);
      if (it == names_.end()) {
        // Defined later (unsorted graph) or never: resolved in SortNodes.
        Tensor t;
        t.name = in;
        const int index = graph_.AddTensor(std::move(t));
        Define(in, index);
        pending_.push_back(index);
        first_reader_[index] = {name, n.op_type()};
        node.inputs.push_back(index);
      } else {
        node.inputs.push_back(it->second);
      }
    }
    for (const auto& out : n.output()) {
      int index;
      auto it = names_.find(out);
      if (it != names_.end() && std::count(pending_.begin(), pending_.end(), it->second)) {
        index = it->second;  // a forward reference now defined
        pending_.erase(std::find(pending_.begin(), pending_.end(), index));
      } else if (it != names_.end()) {
        throw ConvertError(name, n.op_type(), "output '" + out + "' is defined twice");
      } else {
        Tensor t;
        t.name = out.empty() ? name + "_unused_" + std::to_string(node.outputs.size()) : out;
        index = graph_.AddTensor(std::move(t));
        if (!out.empty()) Define(out, index);
      }
      node.outputs.push_back(index);
    }
    graph_.nodes.push_back(std::move(node));
  }

  // Orders nodes so that every input is computed before use; rejects cycles
  // and inputs nothing computes.
  void SortNodes() {
    if (!pending_.empty()) {
      const auto& [node, op] = first_reader_.at(pending_.front());
      throw ConvertError(node, op, "input '" + graph_.tensors[pending_.front()].name +
                                       "' is never defined (no initializer, graph input or node output has that name)");
    }
    std::vector<bool> ready(graph_.tensors.size(), false);
    for (size_t t = 0; t < graph_.tensors.size(); ++t) ready[t] = graph_.tensors[t].is_const();
    for (int t : graph_.inputs) ready[t] = true;
    std::vector<Node> sorted;
    std::vector<bool> done(graph_.nodes.size(), false);
    bool progress = true;
    while (sorted.size() < graph_.nodes.size() && progress) {
      progress = false;
      for (size_t k = 0; k < graph_.nodes.size(); ++k) {
        if (done[k]) continue;
        bool can = true;
        for (int t : graph_.nodes[k].inputs) can = can && (t < 0 || ready[t]);
        if (!can) continue;
        for (int t : graph_.nodes[k].outputs) ready[t] = true;
        sorted.push_back(graph_.nodes[k]);
        done[k] = true;
        progress = true;
      }
    }
    if (sorted.size() < graph_.nodes.size()) {
      for (size_t k = 0; k < graph_.nodes.size(); ++k) {
        if (!done[k]) Fail(graph_.nodes[k], "the graph has a cycle through this node");
      }
    }
    graph_.nodes = std::move(sorted);
  }

  const onnx::ModelProto& model_;
  Graph graph_;
  std::map<std::string, int> names_;
  std::vector<int> pending_;
  std::map<int, std::pair<std::string, std::string>> first_reader_;  // node name and op per pending tensor
};

}  // namespace

Graph ImportOnnxBytes(const std::string& bytes, const std::string& what) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes)) {
    throw ConvertError(what + ": not a valid ONNX model (protobuf parse failed; truncated or not ONNX?)");
  }
  if (!model.has_graph()) throw ConvertError(what + ": ONNX model has no graph");
  return Importer(model).Run();
}

Graph ImportOnnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConvertError(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return ImportOnnxBytes(ss.str(), path);
}

}  // namespace mote::modelc
