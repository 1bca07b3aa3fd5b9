// Regression tests for what the fuzzers (tests/fuzz) found in modelc: each
// input that crashed, read out of bounds or exhausted memory is now refused
// with a ConvertError, or converts. The inputs themselves also replay under
// the sanitizers (tests/fuzz/regressions, the fuzz_replay_* tests).
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "convert.h"
#include "import/onnx_importer.h"
#include "import/tflite_importer.h"
#include "ir/reference_executor.h"
#include "onnx/onnx-ml.pb.h"

namespace mote::modelc {
namespace {

const std::string kRegressions = std::string(MOTE_SOURCE_DIR) + "/tests/fuzz/regressions/";

Value Floats(Shape shape) {
  const int64_t n = NumElements(shape);
  return Value::Float(std::move(shape), Eigen::ArrayXf::LinSpaced(n, -1.0f, 1.0f));
}

// Evaluates one node on constant inputs (absent ones as -1).
std::vector<Value> Eval(const std::string& op, const std::vector<std::optional<Value>>& inputs,
                        std::map<std::string, Attr> attrs = {}) {
  Graph g;
  Node n;
  n.name = "n";
  n.op = op;
  for (const auto& v : inputs) n.inputs.push_back(v ? g.AddConstant("c", *v) : -1);
  n.attrs = std::move(attrs);
  std::vector<const Value*> ins;
  for (int t : n.inputs) ins.push_back(t >= 0 ? &*g.tensors[t].constant : nullptr);
  return EvalNode(g, n, ins);
}

Attr Ints(std::vector<int64_t> v) {
  Attr a;
  a.ints = std::move(v);
  return a;
}

Attr Int(int64_t v) {
  Attr a;
  a.i = v;
  return a;
}

ConvertResult CompileTflite(const std::string& file, Precision precision) {
  Graph g = ImportTflite(kRegressions + "fuzz_tflite_import/" + file);
  std::vector<std::vector<Value>> samples(1);
  for (int t : g.inputs) samples[0].push_back(Floats(g.tensors[t].shape));
  return Compile(std::move(g), precision, samples, ModelInfo{});
}

TEST(FuzzFindings, ConcatChecksShapesOutsideTheAxis) {
  // A scalar has no axis 0 (the executor indexed an empty shape).
  EXPECT_THROW(Eval("Concat", {Floats({}), Floats({})}, {{"axis", Int(0)}}), ConvertError);
  // [2,3] and [2,4] on axis 0 made a [4,3] value holding 14 floats.
  EXPECT_THROW(Eval("Concat", {Floats({2, 3}), Floats({2, 4})}, {{"axis", Int(0)}}), ConvertError);
  EXPECT_EQ(Eval("Concat", {Floats({2, 3}), Floats({2, 4})}, {{"axis", Int(1)}})[0].shape, (Shape{2, 7}));
}

TEST(FuzzFindings, AxesOfScalarsAndPermutationsAreChecked) {
  EXPECT_THROW(Eval("Softmax", {Floats({})}, {{"axis", Int(0)}}), ConvertError);
  EXPECT_THROW(Eval("Transpose", {Floats({2, 3})}, {{"perm", Ints({0, 0})}}), ConvertError);
  EXPECT_THROW(Eval("Transpose", {Floats({2, 3})}, {{"perm", Ints({0, 7})}}), ConvertError);
}

TEST(FuzzFindings, ShapesSetFromAttributesMustHoldTheData) {
  // A TFLite MEAN declared with a larger output made a value whose shape
  // promised more elements than it held.
  EXPECT_THROW(Eval("Mean", {Floats({1, 2, 2, 3})}, {{"shape", Ints({1, 1, 1, 100})}}), ConvertError);
  EXPECT_EQ(Eval("Mean", {Floats({1, 2, 2, 3})}, {{"shape", Ints({1, 3})}})[0].shape, (Shape{1, 3}));
}

TEST(FuzzFindings, BiasMustBeFloatAndMatchTheUnits) {
  const Value int_bias = Value::Int({3}, {1, 2, 3});
  EXPECT_THROW(Eval("FullyConnected", {Floats({1, 4}), Floats({3, 4}), int_bias}), ConvertError);
  EXPECT_THROW(Eval("FullyConnected", {Floats({1, 4}), Floats({3, 4}), Floats({2})}), ConvertError);
  EXPECT_EQ(Eval("FullyConnected", {Floats({1, 4}), Floats({3, 4}), Floats({3})})[0].shape, (Shape{1, 3}));
  EXPECT_THROW(Eval("Conv", {Floats({1, 2, 3, 3}), Floats({4, 2, 1, 1}), Floats({5})}), ConvertError);
  EXPECT_THROW(Eval("Conv", {Floats({2, 3, 3}), Floats({4, 2, 1, 1})}), ConvertError);
}

TEST(FuzzFindings, HugePaddingsAndWindowsAreRefusedBeforeAllocating) {
  EXPECT_THROW(Eval("Pad", {Floats({1, 2})}, {{"pads", Ints({0, 1, 0, int64_t{1} << 40})}}), ConvertError);
  EXPECT_THROW(Eval("Pad", {Floats({1, 2})}, {{"pads", Ints({1 << 15, 1 << 15, 1 << 15, 1 << 15})}}), ConvertError);
  EXPECT_THROW(Eval("MaxPool", {Floats({1, 1, 2, 2})},
                    {{"kernel_shape", Ints({1, 1})}, {"pads", Ints({0, 0, int64_t{1} << 30, 1 << 20})}}),
               ConvertError);
}

TEST(FuzzFindings, Int8TfliteSubOfAConstantConverts) {
  // The negated subtrahend had no quantization parameters; the emitter read
  // them from an empty optional.
  const ConvertResult r = CompileTflite("sub_constant_int8.tflite", Precision::kInt8);
  EXPECT_GT(r.emitted.bytes.size(), 0u);
  EXPECT_LT(r.error.max_abs_error, 0.1);
}

TEST(FuzzFindings, QuantizedTensorsWithoutParametersAreRefused) {
  EXPECT_THROW(CompileTflite("weights_without_quantization.tflite", Precision::kInt8), ConvertError);
  EXPECT_THROW(CompileTflite("integer_bias_without_quantization.tflite", Precision::kInt8), ConvertError);
  EXPECT_THROW(CompileTflite("huge_padding_out_of_memory.tflite", Precision::kInt8), ConvertError);
}

// x -> Identity -> y, plus the initializer `init` and the dimensions of x.
std::string OnnxWith(const onnx::TensorProto& init, const std::vector<int64_t>& x_dims = {1}) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  auto* x = g->add_input();
  x->set_name("x");
  x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : x_dims) x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  *g->add_initializer() = init;
  auto* n = g->add_node();
  n->set_op_type("Identity");
  n->add_input("x");
  n->add_output("y");
  g->add_output()->set_name("y");
  return m.SerializeAsString();
}

