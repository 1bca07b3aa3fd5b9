// The ONNX importer and passes on small graphs built here with the protobuf
// classes: what converts, and what fails with a clear message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "convert.h"
#include "import/onnx_importer.h"
#include "ir/reference_executor.h"
#include "onnx/onnx-ml.pb.h"
#include "passes/passes.h"
#include "plan/memory_planner.h"

namespace mote::modelc {
namespace {

class OnnxBuilder {
 public:
  OnnxBuilder() {
    model_.set_ir_version(7);
    model_.add_opset_import()->set_version(13);
    auto* in = g()->add_input();
    in->set_name("x");
    auto* t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_param("batch");
    t->mutable_shape()->add_dim()->set_dim_value(4);
  }
  onnx::GraphProto* g() { return model_.mutable_graph(); }
  void Init(const std::string& name, std::vector<int64_t> dims, std::vector<float> values) {
    auto* init = g()->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) init->add_dims(d);
    for (float v : values) init->add_float_data(v);
  }
  onnx::NodeProto* Node(const std::string& name, const std::string& op, std::vector<std::string> in,
                        std::vector<std::string> out) {
    auto* n = g()->add_node();
    n->set_name(name);
    n->set_op_type(op);
    for (auto& s : in) n->add_input(s);
    for (auto& s : out) n->add_output(s);
    return n;
  }
  void InitInt(const std::string& name, std::vector<int64_t> dims, std::vector<int64_t> values,
               int type = onnx::TensorProto::INT64) {
    auto* init = g()->add_initializer();
    init->set_name(name);
    init->set_data_type(type);
    for (int64_t d : dims) init->add_dims(d);
    for (int64_t v : values) {
      if (type == onnx::TensorProto::INT64) init->add_int64_data(v);
      else init->add_int32_data(static_cast<int32_t>(v));
    }
  }
  void Output(const std::string& name) { g()->add_output()->set_name(name); }
  std::string Bytes() const { return model_.SerializeAsString(); }

 private:
  onnx::ModelProto model_;
};

std::string ErrorOf(const std::string& bytes) {
  try {
    Graph g = ImportOnnxBytes(bytes, "test.onnx");
    Optimize(g);
  } catch (const ConvertError& e) {
    return e.what();
  }
  return "";
}

OnnxBuilder Mlp() {
  OnnxBuilder b;
  b.Init("w", {3, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1});
  b.Init("bias", {3}, {0.5f, -0.5f, 0});
  auto* gemm = b.Node("fc", "Gemm", {"x", "w", "bias"}, {"h"});
  auto* a = gemm->add_attribute();
  a->set_name("transB");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(1);
  b.Node("act", "Relu", {"h"}, {"y"});
  b.Output("y");
  return b;
}

TEST(OnnxImport, GemmReluLowersAndFuses) {
  Graph g = ImportOnnxBytes(Mlp().Bytes(), "mlp");
  Optimize(g);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "FullyConnected");
  EXPECT_EQ(g.nodes[0].attr_float("act_min", -1), 0.0f);
  Eigen::ArrayXf x(4);
  x << 1, -2, 3, 4;
  const auto values = Execute(g, {Value::Float({1, 4}, x)});
  const Value& y = values[g.outputs[0]];
  EXPECT_FLOAT_EQ(y.f[0], 1.5f);
  EXPECT_FLOAT_EQ(y.f[1], 0.0f);  // -2 - 0.5 clamped
  EXPECT_FLOAT_EQ(y.f[2], 7.0f);
}

void IntAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// Booleans are activations holding 1 / 0 (ops/logic.cc): Cast to bool is a
// truth test (Compare Xor with 0), Not an Equal with 0, Where selects.
TEST(OnnxImport, BooleansLowerToCompareAndWhere) {
  OnnxBuilder b;
  b.Init("seven", {}, {7.0f});
  IntAttr(b.Node("truth", "Cast", {"x"}, {"t"}), "to", onnx::TensorProto::BOOL);
  b.Node("not", "Not", {"t"}, {"n"});
  b.Node("pick", "Where", {"n", "seven", "x"}, {"y"});
  IntAttr(b.Node("first_max", "Hardmax", {"x"}, {"h"}), "axis", -1);
  b.Output("t");
  b.Output("y");
  b.Output("h");
  Graph g = ImportOnnxBytes(b.Bytes(), "booleans");
  Optimize(g);
  std::vector<std::string> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Compare"), 5) << ::testing::PrintToString(ops);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Where"), 1);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "CumSum"), 1);
  Eigen::ArrayXf x(4);
  x << 0.0f, 0.5f, 3.0f, 3.0f;  // a tie: Hardmax marks the first maximum only
  const auto values = Execute(g, {Value::Float({1, 4}, x)});
  const std::vector<float> t = {0, 1, 1, 1}, y = {7, 0.5f, 3, 3}, h = {0, 0, 1, 0};
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(values[g.outputs[0]].f[k], t[k]) << k;
    EXPECT_EQ(values[g.outputs[1]].f[k], y[k]) << k;
    EXPECT_EQ(values[g.outputs[2]].f[k], h[k]) << k;
  }
}

// What torch.var / torch.std (unbiased) and modules built with dropout=0.0
// export: the element count as ReduceProd over Shape (folded in int64), x -
// mean of two computed tensors (broadcast), and training-mode Dropout whose
// ratio is 0 (an identity).
TEST(OnnxImport, VarianceAndZeroRatioTrainingDropoutExports) {
  OnnxBuilder b;
  b.InitInt("one", {}, {1});
  b.InitInt("axes", {1}, {1});
  b.Init("ratio", {}, {0.0f});
  b.InitInt("training", {}, {1}, onnx::TensorProto::BOOL);
  b.Node("shape", "Shape", {"x"}, {"s"});
  IntAttr(b.Node("pick", "Gather", {"s", "one"}, {"count_1d"}), "axis", 0);
  IntAttr(b.Node("count", "ReduceProd", {"count_1d"}, {"count"}), "keepdims", 0);
  IntAttr(b.Node("to_float", "Cast", {"count"}, {"n"}), "to", onnx::TensorProto::FLOAT);
  b.Node("mean", "ReduceMean", {"x"}, {"m"})->add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("axes");
    a.set_type(onnx::AttributeProto::INTS);
    a.add_ints(1);
    return a;
  }());
  b.Node("centre", "Sub", {"x", "m"}, {"d"});
  b.Node("scale", "Mul", {"d", "n"}, {"y"});
  b.Node("drop", "Dropout", {"x", "ratio", "training"}, {"z"});
  b.Output("y");
  b.Output("z");
  Graph g = ImportOnnxBytes(b.Bytes(), "variance");
  Optimize(g);
  Eigen::ArrayXf x(4);
  x << 1, -2, 3.5f, 4;
  const auto values = Execute(g, {Value::Float({1, 4}, x)});
  for (int k = 0; k < 4; ++k) {
    EXPECT_FLOAT_EQ(values[g.outputs[0]].f[k], (x[k] - 1.625f) * 4.0f) << k;
    EXPECT_EQ(values[g.outputs[1]].f[k], x[k]);
  }
  // A non-zero ratio in training mode stays refused by name.
  OnnxBuilder c;
  c.Init("ratio", {}, {0.5f});
  c.InitInt("training", {}, {1}, onnx::TensorProto::BOOL);
  c.Node("drop", "Dropout", {"x", "ratio", "training"}, {"z"});
  c.Output("z");
  const std::string e = ErrorOf(c.Bytes());
  EXPECT_NE(e.find("'drop'"), std::string::npos) << e;
  EXPECT_NE(e.find("ratio other than 0"), std::string::npos) << e;
}

// Einsum forms mote cannot run are refused by name: traces / diagonals and
// more than two operands (ops/einsum.cc).
TEST(OnnxImport, EinsumRefusesTracesAndThreeOperands) {
  auto refusal = [](const std::string& equation, int operands) {
    OnnxBuilder b;
    std::vector<std::string> ins(static_cast<size_t>(operands), "x");
    auto* n = b.Node("contract", "Einsum", ins, {"y"});
    auto* a = n->add_attribute();
    a->set_name("equation");
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(equation);
    b.Output("y");
    return ErrorOf(b.Bytes());
  };
  std::string e = refusal("ii->i", 1);
  EXPECT_NE(e.find("'contract'"), std::string::npos) << e;
  EXPECT_NE(e.find("repeated within an operand"), std::string::npos) << e;
  e = refusal("bi,bi,bi->b", 3);
  EXPECT_NE(e.find("more than two operands"), std::string::npos) << e;
  e = refusal("bi,bj->bk", 2);
  EXPECT_NE(e.find("output index 'k' is in no operand"), std::string::npos) << e;
  EXPECT_EQ(refusal("bi,bj->bij", 2), "");
}

