// The TFLite importer on small models built here with the generated
// FlatBuffers builders: broken ones fail with a message naming the operator
// or tensor and the reason (tests/e2e/bad_model_corpus_test.py runs the same
// kinds of damage through the modelc binary).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "import/tflite_importer.h"
#include "passes/passes.h"
#include "tflite_schema_generated.h"

namespace mote::modelc {
namespace {

namespace tfl = mote::tflite;

constexpr int32_t kAdd = 0, kRelu = 19;

// Tensors: 0 x [1,4] float, 1 k [4] constant, 2 h [1,4], 3 y [1,4].
// Default operators: h = ADD(x, k); y = RELU(h).
struct Spec {
  std::vector<float> k = {0.5f, -0.5f, 1.0f, 2.0f};
  tfl::TensorType x_type = tfl::TensorType::FLOAT32;
  tfl::TensorType h_type = tfl::TensorType::FLOAT32;
  std::vector<float> h_scale;
  std::vector<int64_t> h_zero_point;
  struct Op {
    int32_t code;
    std::vector<int32_t> inputs, outputs;
  };
  std::vector<Op> ops = {{kAdd, {0, 1}, {2}}, {kRelu, {2}, {3}}};
};

std::string Build(const Spec& s) {
  flatbuffers::FlatBufferBuilder fbb;
  const std::vector<int32_t> shape = {1, 4}, kshape = {4};
  std::vector<uint8_t> kbytes(s.k.size() * 4);
  std::memcpy(kbytes.data(), s.k.data(), kbytes.size());
  std::vector<flatbuffers::Offset<tfl::Buffer>> buffers = {tfl::CreateBufferDirect(fbb),
                                                           tfl::CreateBufferDirect(fbb, &kbytes)};
  flatbuffers::Offset<tfl::QuantizationParameters> hq = 0;
  if (!s.h_scale.empty()) hq = tfl::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &s.h_scale, &s.h_zero_point);
  std::vector<flatbuffers::Offset<tfl::Tensor>> tensors = {
      tfl::CreateTensorDirect(fbb, &shape, s.x_type, 0, "x"),
      tfl::CreateTensorDirect(fbb, &kshape, tfl::TensorType::FLOAT32, 1, "k"),
      tfl::CreateTensorDirect(fbb, &shape, s.h_type, 0, "h", hq),
      tfl::CreateTensorDirect(fbb, &shape, tfl::TensorType::FLOAT32, 0, "y")};
  std::vector<flatbuffers::Offset<tfl::OperatorCode>> codes = {
      tfl::CreateOperatorCode(fbb, kAdd, 0, 1, kAdd), tfl::CreateOperatorCode(fbb, kRelu, 0, 1, kRelu)};
  std::vector<flatbuffers::Offset<tfl::Operator>> ops;
  for (const auto& op : s.ops) ops.push_back(tfl::CreateOperatorDirect(fbb, op.code == kAdd ? 0 : 1, &op.inputs, &op.outputs));
  const std::vector<int32_t> inputs = {0}, outputs = {3};
  std::vector<flatbuffers::Offset<tfl::SubGraph>> subgraphs = {
      tfl::CreateSubGraphDirect(fbb, &tensors, &inputs, &outputs, &ops, "main")};
  tfl::FinishModelBuffer(fbb, tfl::CreateModelDirect(fbb, 3, &codes, &subgraphs, "test", &buffers));
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

std::string ErrorOf(const Spec& s) {
  try {
    Graph g = ImportTfliteBytes(Build(s), "t.tflite");
    Optimize(g);
  } catch (const ConvertError& e) {
    return e.what();
  }
  return "";
}

TEST(TfliteImport, TheTestModelConverts) { EXPECT_EQ(ErrorOf(Spec{}), ""); }

TEST(TfliteImport, OperatorsMustRunInOrderWithoutCycles) {
  Spec self_loop;
  self_loop.ops[0].inputs = {2, 1};  // ADD reads its own output
  EXPECT_NE(ErrorOf(self_loop).find("reads its own output 'h'"), std::string::npos) << ErrorOf(self_loop);
  Spec reversed;
  std::swap(reversed.ops[0], reversed.ops[1]);
  EXPECT_NE(ErrorOf(reversed).find("reads tensor 'h', which only the later operator #1 computes"), std::string::npos)
      << ErrorOf(reversed);
  Spec two_writers;
  two_writers.ops[1] = {kRelu, {0}, {2}};
  EXPECT_NE(ErrorOf(two_writers).find("writes tensor 'h', which operator #0 writes too"), std::string::npos)
      << ErrorOf(two_writers);
  Spec no_writer;
  no_writer.ops.pop_back();
  EXPECT_NE(ErrorOf(no_writer).find("graph output 'y' is never computed"), std::string::npos) << ErrorOf(no_writer);
}

TEST(TfliteImport, WeightsAndInputsAreChecked) {
  Spec nan;
  nan.k[2] = NAN;
  EXPECT_NE(ErrorOf(nan).find("tensor 'k': holds NaN at element 2 of 4"), std::string::npos) << ErrorOf(nan);
  Spec int_input;
  int_input.x_type = tfl::TensorType::INT32;
  EXPECT_NE(ErrorOf(int_input).find("graph input 'x' is int32 without quantization parameters"), std::string::npos)
      << ErrorOf(int_input);
}

TEST(TfliteImport, QuantizationParametersAreChecked) {
  Spec zp;
  zp.h_type = tfl::TensorType::INT8;
  zp.h_scale = {0.1f};
  zp.h_zero_point = {300};
  EXPECT_NE(ErrorOf(zp).find("tensor 'h': zero point 300 is outside int8's range [-128,127]"), std::string::npos)
      << ErrorOf(zp);
  Spec scale = zp;
  scale.h_zero_point = {0};
  scale.h_scale = {0.0f};
  EXPECT_NE(ErrorOf(scale).find("tensor 'h': quantization scale 0 must be positive"), std::string::npos) << ErrorOf(scale);
}

TEST(TfliteImport, FileIdentifierIsQuoted) {
  std::string bytes = Build(Spec{});
  bytes.replace(4, 4, "XXXX");
  try {
    ImportTfliteBytes(bytes, "t.tflite");
    ADD_FAILURE() << "imported";
  } catch (const ConvertError& e) {
    EXPECT_NE(std::string(e.what()).find("file identifier 'XXXX', not 'TFL3'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mote::modelc
