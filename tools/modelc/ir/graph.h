// modelc's intermediate representation: a graph of typed tensors and ops.
// Every importer produces it; nothing downstream knows the source format.
#ifndef MOTE_TOOLS_MODELC_IR_GRAPH_H_
#define MOTE_TOOLS_MODELC_IR_GRAPH_H_

#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <deque>
#include <vector>

namespace mote::modelc {

enum class DType { kFloat32, kInt8, kInt16, kInt32, kInt64, kUInt8, kBool };
const char* DTypeName(DType t);
size_t DTypeSize(DType t);
// Integer activations (indices): int32 or int64, never quantized.
inline bool IsIndexType(DType t) { return t == DType::kInt32 || t == DType::kInt64; }

using Shape = std::vector<int64_t>;
std::string ShapeString(const Shape& s);
int64_t NumElements(const Shape& s);

// Bound on the elements of one graph input. Converting runs the float
// reference on every input, so a declared shape alone could make modelc
// allocate gigabytes and run for minutes; 2^24 elements (64 MiB of float) is
// far beyond the RAM of any microcontroller.
constexpr int64_t kMaxInputElements = int64_t{1} << 24;

// float / double -> int64 by truncation, saturating at int64's limits; NaN
// gives the minimum.
inline int64_t SaturatingInt(double v) {
  if (!(v > -0x1p63)) return INT64_MIN;  // NaN too
  if (v >= 0x1p63) return INT64_MAX;
  return static_cast<int64_t>(v);
}

// A value computed by the reference executor or held as a constant: float
// tensors in `f`, integer and boolean tensors in `i`.
struct Value {
  Shape shape;
  bool is_int = false;
  Eigen::ArrayXf f;
  std::vector<int64_t> i;

  int64_t size() const { return NumElements(shape); }
  float AsFloat(int64_t k) const { return is_int ? static_cast<float>(i[k]) : f[k]; }
  // Floats truncate; past int64's range (or NaN) they saturate instead of
  // being undefined, so an index check after AsInt always sees the value.
  int64_t AsInt(int64_t k) const { return is_int ? i[k] : SaturatingInt(f[k]); }
  static Value Float(Shape shape, Eigen::ArrayXf data);
  static Value Int(Shape shape, std::vector<int64_t> data);
};

// Throws ConvertError("<what>: holds NaN at element k of n ...") if a float
// value holds NaN or +-Inf: weights like that make a model broken, not merely
// unusual, so importers refuse them by name.
void CheckFinite(const Value& v, const std::string& what);
// Only NaN: an infinite constant can be meaningful (a Clip bound, a mask),
// infinite weights of a multiply-accumulate are not (CheckFiniteWeights).
void CheckNotNaN(const Value& v, const std::string& what);

struct QuantParams {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int axis = -1;
};

struct Tensor {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  std::optional<Value> constant;  // set for initializers and folded values
  // Filled by quantization: parameters and the encoded constant bytes.
  std::optional<QuantParams> quant;
  std::vector<uint8_t> encoded;
  // Label output of a classifier with string labels: label k is class_names[k].
  std::vector<std::string> class_names;
  // Quantization a QDQ model carries for this activation (passes/qdq.cc):
  // the quantizer uses it instead of calibrating.
  std::optional<QuantParams> pinned;
  // State kept between invokes (passes/stream.h): planned in the arena's
  // state region, which no other tensor shares.
  bool persistent = false;

  bool is_const() const { return constant.has_value(); }
};

// Attribute values of an imported node (ONNX attributes; options of lowered ops).
struct Attr {
  int64_t i = 0;
  float f = 0.0f;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  std::optional<Value> tensor;
};

struct Node {
  std::string name;
  std::string op;               // ONNX op type, or a mote op after lowering
  std::vector<int> inputs;      // tensor indices, -1 for an absent optional input
  std::vector<int> outputs;
  std::map<std::string, Attr> attrs;
  // A tabulated Unary (passes/fuse_elementwise.cc): the elementwise nodes it
  // replaces, in order, from its input to its output.
  std::vector<Node> body;

  bool has_attr(const std::string& k) const { return attrs.count(k) != 0; }
  int64_t attr_int(const std::string& k, int64_t fallback) const;
  float attr_float(const std::string& k, float fallback) const;
  std::vector<int64_t> attr_ints(const std::string& k) const;
  // A node without attributes, for passes that insert nodes.
  static Node Of(std::string name, std::string op, std::vector<int> inputs, int output);
};

struct Graph {
  std::string name;
  // A deque, so a reference to a tensor stays valid while a pass adds tensors
  // (a vector reallocated under such references: use-after-frees fuzzing found
  // in the Rnn expansion and ReduceSum lowering).
  std::deque<Tensor> tensors;
  std::vector<Node> nodes;
  std::vector<int> inputs;
  std::vector<int> outputs;
  int64_t opset = 13;
  // Shapes the model file declares for graph outputs (-1: a symbolic or
  // unknown dimension); shape inference must agree with them.
  std::map<int, Shape> declared_shapes;
  bool nhwc = false;          // already in the runtime's layout (TFLite)
  bool prequantized = false;  // quantization imported with the model, kept as is
  // ONNX element types of integer initializers and graph inputs (int8, uint8,
  // int32): QuantizeLinear / DequantizeLinear read them (passes/qdq.cc).
  std::map<int, DType> element_types;
  // Per-output-channel weight scales a QDQ model carries, by the name of the
  // node whose weights they quantize (names survive lowering; tensors do not).
  std::map<std::string, QuantParams> weight_pins;
  // What the conversion assumed that the user must know (the report lists them).
  std::vector<std::string> notes;

  int AddTensor(Tensor t);
  // A computed float32 tensor `name` of `shape` (its index), for passes that
  // insert nodes.
  int AddTensor(const std::string& name, Shape shape);
  int AddConstant(const std::string& name, Value v);
  // Index of the node producing `tensor`, -1 for graph inputs and constants.
  int Producer(int tensor) const;
  // Nodes reading `tensor`.
  std::vector<int> Consumers(int tensor) const;
  bool IsGraphOutput(int tensor) const;
  bool IsGraphInput(int tensor) const;
};

// Why a conversion failed: mote lacks a feature the model uses, or the
// model itself is broken.
enum class ErrorKind { kInvalid, kUnsupported };

// A conversion failure: names the node, its op and the reason.
class ConvertError : public std::runtime_error {
 public:
  ConvertError(const std::string& node, const std::string& op, const std::string& reason,
               ErrorKind kind = ErrorKind::kInvalid);
  explicit ConvertError(const std::string& reason, ErrorKind kind = ErrorKind::kInvalid)
      : std::runtime_error(reason), kind_(kind), reason_(reason) {}
  ErrorKind kind() const { return kind_; }
  // Empty when the failure is not at one node (a budget, a file).
  const std::string& node() const { return node_; }
  const std::string& op() const { return op_; }
  const std::string& reason() const { return reason_; }

 private:
  ErrorKind kind_;
  std::string node_, op_, reason_;
};

// The model is inconsistent at this node.
[[noreturn]] void Fail(const Node& node, const std::string& reason);
// The model is fine but mote cannot (yet) run this node as it is.
[[noreturn]] void Unsupported(const Node& node, const std::string& reason);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_IR_GRAPH_H_
