// modelc's TFLite int8 softmax parameters and exp table (exp_format 1)
// against the independent model of TFLite's arithmetic in
// util/tflite_softmax_reference.h (which tests/runtime checks against
// TFLite-generated vectors and the runtime's kernel), and what BuildOp emits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "../util/tflite_softmax_reference.h"
#include "emit/op_options.h"
#include "quantize/tflite_softmax.h"

namespace mote::modelc {
namespace {

namespace ref = testing::tflite_ref;

TEST(TfliteSoftmax, ExpMatchesReference) {
  // Around every quarter boundary, then a stride over all of Q5.26 <= 0.
  for (int64_t q = 0; q <= 128; ++q) {
    for (int64_t d = -3; d <= 3; ++d) {
      const int64_t a = -q * (int64_t{1} << 24) + d;
      if (a > 0 || a < INT32_MIN) continue;
      ASSERT_EQ(GemmlowpExpOnNegativeValues(static_cast<int32_t>(a)), ref::Exp(static_cast<int32_t>(a))) << a;
    }
  }
  for (int64_t a = 0; a >= INT32_MIN; a -= 997) {
    ASSERT_EQ(GemmlowpExpOnNegativeValues(static_cast<int32_t>(a)), ref::Exp(static_cast<int32_t>(a))) << a;
  }
  EXPECT_EQ(GemmlowpExpOnNegativeValues(0), INT32_MAX);
  EXPECT_EQ(GemmlowpExpOnNegativeValues(INT32_MIN), ref::Exp(INT32_MIN));
  // exp(-1) and exp(-8) to about 1e-6 relative.
  EXPECT_NEAR(GemmlowpExpOnNegativeValues(-(1 << 26)) / 2147483648.0, std::exp(-1.0), 1e-6);
  EXPECT_NEAR(GemmlowpExpOnNegativeValues(-(8 << 26)) / 2147483648.0, std::exp(-8.0), 1e-8);
}

TEST(TfliteSoftmax, ParametersAndTableMatchReference) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> log_scale(std::log(1e-9), std::log(100.0));
  int valid = 0, refused = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const float scale = static_cast<float>(std::exp(log_scale(rng)));
    const float beta = trial % 3 == 0 ? 1.0f : static_cast<float>(std::exp(log_scale(rng) / 4));
    const auto got = ComputeTfliteSoftmaxParams(beta, scale);
    const ref::Params want = ref::ParamsFor(beta, scale);
    ASSERT_EQ(got.has_value(), want.valid) << scale << " " << beta;
    if (!got) {
      ++refused;
      continue;
    }
    ++valid;
    ASSERT_EQ(got->input_multiplier, want.multiplier);
    ASSERT_EQ(got->input_left_shift, want.left_shift);
    ASSERT_EQ(got->diff_min, want.diff_min);
    for (int32_t d = 0; d >= want.diff_min && d >= -255; --d) {
      ASSERT_EQ(TfliteRescaledDiff(d, *got), ref::Rescale(d, want));
    }
    const auto table = TfliteSoftmaxExpTable(*got);
    const auto ref_table = ref::ExpTable(want);
    ASSERT_EQ(std::vector<int32_t>(table.begin(), table.end()), std::vector<int32_t>(ref_table.begin(), ref_table.end()))
        << scale << " " << beta;
    EXPECT_EQ(table[0], INT32_MAX);
  }
  EXPECT_GT(valid, 2000);
  EXPECT_GT(refused, 100);
}

TEST(TfliteSoftmax, KnownParameters) {
  // CMSIS-NN's TFLite-generated vector for input scale 1/255.
  const auto p = ComputeTfliteSoftmaxParams(1.0, static_cast<float>(1.0 / 255.0));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->input_multiplier, 1077952640);
  EXPECT_EQ(p->input_left_shift, 19);
  EXPECT_EQ(p->diff_min, -3968);
  // A large beta * scale caps the multiplier: only the maximum counts.
  const auto capped = ComputeTfliteSoftmaxParams(1.0, 100.0);
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->input_multiplier, INT32_MAX);
  EXPECT_EQ(capped->input_left_shift, 31);
  EXPECT_EQ(capped->diff_min, 0);
  const auto table = TfliteSoftmaxExpTable(*capped);
  EXPECT_EQ(table[0], INT32_MAX);
  for (size_t k = 1; k < 256; ++k) EXPECT_EQ(table[k], 0);
  // TFLite refuses beta * scale <= 2^-26.
  EXPECT_FALSE(ComputeTfliteSoftmaxParams(1.0, std::ldexp(1.0, -26)));
  EXPECT_TRUE(ComputeTfliteSoftmaxParams(1.0, std::ldexp(1.0, -25)));
}

