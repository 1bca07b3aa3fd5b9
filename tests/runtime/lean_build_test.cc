// Linked against a runtime built with int8 kernels only and no diagnostic
// messages: int8 models run; float and int16 ones are refused as
// unsupported (not corrupt), with the op named by index but no text.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

std::vector<uint8_t> ReadModel(const char* name) {
  std::ifstream in(std::string(MOTE_TEST_MODELS) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Diagnostic g_last;
void Record(const Diagnostic& d, void*) { g_last = d; }

TEST(LeanBuild, Int8ModelRuns) {
  const testing::Aligned file(ReadModel("digits_int8.mote"));
  ASSERT_GT(file.size(), 0u);
  const Result<Model> model = Model::Load({file.data(), file.size()});
  ASSERT_EQ(model.status(), Status::kOk);
  std::vector<uint8_t> arena(model.value().arena_size() + 16);
  uint8_t* aligned = arena.data() + (16 - reinterpret_cast<uintptr_t>(arena.data()) % 16) % 16;
  Result<Interpreter> interp = Interpreter::Create(model.value(), {aligned, model.value().arena_size()});
  ASSERT_EQ(interp.status(), Status::kOk);
  EXPECT_EQ(interp.value().Invoke(), Status::kOk);
}

TEST(LeanBuild, TypesLeftOutAreUnsupportedWithoutMessages) {
  SetDiagnosticHandler(Record, nullptr);
  for (const char* name : {"digits_float32.mote", "digits_int16.mote"}) {
    const testing::Aligned file(ReadModel(name));
    ASSERT_GT(file.size(), 0u) << name;
    g_last = {};
    EXPECT_EQ(Model::Load({file.data(), file.size()}).status(), Status::kUnsupportedOp) << name;
    EXPECT_EQ(g_last.status, Status::kUnsupportedOp) << name;
    EXPECT_STREQ(g_last.message, "") << name;
    EXPECT_EQ(g_last.op_index, 0) << name;  // the first FullyConnected
  }
  SetDiagnosticHandler(nullptr, nullptr);
}

}  // namespace
}  // namespace mote
