// Model::Load and Interpreter::Create: every rejection has its own status,
// and no input crashes. Built with -fno-exceptions -fno-rtti like the runtime.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "mote/diagnostics.h"
#include "mote/interpreter.h"
#include "mote/model.h"
#include "mote/schema/mote_generated.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using testing::Aligned;
using testing::BuildMote;
using testing::ModelSpec;
using testing::ReluSpec;

Status LoadStatus(const std::vector<uint8_t>& bytes) {
  const Aligned a(bytes);
  return Model::Load({a.data(), a.size()}).status();
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ModelLoad, AcceptsValidModelAndRuns) {
  const auto bytes = BuildMote(ReluSpec());
  const Aligned a(bytes);
  const Result<Model> model = Model::Load({a.data(), a.size()});
  ASSERT_TRUE(model.ok()) << StatusName(model.status());
  alignas(16) uint8_t arena[32];
  Result<Interpreter> interp = Interpreter::Create(model.value(), arena);
  ASSERT_TRUE(interp.ok());
  const float x[4] = {-1.0f, 2.0f, -0.5f, 3.0f};
  std::memcpy(interp.value().input(0).data.data(), x, sizeof(x));
  ASSERT_EQ(interp.value().Invoke(), Status::kOk);
  const auto y = interp.value().output(0).as<float>();
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 2.0f);
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_EQ(y[3], 3.0f);
}

TEST(ModelLoad, VersionMismatch) {
  ModelSpec s = ReluSpec();
  s.version_major = 2;
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kVersionMismatch);
  s = ReluSpec();
  s.min_runtime_version = kRuntimeVersion + 1;
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kVersionMismatch);
}

TEST(ModelLoad, IntegrityMismatch) {
  ModelSpec s = ReluSpec();
  s.corrupt_crc = true;
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kIntegrityMismatch);
}

TEST(ModelLoad, UnknownOpcodeIsUnsupported) {
  ModelSpec s = ReluSpec();
  s.raw_opcode = 999;
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kUnsupportedOp);
}

TEST(ModelLoad, TensorOutsideArenaIsCorrupt) {
  ModelSpec s = ReluSpec();
  s.tensors[1].arena_offset = 24;  // 24 + 16 > 32
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kCorruptFile);
  s = ReluSpec();
  s.tensors[1].arena_offset = 0xFFFFFFF0u;  // would wrap in 32 bits
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kCorruptFile);
}

TEST(ModelLoad, BadIndicesAndShapesAreCorrupt) {
  ModelSpec s = ReluSpec();
  s.op_inputs = {7};
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kCorruptFile);
  s = ReluSpec();
  s.outputs = {-3};
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kCorruptFile);
  s = ReluSpec();
  s.tensors[1].shape = {1, 5};  // output shape differs from input
  s.arena_size = 64;
  s.tensors[1].arena_offset = 32;
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kCorruptFile);
  s = ReluSpec();
  s.tensors[0].shape = {1, -4};
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kCorruptFile);
  s = ReluSpec();
  s.tensors[0].shape = {65536, 65536, 65536};  // size overflow
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kCorruptFile);
}

TEST(ModelLoad, OptionsMustMatchOpcode) {
  ModelSpec s = ReluSpec();
  s.options_type = schema::OpOptions::FullyConnectedOptions;
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kCorruptFile);
}