// gemmlowp's literal constants are the rounded real values.
TEST(TfliteSoftmax, ExpConstantsAreRoundedRealValues) {
  EXPECT_EQ(ref::Q31(std::exp(-0.125)), 1895147668);
  EXPECT_EQ(ref::Q31(1.0 / 3.0), 715827883);
  const int32_t barrel[] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int j = 0; j < 7; ++j) EXPECT_EQ(ref::Q31(std::exp(-std::ldexp(1.0, j - 2))), barrel[j]) << j;
  EXPECT_EQ(ref::Q2(48.0 / 17.0), 1515870810);
  EXPECT_EQ(ref::Q2(-32.0 / 17.0), -1010580540);
}

struct Emitted {
  int8_t format = -1;
  int32_t table_index = -1;
  std::vector<uint8_t> table;
};

Emitted EmitSoftmax(DType type, float in_scale, float out_scale, int32_t out_zp) {
  Graph g;
  Tensor in, out;
  in.name = "x";
  out.name = "y";
  in.dtype = out.dtype = type;
  in.shape = out.shape = {1, 10};
  if (type != DType::kFloat32) {
    in.quant = QuantParams{{in_scale}, {0}, -1};
    out.quant = QuantParams{{out_scale}, {out_zp}, -1};
  }
  g.tensors = {in, out};
  Node n;
  n.name = "softmax";
  n.op = "Softmax";
  n.inputs = {0};
  n.outputs = {1};
  n.attrs["beta"].f = 1.0f;
  Emitted e;
  flatbuffers::FlatBufferBuilder fbb;
  const BuiltOp op = BuildOp(fbb, g, n, [&e](std::vector<uint8_t> bytes) {
    e.table = std::move(bytes);
    return 3;
  });
  EXPECT_EQ(op.options_type, schema::OpOptions::SoftmaxOptions);
  fbb.Finish(flatbuffers::Offset<schema::SoftmaxOptions>(op.options.o));
  const auto* options = flatbuffers::GetRoot<schema::SoftmaxOptions>(fbb.GetBufferPointer());
  e.format = options->exp_format();
  e.table_index = options->exp_table();
  return e;
}

TEST(TfliteSoftmax, BuildOpEmitsFormatOneForInt8) {
  const Emitted e = EmitSoftmax(DType::kInt8, 0.1f, 1.0f / 256, -128);
  EXPECT_EQ(e.format, 1);
  EXPECT_EQ(e.table_index, 3);
  const auto want = ref::ExpTable(ref::ParamsFor(1.0, 0.1f));
  ASSERT_EQ(e.table.size(), 256u * 4);
  for (size_t k = 0; k < 256; ++k) {
    int32_t v = 0;
    std::memcpy(&v, e.table.data() + 4 * k, 4);
    EXPECT_EQ(v, want[k]) << k;
  }
  const Emitted int16 = EmitSoftmax(DType::kInt16, 0.001f, 1.0f / 32768, 0);
  EXPECT_EQ(int16.format, 0);
  EXPECT_EQ(int16.table.size(), 513u * 4);
  const Emitted f32 = EmitSoftmax(DType::kFloat32, 0, 0, 0);
  EXPECT_EQ(f32.format, 0);
  EXPECT_EQ(f32.table_index, -1);
  // A scale TFLite refuses is a conversion error, not a silent fallback.
  EXPECT_THROW(EmitSoftmax(DType::kInt8, 1e-9f, 1.0f / 256, -128), ConvertError);
}

}  // namespace
}  // namespace mote::modelc
