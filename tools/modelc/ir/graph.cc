#include "ir/graph.h"

#include <algorithm>
#include <cmath>

namespace mote::modelc {

const char* DTypeName(DType t) {
  switch (t) {
    case DType::kFloat32: return "float32";
    case DType::kInt8: return "int8";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kUInt8: return "uint8";
    case DType::kBool: return "bool";
  }
  return "?";
}

size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kFloat32: case DType::kInt32: return 4;
    case DType::kInt8: case DType::kUInt8: case DType::kBool: return 1;
    case DType::kInt16: return 2;
    case DType::kInt64: return 8;
  }
  return 0;
}

std::string ShapeString(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

int64_t NumElements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Value Value::Float(Shape shape, Eigen::ArrayXf data) {
  Value v;
  v.shape = std::move(shape);
  v.f = std::move(data);
  return v;
}

Value Value::Int(Shape shape, std::vector<int64_t> data) {
  Value v;
  v.shape = std::move(shape);
  v.is_int = true;
  v.i = std::move(data);
  return v;
}

namespace {

// Throws naming the first element of `v` for which `bad` holds.
template <typename Bad>
void RefuseFirst(const Value& v, const std::string& what, Bad bad, const char* why) {
  if (v.is_int) return;
  for (Eigen::Index k = 0; k < v.f.size(); ++k) {
    if (!bad(v.f[k])) continue;
    const char* kind = std::isnan(v.f[k]) ? "NaN" : v.f[k] > 0 ? "+Inf" : "-Inf";
    throw ConvertError(what + ": holds " + kind + " at element " + std::to_string(k) + " of " +
                       std::to_string(v.f.size()) + " (" + why + ")");
  }
}

}  // namespace

void CheckNotNaN(const Value& v, const std::string& what) {
  RefuseFirst(v, what, [](float x) { return std::isnan(x); }, "a model with NaN constants is broken");
}

void CheckFinite(const Value& v, const std::string& what) {
  RefuseFirst(v, what, [](float x) { return !std::isfinite(x); }, "a model with non-finite weights is broken");
}

int64_t Node::attr_int(const std::string& k, int64_t fallback) const {
  auto it = attrs.find(k);
  return it == attrs.end() ? fallback : it->second.i;
}

float Node::attr_float(const std::string& k, float fallback) const {
  auto it = attrs.find(k);
  return it == attrs.end() ? fallback : it->second.f;
}

std::vector<int64_t> Node::attr_ints(const std::string& k) const {
  auto it = attrs.find(k);
  return it == attrs.end() ? std::vector<int64_t>{} : it->second.ints;
}

int Graph::AddTensor(Tensor t) {
  tensors.push_back(std::move(t));
  return static_cast<int>(tensors.size()) - 1;
}

int Graph::AddTensor(const std::string& name, Shape shape) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  return AddTensor(std::move(t));
}

Node Node::Of(std::string name, std::string op, std::vector<int> inputs, int output) {
  Node n;
  n.name = std::move(name);
  n.op = std::move(op);
  n.inputs = std::move(inputs);
  n.outputs = {output};
  return n;
}

int Graph::AddConstant(const std::string& name, Value v) {
  Tensor t;
  t.name = name;
  t.dtype = v.is_int ? DType::kInt64 : DType::kFloat32;
  t.shape = v.shape;
  t.constant = std::move(v);
  return AddTensor(std::move(t));
}

int Graph::Producer(int tensor) const {
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (int o : nodes[n].outputs) {
      if (o == tensor) return static_cast<int>(n);
    }
  }
  return -1;
}

std::vector<int> Graph::Consumers(int tensor) const {
  std::vector<int> out;
  for (size_t n = 0; n < nodes.size(); ++n) {
    if (std::count(nodes[n].inputs.begin(), nodes[n].inputs.end(), tensor)) {
      out.push_back(static_cast<int>(n));
    }
  }
  return out;
}

bool Graph::IsGraphOutput(int tensor) const {
  return std::count(outputs.begin(), outputs.end(), tensor) != 0;
}

bool Graph::IsGraphInput(int tensor) const {
  return std::count(inputs.begin(), inputs.end(), tensor) != 0;
}

ConvertError::ConvertError(const std::string& node, const std::string& op, const std::string& reason,
                           ErrorKind kind)
    : std::runtime_error("node '" + node + "' (op " + op + "): " + reason),
      kind_(kind), node_(node), op_(op), reason_(reason) {}

void Fail(const Node& node, const std::string& reason) { throw ConvertError(node.name, node.op, reason); }

void Unsupported(const Node& node, const std::string& reason) {
  throw ConvertError(node.name, node.op, reason, ErrorKind::kUnsupported);
}

}  // namespace mote::modelc
