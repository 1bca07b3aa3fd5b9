// Fifo and the state of streaming models: the window after every invoke
// against the whole stream kept by the test (the last L rows, real zero
// before the stream began), ResetState, and hostile files refused at load
// (state tensors out of their region, overlapping, or shared).
#include "kernels/reference/fifo.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "mote/interpreter.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::ModelSpec;
using testing::TensorSpec;

struct Case {
  ElementType type;
  std::vector<int32_t> window;  // [outer..., L, inner...]
  int32_t axis, hop;
  int32_t zero_point;
};

size_t Elements(const std::vector<int32_t>& shape) {
  size_t n = 1;
  for (int32_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

// Window at offset 0 (the state region), input above it.
ModelSpec FifoSpec(const Case& c) {
  std::vector<int32_t> in_shape = c.window;
  in_shape[c.axis] = c.hop;
  const size_t elem = ElementSize(static_cast<mote::ElementType>(c.type));
  const uint32_t state = static_cast<uint32_t>((Elements(c.window) * elem + 15) / 16 * 16);
  const bool quantized = c.type == ElementType::Int8 || c.type == ElementType::Int16;
  std::vector<float> scale = quantized ? std::vector<float>{0.5f} : std::vector<float>{};
  std::vector<int32_t> zp = quantized ? std::vector<int32_t>{c.zero_point} : std::vector<int32_t>{};
  TensorSpec x{"x", c.type, in_shape, scale, zp, -1, -1, state};
  TensorSpec w{"w", c.type, c.window, scale, zp, -1, -1, 0};
  w.persistent = true;
  ModelSpec spec = testing::OneOp(schema::OpCode::Fifo, schema::OpOptions::FifoOptions, {x, w}, {0},
                                  {1}, [c](flatbuffers::FlatBufferBuilder& fbb) {
                                    return schema::CreateFifoOptions(fbb, c.axis, c.hop).Union();
                                  });
  spec.tensors[0].arena_offset = state;  // OneOp planned them in order
  spec.tensors[1].arena_offset = 0;
  spec.state_size = state;
  spec.arena_size = state + static_cast<uint32_t>((Elements(in_shape) * elem + 15) / 16 * 16);
  return spec;
}

// The oracle: the whole stream per outer slice, rows of `row` bytes.
struct Stream {
  size_t outer, length, row;
  std::vector<std::vector<uint8_t>> rows;  // per outer slice, all rows so far
  std::vector<uint8_t> Window(const std::vector<uint8_t>& zero_row) const {
    std::vector<uint8_t> w;
    for (size_t o = 0; o < outer; ++o) {
      const size_t have = rows[o].size() / row;
      for (size_t r = 0; r < length; ++r) {
        if (have + r < length) {
          w.insert(w.end(), zero_row.begin(), zero_row.end());
        } else {
          const size_t k = have + r - length;
          w.insert(w.end(), rows[o].begin() + k * row, rows[o].begin() + (k + 1) * row);
        }
      }
    }
    return w;
  }
};

std::vector<uint8_t> ZeroRow(const Case& c, size_t row_bytes) {
  std::vector<uint8_t> z(row_bytes, 0);
  if (c.type == ElementType::Int8)
    std::memset(z.data(), static_cast<uint8_t>(c.zero_point), row_bytes);
  if (c.type == ElementType::Int16) {
    const int16_t v = static_cast<int16_t>(c.zero_point);
    for (size_t k = 0; k + 1 < row_bytes; k += 2) std::memcpy(z.data() + k, &v, 2);
  }
  return z;
}

void RunCase(const Case& c, std::mt19937& rng) {
  const std::vector<uint8_t> bytes = testing::BuildMote(FifoSpec(c));
  const testing::Aligned file(bytes);
  const Result<Model> model = Model::Load({file.data(), file.size()});
  ASSERT_TRUE(model.ok()) << StatusName(model.status());
  EXPECT_GT(model.value().state_size(), 0u);
  alignas(16) static uint8_t arena[1 << 16];
  Result<Interpreter> created = Interpreter::Create(model.value(), {arena, sizeof(arena)});
  ASSERT_TRUE(created.ok());
  Interpreter& interp = created.value();
  const size_t elem = ElementSize(static_cast<mote::ElementType>(c.type));
  Stream s{1, static_cast<size_t>(c.window[c.axis]), elem, {}};
  for (int32_t k = 0; k < c.axis; ++k) s.outer *= static_cast<size_t>(c.window[k]);
  for (size_t k = static_cast<size_t>(c.axis) + 1; k < c.window.size(); ++k) {
    s.row *= static_cast<size_t>(c.window[k]);
  }
  s.rows.resize(s.outer);
  const std::vector<uint8_t> zero = ZeroRow(c, s.row);
  std::vector<uint8_t> first_outputs;
  const int invokes = 3 * c.window[c.axis] / c.hop + 2;
  std::vector<std::vector<uint8_t>> fed;
  for (int round = 0; round < 2; ++round) {
    for (auto& r : s.rows) r.clear();
    for (int i = 0; i < invokes; ++i) {
      std::vector<uint8_t>& in = round == 0 ? fed.emplace_back() : fed[static_cast<size_t>(i)];
      if (round == 0) {
        in.resize(interp.input(0).data.size());
        for (uint8_t& b : in) b = static_cast<uint8_t>(rng());
        if (c.type == ElementType::Float32) {  // finite floats only
          for (size_t k = 0; k + 3 < in.size(); k += 4) {
            const float v = static_cast<float>(static_cast<int8_t>(in[k])) * 0.25f;
            std::memcpy(in.data() + k, &v, 4);
          }
        }
      }
      std::memcpy(interp.input(0).data.data(), in.data(), in.size());
      const size_t per = static_cast<size_t>(c.hop) * s.row;
      for (size_t o = 0; o < s.outer; ++o) {
        s.rows[o].insert(s.rows[o].end(), in.begin() + o * per, in.begin() + (o + 1) * per);
      }
      ASSERT_EQ(interp.Invoke(), Status::kOk);
      const auto out = interp.output(0).data;
      const std::vector<uint8_t> got(out.begin(), out.end());
      ASSERT_EQ(got, s.Window(zero)) << "invoke " << i << " round " << round;
    }
    interp.ResetState();  // the second round must replay the first exactly
  }
}

TEST(FifoOp, WindowFollowsTheStream) {
  std::mt19937 rng(7);
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  // Model inputs are int8, int16 or float32; an int32 window (inside a
  // model) moves the same bytes (ReferenceShiftsEverySlice).
  const ElementType types[] = {ElementType::Int8, ElementType::Int16, ElementType::Float32};
  for (int trial = 0; trial < 60; ++trial) {
    Case c;
    c.type = types[trial % 3];
    const int rank = r(1, 4);
    for (int k = 0; k < rank; ++k) c.window.push_back(r(1, 4));
    c.axis = r(0, rank - 1);
    c.window[c.axis] = r(1, 12);
    c.hop = r(1, c.window[c.axis]);
    c.zero_point = c.type == ElementType::Int8 ? r(-128, 127) : 0;
    SCOPED_TRACE(trial);
    RunCase(c, rng);
  }
}

TEST(FifoOp, ReferenceShiftsEverySlice) {
  // outer 2, length 3, hop 2, one-byte rows: [a b c] <- [x y] gives [c x y].
  uint8_t w[6] = {1, 2, 3, 4, 5, 6};
  const uint8_t in[4] = {7, 8, 9, 10};
  reference::Fifo(w, in, 2, 3, 2, 1);
  const uint8_t want[6] = {3, 7, 8, 6, 9, 10};
  EXPECT_EQ(std::memcmp(w, want, 6), 0);
}

Status LoadStatus(const ModelSpec& s) {
  const std::vector<uint8_t> bytes = testing::BuildMote(s);
  const testing::Aligned file(bytes);
  return Model::Load({file.data(), file.size()}).status();
}

TEST(FifoOp, HostileFilesAreRefused) {
  const Case c{ElementType::Int8, {1, 8, 3}, 1, 2, 5};
  ASSERT_EQ(LoadStatus(FifoSpec(c)), Status::kOk);
  auto refused = [&](const char* what, const std::function<void(ModelSpec&)>& edit) {
    ModelSpec s = FifoSpec(c);
    edit(s);
    EXPECT_EQ(LoadStatus(s), Status::kCorruptFile) << what;
  };
  refused("window not persistent", [](ModelSpec& s) { s.tensors[1].persistent = false; });
  refused("input in the state region", [](ModelSpec& s) { s.tensors[0].arena_offset = 0; });
  refused("window past the state region", [](ModelSpec& s) { s.state_size = 16; });
  refused("state larger than the arena", [](ModelSpec& s) { s.state_size = s.arena_size + 16; });
  refused("persistent input", [](ModelSpec& s) {
    s.tensors[0].persistent = true;
    s.state_size = s.arena_size;
  });
  refused("overlapping state", [](ModelSpec& s) {
    s.tensors[0].persistent = true;
    s.tensors[0].arena_offset = 16;
    s.state_size = s.arena_size;
  });
  refused("scratch in the state region", [](ModelSpec& s) { s.scratch_size = 16; });
  refused("hop not the input's length", [](ModelSpec& s) {
    s.options_builder = [](flatbuffers::FlatBufferBuilder& fbb) {
      return schema::CreateFifoOptions(fbb, 1, 3).Union();
    };
  });
  refused("axis outside the rank", [](ModelSpec& s) {
    s.options_builder = [](flatbuffers::FlatBufferBuilder& fbb) {
      return schema::CreateFifoOptions(fbb, 3, 2).Union();
    };
  });
  refused("input wider than the window", [](ModelSpec& s) { s.tensors[0].shape = {1, 2, 4}; });
  refused("input longer than the window", [](ModelSpec& s) {
    s.tensors[0].shape = {1, 9, 3};
    s.options_builder = [](flatbuffers::FlatBufferBuilder& fbb) {
      return schema::CreateFifoOptions(fbb, 1, 9).Union();
    };
  });
  refused("quantization differs", [](ModelSpec& s) { s.tensors[0].zero_point = {6}; });
  refused("constant persistent", [](ModelSpec& s) {
    s.buffers.push_back(std::vector<uint8_t>(24, 0));
    s.tensors[1].buffer = 0;
  });
}

}  // namespace
}  // namespace mote
