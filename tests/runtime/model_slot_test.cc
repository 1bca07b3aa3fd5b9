// Safe model update: a candidate that fails any check is refused with its
// status and the running model keeps producing the same bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "mote/model_slot.h"
#include "mote/quantize.h"
#include "mote/schema/mote_generated.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using testing::Aligned;

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string ModelPath(const char* name) { return std::string(MOTE_TEST_MODELS) + "/" + name; }

// Output bytes of one inference on a fixed input.
std::vector<uint8_t> RunOnce(ModelSlot& slot) {
  Interpreter& in = slot.interpreter();
  std::vector<float> x(in.input(0).num_elements());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 7) % 17) / 17.0f;
  EXPECT_EQ(QuantizeInto(x, in.input(0)), Status::kOk);
  EXPECT_EQ(in.Invoke(), Status::kOk);
  const auto out = in.output(0).data;
  return {out.begin(), out.end()};
}

class ModelSlotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(slot_.Update({running_.data(), running_.size()}), Status::kOk);
    reference_ = RunOnce(slot_);
  }
  // The running model is untouched and still computes the same bytes.
  void ExpectStillRunning() {
    EXPECT_EQ(slot_.generation(), 1u);
    EXPECT_EQ(RunOnce(slot_), reference_);
  }
  std::vector<uint8_t> file_ = ReadFile(ModelPath("digits_int8.mote"));
  Aligned running_{file_};
  alignas(16) uint8_t arena_[4096];
  ModelSlot slot_{arena_};
  std::vector<uint8_t> reference_;
};

TEST_F(ModelSlotTest, TruncatedDownloadIsRefused) {
  const std::vector<uint8_t> part(file_.begin(), file_.begin() + static_cast<long>(file_.size() / 2));
  const Aligned candidate(part);
  EXPECT_EQ(slot_.Update({candidate.data(), candidate.size()}), Status::kTruncatedFile);
  ExpectStillRunning();
}

TEST_F(ModelSlotTest, FlippedBitIsRefused) {
  std::vector<uint8_t> bad = file_;
  bad[bad.size() / 2] ^= 0x10;
  const Aligned candidate(bad);
  EXPECT_EQ(slot_.Update({candidate.data(), candidate.size()}), Status::kIntegrityMismatch);
  ExpectStillRunning();
}

TEST_F(ModelSlotTest, NewerSchemaMajorVersionIsRefused) {
  testing::ModelSpec spec = testing::ReluSpec();
  spec.version_major = kSchemaVersionMajor + 1;
  const Aligned candidate(testing::BuildMote(spec));
  EXPECT_EQ(slot_.Update({candidate.data(), candidate.size()}), Status::kVersionMismatch);
  ExpectStillRunning();
}

TEST_F(ModelSlotTest, ModelNeedingALargerArenaIsRefused) {
  const std::vector<uint8_t> big = ReadFile(ModelPath("digits_float32.mote"));  // 512-byte arena
  const Aligned candidate(big);
  alignas(16) uint8_t small_arena[256];
  ModelSlot slot(small_arena);
  ASSERT_EQ(slot.Update({running_.data(), running_.size()}), Status::kOk);  // int8 needs 128
  const std::vector<uint8_t> before = RunOnce(slot);
  EXPECT_EQ(slot.Update({candidate.data(), candidate.size()}), Status::kArenaTooSmall);
  EXPECT_EQ(slot.generation(), 1u);
  EXPECT_EQ(RunOnce(slot), before);
}

TEST_F(ModelSlotTest, UnknownOpIsRefused) {
  testing::ModelSpec spec = testing::ReluSpec();
  spec.raw_opcode = 999;
  const Aligned candidate(testing::BuildMote(spec));
  EXPECT_EQ(slot_.Update({candidate.data(), candidate.size()}), Status::kUnsupportedOp);
  ExpectStillRunning();
}

TEST_F(ModelSlotTest, ValidModelReplacesTheRunningOne) {
  const std::vector<uint8_t> other = ReadFile(ModelPath("digits_int16.mote"));
  const Aligned candidate(other);
  EXPECT_EQ(slot_.Update({candidate.data(), candidate.size()}), Status::kOk);
  EXPECT_EQ(slot_.generation(), 2u);
  EXPECT_EQ(slot_.model().input(0).type, ElementType::kInt16);
}

}  // namespace
}  // namespace mote

namespace mote {
namespace {

// Golden vectors from `modelc --selftest 4` replay bit for bit; a changed
// expected byte (as if the target computed differently) is caught.
TEST(SelfTest, GoldenVectorsReplayAndMismatchIsCaught) {
  std::vector<uint8_t> file = ReadFile(ModelPath("digits_int8_selftest.mote"));
  ASSERT_FALSE(file.empty());
  testing::Aligned buffer(file);
  const Result<Model> model = Model::Load({buffer.data(), buffer.size()});
  ASSERT_TRUE(model.ok());
  alignas(16) uint8_t arena[1024];
  Result<Interpreter> interp = Interpreter::Create(model.value(), arena);
  ASSERT_TRUE(interp.ok());
  uint32_t vectors = 0;
  EXPECT_EQ(interp.value().SelfTest(&vectors), Status::kOk);
  EXPECT_EQ(vectors, 4u);
  // The model is a view of `buffer`: change the last expected output byte.
  const auto* outputs = model.value().schema().selftest()->outputs();
  uint8_t* last = const_cast<uint8_t*>(outputs->data()) + outputs->size() - 1;
  *last ^= 1;
  EXPECT_EQ(interp.value().SelfTest(&vectors), Status::kSelfTestMismatch);
  EXPECT_EQ(vectors, 3u);  // the first three still matched
  *last ^= 1;
  // A model without vectors passes trivially.
  const std::vector<uint8_t> plain = ReadFile(ModelPath("digits_int8.mote"));
  testing::Aligned plain_buffer(plain);
  const Result<Model> plain_model = Model::Load({plain_buffer.data(), plain_buffer.size()});
  Result<Interpreter> plain_interp = Interpreter::Create(plain_model.value(), arena);
  EXPECT_EQ(plain_interp.value().SelfTest(&vectors), Status::kOk);
  EXPECT_EQ(vectors, 0u);
}

}  // namespace
}  // namespace mote
