// Comparisons, logical ops, Where and Cast: ONNX Equal, Less, LessOrEqual,
// Greater, GreaterOrEqual, And, Or, Xor, Not, Where, Cast and CastLike.
//
// Booleans have no element type of their own in mote: a computed boolean is
// an activation holding 1 or 0 (float32 1.0 / 0.0; int8/int16 codes 1 / 0
// of scale 1, zero point 0), and any activation is true where its real
// value is not 0. Comparisons and logical ops lower to the runtime's Compare
// op (kernels/reference/compare.h), Not to Compare Equal(x, 0), a Cast to
// bool to Compare Xor(x, 0), Where to the runtime's Where. In the float
// reference a boolean computed from floats is a float 0 / 1, from integers
// (shapes, indices being folded) an integer 0 / 1.
#include <Eigen/Core>
#include <cmath>
#include <set>

#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

// Values of schema::CompareFunction (runtime/schema/mote.fbs).
enum Function : int64_t { kEqual, kLess, kLessOrEqual, kGreater, kGreaterOrEqual, kAnd, kOr, kXor };

struct CompareKind {
  const char* onnx;
  Function function;
};

const std::vector<CompareKind>& Kinds() {
  static const std::vector<CompareKind> kKinds = {
      {"Equal", kEqual},
      {"Less", kLess},
      {"LessOrEqual", kLessOrEqual},
      {"Greater", kGreater},
      {"GreaterOrEqual", kGreaterOrEqual},
      {"And", kAnd},
      {"Or", kOr},
      {"Xor", kXor},
  };
  return kKinds;
}

Function FunctionOf(const Node& n) {
  if (n.op == "Compare") return static_cast<Function>(n.attr_int("function", -1));
  for (const CompareKind& k : Kinds()) {
    if (n.op == k.onnx) return k.function;
  }
  Fail(n, "not a comparison");
}

const Value& In(const Node& n, const OpInputs& ins, size_t k) {
  if (k >= ins.size() || ins[k] == nullptr) Fail(n, "input " + std::to_string(k) + " is missing");
  return *ins[k];
}

// Numpy broadcasting of `shapes` to one output shape, and each input's flat
// index for every output element.
struct Broadcasted {
  Shape shape;
  std::vector<std::vector<int64_t>> index;
};

Broadcasted BroadcastAll(const Node& n, const std::vector<Shape>& shapes) {
  Broadcasted b;
  size_t rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.size());
  b.shape.assign(rank, 1);
  for (const Shape& s : shapes) {
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t& o = b.shape[rank - s.size() + d];
      if (s[d] == o || s[d] == 1) continue;
      if (o != 1) Fail(n, "input shapes do not broadcast");
      o = s[d];
    }
  }
  const int64_t count = NumElements(b.shape);
  for (const Shape& s : shapes) {
    std::vector<int64_t> stride(rank, 0);
    int64_t step = 1;
    for (size_t d = s.size(); d-- > 0;) {
      stride[rank - s.size() + d] = s[d] == 1 ? 0 : step;
      step *= s[d];
    }
    std::vector<int64_t> idx(static_cast<size_t>(count));
    std::vector<int64_t> counter(rank, 0);
    int64_t at = 0;
    for (int64_t o = 0; o < count; ++o) {
      idx[static_cast<size_t>(o)] = at;
      for (size_t d = rank; d-- > 0;) {
        at += stride[d];
        if (++counter[d] < b.shape[d]) break;
        at -= stride[d] * counter[d];
        counter[d] = 0;
      }
    }
    b.index.push_back(std::move(idx));
  }
  return b;
}

bool Truth(const Value& v, int64_t k) { return v.is_int ? v.i[k] != 0 : v.f[k] != 0.0f; }

// 0 / 1 as integers when every input is an integer tensor, else as floats.
Value Booleans(const Shape& shape, const std::vector<bool>& r, bool as_int) {
  if (as_int) {
    std::vector<int64_t> i(r.begin(), r.end());
    return Value::Int(shape, std::move(i));
  }
  Eigen::ArrayXf f(static_cast<Eigen::Index>(r.size()));
  for (size_t k = 0; k < r.size(); ++k) f[static_cast<Eigen::Index>(k)] = r[k] ? 1.0f : 0.0f;
  return Value::Float(shape, std::move(f));
}