TEST(ModelLoad, QuantizedFcParametersAreChecked) {
  ModelSpec s;
  s.tensors = {{"x", schema::ElementType::Int8, {1, 2}, {0.5f}, {0}, -1, -1, 0},
               {"w", schema::ElementType::Int8, {2, 2}, {0.1f, 0.1f}, {0, 0}, 0, 0, 0},
               {"y", schema::ElementType::Int8, {1, 2}, {0.5f}, {0}, -1, -1, 16}};
  s.buffers = {testing::Bytes<int8_t>({1, 2, 3, 4})};
  s.opcode = schema::OpCode::FullyConnected;
  s.options_type = schema::OpOptions::FullyConnectedOptions;
  s.op_inputs = {0, 1};
  s.op_outputs = {2};
  s.inputs = {0};
  s.outputs = {2};
  s.arena_size = 32;
  s.fc_multiplier = {1 << 30, 1 << 30};
  s.fc_shift = {0, 0};
  EXPECT_EQ(LoadStatus(BuildMote(s)), Status::kOk);
  ModelSpec bad = s;
  bad.fc_shift = {0, 40};  // shift out of range
  EXPECT_EQ(LoadStatus(BuildMote(bad)), Status::kCorruptFile);
  bad = s;
  bad.fc_multiplier = {1 << 30};  // one per unit needed
  EXPECT_EQ(LoadStatus(BuildMote(bad)), Status::kCorruptFile);
  bad = s;
  bad.act_min = -1000;  // outside int8
  EXPECT_EQ(LoadStatus(BuildMote(bad)), Status::kCorruptFile);
  bad = s;
  bad.buffers = {testing::Bytes<int8_t>({1, 2, 3})};  // buffer smaller than the tensor
  EXPECT_EQ(LoadStatus(BuildMote(bad)), Status::kCorruptFile);
  bad = s;
  bad.tensors[0].zero_point = {300};  // outside int8
  EXPECT_EQ(LoadStatus(BuildMote(bad)), Status::kCorruptFile);
  bad = s;
  bad.tensors[2].scale = {};  // quantized activation without parameters
  bad.tensors[2].zero_point = {};
  EXPECT_EQ(LoadStatus(BuildMote(bad)), Status::kCorruptFile);
}

// FullyConnectedOptions.short_requantize is a claim the kernels rely on
// (no per-output shift or range test): the loader checks it.
TEST(ModelLoad, ShortRequantizeClaimIsChecked) {
  ModelSpec s;
  s.tensors = {{"x", schema::ElementType::Int8, {1, 2}, {0.5f}, {0}, -1, -1, 0},
               {"w", schema::ElementType::Int8, {2, 2}, {0.1f, 0.1f}, {0, 0}, 0, 0, 0},
               {"b", schema::ElementType::Int32, {2}, {}, {}, -1, 1, 0},
               {"y", schema::ElementType::Int8, {1, 2}, {0.5f}, {0}, -1, -1, 16}};
  s.opcode = schema::OpCode::FullyConnected;
  s.options_type = schema::OpOptions::FullyConnectedOptions;
  s.op_inputs = {0, 1, 2};
  s.op_outputs = {3};
  s.inputs = {0};
  s.outputs = {3};
  s.arena_size = 32;
  auto spec = [&s](std::vector<int8_t> shifts, int32_t bias, bool claim) {
    ModelSpec m = s;
    m.buffers = {testing::Bytes<int8_t>({1, 2, 3, 4}), testing::Bytes<int32_t>({7, bias})};
    m.options_builder = [shifts, claim](flatbuffers::FlatBufferBuilder& fbb) {
      const auto range = schema::CreateActivationRange(fbb, -128, 127);
      return schema::CreateFullyConnectedOptions(
                 fbb, range, fbb.CreateVector(std::vector<int32_t>{1 << 30, 1 << 30}),
                 fbb.CreateVector(shifts), false, false, claim)
          .Union();
    };
    return BuildMote(m);
  };
  EXPECT_EQ(LoadStatus(spec({-1, -8}, -9, true)), Status::kOk);
  EXPECT_EQ(LoadStatus(spec({0, -8}, -9, false)), Status::kOk);          // no claim: any shift
  EXPECT_EQ(LoadStatus(spec({0, -8}, -9, true)), Status::kCorruptFile);  // a shift of 0
  EXPECT_EQ(LoadStatus(spec({-1, -8}, (1 << 30) - 2 * 255 * 128, true)), Status::kCorruptFile);
  EXPECT_EQ(LoadStatus(spec({-1, -8}, (1 << 30) - 2 * 255 * 128 - 1, true)), Status::kOk);
  EXPECT_EQ(LoadStatus(spec({-1, -8}, -((1 << 30) - 2 * 255 * 128), true)), Status::kCorruptFile);
}

