// Linked against a runtime built with only FullyConnected and Relu: a model
// using an op that build left out is refused, and the running one stays.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "mote/model_slot.h"
#include "mote/schema/mote_generated.h"
#include "src/schema_verify.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ModelSlotOps, OpLeftOutOfTheBuildIsRefused) {
  const std::vector<uint8_t> digits = ReadFile(std::string(MOTE_TEST_MODELS) + "/digits_int8.mote");
  const std::vector<uint8_t> softmax = ReadFile(std::string(MOTE_TEST_MODELS) + "/tanh_softmax_int8.mote");
  ASSERT_FALSE(softmax.empty());
  const testing::Aligned running(digits), candidate(softmax);
  alignas(16) uint8_t arena[4096];
  ModelSlot slot(arena);
  ASSERT_EQ(slot.Update({running.data(), running.size()}), Status::kOk);  // FullyConnected only
  EXPECT_EQ(slot.Update({candidate.data(), candidate.size()}), Status::kUnsupportedOp);  // Tanh, Softmax
  EXPECT_EQ(slot.generation(), 1u);
  EXPECT_EQ(slot.interpreter().Invoke(), Status::kOk);
}

// The runtime's verifier (src/schema_verify.cc) verifies the options tables of
// the compiled ops only: a table of a left-out op is not read at all
// (CheckModel refuses the op), one of a compiled op still is.
TEST(ModelSlotOps, OnlyCompiledOpsOptionsAreVerified) {
  alignas(16) uint8_t bytes[64] = {};
  bytes[0] = 0x7f;  // a table whose vtable offset points far outside the buffer
  bytes[3] = 0x7f;
  flatbuffers::Verifier verifier(bytes, sizeof(bytes));
  const auto verify = [&](schema::OpOptions type) {
    return schema_verify::VerifyUnionMember(verifier, bytes, schema_verify::UnionId::OpOptions,
                                            static_cast<uint8_t>(type));
  };
  EXPECT_FALSE(verify(schema::OpOptions::FullyConnectedOptions));
  EXPECT_FALSE(verify(schema::OpOptions::ClampOptions));
  EXPECT_TRUE(verify(schema::OpOptions::Conv2DOptions));
  EXPECT_FALSE(schema::VerifyOpOptions(verifier, bytes, schema::OpOptions::Conv2DOptions));
}

}  // namespace
}  // namespace mote