template <typename V>
bool Apply(Function f, V a, V b, bool ta, bool tb) {
  switch (f) {
    case kEqual:
      return a == b;
    case kLess:
      return a < b;
    case kLessOrEqual:
      return a <= b;
    case kGreater:
      return a > b;
    case kGreaterOrEqual:
      return a >= b;
    case kAnd:
      return ta && tb;
    case kOr:
      return ta || tb;
    case kXor:
      return ta != tb;
  }
  return false;
}

std::vector<Value> EvalCompare(const Graph&, const Node& n, const OpInputs& ins) {
  const Function f = FunctionOf(n);
  if (f < kEqual || f > kXor) Fail(n, "unknown compare function " + std::to_string(f));
  const Value& a = In(n, ins, 0);
  const Value& b = In(n, ins, 1);
  const Broadcasted bc = BroadcastAll(n, {a.shape, b.shape});
  const bool ints = a.is_int && b.is_int;
  std::vector<bool> r(bc.index[0].size());
  for (size_t k = 0; k < r.size(); ++k) {
    const int64_t i = bc.index[0][k], j = bc.index[1][k];
    r[k] = ints ? Apply<int64_t>(f, a.i[i], b.i[j], a.i[i] != 0, b.i[j] != 0)
                : Apply<float>(f, a.AsFloat(i), b.AsFloat(j), Truth(a, i), Truth(b, j));
  }
  return {Booleans(bc.shape, r, ints)};
}

std::vector<Value> EvalNot(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = In(n, ins, 0);
  std::vector<bool> r(static_cast<size_t>(x.size()));
  for (int64_t k = 0; k < x.size(); ++k) r[k] = !Truth(x, k);
  return {Booleans(x.shape, r, x.is_int)};
}

std::vector<Value> EvalWhere(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& c = In(n, ins, 0);
  const Value& x = In(n, ins, 1);
  const Value& y = In(n, ins, 2);
  const Broadcasted bc = BroadcastAll(n, {c.shape, x.shape, y.shape});
  const size_t count = bc.index[0].size();
  if (x.is_int && y.is_int) {
    std::vector<int64_t> r(count);
    for (size_t k = 0; k < count; ++k)
      r[k] = Truth(c, bc.index[0][k]) ? x.i[bc.index[1][k]] : y.i[bc.index[2][k]];
    return {Value::Int(bc.shape, std::move(r))};
  }
  Eigen::ArrayXf r(static_cast<Eigen::Index>(count));
  for (size_t k = 0; k < count; ++k) {
    r[static_cast<Eigen::Index>(k)] =
        Truth(c, bc.index[0][k]) ? x.AsFloat(bc.index[1][k]) : y.AsFloat(bc.index[2][k]);
  }
  return {Value::Float(bc.shape, std::move(r))};
}

// ---------------------------------------------------------------- Cast
// ONNX TensorProto element types.
enum OnnxType : int64_t {
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kBfloat16 = 16,
};

const char* OnnxTypeName(int64_t t) {
  switch (t) {
    case kFloat:
      return "float";
    case kUint8:
      return "uint8";
    case kInt8:
      return "int8";
    case kUint16:
      return "uint16";
    case kInt16:
      return "int16";
    case kInt32:
      return "int32";
    case kInt64:
      return "int64";
    case kString:
      return "string";
    case kBool:
      return "bool";
    case kFloat16:
      return "float16";
    case kDouble:
      return "double";
    case kUint32:
      return "uint32";
    case kUint64:
      return "uint64";
    case kBfloat16:
      return "bfloat16";
  }
  return "unknown";
}

int64_t OnnxTypeOf(DType t) {
  switch (t) {
    case DType::kFloat32:
      return kFloat;
    case DType::kInt8:
      return kInt8;
    case DType::kInt16:
      return kInt16;
    case DType::kInt32:
      return kInt32;
    case DType::kInt64:
      return kInt64;
    case DType::kUInt8:
      return kUint8;
    case DType::kBool:
      return kBool;
  }
  return 0;
}