// Operator scratch: inside the arena (64-bit sums, so no offset + size
// wraps), 16-byte aligned; absent (size 0) is always fine.
TEST(ModelLoad, OperatorScratchMustLieInsideTheArena) {
  ModelSpec s = ReluSpec();
  s.arena_size = 64;
  auto status = [&s](uint32_t offset, uint32_t size) {
    ModelSpec m = s;
    m.scratch_offset = offset;
    m.scratch_size = size;
    return LoadStatus(BuildMote(m));
  };
  EXPECT_EQ(status(0, 0), Status::kOk);
  EXPECT_EQ(status(32, 32), Status::kOk);
  EXPECT_EQ(status(48, 16), Status::kOk);
  EXPECT_EQ(status(48, 17), Status::kCorruptFile);  // past the end
  EXPECT_EQ(status(64, 1), Status::kCorruptFile);
  EXPECT_EQ(status(8, 16), Status::kCorruptFile);              // misaligned
  EXPECT_EQ(status(0xFFFFFFF0u, 0x20), Status::kCorruptFile);  // offset + size wraps 32 bits
  EXPECT_EQ(status(16, 0xFFFFFFFFu), Status::kCorruptFile);
  EXPECT_EQ(status(0xFFFFFFF0u, 0), Status::kOk);  // no scratch: offset unused
}

// An int8 FullyConnected with plain or interleaved rows, for the effective
// bias checks: 4 units of depth 5, input zero point 3, bias per unit.
ModelSpec EffectiveBiasFc(bool interleaved, std::vector<int32_t> effective) {
  ModelSpec s;
  s.tensors = {{"x", schema::ElementType::Int8, {1, 5}, {0.5f}, {3}, -1, -1, 0},
               {"w", schema::ElementType::Int8, {4, 5}, {0.1f}, {0}, -1, 0, 0},
               {"b", schema::ElementType::Int32, {4}, {}, {}, -1, 1, 0},
               {"y", schema::ElementType::Int8, {1, 4}, {0.5f}, {0}, -1, -1, 16}};
  std::vector<int8_t> w(20);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(i * 13 % 256 - 128);
  s.buffers = {testing::Bytes<int8_t>(w), testing::Bytes<int32_t>({7, -9, 100000, 0})};
  s.opcode = schema::OpCode::FullyConnected;
  s.options_type = schema::OpOptions::FullyConnectedOptions;
  s.op_inputs = {0, 1, 2};
  s.op_outputs = {3};
  s.inputs = {0};
  s.outputs = {3};
  s.arena_size = 32;
  s.options_builder = [interleaved, effective](flatbuffers::FlatBufferBuilder& fbb) {
    const auto range = schema::CreateActivationRange(fbb, -128, 127);
    const auto e = effective.empty() ? 0 : fbb.CreateVector(effective);
    return schema::CreateFullyConnectedOptions(
               fbb, range, fbb.CreateVector(std::vector<int32_t>(4, 1 << 30)),
               fbb.CreateVector(std::vector<int8_t>(4, -1)), false, interleaved, false, e)
        .Union();
  };
  return s;
}

// bias[u] + input_offset * (sum of row u), input_offset = -3; rows read as
// reference::RowOf lays them out (interleaving permutes bytes within the
// group of four rows).
std::vector<int32_t> EffectiveBiasOf(bool interleaved) {
  const ModelSpec s = EffectiveBiasFc(interleaved, {});
  const auto* w = reinterpret_cast<const int8_t*>(s.buffers[0].data());
  const int32_t bias[4] = {7, -9, 100000, 0};
  std::vector<int32_t> e(4);
  for (int u = 0; u < 4; ++u) {
    int32_t sum = 0;
    if (interleaved) {  // [r0 d0-3][r1 d0-3][r2 d0-3][r3 d0-3], then each row's 5th value
      for (int i = 0; i < 4; ++i) sum += w[4 * u + i];
      sum += w[16 + u];
    } else {
      for (int i = 0; i < 5; ++i) sum += w[5 * u + i];
    }
    e[u] = bias[u] - 3 * sum;
  }
  return e;
}

TEST(ModelLoad, EffectiveBiasIsRecomputedAndCompared) {
  for (const bool interleaved : {false, true}) {
    const std::vector<int32_t> good = EffectiveBiasOf(interleaved);
    EXPECT_EQ(LoadStatus(BuildMote(EffectiveBiasFc(interleaved, {}))), Status::kOk);
    EXPECT_EQ(LoadStatus(BuildMote(EffectiveBiasFc(interleaved, good))), Status::kOk);
    std::vector<int32_t> bad = good;
    bad[3] += 1;  // one value off
    EXPECT_EQ(LoadStatus(BuildMote(EffectiveBiasFc(interleaved, bad))), Status::kCorruptFile);
    bad = good;
    bad.pop_back();  // one per unit needed
    EXPECT_EQ(LoadStatus(BuildMote(EffectiveBiasFc(interleaved, bad))), Status::kCorruptFile);
    bad = good;
    bad.push_back(0);
    EXPECT_EQ(LoadStatus(BuildMote(EffectiveBiasFc(interleaved, bad))), Status::kCorruptFile);
  }
  // The interleaved sums are not the plain ones (the check reads the layout).
  EXPECT_EQ(LoadStatus(BuildMote(EffectiveBiasFc(true, EffectiveBiasOf(false)))),
            Status::kCorruptFile);
}