TEST(FuzzFindings, OnnxInitializersAreCheckedBeforeAllocating) {
  onnx::TensorProto t;
  t.set_name("c");
  t.set_data_type(onnx::TensorProto::INT8);
  t.add_dims(3);
  t.set_raw_data(std::string("\xff\x02\x7f", 3));
  const Graph g = ImportOnnxBytes(OnnxWith(t), "t");
  ASSERT_TRUE(g.tensors[0].is_const());
  EXPECT_EQ(g.tensors[0].constant->i, (std::vector<int64_t>{-1, 2, 127}));
  t.set_data_type(onnx::TensorProto::UINT16);
  t.set_raw_data(std::string("\xff\xff\x01\x00\x00\x80", 6));
  EXPECT_EQ(ImportOnnxBytes(OnnxWith(t), "t").tensors[0].constant->i, (std::vector<int64_t>{65535, 1, 32768}));
  // 2^29 floats declared, none given: refused before a 2 GiB allocation.
  onnx::TensorProto big;
  big.set_name("c");
  big.set_data_type(onnx::TensorProto::FLOAT);
  big.add_dims(int64_t{1} << 29);
  EXPECT_THROW(ImportOnnxBytes(OnnxWith(big), "t"), ConvertError);
  // Input dimensions whose product overflows int64.
  EXPECT_THROW(ImportOnnxBytes(OnnxWith(t, {1 << 30, 1 << 30, 1 << 30}), "t"), ConvertError);
}

// A tree whose branch reads feature 8 of a 4-feature input: GridScales wrote
// past its per-feature array (a heap overflow under ASan) before anything
// bounded the feature ids. Refused now, naming the attribute and value.
TEST(FuzzFindings, TreeFeatureIdsAreCheckedAgainstTheInput) {
  Graph g = ImportOnnx(kRegressions + "fuzz_onnx_import/tree_feature_index_out_of_range.onnx");
  std::vector<std::vector<Value>> samples(1);
  for (int t : g.inputs) samples[0].push_back(Floats(g.tensors[t].shape));
  for (Precision p : {Precision::kInt8, Precision::kFloat32}) {
    try {
      (void)Compile(g, p, samples, ModelInfo{});
      ADD_FAILURE() << "converted";
    } catch (const ConvertError& e) {
      EXPECT_NE(std::string(e.what()).find("nodes_featureids[51] = 8 is out of range: the input has 4 features"),
                std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace mote::modelc