// The target type: `to`, or CastLike's second input's type.
int64_t TargetOf(const Graph& g, const Node& n) {
  if (n.op == "Cast") {
    if (!n.has_attr("to")) Fail(n, "attribute 'to' is missing");
    return n.attr_int("to", 0);
  }
  if (n.inputs.size() < 2 || n.inputs[1] < 0)
    Fail(n, "input 1 (the target_type tensor) is missing");
  return OnnxTypeOf(g.tensors[n.inputs[1]].dtype);
}

// Integer x converted to an n-bit integer type: the low bits, as C++ (two's
// complement) and ONNX's integer casts do.
int64_t Wrapped(int64_t x, int bits, bool is_signed) {
  if (bits >= 64) return x;
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  uint64_t u = static_cast<uint64_t>(x) & mask;
  if (is_signed && (u >> (bits - 1)) != 0) u |= ~mask;
  return static_cast<int64_t>(u);
}

std::vector<Value> EvalCast(const Graph& g, const Node& n, const OpInputs& ins) {
  const Value& x = In(n, ins, 0);
  const int64_t to = TargetOf(g, n);
  if (n.has_attr("saturate") && n.attr_int("saturate", 1) != 1) {
    Unsupported(n, "attribute saturate=0 (float8 targets) is not supported");
  }
  switch (to) {
    case kFloat:
    case kDouble:
    case kFloat16:
    case kBfloat16: {
      Eigen::ArrayXf r(x.size());
      for (int64_t k = 0; k < x.size(); ++k) {
        const float v = x.AsFloat(k);
        r[k] = to == kFloat16    ? static_cast<float>(Eigen::half(v))
               : to == kBfloat16 ? static_cast<float>(Eigen::bfloat16(v))
                                 : v;
      }
      return {Value::Float(x.shape, std::move(r))};
    }
    case kBool: {
      std::vector<bool> r(static_cast<size_t>(x.size()));
      for (int64_t k = 0; k < x.size(); ++k) r[k] = Truth(x, k);
      return {Booleans(x.shape, r, x.is_int)};
    }
    case kUint8:
    case kInt8:
    case kUint16:
    case kInt16:
    case kInt32:
    case kInt64:
    case kUint32:
    case kUint64: {
      const int bits = to == kUint8 || to == kInt8     ? 8
                       : to == kUint16 || to == kInt16 ? 16
                       : to == kInt32 || to == kUint32 ? 32
                                                       : 64;
      const bool is_signed = to == kInt8 || to == kInt16 || to == kInt32 || to == kInt64;
      std::vector<int64_t> r(static_cast<size_t>(x.size()));
      for (int64_t k = 0; k < x.size(); ++k) {
        // Floats truncate toward 0 (out of range: saturated, ONNX leaves it undefined).
        r[k] = Wrapped(x.AsInt(k), bits, is_signed);
      }
      return {Value::Int(x.shape, std::move(r))};
    }
  }
  Unsupported(n, "Cast to element type " + std::to_string(to) + " (" + OnnxTypeName(to) +
                     ") is not supported");
}

// ------------------------------------------------------------- lowering
int ZeroConstant(Graph& g, const Node& n) {
  return g.AddConstant(n.name + ".zero", Value::Float({}, Eigen::ArrayXf::Zero(1)));
}

// A constant boolean (held as integers) used by a mote op becomes float 0 / 1.
void FloatConstant(Graph& g, Node& n, size_t k) {
  const int t = n.inputs[k];
  if (t < 0 || !g.tensors[t].is_const() || !g.tensors[t].constant->is_int) return;
  const Value& v = *g.tensors[t].constant;
  Eigen::ArrayXf f(v.size());
  for (int64_t i = 0; i < v.size(); ++i) f[i] = static_cast<float>(v.i[i]);
  n.inputs[k] = g.AddConstant(g.tensors[t].name + ".float", Value::Float(v.shape, std::move(f)));
}

