// ClassifierHead through the interpreter, and the class names of a
// classifier trained with string labels: looked up by Model::class_name and
// checked at load against the labels the head can produce.
#include <gtest/gtest.h>

#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::Aligned;
using testing::BuildMote;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;

// Scores [2, 3] -> label int64 [2] (argmax through `labels`), softmax [2, 3].
ModelSpec HeadSpec(std::vector<int64_t> labels, std::vector<std::string> names,
                   ElementType names_on = ElementType::Int64) {
  ModelSpec s;
  s.tensors = {{"scores", ElementType::Float32, {2, 3}, {}, {}},
               {"label", ElementType::Int64, {2}, {}, {}},
               {"probabilities", ElementType::Float32, {2, 3}, {}, {}}};
  if (names_on == ElementType::Int64) s.tensors[1].class_names = std::move(names);
  else s.tensors[2].class_names = std::move(names);
  s.buffers = {Bytes(labels)};
  s.opcode = schema::OpCode::ClassifierHead;
  s.options_type = schema::OpOptions::ClassifierHeadOptions;
  s.op_inputs = {0};
  s.op_outputs = {1, 2};
  s.inputs = {0};
  s.outputs = {1, 2};
  s.options_builder = [](flatbuffers::FlatBufferBuilder& fbb) {
    return schema::CreateClassifierHeadOptions(fbb, /*post_transform=*/2, /*binary=*/0, /*labels=*/0).Union();
  };
  testing::PlanArena(s);
  return s;
}

TEST(ClassifierHead, NamedLabelsMapBackToTheirNames) {
  const std::vector<uint8_t> bytes = BuildMote(HeadSpec({0, 1, 2}, {"setosa", "versicolor", "virginica"}));
  const std::vector<float> scores = {0.1f, 2.0f, -1.0f, 3.0f, 0.0f, 3.5f};
  const testing::RunResult r = RunMote(bytes, {Bytes(scores)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<int64_t> labels(2);
  std::memcpy(labels.data(), r.outputs[0].data(), 16);
  EXPECT_EQ(labels, (std::vector<int64_t>{1, 2}));

  const Aligned file(bytes);
  const Result<Model> model = Model::Load(std::span<const uint8_t>(file.data(), file.size()));
  ASSERT_TRUE(model.ok());
  EXPECT_STREQ(model.value().class_name(0, 1), "versicolor");
  EXPECT_STREQ(model.value().class_name(0, 2), "virginica");
  EXPECT_EQ(model.value().class_name(0, 3), nullptr);   // not a class
  EXPECT_EQ(model.value().class_name(0, -1), nullptr);
  EXPECT_EQ(model.value().class_name(1, 0), nullptr);   // the probabilities have no names
  EXPECT_EQ(model.value().class_name(2, 0), nullptr);   // no such output
}

TEST(ClassifierHead, UnnamedLabelsHaveNoNames) {
  const Aligned file(BuildMote(HeadSpec({10, 20, 30}, {})));
  const Result<Model> model = Model::Load(std::span<const uint8_t>(file.data(), file.size()));
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model.value().class_name(0, 0), nullptr);
}

TEST(ClassifierHead, LabelWithoutANameIsRefused) {
  const Aligned file(BuildMote(HeadSpec({0, 1, 3}, {"a", "b", "c"})));
  EXPECT_EQ(Model::Load(std::span<const uint8_t>(file.data(), file.size())).status(), Status::kCorruptFile);
}

TEST(ClassifierHead, NamesOnAFloatTensorAreRefused) {
  const Aligned file(BuildMote(HeadSpec({0, 1, 2}, {"a", "b", "c"}, ElementType::Float32)));
  EXPECT_EQ(Model::Load(std::span<const uint8_t>(file.data(), file.size())).status(), Status::kCorruptFile);
}

}  // namespace
}  // namespace mote
