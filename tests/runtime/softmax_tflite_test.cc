// TFLite's int8 softmax (SoftmaxOptions.exp_format 1): the runtime's kernel
// bit for bit against an independent model of TFLite's arithmetic
// (util/tflite_softmax_reference.h; tests/modelc checks that modelc's table
// equals that model's), known answers, closeness to the real softmax, and the
// glue's checks of the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/reference/softmax.h"
#include "mote/model.h"
#include "util/mote_builder.h"
#include "util/tflite_softmax_reference.h"

namespace mote {
namespace {

namespace ref = testing::tflite_ref;
using Table = std::array<int32_t, 256>;

std::vector<int8_t> RunKernel(const Table& table, const std::vector<int8_t>& in, size_t depth) {
  std::vector<int8_t> out(in.size());
  reference::SoftmaxInt8Tflite(in.size() / depth, depth, table.data(), in.data(), out.data());
  return out;
}

// TFLite's output per row; where TFLite aborts (shift above 31) mote gives
// the zero point everywhere. Counts the rows of each kind.
struct Expected {
  std::vector<int8_t> out;
  int defined_rows = 0;
  int aborted_rows = 0;
};

Expected ExpectedFromReference(const ref::Params& p, const std::vector<int8_t>& in, size_t depth) {
  Expected e;
  e.out.resize(in.size());
  for (size_t r = 0; r < in.size() / depth; ++r) {
    if (ref::SoftmaxRow(p, in.data() + r * depth, depth, e.out.data() + r * depth)) {
      ++e.defined_rows;
    } else {
      std::fill_n(e.out.data() + r * depth, depth, int8_t{-128});
      ++e.aborted_rows;
    }
  }
  return e;
}

// Rows of several shapes: uniform over int8, narrow bands (large sums of
// exps), a single dominant value, constant rows.
std::vector<int8_t> RandomRows(std::mt19937& rng, size_t rows, size_t depth) {
  std::vector<int8_t> in(rows * depth);
  for (size_t r = 0; r < rows; ++r) {
    const int kind = static_cast<int>(r % 5);
    const int center = std::uniform_int_distribution<int>(-128, 127)(rng);
    const int width = kind == 1 ? 3 : (kind == 2 ? 20 : 255);
    for (size_t i = 0; i < depth; ++i) {
      int v = std::uniform_int_distribution<int>(center - width, center + width)(rng);
      if (kind == 3) v = i == depth / 2 ? 127 : std::uniform_int_distribution<int>(-128, -60)(rng);
      if (kind == 4) v = center;
      in[r * depth + i] = static_cast<int8_t>(std::clamp(v, -128, 127));
    }
  }
  return in;
}

TEST(SoftmaxTflite, MatchesTfliteBitExactly) {
  std::mt19937 rng(7);
  int defined = 0, aborted = 0, configs = 0;
  for (double scale : {0.0007, 0.004, 0.02, 0.0625, 0.1, 0.25, 0.5, 1.0, 3.0, 40.0}) {
    for (double beta : {1.0, 0.5, 2.0, 0.1}) {
      const ref::Params p = ref::ParamsFor(beta, static_cast<float>(scale));
      if (!p.valid) continue;
      ++configs;
      const Table table = ref::ExpTable(p);
      for (size_t depth : {1, 2, 10, 12, 100, 1000}) {
        const size_t rows = depth >= 1000 ? 10 : 40;
        const std::vector<int8_t> in = RandomRows(rng, rows, depth);
        const Expected want = ExpectedFromReference(p, in, depth);
        defined += want.defined_rows;
        aborted += want.aborted_rows;
        ASSERT_EQ(RunKernel(table, in, depth), want.out)
            << "scale " << scale << " beta " << beta << " depth " << depth;
        std::vector<int8_t> in_place = in;  // the kernel may run in place
        reference::SoftmaxInt8Tflite(rows, depth, table.data(), in_place.data(), in_place.data());
        ASSERT_EQ(in_place, want.out);
      }
    }
  }
  EXPECT_GE(configs, 36);
  EXPECT_GT(defined, 5000);
  EXPECT_GT(aborted, 10);  // sums of 512.0 and more, where mote defines the result
}

// Small rows are where outputs are large and so most sensitive to the last
// bits of the sum and the reciprocal: every difference pair and many triples
// over a fine sweep of input scales.
TEST(SoftmaxTflite, MatchesTfliteOnSmallRowsOverManyScales) {
  std::mt19937 rng(3);
  size_t rows = 0;
  for (double log_scale = std::log(0.001); log_scale < std::log(50.0); log_scale += 0.005) {
    const ref::Params p = ref::ParamsFor(1.0, static_cast<float>(std::exp(log_scale)));
    const Table table = ref::ExpTable(p);
    std::vector<int8_t> pairs, triples;
    for (int k = 0; k < 256; ++k) {
      pairs.insert(pairs.end(), {127, static_cast<int8_t>(127 - k)});
      const int j = std::uniform_int_distribution<int>(0, 255)(rng);
      triples.insert(triples.end(), {static_cast<int8_t>(-128 + k), -128, static_cast<int8_t>(-128 + j)});
    }
    ASSERT_EQ(RunKernel(table, pairs, 2), ExpectedFromReference(p, pairs, 2).out) << std::exp(log_scale);
    ASSERT_EQ(RunKernel(table, triples, 3), ExpectedFromReference(p, triples, 3).out) << std::exp(log_scale);
    rows += 512;
  }
  EXPECT_GT(rows, 500000u);
}

// GetReciprocal over its whole range in the kernel, sums of 1.0 to 512.0:
// every power of two and its neighbours, and a stride through the rest.
TEST(SoftmaxTflite, ReciprocalMatchesTflite) {
  std::vector<int32_t> sums;
  for (int b = 19; b < 28; ++b) {
    for (int32_t d = -2; d <= 2; ++d) sums.push_back((int32_t{1} << b) + d);
  }
  for (int32_t s = 1 << 19; s < (1 << 28); s += 211) sums.push_back(s);
  sums.push_back((1 << 28) - 1);
  for (int32_t s : sums) {
    if (s < (1 << 19)) continue;
    int bits = -1, want_bits = -2;
    const int32_t got = reference::SoftmaxInt8TfliteReciprocal(s, &bits);
    const int32_t want = ref::Reciprocal(s, &want_bits);
    ASSERT_EQ(got, want) << s;
    ASSERT_EQ(bits, want_bits) << s;
  }
  int bits = 0;
  EXPECT_EQ(reference::SoftmaxInt8TfliteReciprocal(1 << 19, &bits), INT32_MAX);  // 1/1.0
  EXPECT_EQ(bits, 0);
  EXPECT_NEAR(reference::SoftmaxInt8TfliteReciprocal(3 << 19, &bits) / 2147483648.0, 2.0 / 3.0, 1e-8);
  EXPECT_EQ(bits, 1);
}

// Rows [x, x - 1] over tables {2^31 - 1, e, 0, ...} with e picked so that
// the scaled exp lands exactly on a rounding tie of the final division: a
// reciprocal or sum off by one unit in the last place changes the output.
TEST(SoftmaxTflite, MatchesTfliteAtRoundingTies) {
  std::vector<int32_t> ties;
  for (int64_t bucket = 0; bucket < (int64_t{1} << 19); ++bucket) {
    // Every e rounding to `bucket` in Q12 gives the same sum, 2^19 + bucket.
    int bits = 0;
    const int32_t reciprocal = ref::Reciprocal(static_cast<int32_t>((1 << 19) + bucket), &bits);
    const int shift = bits + 31 - 8;
    const int64_t lo = std::max<int64_t>(bucket * 4096 - 2048, 0);
    const int64_t hi = std::min<int64_t>(bucket * 4096 + 2047, INT32_MAX);
    // The first half-way point m 2^shift + 2^(shift-1) at or above the
    // product for `lo`, and the e whose product may hit it.
    const int64_t step = int64_t{1} << shift;
    const int64_t first = ref::Mul(reciprocal, static_cast<int32_t>(lo));
    const int64_t tie = ref::FloorDiv(first - step / 2 + step - 1, step) * step + step / 2;
    const int64_t guess = tie * ref::kQ31 / reciprocal;
    for (int64_t e = std::max(lo, guess - 2); e <= std::min(hi, guess + 2); ++e) {
      if (ref::Mul(reciprocal, static_cast<int32_t>(e)) == tie) ties.push_back(static_cast<int32_t>(e));
    }
  }
  ASSERT_GT(ties.size(), 100u);
  for (int32_t e : ties) {
    Table table{};
    table[0] = INT32_MAX;
    table[1] = e;
    int8_t want[2];
    const int8_t in[2] = {5, 4};
    ASSERT_TRUE(ref::SoftmaxRowFromTable(table.data(), in, 2, want));
    ASSERT_EQ(RunKernel(table, {5, 4}, 2), (std::vector<int8_t>{want[0], want[1]})) << e;
  }
}

// Test vectors of CMSIS-NN's arm_softmax_s8 (Tests/UnitTest/TestCases/
// TestData/softmax), generated there with TFLite's reference kernel: they
// check the reference model itself and the kernel against TFLite's outputs.
TEST(SoftmaxTflite, MatchesTfliteGeneratedVectors) {
  struct Vector {
    ref::Params p;
    size_t depth;
    std::vector<int8_t> in, out;
  };
  const Vector vectors[] = {
      {{true, 1077952640, 19, -3968}, 5,
       {101, 49, 6, -34, -75, -79, -38, 120, -55, 115},
       {-57, -70, -79, -86, -92, -94, -88, -54, -91, -56}},
      {{true, 1077952576, 23, -248}, 5, {-80, -48, 16, 0, -96}, {-128, -125, 56, -60, -128}},
  };
  for (const Vector& v : vectors) {
    EXPECT_EQ(ExpectedFromReference(v.p, v.in, v.depth).out, v.out);
    EXPECT_EQ(RunKernel(ref::ExpTable(v.p), v.in, v.depth), v.out);
  }
  // The first vector's parameters are TFLite's for input scale 1/255, beta 1.
  const ref::Params p = ref::ParamsFor(1.0, static_cast<float>(1.0 / 255.0));
  EXPECT_EQ(p.left_shift, 19);
  EXPECT_EQ(p.diff_min, -3968);
  EXPECT_EQ(p.multiplier, 1077952640);
}

TEST(SoftmaxTflite, KnownAnswers) {
  const Table table = ref::ExpTable(ref::ParamsFor(1.0, 0.1f));
  // n equal values: 256/n steps each (a power of two is exact here).
  EXPECT_EQ(RunKernel(table, {5}, 1), (std::vector<int8_t>{127}));  // 1.0 saturates to 255/256
  EXPECT_EQ(RunKernel(table, {-3, -3}, 2), (std::vector<int8_t>{0, 0}));
  EXPECT_EQ(RunKernel(table, std::vector<int8_t>(4, 100), 4), std::vector<int8_t>(4, -64));
  EXPECT_EQ(RunKernel(table, std::vector<int8_t>(256, 7), 256), std::vector<int8_t>(256, -127));
  // A dominant logit takes everything.
  std::vector<int8_t> dominant(10, -128);
  dominant[3] = 127;
  std::vector<int8_t> want(10, -128);
  want[3] = 127;
  EXPECT_EQ(RunKernel(table, dominant, 10), want);
  // 512 equal values: 1/512 each, where TFLite aborts; mote: 0.
  EXPECT_EQ(RunKernel(table, std::vector<int8_t>(512, 0), 512), std::vector<int8_t>(512, -128));
}

TEST(SoftmaxTflite, CloseToRealSoftmax) {
  std::mt19937 rng(11);
  double worst = 0.0;
  for (double scale : {0.02, 0.05, 0.1, 0.3, 1.0}) {
    for (double beta : {1.0, 0.7}) {
      const ref::Params p = ref::ParamsFor(beta, static_cast<float>(scale));
      const Table table = ref::ExpTable(p);
      for (size_t depth : {2, 10, 12, 100, 1000}) {
        const std::vector<int8_t> in = RandomRows(rng, 20, depth);
        const std::vector<int8_t> out = RunKernel(table, in, depth);
        for (size_t r = 0; r < 20; ++r) {
          const int8_t* x = in.data() + r * depth;
          int max = -128;
          for (size_t i = 0; i < depth; ++i) max = std::max<int>(max, x[i]);
          double sum = 0.0;
          for (size_t i = 0; i < depth; ++i) sum += std::exp(beta * static_cast<float>(scale) * (x[i] - max));
          for (size_t i = 0; i < depth; ++i) {
            const double real = std::exp(beta * static_cast<float>(scale) * (x[i] - max)) / sum;
            const double err = std::fabs((out[r * depth + i] + 128) / 256.0 - real);
            worst = std::max(worst, err);
            ASSERT_LE(err, 1.0 / 256 + 1e-3) << scale << " " << beta << " " << depth;
          }
        }
      }
    }
  }
  EXPECT_GT(worst, 1.0 / 1024);  // the rounding shows
}

// The kernel's arithmetic is defined for any entries in [0, 2^31 - 1] with
// exp(0) first (the glue also requires them non-increasing).
TEST(SoftmaxTflite, ArbitraryTablesMatchTheArithmetic) {
  std::mt19937 rng(13);
  std::uniform_int_distribution<int32_t> any(0, INT32_MAX);
  for (int trial = 0; trial < 300; ++trial) {
    Table table{};
    for (auto& v : table) {
      const int kind = std::uniform_int_distribution<int>(0, 3)(rng);
      v = kind == 0 ? 0 : (kind == 1 ? INT32_MAX : any(rng) >> std::uniform_int_distribution<int>(0, 30)(rng));
    }
    table[0] = INT32_MAX;
    const size_t depth = std::uniform_int_distribution<size_t>(1, 700)(rng);
    const std::vector<int8_t> in = RandomRows(rng, 3, depth);
    std::vector<int8_t> want(in.size());
    for (size_t r = 0; r < 3; ++r) {
      if (!ref::SoftmaxRowFromTable(table.data(), in.data() + r * depth, depth, want.data() + r * depth)) {
        std::fill_n(want.data() + r * depth, depth, int8_t{-128});
      }
    }
    ASSERT_EQ(RunKernel(table, in, depth), want) << trial;
  }
}

// --- The glue: a one-op model through Model::Load and Invoke. ---

std::vector<uint8_t> TableBytes(const Table& t) { return testing::Bytes(std::vector<int32_t>(t.begin(), t.end())); }

testing::ModelSpec SoftmaxSpec(schema::ElementType type, const std::vector<uint8_t>& table, int8_t format) {
  testing::ModelSpec s;
  const bool int8 = type == schema::ElementType::Int8;
  const std::vector<float> in_scale = int8 ? std::vector<float>{0.1f} : std::vector<float>{0.001f};
  const std::vector<float> out_scale = int8 ? std::vector<float>{1.0f / 256} : std::vector<float>{1.0f / 32768};
  const std::vector<int32_t> out_zp = {int8 ? -128 : 0};
  s.tensors = {{"x", type, {2, 5}, in_scale, {0}, -1, -1, 0}, {"y", type, {2, 5}, out_scale, out_zp, -1, -1, 0}};
  if (type == schema::ElementType::Float32) {
    for (auto& t : s.tensors) t.scale.clear(), t.zero_point.clear();
  }
  s.buffers = {table};
  s.opcode = schema::OpCode::Softmax;
  s.options_type = schema::OpOptions::SoftmaxOptions;
  s.options_builder = [format](flatbuffers::FlatBufferBuilder& fbb) {
    return schema::CreateSoftmaxOptions(fbb, 1.0f, 0, format).Union();
  };
  s.op_inputs = {0};
  s.op_outputs = {1};
  s.inputs = {0};
  s.outputs = {1};
  testing::PlanArena(s);
  return s;
}

TEST(SoftmaxTflite, GlueRunsFormatOneAndChecksTheTable) {
  const ref::Params p = ref::ParamsFor(1.0, 0.1f);
  const Table table = ref::ExpTable(p);
  const std::vector<int8_t> x = {10, 20, -5, 0, 127, -128, -128, -100, 3, 3};
  const auto run = testing::RunMote(testing::BuildMote(SoftmaxSpec(schema::ElementType::Int8, TableBytes(table), 1)),
                                    {testing::Bytes(x)});
  ASSERT_EQ(run.status, Status::kOk);
  const Expected want = ExpectedFromReference(p, x, 5);
  EXPECT_EQ(run.outputs[0], testing::Bytes(want.out));

  auto load = [](const testing::ModelSpec& s) {
    const testing::Aligned a(testing::BuildMote(s));
    return Model::Load({a.data(), a.size()}).status();
  };
  Table bad = table;
  bad[0] = INT32_MAX - 1;  // exp(0) must be 2^31 - 1
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, TableBytes(bad), 1)), Status::kCorruptFile);
  bad = table;
  bad[200] = -1;
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, TableBytes(bad), 1)), Status::kCorruptFile);
  bad = table;
  bad[9] = bad[8] + 1;  // exp of a larger difference must not be larger
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, TableBytes(bad), 1)), Status::kCorruptFile);
  std::vector<uint8_t> short_table = TableBytes(table);
  short_table.resize(255 * 4);
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, short_table, 1)), Status::kCorruptFile);
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, TableBytes(table), 2)), Status::kCorruptFile);
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, TableBytes(table), -1)), Status::kCorruptFile);
  // Format 1 is for int8 only.
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int16, TableBytes(table), 1)), Status::kCorruptFile);
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Float32, TableBytes(table), 1)), Status::kCorruptFile);
  // A format-0 (Q16) table is not a format-1 table and the reverse.
  std::vector<int32_t> q16(256);
  for (int k = 0; k < 256; ++k) q16[static_cast<size_t>(k)] = static_cast<int32_t>(std::lround(65536 * std::exp(-0.1 * k)));
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, testing::Bytes(q16), 1)), Status::kCorruptFile);
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, testing::Bytes(q16), 0)), Status::kOk);
  EXPECT_EQ(load(SoftmaxSpec(schema::ElementType::Int8, TableBytes(table), 0)), Status::kCorruptFile);
}

}  // namespace
}  // namespace mote
