// StridedGather: the kernel against a direct index computation on random
// geometries (negative and zero strides, a table dim, 1/2/4-byte elements),
// the glue through the interpreter, and hostile options refused at load.
#include "kernels/reference/strided_gather.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::BuildMote;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;
using testing::TensorSpec;

struct Geometry {
  int32_t offset = 0;
  std::vector<int32_t> counts, strides;
  int32_t table_dim = -1;
  std::vector<int32_t> table;
};

// A random geometry reading only inside an input of `size` elements.
Geometry RandomGeometry(std::mt19937& rng, int32_t size) {
  Geometry g;
  const int rank = std::uniform_int_distribution<int>(1, reference::kMaxGatherDims)(rng);
  int64_t lo = 0, hi = 0;
  for (int d = 0; d < rank; ++d) {
    const int32_t count = std::uniform_int_distribution<int32_t>(1, d < 4 ? 4 : 2)(rng);
    const int32_t stride = std::uniform_int_distribution<int32_t>(-5, 5)(rng);
    g.counts.push_back(count);
    g.strides.push_back(stride);
    (stride < 0 ? lo : hi) += static_cast<int64_t>(count - 1) * stride;
  }
  if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
    g.table_dim = std::uniform_int_distribution<int>(0, rank - 1)(rng);
    const int64_t far = static_cast<int64_t>(g.counts[g.table_dim] - 1) * g.strides[g.table_dim];
    (far < 0 ? lo : hi) -= far;
    g.strides[g.table_dim] = 0;
    for (int32_t k = 0; k < g.counts[g.table_dim]; ++k) {
      g.table.push_back(std::uniform_int_distribution<int32_t>(0, 7)(rng));
    }
    hi += 7;
  }
  // Inputs large enough for any geometry above; the offset keeps it inside.
  g.offset = static_cast<int32_t>(-lo) + std::uniform_int_distribution<int32_t>(
                                             0, static_cast<int32_t>(size - 1 - (hi - lo)))(rng);
  return g;
}

int64_t Count(const std::vector<int32_t>& dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t{1}, std::multiplies<int64_t>());
}

// The element each output position reads, by its coordinates.
template <typename T>
std::vector<T> Expected(const Geometry& g, const std::vector<T>& x) {
  std::vector<T> y;
  std::vector<int32_t> index(g.counts.size(), 0);
  for (int64_t o = 0; o < Count(g.counts); ++o) {
    int64_t p = g.offset;
    for (size_t d = 0; d < index.size(); ++d) {
      p +=
          static_cast<int>(d) == g.table_dim ? g.table[index[d]] : int64_t{index[d]} * g.strides[d];
    }
    y.push_back(x.at(static_cast<size_t>(p)));
    for (size_t d = index.size(); d-- > 0;) {
      if (++index[d] < g.counts[d]) break;
      index[d] = 0;
    }
  }
  return y;
}

reference::StridedGatherShape ShapeOf(const Geometry& g) {
  reference::StridedGatherShape s;
  s.rank = static_cast<int>(g.counts.size());
  s.offset = g.offset;
  for (int d = 0; d < s.rank; ++d) {
    s.counts[d] = g.counts[d];
    s.strides[d] = g.strides[d];
  }
  s.table_dim = g.table_dim;
  s.table = g.table;
  return s;
}

template <typename T>
void CheckRandom(int seed) {
  std::mt19937 rng(seed);
  constexpr int32_t kSize = 400;
  std::vector<T> x(kSize);
  for (int32_t i = 0; i < kSize; ++i) x[i] = static_cast<T>(i * 7 + 3);
  for (int trial = 0; trial < 300; ++trial) {
    const Geometry g = RandomGeometry(rng, kSize);
    std::vector<T> y(static_cast<size_t>(Count(g.counts)));
    reference::StridedGather(ShapeOf(g), sizeof(T), reinterpret_cast<const uint8_t*>(x.data()),
                             reinterpret_cast<uint8_t*>(y.data()));
    ASSERT_EQ(y, Expected(g, x)) << "trial " << trial;
  }
}

TEST(StridedGatherKernel, RandomGeometriesEveryElementSize) {
  CheckRandom<int8_t>(1);
  CheckRandom<int16_t>(2);
  CheckRandom<float>(3);
}