// And the model runs the same with and without it (the host's reference
// kernels ignore it; kernel_check compares the Helium ones).
TEST(ModelLoad, EffectiveBiasDoesNotChangeOutputs) {
  const std::vector<uint8_t> x = testing::Bytes<int8_t>({-128, 5, 127, 0, -7});
  const auto plain = testing::RunMote(BuildMote(EffectiveBiasFc(false, {})), {x});
  const auto with =
      testing::RunMote(BuildMote(EffectiveBiasFc(false, EffectiveBiasOf(false))), {x});
  ASSERT_EQ(plain.status, Status::kOk);
  ASSERT_EQ(with.status, Status::kOk);
  EXPECT_EQ(plain.outputs, with.outputs);
}

TEST(ModelLoad, MisalignedBufferIsRefused) {
  const auto bytes = BuildMote(ReluSpec());
  const Aligned a(bytes, 4);
  EXPECT_EQ(Model::Load({a.data(), a.size()}).status(), Status::kBadAlignment);
}

TEST(ModelLoad, GarbageIsCorrupt) {
  std::vector<uint8_t> junk(256);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 37 + 11);
  EXPECT_NE(LoadStatus(junk), Status::kOk);
  EXPECT_EQ(LoadStatus({}), Status::kTruncatedFile);
}

struct Captured {
  Diagnostic last;
  int count = 0;
};

void Capture(const Diagnostic& d, void* context) {
  auto* c = static_cast<Captured*>(context);
  c->last = d;
  ++c->count;
}

TEST(Interpreter, ArenaTooSmallReportsTheSizeNeeded) {
  const auto bytes = BuildMote(ReluSpec());
  const Aligned a(bytes);
  const Result<Model> model = Model::Load({a.data(), a.size()});
  ASSERT_TRUE(model.ok());
  Captured captured;
  SetDiagnosticHandler(Capture, &captured);
  alignas(16) uint8_t arena[16];
  const Result<Interpreter> interp = Interpreter::Create(model.value(), arena);
  SetDiagnosticHandler(nullptr, nullptr);
  EXPECT_EQ(interp.status(), Status::kArenaTooSmall);
  EXPECT_EQ(captured.last.value, 32);
  EXPECT_EQ(captured.last.limit, 16);
  alignas(16) uint8_t big[64];
  EXPECT_EQ(Interpreter::Create(model.value(), {big + 4, 32}).status(), Status::kBadAlignment);
}

// The bundled digits model converted by modelc (a CTest fixture writes it).
class DigitsFile : public ::testing::TestWithParam<const char*> {
 protected:
  std::vector<uint8_t> bytes_ = ReadFile(std::string(MOTE_TEST_MODELS) + "/digits_" + GetParam() + ".mote");
};

TEST_P(DigitsFile, LoadsAndEveryTruncationIsRefused) {
  ASSERT_GT(bytes_.size(), 1000u);
  EXPECT_EQ(LoadStatus(bytes_), Status::kOk);
  for (size_t n = 0; n < bytes_.size(); ++n) {
    const std::vector<uint8_t> cut(bytes_.begin(), bytes_.begin() + static_cast<long>(n));
    const Status s = LoadStatus(cut);
    ASSERT_TRUE(s == Status::kTruncatedFile || s == Status::kCorruptFile) << "length " << n << ": " << StatusName(s);
  }
}

TEST_P(DigitsFile, EverySingleBitFlipIsRefused) {
  for (size_t i = 0; i < bytes_.size(); ++i) {
    std::vector<uint8_t> flipped = bytes_;
    flipped[i] ^= static_cast<uint8_t>(1u << (i % 8));
    ASSERT_NE(LoadStatus(flipped), Status::kOk) << "flip at byte " << i;
  }
}

// The runtime's own verifier against flatc's: tests/runtime/schema_verify_test.cc.

INSTANTIATE_TEST_SUITE_P(Precisions, DigitsFile, ::testing::Values("int8", "int16", "float32"));

}  // namespace
}  // namespace mote