TEST(OnnxImport, CastOfAComputedTensorToAnIntegerIsRefusedByName) {
  OnnxBuilder b;
  IntAttr(b.Node("to_int", "Cast", {"x"}, {"y"}), "to", onnx::TensorProto::INT32);
  b.Output("y");
  const std::string e = ErrorOf(b.Bytes());
  EXPECT_NE(e.find("to_int"), std::string::npos) << e;
  EXPECT_NE(e.find("int32"), std::string::npos) << e;
  EXPECT_NE(e.find("not supported"), std::string::npos) << e;
}

// An INT64 input read only as Gather indices is an int32 model input (noted);
// read as anything else (a shape) it is refused, naming the input.
TEST(OnnxImport, Int64InputIsIndicesOnlyWhereGatherReadsIt) {
  auto with_ids = [](const std::string& reader) {
    OnnxBuilder b;
    auto* in = b.g()->add_input();
    in->set_name("ids");
    auto* t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::INT64);
    t->mutable_shape()->add_dim()->set_dim_value(3);
    b.Init("table", {5, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    if (reader == "Gather") {
      b.Node("cast", "Cast", {"ids"}, {"ids32"})->add_attribute()->CopyFrom([] {
        onnx::AttributeProto a;
        a.set_name("to");
        a.set_type(onnx::AttributeProto::INT);
        a.set_i(onnx::TensorProto::INT32);
        return a;
      }());
      b.Node("lookup", "Gather", {"table", "ids32"}, {"y"});
    } else {
      b.Node("reshape", "Reshape", {"table", "ids"}, {"y"});
    }
    b.Output("y");
    return b.Bytes();
  };
  Graph g = ImportOnnxBytes(with_ids("Gather"), "ids.onnx");
  Optimize(g);
  ASSERT_EQ(g.inputs.size(), 2u);
  EXPECT_EQ(g.tensors[g.inputs[1]].dtype, DType::kInt32);
  ASSERT_EQ(g.notes.size(), 1u);
  EXPECT_NE(g.notes[0].find("'ids'"), std::string::npos) << g.notes[0];
  bool gather = false;
  for (const Node& n : g.nodes) gather = gather || n.op == "Gather";
  EXPECT_TRUE(gather);
  const std::string e = ErrorOf(with_ids("Reshape"));
  EXPECT_NE(e.find("'ids'"), std::string::npos) << e;
  EXPECT_NE(e.find("INT64"), std::string::npos) << e;
  EXPECT_NE(e.find("indices of Gather"), std::string::npos) << e;
}

TEST(OnnxImport, UnsupportedOpNamesNodeOpAndReason) {
  OnnxBuilder b;
  b.Node("my_det", "Det", {"x"}, {"y"});  // an op modelc does not have
  b.Output("y");
  const std::string e = ErrorOf(b.Bytes());
  EXPECT_NE(e.find("my_det"), std::string::npos) << e;
  EXPECT_NE(e.find("Det"), std::string::npos) << e;
  EXPECT_NE(e.find("not supported"), std::string::npos) << e;
}

TEST(OnnxImport, BrokenGraphsGiveClearErrors) {
  {  // missing initializer
    OnnxBuilder b;
    b.Node("fc", "MatMul", {"x", "nowhere"}, {"y"});
    b.Output("y");
    EXPECT_NE(ErrorOf(b.Bytes()).find("nowhere"), std::string::npos);
  }
  {  // cycle
    OnnxBuilder b;
    b.Node("a", "Relu", {"c"}, {"b"});
    b.Node("b", "Relu", {"b"}, {"c"});
    b.Output("c");
    EXPECT_NE(ErrorOf(b.Bytes()).find("cycle"), std::string::npos) << ErrorOf(b.Bytes());
  }
  {  // shape conflict
    OnnxBuilder b;
    b.Init("w", {5, 2}, std::vector<float>(10, 1.0f));
    b.Node("mm", "MatMul", {"x", "w"}, {"y"});
    b.Output("y");
    const std::string e = ErrorOf(b.Bytes());
    EXPECT_NE(e.find("mm"), std::string::npos) << e;
  }
  {  // initializer with the wrong number of values
    OnnxBuilder b;
    b.Init("w", {4, 2}, {1, 2, 3});
    b.Node("mm", "MatMul", {"x", "w"}, {"y"});
    b.Output("y");
    EXPECT_NE(ErrorOf(b.Bytes()).find("holds 3 values"), std::string::npos) << ErrorOf(b.Bytes());
  }
  EXPECT_NE(ErrorOf("definitely not protobuf").find("not a valid ONNX"), std::string::npos);
  const std::string truncated = Mlp().Bytes().substr(0, 40);
  EXPECT_FALSE(ErrorOf(truncated).empty());
}

// What the bad-model corpus (tests/e2e/bad_model_corpus_test.py) found
// converting, or failing without naming the problem.
TEST(OnnxImport, BadModelCorpusFindings) {
  auto has = [](const std::string& e, const std::string& part) {
    return e.find(part) != std::string::npos;
  };
  {  // a declared output shape the graph does not compute was ignored
    OnnxBuilder b = Mlp();
    auto* shape = b.g()->mutable_output(0)->mutable_type()->mutable_tensor_type();
    shape->set_elem_type(onnx::TensorProto::FLOAT);
    shape->mutable_shape()->add_dim()->set_dim_param("batch");
    shape->mutable_shape()->add_dim()->set_dim_value(5);
    const std::string e = ErrorOf(b.Bytes());
    EXPECT_TRUE(has(e, "graph output 'y': the model declares shape [?,5] but the graph computes [1,3]")) << e;
    shape->mutable_shape()->mutable_dim(1)->set_dim_value(3);  // symbolic batch, right width: fine
    EXPECT_EQ(ErrorOf(b.Bytes()), "");
  }
  {  // opsets modelc does not know were read as if they were opset 13
    OnnxBuilder b = Mlp();
    const std::string bytes = b.Bytes();
    onnx::ModelProto m;
    ASSERT_TRUE(m.ParseFromString(bytes));
    m.mutable_opset_import(0)->set_version(99);
    EXPECT_TRUE(has(ErrorOf(m.SerializeAsString()), "opset 99")) << ErrorOf(m.SerializeAsString());
  }
  {  // an attribute of the wrong type was read as its default (strides as floats: stride 1)
    OnnxBuilder b = Mlp();
    auto* a = b.g()->mutable_node(0)->mutable_attribute(0);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s("yes");
    const std::string e = ErrorOf(b.Bytes());
    EXPECT_TRUE(has(e, "node 'fc' (op Gemm): attribute 'transB' must be INT, not STRING")) << e;
  }
  {  // a missing initializer did not name the node reading it
    OnnxBuilder b;
    b.Node("mm", "MatMul", {"x", "nowhere"}, {"y"});
    b.Output("y");
    const std::string e = ErrorOf(b.Bytes());
    EXPECT_TRUE(has(e, "node 'mm' (op MatMul): input 'nowhere' is never defined")) << e;
  }
  {  // MatMul inner dimensions that disagree were called unsupported
    OnnxBuilder b;
    b.Init("w", {5, 2}, std::vector<float>(10, 1.0f));
    b.Node("mm", "MatMul", {"x", "w"}, {"y"});
    b.Output("y");
    try {
      Graph g = ImportOnnxBytes(b.Bytes(), "t");
      Optimize(g);
      ADD_FAILURE() << "converted";
    } catch (const ConvertError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalid);
      EXPECT_TRUE(has(e.what(), "inner dimensions differ: [1,4] times [5,2]")) << e.what();
    }
  }
  {  // Conv ignored a kernel_shape that contradicts its weights
    OnnxBuilder b;
    auto* in = b.g()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
    in->mutable_dim(1)->set_dim_value(2);
    in->add_dim()->set_dim_value(5);
    in->add_dim()->set_dim_value(5);
    b.Init("w", {3, 2, 3, 3}, std::vector<float>(54, 0.1f));
    auto* conv = b.Node("conv", "Conv", {"x", "w"}, {"y"});
    auto* k = conv->add_attribute();
    k->set_name("kernel_shape");
    k->set_type(onnx::AttributeProto::INTS);
    k->add_ints(5);
    k->add_ints(5);
    b.Output("y");
    const std::string e = ErrorOf(b.Bytes());
    EXPECT_TRUE(has(e, "kernel_shape [5,5] does not match the weights' [3,3]")) << e;
    k->set_ints(0, 3);
    k->set_ints(1, 3);
    EXPECT_EQ(ErrorOf(b.Bytes()), "");
  }
  {  // Cast to an element type that does not exist made an integer tensor
    OnnxBuilder b;
    auto* cast = b.Node("cast", "Cast", {"x"}, {"y"});
    auto* to = cast->add_attribute();
    to->set_name("to");
    to->set_type(onnx::AttributeProto::INT);
    to->set_i(99);
    b.Output("y");
    EXPECT_TRUE(has(ErrorOf(b.Bytes()), "node 'cast' (op Cast): Cast to element type 99")) << ErrorOf(b.Bytes());
  }
  {  // infinite weights, like NaN ones, name the initializer and the element
    OnnxBuilder b;
    b.Init("w", {4, 2}, {1, 2, 3, 4, 5, -INFINITY, 7, 8});
    b.Node("mm", "MatMul", {"x", "w"}, {"y"});
    b.Output("y");
    EXPECT_TRUE(has(ErrorOf(b.Bytes()), "node 'mm' (op MatMul): input 'w': holds -Inf at element 5 of 8"))
        << ErrorOf(b.Bytes());
  }
  {  // ...but an infinite constant elsewhere can be meaningful: a Clip bound
    OnnxBuilder b = Mlp();
    b.Init("lo", {}, {-INFINITY});
    b.Init("hi", {}, {6.0f});
    b.Node("clip", "Clip", {"y", "lo", "hi"}, {"z"});
    b.Output("z");
    EXPECT_EQ(ErrorOf(b.Bytes()), "");
  }
}