ModelSpec GatherSpec(ElementType type, std::vector<int32_t> in, std::vector<int32_t> out,
                     const Geometry& g, float out_scale = 0.5f) {
  const bool q = type != ElementType::Float32;
  TensorSpec x{"x", type, in, q ? std::vector<float>{0.5f} : std::vector<float>{},
               q ? std::vector<int32_t>{3} : std::vector<int32_t>{}};
  TensorSpec y{"y", type, out, q ? std::vector<float>{out_scale} : std::vector<float>{},
               q ? std::vector<int32_t>{3} : std::vector<int32_t>{}};
  return testing::OneOp(schema::OpCode::StridedGather, schema::OpOptions::StridedGatherOptions,
                        {x, y}, {0}, {1}, [=](flatbuffers::FlatBufferBuilder& fbb) {
                          return schema::CreateStridedGatherOptions(
                                     fbb, g.offset, fbb.CreateVector(g.counts),
                                     fbb.CreateVector(g.strides), g.table_dim,
                                     g.table.empty() ? 0 : fbb.CreateVector(g.table))
                              .Union();
                        });
}

Status LoadStatus(const ModelSpec& s) {
  const std::vector<uint8_t> bytes = BuildMote(s);
  return Model::Load(bytes).status();
}

TEST(StridedGatherOp, ThroughTheInterpreterInEveryType) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    const Geometry g = RandomGeometry(rng, 400);
    const std::vector<int32_t> out = {static_cast<int32_t>(Count(g.counts))};
    std::vector<int16_t> x16(400);
    std::vector<int8_t> x8(400);
    std::vector<float> xf(400);
    for (int i = 0; i < 400; ++i) {
      x16[i] = static_cast<int16_t>(i * 13 - 2000);
      x8[i] = static_cast<int8_t>(i * 5);
      xf[i] = static_cast<float>(i) * 0.25f;
    }
    testing::RunResult r =
        RunMote(BuildMote(GatherSpec(ElementType::Int16, {4, 100}, out, g)), {Bytes(x16)});
    ASSERT_EQ(r.status, Status::kOk);
    EXPECT_EQ(r.outputs[0], Bytes(Expected(g, x16)));
    r = RunMote(BuildMote(GatherSpec(ElementType::Int8, {400}, out, g)), {Bytes(x8)});
    ASSERT_EQ(r.status, Status::kOk);
    EXPECT_EQ(r.outputs[0], Bytes(Expected(g, x8)));
    r = RunMote(BuildMote(GatherSpec(ElementType::Float32, {2, 200}, out, g)), {Bytes(xf)});
    ASSERT_EQ(r.status, Status::kOk);
    EXPECT_EQ(r.outputs[0], Bytes(Expected(g, xf)));
  }
}

TEST(StridedGatherOp, HostileOptionsAreRefused) {
  const ElementType f = ElementType::Float32;
  Geometry ok;  // reverse [10] into [2, 5] pairs: offset 9, strides -5, -1
  ok.offset = 9;
  ok.counts = {2, 5};
  ok.strides = {-5, -1};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, ok)), Status::kOk);
  Geometry g = ok;
  g.offset = 8;
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "reads before";
  g = ok;
  g.offset = 10;
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "reads after";
  g = ok;
  g.strides = {-5, 1};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile)
      << "runs past the end";
  g = ok;
  g.strides = {-2147483647, -1};
  g.counts = {2, 5};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "huge stride";
  g = ok;
  g.counts = {2147483647, 2147483647};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "huge counts";
  g = ok;
  g.counts = {5, 2};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile)
      << "counts differ from output";
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 4}, ok)), Status::kCorruptFile) << "output smaller";
  g = ok;
  g.counts = {0, 5};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "zero count";
  g = ok;
  g.strides = {-5};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "stride count";
  g = ok;
  g.counts = {};
  g.strides = {};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "no dims";
  g = ok;
  g.counts = {2, 5, 1, 1, 1, 1, 1, 1, 1};
  g.strides = {-5, -1, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "9 dims";
  g = ok;
  g.table_dim = 2;
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile)
      << "table dim out of range";
  g = ok;
  g.table_dim = -2;
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile)
      << "negative table dim";
  g = ok;
  g.table = {0, 1};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile)
      << "table without dim";
  g = ok;
  g.table_dim = 0;
  g.table = {0};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile) << "table too short";
  g.table = {0, 0};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kOk) << "table, in range";
  g.table = {0, 1};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile)
      << "table entry past the end";
  g.table = {-10, 0};
  EXPECT_EQ(LoadStatus(GatherSpec(f, {10}, {2, 5}, g)), Status::kCorruptFile)
      << "table entry before";
  EXPECT_EQ(LoadStatus(GatherSpec(ElementType::Int8, {10}, {2, 5}, ok, 0.25f)),
            Status::kCorruptFile)
      << "quantization differs";
  EXPECT_EQ(LoadStatus(GatherSpec(ElementType::Int8, {10}, {2, 5}, ok)), Status::kOk);
  EXPECT_EQ(LoadStatus(GatherSpec(ElementType::Int32, {10}, {2, 5}, ok)), Status::kCorruptFile)
      << "int32 data";
}

}  // namespace
}  // namespace mote