void RequireFloatComputed(const Graph& g, const Node& n) {
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    const int t = n.inputs[k];
    if (t < 0 || g.tensors[t].is_const()) continue;
    if (g.tensors[t].dtype != DType::kFloat32) {
      Unsupported(n, "computed input '" + g.tensors[t].name + "' is " +
                         DTypeName(g.tensors[t].dtype) +
                         "; only float32 (and booleans computed from them) are supported");
    }
  }
}

Node AsCompare(Graph& g, const Node& n, Function f, int a, int b) {
  Node c;
  c.name = n.name;
  c.op = "Compare";
  c.inputs = {a, b};
  c.outputs = {n.outputs.at(0)};
  c.attrs["function"].i = f;
  for (size_t k = 0; k < 2; ++k) FloatConstant(g, c, k);
  return c;
}

void LowerCompare(Graph& g, Node& n) {
  if (n.inputs.size() != 2 || n.outputs.size() != 1) Fail(n, "needs two inputs and one output");
  RequireFloatComputed(g, n);
  n = AsCompare(g, n, FunctionOf(n), n.inputs[0], n.inputs[1]);
}

void LowerNot(Graph& g, Node& n) {
  if (n.inputs.size() != 1 || n.outputs.size() != 1) Fail(n, "needs one input and one output");
  RequireFloatComputed(g, n);
  n = AsCompare(g, n, kEqual, n.inputs[0], ZeroConstant(g, n));
}

void LowerWhere(Graph& g, Node& n) {
  if (n.inputs.size() != 3 || n.outputs.size() != 1) Fail(n, "needs three inputs and one output");
  RequireFloatComputed(g, n);
  const Tensor& out = g.tensors[n.outputs[0]];
  if (out.dtype != DType::kFloat32) {  // both branches integer constants, the condition computed
    Unsupported(n, "selecting between integer tensors ('" + out.name + "' is " +
                       DTypeName(out.dtype) + ") is not supported (computed tensors are float32)");
  }
  for (size_t k = 0; k < 3; ++k) FloatConstant(g, n, k);
}

void LowerCast(Graph& g, Node& n) {
  const int64_t to = TargetOf(g, n);
  const int in = n.inputs.at(0);
  // Indices between int32 and int64: a copy in the input's type (int32
  // activations hold values that fit, the importer's promise).
  if (IsIndexType(g.tensors[in].dtype) && (to == kInt32 || to == kInt64)) {
    n.op = "Reshape";
    n.inputs.resize(1);
    n.attrs.clear();
    n.attrs["shape"].ints = g.tensors[n.outputs.at(0)].shape;
    g.tensors[n.outputs.at(0)].dtype = g.tensors[in].dtype;
    return;
  }
  if (g.tensors[in].dtype != DType::kFloat32) {
    Unsupported(n, "Cast of a computed " + std::string(DTypeName(g.tensors[in].dtype)) +
                       " tensor is not supported (computed tensors are float32)");
  }
  if (to == kFloat || to == kDouble) {
    n.op = "Reshape";  // a copy (double computes as float32, as everywhere in mote)
    n.inputs.resize(1);
    n.attrs.clear();
    n.attrs["shape"].ints = g.tensors[n.outputs.at(0)].shape;
    return;
  }
  if (to == kBool) {
    n = AsCompare(g, n, kXor, in, ZeroConstant(g, n));
    return;
  }
  Unsupported(n, std::string("Cast of a computed float32 tensor to ") + OnnxTypeName(to) +
                     " is not supported (mote computes float32, int8 and int16 activations; "
                     "integer and float16 results only for constants)");
}

}  // namespace

std::vector<OpDef> LogicOps() {
  std::vector<OpDef> ops;
  for (const CompareKind& k : Kinds()) ops.push_back({k.onnx, {}, EvalCompare, LowerCompare});
  ops.push_back({"Not", {}, EvalNot, LowerNot});
  ops.push_back({"Compare", {"function"}, EvalCompare});
  // ONNX Where and the mote op share name and semantics.
  ops.push_back({"Where", {}, EvalWhere, LowerWhere});
  ops.push_back({"Cast", {"to", "saturate"}, EvalCast, LowerCast});
  ops.push_back({"CastLike", {"saturate"}, EvalCast, LowerCast});
  return ops;
}

}  // namespace mote::modelc
