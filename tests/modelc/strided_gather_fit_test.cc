// FitGatherDims: the runtime dims it chooses read exactly the source map it
// was given (random strided maps, maps needing a table, channel shuffles),
// and PermuteSource moves a map between NCHW and NHWC like a Transpose.
#include <gtest/gtest.h>

#include <random>

#include "ir/reference_executor.h"
#include "ops/strided_gather.h"

namespace mote::modelc {
namespace {

// The input index each output element reads through `d`.
std::vector<int64_t> Replay(const GatherDims& d) {
  int64_t total = 1;
  for (int64_t c : d.counts) total *= c;
  std::vector<int64_t> out, index(d.counts.size(), 0);
  for (int64_t o = 0; o < total; ++o) {
    int64_t p = d.offset;
    for (size_t k = 0; k < index.size(); ++k) {
      p += static_cast<int64_t>(k) == d.table_dim ? d.table[index[k]] : index[k] * d.strides[k];
    }
    out.push_back(p);
    for (size_t k = index.size(); k-- > 0;) {
      if (++index[k] < d.counts[k]) break;
      index[k] = 0;
    }
  }
  return out;
}

TEST(FitGatherDims, RandomStridedMapsFitWithoutTable) {
  std::mt19937 rng(5);
  Node n;
  for (int trial = 0; trial < 500; ++trial) {
    const int rank = std::uniform_int_distribution<int>(1, 6)(rng);
    GatherDims g;
    g.offset = 1000;
    for (int d = 0; d < rank; ++d) {
      g.counts.push_back(std::uniform_int_distribution<int64_t>(1, 4)(rng));
      g.strides.push_back(std::uniform_int_distribution<int64_t>(-30, 30)(rng));
    }
    const std::vector<int64_t> source = Replay(g);
    const GatherDims fit = FitGatherDims(n, source);
    EXPECT_EQ(Replay(fit), source) << "trial " << trial;
    EXPECT_LE(fit.counts.size(), static_cast<size_t>(rank));
    EXPECT_EQ(fit.table_dim, -1);
  }
}

TEST(FitGatherDims, IrregularIndicesUseOneTable) {
  Node n;
  // Gather rows {3, 1, 7} of a [10, 6] matrix, in two batches of 60.
  std::vector<int64_t> source;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t r : {3, 1, 7})
      for (int64_t c = 0; c < 6; ++c) source.push_back(b * 60 + r * 6 + c);
  const GatherDims fit = FitGatherDims(n, source);
  EXPECT_EQ(Replay(fit), source);
  EXPECT_EQ(fit.table_dim, 0);
  EXPECT_EQ(fit.table.size(), 6u);  // batches x rows; the columns stay strided
}

TEST(FitGatherDims, ReversedAndShuffledChannels) {
  Node n;
  std::vector<int64_t> reversed;
  for (int64_t k = 9; k >= 0; --k) reversed.push_back(k);
  GatherDims fit = FitGatherDims(n, reversed);
  EXPECT_EQ(Replay(fit), reversed);
  EXPECT_EQ(fit.counts, std::vector<int64_t>{10});
  EXPECT_EQ(fit.strides, std::vector<int64_t>{-1});
  // NHWC channel shuffle of [1, 4, 4, 12] in 2 groups: out channel c reads
  // channel (c % 2) * 6 + c / 2.
  std::vector<int64_t> shuffle;
  for (int64_t p = 0; p < 16; ++p)
    for (int64_t c = 0; c < 12; ++c) shuffle.push_back(p * 12 + (c % 2) * 6 + c / 2);
  fit = FitGatherDims(n, shuffle);
  EXPECT_EQ(Replay(fit), shuffle);
  EXPECT_EQ(fit.table_dim, -1);
  EXPECT_EQ(fit.counts.size(), 3u);
}

TEST(PermuteSource, IdentityMapBecomesTheTranspose) {
  const Shape nchw = {2, 3, 4, 5};
  std::vector<int64_t> identity(120);
  for (int64_t k = 0; k < 120; ++k) identity[k] = k;
  const std::vector<int64_t> to_nhwc = {0, 2, 3, 1};
  // Input stored NHWC, output logical NCHW: out[k] = where NCHW element k sits in NHWC.
  Value iota = Value::Float(nchw, Eigen::ArrayXf::LinSpaced(120, 0, 119));
  const Value nhwc = Transpose(Node{}, iota, to_nhwc);
  const std::vector<int64_t> read = PermuteSource(identity, nchw, to_nhwc, nchw, {});
  for (int64_t k = 0; k < 120; ++k) EXPECT_EQ(nhwc.f[read[k]], static_cast<float>(k));
  // Input NCHW, output stored NHWC: the map is the transpose's.
  const std::vector<int64_t> write = PermuteSource(identity, nchw, {}, nchw, to_nhwc);
  for (int64_t k = 0; k < 120; ++k) EXPECT_EQ(static_cast<float>(write[k]), nhwc.f[k]);
}

}  // namespace
}  // namespace mote::modelc
