// The requantization multipliers modelc writes for imported TFLite models,
// against the formulas of TFLite (Micro)'s kernels, computed here again from
// the scales the .mote file carries: a per-tensor FULLY_CONNECTED multiplies
// input and filter scale in float32 (GetQuantizedConvolutionMultipler), every
// convolution and per-channel layer in double
// (PopulateConvolutionQuantizationParams), ADD and MUL as their Prepare does.
// On the MLPerf Tiny models (../shared, when present) and on synthetic scales
// chosen so that the float32 and the double product round differently.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/files.h"
#include "convert.h"
#include "import/tflite_importer.h"
#include "mote/model.h"
#include "mote/schema/mote_generated.h"
#include "tflite_schema_generated.h"

namespace mote::modelc {
namespace {

namespace tfl = mote::tflite;

struct Q31 {
  int32_t multiplier = 0;
  int shift = 0;
  bool operator==(const Q31& o) const { return multiplier == o.multiplier && shift == o.shift; }
};

// TFLite's QuantizeMultiplier (quantization_util.cc), written out again.
Q31 TfliteQuantizeMultiplier(double m) {
  Q31 q;
  if (m == 0.0) return q;
  const double fraction = std::frexp(m, &q.shift);
  int64_t fixed = static_cast<int64_t>(std::round(fraction * static_cast<double>(int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++q.shift;
  }
  if (q.shift < -31) return Q31{};
  if (q.shift > 30) {
    q.shift = 30;
    fixed = (int64_t{1} << 31) - 1;
  }
  q.multiplier = static_cast<int32_t>(fixed);
  return q;
}

const schema::Tensor& TensorOf(const schema::Model& m, const schema::Operator& op, bool output, uint32_t k) {
  const int32_t index = (output ? op.outputs() : op.inputs())->Get(k);
  return *m.tensors()->Get(static_cast<uint32_t>(index));
}

float ScaleOf(const schema::Tensor& t, uint32_t c = 0) {
  const auto* s = t.quant()->scale();
  return s->size() == 1 ? s->Get(0) : s->Get(c);
}

// Every multiplier of a converted model against TFLite's formulas; returns
// how many it compared.
int CheckMultipliers(const std::vector<uint8_t>& bytes, const std::string& what) {
  const tools::AlignedBuffer buffer(std::string(bytes.begin(), bytes.end()));
  const Result<mote::Model> loaded = mote::Model::Load({buffer.data(), buffer.size()});
  EXPECT_TRUE(loaded.ok()) << what;
  if (!loaded.ok()) return 0;
  const schema::Model& m = loaded.value().schema();
  int compared = 0;
  for (const schema::Operator* op : *m.operators()) {
    const std::string name = what + " op '" + (op->name() ? op->name()->str() : "") + "'";
    const schema::Tensor& in = TensorOf(m, *op, false, 0);
    if (in.type() != schema::ElementType::Int8) continue;
    const schema::Tensor& out = TensorOf(m, *op, true, 0);
    const flatbuffers::Vector<int32_t>* mult = nullptr;
    const flatbuffers::Vector<int8_t>* shift = nullptr;
    bool float_product = false;
    if (const auto* o = op->options_as_FullyConnectedOptions()) {
      mult = o->output_multiplier();
      shift = o->output_shift();
      float_product = TensorOf(m, *op, false, 1).quant()->scale()->size() == 1;
    } else if (const auto* c = op->options_as_Conv2DOptions()) {
      mult = c->output_multiplier();
      shift = c->output_shift();
    } else if (const auto* d = op->options_as_DepthwiseConv2DOptions()) {
      mult = d->output_multiplier();
      shift = d->output_shift();
    }
    if (mult != nullptr) {
      const schema::Tensor& w = TensorOf(m, *op, false, 1);
      for (uint32_t c = 0; c < mult->size(); ++c) {
        const double product = float_product ? static_cast<double>(ScaleOf(in) * ScaleOf(w, c))
                                             : static_cast<double>(ScaleOf(in)) * static_cast<double>(ScaleOf(w, c));
        const Q31 want = TfliteQuantizeMultiplier(product / static_cast<double>(ScaleOf(out)));
        EXPECT_EQ(mult->Get(c), want.multiplier) << name << " channel " << c;
        EXPECT_EQ(shift->Get(c), want.shift) << name << " channel " << c;
        ++compared;
      }
    }
    if (const auto* a = op->options_as_AddOptions()) {
      // tensorflow/lite/micro/kernels/add_common.cc, CalculateOpDataAdd.
      const double s1 = ScaleOf(in), s2 = ScaleOf(TensorOf(m, *op, false, 1));
      const double twice_max = 2.0 * std::max(s1, s2);
      const Q31 m1 = TfliteQuantizeMultiplier(s1 / twice_max);
      const Q31 m2 = TfliteQuantizeMultiplier(s2 / twice_max);
      const Q31 mo =
          TfliteQuantizeMultiplier(twice_max / (static_cast<double>(1 << a->left_shift()) * ScaleOf(out)));
      EXPECT_EQ(a->left_shift(), 20) << name;
      EXPECT_TRUE((Q31{a->input1_multiplier(), a->input1_shift()} == m1)) << name;
      EXPECT_TRUE((Q31{a->input2_multiplier(), a->input2_shift()} == m2)) << name;
      EXPECT_TRUE((Q31{a->output_multiplier(), a->output_shift()} == mo)) << name;
      compared += 3;
    }
    if (const auto* u = op->options_as_MulOptions()) {
      // mul_common.cc: double(s1) * double(s2) / double(s_out).
      const double real = static_cast<double>(ScaleOf(in)) * ScaleOf(TensorOf(m, *op, false, 1)) / ScaleOf(out);
      EXPECT_TRUE((Q31{u->output_multiplier(), u->output_shift()} == TfliteQuantizeMultiplier(real))) << name;
      ++compared;
    }
  }
  return compared;
}

std::vector<uint8_t> ConvertTflite(const std::string& bytes, const std::string& what) {
  ModelInfo info;
  info.name = "multipliers";
  info.producer = "test";
  return Compile(ImportTfliteBytes(bytes, what), Precision::kInt8, {}, info, 0).emitted.bytes;
}

TEST(TfliteMultipliers, MlperfTinyModelsUseTflitesFormulas) {
  const std::filesystem::path dir = std::filesystem::path(MOTE_SOURCE_DIR) / ".." / "shared" / "models" / "mlperf-tiny";
  const char* files[] = {"anomaly_detection/ad01_int8.tflite", "keyword_spotting/kws_ref_model.tflite",
                         "image_classification/pretrainedResnet_quant.tflite", "visual_wake_words/vww_96_int8.tflite"};
  int models = 0;
  for (const char* f : files) {
    const std::filesystem::path path = dir / f;
    if (!std::filesystem::exists(path)) continue;
    ++models;
    const int compared = CheckMultipliers(ConvertTflite(tools::ReadFile(path.string()), f), f);
    EXPECT_GT(compared, 0) << f;
  }
  if (models == 0) GTEST_SKIP() << dir << " not found";
}

// A per-tensor int8 FULLY_CONNECTED x [1,4] -> y [1,3] with the given scales.
std::string FullyConnectedModel(float in_scale, float w_scale, float out_scale) {
  flatbuffers::FlatBufferBuilder fbb;
  const std::vector<int32_t> xs = {1, 4}, ws = {3, 4}, bs = {3}, ys = {1, 3};
  std::vector<uint8_t> w(12), b(12, 0);
  for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(k * 37 % 251) - 125));
  const std::vector<flatbuffers::Offset<tfl::Buffer>> buffers = {
      tfl::CreateBufferDirect(fbb), tfl::CreateBufferDirect(fbb, &w), tfl::CreateBufferDirect(fbb, &b)};
  auto quant = [&](float s) {
    const std::vector<float> scale = {s};
    const std::vector<int64_t> zero = {0};
    return tfl::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &scale, &zero);
  };
  const std::vector<flatbuffers::Offset<tfl::Tensor>> tensors = {
      tfl::CreateTensorDirect(fbb, &xs, tfl::TensorType::INT8, 0, "x", quant(in_scale)),
      tfl::CreateTensorDirect(fbb, &ws, tfl::TensorType::INT8, 1, "w", quant(w_scale)),
      tfl::CreateTensorDirect(fbb, &bs, tfl::TensorType::INT32, 2, "b", quant(in_scale * w_scale)),
      tfl::CreateTensorDirect(fbb, &ys, tfl::TensorType::INT8, 0, "y", quant(out_scale))};
  constexpr int32_t kFullyConnected = 9;
  const std::vector<flatbuffers::Offset<tfl::OperatorCode>> codes = {
      tfl::CreateOperatorCode(fbb, kFullyConnected, 0, 1, kFullyConnected)};
  const std::vector<int32_t> op_in = {0, 1, 2}, op_out = {3}, inputs = {0}, outputs = {3};
  const std::vector<flatbuffers::Offset<tfl::Operator>> ops = {tfl::CreateOperatorDirect(fbb, 0, &op_in, &op_out)};
  const std::vector<flatbuffers::Offset<tfl::SubGraph>> subgraphs = {
      tfl::CreateSubGraphDirect(fbb, &tensors, &inputs, &outputs, &ops, "main")};
  tfl::FinishModelBuffer(fbb, tfl::CreateModelDirect(fbb, 3, &codes, &subgraphs, "fc", &buffers));
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

// Scales where rounding the product to float32 first changes the Q31
// multiplier: the case that made MLPerf's AD model differ from TFLite in one
// output element.
TEST(TfliteMultipliers, PerTensorFullyConnectedMultipliesScalesInFloat) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
  int differing = 0;
  for (int trial = 0; trial < 20000 && differing < 8; ++trial) {
    const float si = std::ldexp(mantissa(rng), -7), sw = std::ldexp(mantissa(rng), -9),
                so = std::ldexp(mantissa(rng), -6);
    const Q31 in_float = TfliteQuantizeMultiplier(static_cast<double>(si * sw) / so);
    const Q31 in_double = TfliteQuantizeMultiplier(static_cast<double>(si) * sw / so);
    if (in_float == in_double) continue;
    ++differing;
    const std::vector<uint8_t> bytes = ConvertTflite(FullyConnectedModel(si, sw, so), "fc.tflite");
    EXPECT_EQ(CheckMultipliers(bytes, "fc.tflite"), 3);
  }
  EXPECT_EQ(differing, 8) << "too few scale triples where the two products round apart";
}

}  // namespace
}  // namespace mote::modelc
