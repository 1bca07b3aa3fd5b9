// Pre-quantized ONNX (passes/qdq.cc): the parameters QuantizeLinear /
// DequantizeLinear carry become the int8 model's, and what mote cannot run
// is refused by node, op and reason.
#include <gtest/gtest.h>

#include <cstring>

#include "convert.h"
#include "import/onnx_importer.h"
#include "ir/reference_executor.h"
#include "onnx/onnx-ml.pb.h"
#include "passes/passes.h"

namespace mote::modelc {
namespace {

class QdqBuilder {
 public:
  QdqBuilder() {
    model_.set_ir_version(8);
    model_.add_opset_import()->set_version(13);
    auto* in = g()->add_input();
    in->set_name("x");
    auto* t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_value(1);
    t->mutable_shape()->add_dim()->set_dim_value(4);
  }
  onnx::GraphProto* g() { return model_.mutable_graph(); }
  template <typename T>
  void Init(const std::string& name, int type, std::vector<int64_t> dims, std::vector<T> values) {
    auto* init = g()->add_initializer();
    init->set_name(name);
    init->set_data_type(type);
    for (int64_t d : dims) init->add_dims(d);
    init->set_raw_data(
        std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
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
  // x -> QuantizeLinear -> DequantizeLinear -> name + ".dq", uint8 with the given parameters.
  std::string Pair(const std::string& x, float scale, uint8_t zp) {
    Init<float>(x + ".s", onnx::TensorProto::FLOAT, {}, {scale});
    Init<uint8_t>(x + ".z", onnx::TensorProto::UINT8, {}, {zp});
    Node(x + ".quantize", "QuantizeLinear", {x, x + ".s", x + ".z"}, {x + ".q"});
    Node(x + ".dequantize", "DequantizeLinear", {x + ".q", x + ".s", x + ".z"}, {x + ".dq"});
    return x + ".dq";
  }
  void Output(const std::string& name) { g()->add_output()->set_name(name); }
  std::string Bytes() const { return model_.SerializeAsString(); }

 private:
  onnx::ModelProto model_;
};

// x -> pair -> Gemm (int8 weights [3, 4] per row behind a DequantizeLinear, int32 bias) -> pair ->
// y.
QdqBuilder QdqGemm() {
  QdqBuilder b;
  const std::string x = b.Pair("x", 0.05f, 130);
  b.Init<int8_t>("w.q", onnx::TensorProto::INT8, {3, 4},
                 {1, -2, 3, -128, 127, 0, 5, 6, -7, 8, 9, 10});
  b.Init<float>("w.s", onnx::TensorProto::FLOAT, {3}, {0.01f, 0.02f, 0.03f});
  b.Init<int8_t>("w.z", onnx::TensorProto::INT8, {3}, {0, 0, 0});
  auto* dq = b.Node("w.dequantize", "DequantizeLinear", {"w.q", "w.s", "w.z"}, {"w"});
  auto* axis = dq->add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(0);
  b.Init<int32_t>("b.q", onnx::TensorProto::INT32, {3}, {100, -200, 300});
  b.Init<float>("b.s", onnx::TensorProto::FLOAT, {3},
                {0.05f * 0.01f, 0.05f * 0.02f, 0.05f * 0.03f});
  auto* dqb = b.Node("b.dequantize", "DequantizeLinear", {"b.q", "b.s"}, {"b"});
  *dqb->add_attribute() = *axis;
  auto* gemm = b.Node("fc", "Gemm", {x, "w", "b"}, {"h"});
  auto* t = gemm->add_attribute();
  t->set_name("transB");
  t->set_type(onnx::AttributeProto::INT);
  t->set_i(1);
  b.Node("out", "Identity", {b.Pair("h", 0.2f, 100)}, {"y"});
  b.Output("y");
  return b;
}

const Tensor* Named(const Graph& g, const std::string& name) {
  for (const Tensor& t : g.tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

TEST(Qdq, Int8KeepsTheCarriedParametersWithoutCalibration) {
  ModelInfo info;
  info.name = "qdq";
  const ConvertResult r =
      Compile(ImportOnnxBytes(QdqGemm().Bytes(), "qdq.onnx"), Precision::kInt8, {}, info);
  const Graph& g = r.graph;
  ASSERT_EQ(g.inputs.size(), 1u);
  const Tensor& in = g.tensors[g.inputs[0]];
  ASSERT_TRUE(in.quant.has_value());
  EXPECT_EQ(in.dtype, DType::kInt8);
  EXPECT_EQ(in.quant->scale, std::vector<float>{0.05f});
  EXPECT_EQ(in.quant->zero_point, std::vector<int32_t>{2});  // uint8 130 as int8
  const Tensor& out = g.tensors[g.outputs[0]];
  ASSERT_TRUE(out.quant.has_value());
  EXPECT_EQ(out.quant->scale, std::vector<float>{0.2f});
  EXPECT_EQ(out.quant->zero_point, std::vector<int32_t>{-28});
  // The weights are the model's integers, with its per-row scales.
  const Node* fc = nullptr;
  for (const Node& n : g.nodes) fc = n.op == "FullyConnected" ? &n : fc;
  ASSERT_NE(fc, nullptr);
  const Tensor& w = g.tensors[fc->inputs[1]];
  const std::vector<int8_t> want = {1, -2, 3, -128, 127, 0, 5, 6, -7, 8, 9, 10};
  ASSERT_EQ(w.encoded.size(), want.size());
  EXPECT_EQ(std::memcmp(w.encoded.data(), want.data(), want.size()), 0);
  EXPECT_EQ(w.quant->scale, (std::vector<float>{0.01f, 0.02f, 0.03f}));
  // The bias: the model's int32 values.
  const Tensor& b = g.tensors[fc->inputs[2]];
  std::vector<int32_t> bias(3);
  ASSERT_EQ(b.encoded.size(), 12u);
  std::memcpy(bias.data(), b.encoded.data(), 12);
  EXPECT_EQ(bias, (std::vector<int32_t>{100, -200, 300}));
}

TEST(Qdq, QuantizeLinearRoundsHalfToEven) {
  QdqBuilder b;
  b.Init<float>("s", onnx::TensorProto::FLOAT, {}, {1.0f});
  b.Init<int8_t>("z", onnx::TensorProto::INT8, {}, {0});
  b.Node("q", "QuantizeLinear", {"x", "s", "z"}, {"y"});
  b.Output("y");
  const Graph g = ImportOnnxBytes(b.Bytes(), "q.onnx");
  Eigen::ArrayXf x(4);
  x << 0.5f, 1.5f, 2.5f, -0.5f;
  const std::vector<Value> v = Execute(g, {Value::Float({1, 4}, x)});
  const Value& y = v[g.outputs[0]];
  EXPECT_EQ(std::vector<float>(y.f.data(), y.f.data() + 4), (std::vector<float>{0, 2, 2, -0}));
}

TEST(Qdq, QuantizedTensorReadByAnotherOpIsRefusedByName) {
  QdqBuilder b;
  b.Init<float>("s", onnx::TensorProto::FLOAT, {}, {0.1f});
  b.Init<int8_t>("z", onnx::TensorProto::INT8, {}, {0});
  b.Node("q", "QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.Node("my_relu", "Relu", {"xq"}, {"y"});
  b.Output("y");
  ModelInfo info;
  info.name = "bad";
  try {
    Compile(ImportOnnxBytes(b.Bytes(), "bad.onnx"), Precision::kInt8, {}, info);
    FAIL() << "converted";
  } catch (const ConvertError& e) {
    EXPECT_EQ(e.node(), "my_relu");
    EXPECT_EQ(e.op(), "Relu");
    EXPECT_NE(e.reason().find("only DequantizeLinear"), std::string::npos) << e.what();
  }
}

// Inconsistent parameters: a clear error naming the QuantizeLinear, in both precisions.
TEST(Qdq, InconsistentParametersAreRefusedByName) {
  struct Case {
    std::vector<float> scale;
    std::vector<int8_t> zp;
    int64_t axis;
    const char* words;
  };
  const std::vector<Case> cases = {
      {{1, 1, 1, 1}, {0, 0, 0, 0}, 5, "outside rank"},
      {{1, 1, 1}, {0, 0, 0}, 1, "3 scales"},
      {{1}, {0, 0}, 1, "zero point"},
      {{}, {}, 1, "non-empty"},
      {{-1}, {0}, 1, "positive"},
      {{0}, {0}, 1, "positive"},
  };
  for (const Case& c : cases) {
    QdqBuilder b;
    const std::vector<int64_t> dims =
        c.scale.size() == 1 ? std::vector<int64_t>{}
                            : std::vector<int64_t>{static_cast<int64_t>(c.scale.size())};
    b.Init<float>("s", onnx::TensorProto::FLOAT, dims, c.scale);
    b.Init<int8_t>("z", onnx::TensorProto::INT8, {static_cast<int64_t>(c.zp.size())}, c.zp);
    if (c.zp.size() == 1) b.g()->mutable_initializer(1)->clear_dims();
    auto* q = b.Node("my_q", "QuantizeLinear", {"x", "s", "z"}, {"q"});
    auto* axis = q->add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(c.axis);
    b.Node("dq", "DequantizeLinear", {"q", "s", "z"}, {"y"});
    b.Output("y");
    for (Precision p : {Precision::kInt8, Precision::kFloat32}) {
      ModelInfo info;
      info.name = "bad";
      try {
        Compile(ImportOnnxBytes(b.Bytes(), "bad.onnx"), p, {}, info);
        ADD_FAILURE() << "converted: " << c.words;
      } catch (const ConvertError& e) {
        EXPECT_EQ(e.node(), "my_q") << e.what();
        EXPECT_NE(std::string(e.what()).find(c.words), std::string::npos) << e.what();
      }
    }
  }
}

TEST(Qdq, Float32RunsThePairsAsFakeQuantization) {
  ModelInfo info;
  info.name = "qdq";
  const ConvertResult r =
      Compile(ImportOnnxBytes(QdqGemm().Bytes(), "qdq.onnx"), Precision::kFloat32, {}, info);
  for (const Tensor& t : r.graph.tensors) EXPECT_FALSE(t.quant.has_value()) << t.name;
  bool rounds = false;
  for (const Node& n : r.graph.nodes) rounds = rounds || n.op == "Unary";
  EXPECT_TRUE(rounds);  // Round, as a float Unary
}

}  // namespace
}  // namespace mote::modelc