TEST(Convert, NaNWeightsAreRefusedAndNothingIsWritten) {
  OnnxBuilder b;
  b.Init("w", {4, 2}, {1, 2, 3, NAN, 5, 6, 7, 8});
  b.Node("mm", "MatMul", {"x", "w"}, {"y"});
  b.Output("y");
  const auto dir = std::filesystem::temp_directory_path() / "mote_convert_test";
  std::filesystem::create_directories(dir);
  std::ofstream((dir / "nan.onnx").string(), std::ios::binary) << b.Bytes();
  ConvertOptions o;
  o.model_path = (dir / "nan.onnx").string();
  o.output_path = (dir / "nan.mote").string();
  o.precision = Precision::kFloat32;
  std::filesystem::remove(o.output_path);
  // A model with NaN (or infinite) weights is broken: refused in every
  // precision, naming the initializer.
  for (Precision p : {Precision::kFloat32, Precision::kInt8}) {
    o.precision = p;
    try {
      Convert(o);
      ADD_FAILURE() << "converted a model with a NaN weight";
    } catch (const ConvertError& e) {
      EXPECT_NE(std::string(e.what()).find("initializer 'w': holds NaN at element 3"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(o.output_path));
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

TEST(MemoryPlanner, ChainReusesBuffersAndReshapeAliases) {
  Graph g;
  Tensor x;
  x.name = "x";
  x.shape = {1, 64};
  g.inputs.push_back(g.AddTensor(x));
  int prev = g.inputs[0];
  for (int k = 0; k < 4; ++k) {
    Tensor t;
    t.name = "t" + std::to_string(k);
    t.shape = {1, 64};
    const int out = g.AddTensor(t);
    Node n;
    n.name = "n" + std::to_string(k);
    n.op = k == 2 ? "Reshape" : "Tanh";
    n.inputs = {prev};
    n.outputs = {out};
    g.nodes.push_back(n);
    prev = out;
  }
  g.outputs.push_back(prev);
  const MemoryPlan plan = PlanMemory(g);
  // Input + one working buffer; tanh runs in place where its input dies.
  EXPECT_EQ(plan.arena_size, 2 * 256);
  EXPECT_EQ(plan.lower_bound, 2 * 256);
  EXPECT_EQ(plan.offset[3], plan.offset[4]);  // reshape output aliases its input
  EXPECT_NE(plan.offset[1], plan.offset[0]);  // never overwrite the graph input
}

}  // namespace
}  // namespace mote::modelc
