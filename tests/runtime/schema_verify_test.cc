// Differential tests of the runtime's table-driven verifier (src/schema_verify.cc)
// against flatc's generated one: on the test models, on random buffers built
// with every table of the schema, and on thousands of mutations of both, the
// two accept exactly the same inputs, with model.cc's limits and with tight
// depth and table-count limits. This runtime compiles in every op, so the
// walker verifies every options table, as flatc's verifier does.
#include "src/schema_verify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "mote/schema/mote_generated.h"
#include "util/mote_builder.h"

namespace mote::schema_verify {
namespace {

using flatbuffers::uoffset_t;
using testing::Aligned;

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

enum class Root { kFile, kModel };

struct Tally {
  int inputs = 0, accepted = 0, disagreements = 0;
};

// Runs both verifiers on `bytes` (copied 16-byte aligned) with model.cc's
// limits and with tight ones; true if flatc's accepts with model.cc's limits.
bool Compare(const std::vector<uint8_t>& bytes, Root root, Tally& tally, const std::string& what) {
  struct Limits {
    uoffset_t depth, tables;
  };
  static constexpr Limits kLimits[] = {{16, 1u << 20}, {3, 1u << 20}, {16, 5}};
  const Aligned a(bytes);
  bool accepted = false;
  for (const Limits& limits : kLimits) {
    flatbuffers::Verifier walker_verifier(a.data(), a.size(), limits.depth, limits.tables);
    flatbuffers::Verifier flatc_verifier(a.data(), a.size(), limits.depth, limits.tables);
    bool walker, flatc;
    if (root == Root::kFile) {
      walker = VerifyBuffer(walker_verifier, a.data(), a.size(), TableId::File,
                            schema::FileIdentifier(), true);
      flatc = schema::VerifySizePrefixedFileBuffer(flatc_verifier);
    } else {
      walker = VerifyBuffer(walker_verifier, a.data(), a.size(), TableId::Model, nullptr, false);
      flatc = flatc_verifier.VerifyBuffer<schema::Model>(nullptr);
    }
    if (walker != flatc && ++tally.disagreements <= 20) {
      ADD_FAILURE() << what << ": walker " << walker << ", flatc " << flatc << " (max depth "
                    << limits.depth << ", max tables " << limits.tables << ")";
    }
    if (&limits == &kLimits[0]) accepted = flatc;
  }
  ++tally.inputs;
  tally.accepted += accepted;
  return accepted;
}

// Byte flips, bit flips, truncations, corrupted offsets and vtable entries;
// half of them in the first 512 bytes, where FlatBuffers puts the root table
// and the most recently built (structural) objects.
std::vector<uint8_t> Mutate(std::vector<uint8_t> b, std::mt19937& rng) {
  if (b.size() < 8) return b;
  const size_t span = rng() % 2 == 0 ? std::min<size_t>(b.size(), 512) : b.size();
  const size_t at = rng() % span;
  switch (rng() % 6) {
    case 0:
      b[at] = static_cast<uint8_t>(rng());
      break;
    case 1:
      b[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
      break;
    case 2:
      b.resize(rng() % b.size());
      break;
    case 3: {  // an offset off by a little, or pointing anywhere
      const size_t word = std::min(at & ~size_t{3}, b.size() - 4);
      uint32_t v;
      std::memcpy(&v, &b[word], 4);
      static constexpr int32_t kDeltas[] = {-8, -4, -2, -1, 1, 2, 4, 8, 16, 0x10000};
      v = rng() % 3 == 0 ? static_cast<uint32_t>(rng() % (b.size() + 64))
                         : v + static_cast<uint32_t>(kDeltas[rng() % std::size(kDeltas)]);
      std::memcpy(&b[word], &v, 4);
      break;
    }
    case 4: {  // a vtable entry or size
      const size_t half = std::min(at & ~size_t{1}, b.size() - 2);
      const uint16_t v = static_cast<uint16_t>(rng() % 3 == 0 ? rng() : rng() % 64);
      std::memcpy(&b[half], &v, 2);
      break;
    }
    default:
      for (int i = 2 + static_cast<int>(rng() % 6); i > 0; --i) {
        b[rng() % span] = static_cast<uint8_t>(rng() % 4 == 0 ? rng() : rng() % 16);
      }
  }
  return b;
}

// Builds a random instance of table `id` from the verifier's own descriptors:
// each field present or not, random scalars, vectors of 0-3 elements, random
// union types (NONE and unknown ones included). Only the shape comes from the
// descriptors; what is valid is for flatc's verifier to say.
class RandomTables {
 public:
  RandomTables(flatbuffers::FlatBufferBuilder& fbb, std::mt19937& rng) : fbb_(fbb), rng_(rng) {
    fbb_.ForceDefaults(true);
  }

  uoffset_t Build(TableId id, int depth) {
    struct Field {
      Step step;
      uoffset_t offset;
    };
    std::vector<Field> fields;
    int union_type[256];  // by the vtable offset of the type field, -1: not a union's
    std::fill(std::begin(union_type), std::end(union_type), -1);
    const size_t t = static_cast<size_t>(id);
    for (size_t i = kSchemaTableStart[t]; i < kSchemaTableStart[t + 1]; ++i) {
      const Step step = kSchemaSteps[i];
      if ((step.kind & kRequired) == 0 && rng_() % 4 == 0) continue;
      const bool deep = depth >= 5;
      uoffset_t offset = 0;
      switch (step.kind & kKindMask) {
        case kField:
          break;
        case kString:
          offset = fbb_.CreateString(RandomString()).o;
          break;
        case kVector: {
          const size_t n = rng_() % 4;
          fbb_.StartVector(n, step.arg);
          for (size_t k = 0; k < n; ++k) PushScalar(step.arg);
          offset = fbb_.EndVector(n);
          break;
        }
        case kVectorOfStrings: {
          std::vector<flatbuffers::Offset<flatbuffers::String>> strings(rng_() % 4);
          for (auto& s : strings) s = fbb_.CreateString(RandomString());
          offset = fbb_.CreateVector(strings).o;
          break;
        }
        case kVectorOfTables: {
          std::vector<flatbuffers::Offset<void>> tables(deep ? 0 : rng_() % 4);
          for (auto& table : tables) table = Build(static_cast<TableId>(step.arg), depth + 1);
          offset = fbb_.CreateVector(tables).o;
          break;
        }
        case kTable:
          if (deep) continue;
          offset = Build(static_cast<TableId>(step.arg), depth + 1);
          break;
        case kUnion: {
          if (deep) continue;
          const size_t u = step.arg;
          const size_t members = kSchemaUnionStart[u + 1] - kSchemaUnionStart[u];
          const size_t type = rng_() % (members + 2);  // past the end: an unknown type
          const uint8_t member =
              type < members ? kSchemaUnionMembers[kSchemaUnionStart[u] + type] : kNoTable;
          union_type[step.vt - 2] = static_cast<int>(type);
          offset =
              Build(member == kNoTable ? TableId::ActivationRange : static_cast<TableId>(member),
                    depth + 1);
          break;
        }
        default:
          ADD_FAILURE() << "mote.fbs has no nested flatbuffers; this builder cannot make one";
          continue;
      }
      fields.push_back({step, offset});
    }
    const uoffset_t start = fbb_.StartTable();
    for (const Field& f : fields) {
      if ((f.step.kind & kKindMask) != kField) {
        fbb_.AddOffset(f.step.vt, flatbuffers::Offset<void>(f.offset));
      } else if (union_type[f.step.vt] >= 0 || f.step.arg == 1) {
        const uint8_t v =
            static_cast<uint8_t>(union_type[f.step.vt] >= 0 ? union_type[f.step.vt] : rng_());
        fbb_.AddElement<uint8_t>(f.step.vt, v, 0);
      } else if (f.step.arg == 2) {
        fbb_.AddElement<uint16_t>(f.step.vt, static_cast<uint16_t>(rng_()), 0);
      } else if (f.step.arg == 4) {
        fbb_.AddElement<uint32_t>(f.step.vt, static_cast<uint32_t>(rng_()), 0);
      } else {
        fbb_.AddElement<uint64_t>(f.step.vt, uint64_t{rng_()} << 32 | rng_(), 0);
      }
    }
    return fbb_.EndTable(start);
  }

 private:
  std::string RandomString() {
    return std::string(rng_() % 6, static_cast<char>('a' + rng_() % 26));
  }

  void PushScalar(size_t size) {
    switch (size) {
      case 1:
        fbb_.PushElement(static_cast<uint8_t>(rng_()));
        break;
      case 2:
        fbb_.PushElement(static_cast<uint16_t>(rng_()));
        break;
      case 4:
        fbb_.PushElement(static_cast<uint32_t>(rng_()));
        break;
      default:
        fbb_.PushElement(uint64_t{rng_()} << 32 | rng_());
    }
  }

  flatbuffers::FlatBufferBuilder& fbb_;
  std::mt19937& rng_;
};

std::vector<uint8_t> RandomModel(std::mt19937& rng) {
  flatbuffers::FlatBufferBuilder fbb;
  RandomTables tables(fbb, rng);
  fbb.Finish(flatbuffers::Offset<schema::Model>(tables.Build(TableId::Model, 1)));
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

// A .mote File around `payload` (the CRC is not checked by the verifiers).
std::vector<uint8_t> FileOf(const std::vector<uint8_t>& payload) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.ForceVectorAlignment(payload.size(), 1, 16);
  const auto bytes = fbb.CreateVector(payload);
  fbb.FinishSizePrefixed(schema::CreateFile(fbb, 1, 0, 0, bytes), schema::FileIdentifier());
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

std::vector<uint8_t> PayloadOf(const std::vector<uint8_t>& file) {
  const Aligned a(file);
  const auto* payload = schema::GetSizePrefixedFile(a.data())->payload();
  return {payload->begin(), payload->end()};
}

// The converted test models and the fuzz regression inputs (a file, then input bytes).
std::vector<std::pair<std::string, std::vector<uint8_t>>> CommittedModels() {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
  for (const char* dir : {MOTE_TEST_MODELS, MOTE_FUZZ_REGRESSIONS}) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      if (entry.path().extension() != ".mote") continue;
      std::vector<uint8_t> bytes = ReadFile(entry.path().string());
      uint32_t prefix = 0;
      if (bytes.size() >= 4) std::memcpy(&prefix, bytes.data(), 4);
      if (uint64_t{prefix} + 4 <= bytes.size()) bytes.resize(prefix + 4);
      files.emplace_back(entry.path().filename().string(), std::move(bytes));
    }
  }
  files.emplace_back("BuildMote(ReluSpec())", testing::BuildMote(testing::ReluSpec()));
  return files;
}

TEST(SchemaVerify, AgreesWithFlatcOnMutatedCommittedModels) {
  const auto models = CommittedModels();
  ASSERT_GE(models.size(), 9u);
  std::mt19937 rng(20261207);
  Tally files, payloads;
  for (const auto& [name, file] : models) {
    EXPECT_TRUE(Compare(file, Root::kFile, files, name)) << name;
    const std::vector<uint8_t> payload = PayloadOf(file);
    EXPECT_TRUE(Compare(payload, Root::kModel, payloads, name)) << name;
    for (int i = 0; i < 4000; ++i) {
      Compare(Mutate(file, rng), Root::kFile, files, name + " file mutation " + std::to_string(i));
      Compare(Mutate(payload, rng), Root::kModel, payloads,
              name + " payload mutation " + std::to_string(i));
    }
  }
  std::cout << "files: " << files.inputs << " inputs, " << files.accepted << " accepted, "
            << files.disagreements << " disagreements; payloads: " << payloads.inputs << " inputs, "
            << payloads.accepted << " accepted, " << payloads.disagreements << " disagreements\n";
  EXPECT_EQ(files.disagreements + payloads.disagreements, 0);
  // Both outcomes must be common, or the mutations test nothing.
  EXPECT_GT(payloads.accepted, payloads.inputs / 10);
  EXPECT_LT(payloads.accepted, payloads.inputs * 9 / 10);
}

TEST(SchemaVerify, AgreesWithFlatcOnRandomModelsAndTheirMutations) {
  std::mt19937 rng(7);
  Tally valid, mutated;
  for (int m = 0; m < 1000; ++m) {
    const std::vector<uint8_t> payload = RandomModel(rng);
    const std::vector<uint8_t> file = FileOf(payload);
    const std::string name = "random model " + std::to_string(m);
    Compare(file, Root::kFile, valid, name);
    EXPECT_TRUE(Compare(payload, Root::kModel, valid, name)) << name;
    for (int i = 0; i < 40; ++i) {
      Compare(Mutate(payload, rng), Root::kModel, mutated, name + " mutation " + std::to_string(i));
    }
    for (int i = 0; i < 10; ++i) {
      Compare(Mutate(file, rng), Root::kFile, mutated,
              name + " file mutation " + std::to_string(i));
    }
  }
  std::cout << "random: " << valid.inputs << " built, " << valid.accepted << " accepted; "
            << mutated.inputs << " mutations, " << mutated.accepted << " accepted, "
            << valid.disagreements + mutated.disagreements << " disagreements\n";
  EXPECT_EQ(valid.disagreements + mutated.disagreements, 0);
  EXPECT_GT(mutated.accepted, mutated.inputs / 10);
  EXPECT_LT(mutated.accepted, mutated.inputs * 9 / 10);
}

// Every options table on random bytes, as flatc's union verifier sees them.
TEST(SchemaVerify, UnionMembersAgreeWithFlatcOnGarbage) {
  std::mt19937 rng(11);
  alignas(16) uint8_t garbage[96];
  int accepted = 0, checks = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    for (uint8_t& b : garbage) b = static_cast<uint8_t>(rng() % 4 == 0 ? rng() : rng() % 16);
    const size_t at = 4 * (rng() % 8);
    for (int t = 0; t <= static_cast<int>(schema::OpOptions::MAX) + 1; ++t) {
      const auto type = static_cast<schema::OpOptions>(t);
      flatbuffers::Verifier a(garbage, sizeof(garbage)), b(garbage, sizeof(garbage));
      const bool flatc = schema::VerifyOpOptions(b, garbage + at, type);
      ASSERT_EQ(VerifyUnionMember(a, garbage + at, UnionId::OpOptions, static_cast<uint8_t>(t)),
                flatc)
          << "options type " << t << ", trial " << trial;
      accepted += flatc;
      ++checks;
    }
  }
  EXPECT_GT(accepted, checks / 20);
  EXPECT_LT(accepted, checks * 19 / 20);
}

}  // namespace
}  // namespace mote::schema_verify
