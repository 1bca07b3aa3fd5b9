// Resize: nearest copies and linear interpolation against a double
// reference on random tables, the glue through the interpreter, and hostile
// tables refused at load.
#include "kernels/reference/resize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::Bytes;

struct Tables {
  reference::ResizeShape shape;
  std::vector<int32_t> y_index, x_index;
  std::vector<uint16_t> y_fraction, x_fraction;
  std::vector<float> y_weight, x_weight;
};

Tables RandomTables(std::mt19937& rng, bool linear) {
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Tables t;
  t.shape = {r(1, 2), r(1, 5), r(1, 5), r(1, 9), r(1, 9), r(1, 4)};
  const int per = linear ? 2 : 1;
  for (int k = 0; k < t.shape.out_h * per; ++k) t.y_index.push_back(r(0, t.shape.in_h - 1));
  for (int k = 0; k < t.shape.out_w * per; ++k) t.x_index.push_back(r(0, t.shape.in_w - 1));
  for (int k = 0; k < t.shape.out_h; ++k) {
    t.y_fraction.push_back(static_cast<uint16_t>(r(0, 3) == 0 ? r(0, 1) * 32768 : r(0, 32768)));
    t.y_weight.push_back(t.y_fraction.back() / 32768.0f);
  }
  for (int k = 0; k < t.shape.out_w; ++k) {
    t.x_fraction.push_back(static_cast<uint16_t>(r(0, 3) == 0 ? r(0, 1) * 32768 : r(0, 32768)));
    t.x_weight.push_back(t.x_fraction.back() / 32768.0f);
  }
  return t;
}

size_t InSize(const reference::ResizeShape& s) {
  return static_cast<size_t>(s.batches) * s.in_h * s.in_w * s.channels;
}
size_t OutSize(const reference::ResizeShape& s) {
  return static_cast<size_t>(s.batches) * s.out_h * s.out_w * s.channels;
}

// Bilinear in double with weights f / 2^15: x first, then y.
std::vector<double> Interpolate(const Tables& t, const std::vector<double>& in) {
  const auto& s = t.shape;
  std::vector<double> out;
  for (int b = 0; b < s.batches; ++b)
    for (int oy = 0; oy < s.out_h; ++oy)
      for (int ox = 0; ox < s.out_w; ++ox)
        for (int c = 0; c < s.channels; ++c) {
          auto at = [&](int y, int x) {
            return in[((static_cast<size_t>(b) * s.in_h + y) * s.in_w + x) * s.channels + c];
          };
          const double wx = t.x_fraction[ox] / 32768.0, wy = t.y_fraction[oy] / 32768.0;
          auto row = [&](int y) {
            return at(y, t.x_index[2 * ox]) * (1 - wx) + at(y, t.x_index[2 * ox + 1]) * wx;
          };
          out.push_back(row(t.y_index[2 * oy]) * (1 - wy) + row(t.y_index[2 * oy + 1]) * wy);
        }
  return out;
}

TEST(ResizeKernel, NearestCopiesTheIndexedPixel) {
  std::mt19937 rng(3);
  for (int iter = 0; iter < 200; ++iter) {
    const Tables t = RandomTables(rng, false);
    const auto& s = t.shape;
    std::vector<int16_t> in(InSize(s)), out(OutSize(s));
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int16_t>(i * 7919);
    reference::ResizeNearest(s, 2, t.y_index, t.x_index,
                             reinterpret_cast<const uint8_t*>(in.data()),
                             reinterpret_cast<uint8_t*>(out.data()));
    size_t k = 0;
    for (int b = 0; b < s.batches; ++b)
      for (int oy = 0; oy < s.out_h; ++oy)
        for (int ox = 0; ox < s.out_w; ++ox)
          for (int c = 0; c < s.channels; ++c, ++k) {
            ASSERT_EQ(
                out[k],
                in[((static_cast<size_t>(b) * s.in_h + t.y_index[oy]) * s.in_w + t.x_index[ox]) *
                       s.channels +
                   c]);
          }
  }
}

// The integer result is the exact weighted mean rounded half up.
template <typename T>
void ExpectLinearExact(int lo, int hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(lo, hi);
  for (int iter = 0; iter < 300; ++iter) {
    const Tables t = RandomTables(rng, true);
    std::vector<T> in(InSize(t.shape)), out(OutSize(t.shape));
    std::vector<double> x(in.size());
    for (size_t i = 0; i < in.size(); ++i)
      x[i] = in[i] = static_cast<T>(iter % 5 == 0 ? (i % 2 ? hi : lo) : value(rng));
    if constexpr (sizeof(T) == 1) {
      reference::ResizeLinearInt8(t.shape, t.y_index, t.x_index, t.y_fraction, t.x_fraction,
                                  in.data(), out.data());
    } else {
      reference::ResizeLinearInt16(t.shape, t.y_index, t.x_index, t.y_fraction, t.x_fraction,
                                   in.data(), out.data());
    }
    const std::vector<double> want = Interpolate(t, x);
    for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], std::floor(want[i] + 0.5)) << iter;
  }
}

TEST(ResizeKernel, LinearInt8IsTheRoundedMean) { ExpectLinearExact<int8_t>(-128, 127, 4); }
TEST(ResizeKernel, LinearInt16IsTheRoundedMean) { ExpectLinearExact<int16_t>(-32768, 32767, 5); }

TEST(ResizeKernel, LinearFloatMatchesDouble) {
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> u(-3.0f, 3.0f);
  for (int iter = 0; iter < 300; ++iter) {
    const Tables t = RandomTables(rng, true);
    std::vector<float> in(InSize(t.shape)), out(OutSize(t.shape));
    for (auto& v : in) v = u(rng);
    reference::ResizeLinearFloat(t.shape, t.y_index, t.x_index, t.y_weight, t.x_weight, in.data(),
                                 out.data());
    const std::vector<double> want = Interpolate(t, std::vector<double>(in.begin(), in.end()));
    for (size_t i = 0; i < out.size(); ++i) ASSERT_NEAR(out[i], want[i], 1e-5);
  }
}

// Options of a Resize model; each vector may be edited to make it hostile.
struct ResizeModel {
  ElementType type = ElementType::Int8;
  schema::ResizeMode mode = schema::ResizeMode::Linear;
  std::vector<int32_t> in_shape = {1, 2, 3, 2}, out_shape = {1, 4, 5, 2};
  std::vector<int32_t> y_index = {0, 1, 0, 1, 1, 1, 1, 1}, x_index = {0, 1, 0, 1, 1, 2, 1, 2, 2, 2};
  std::vector<uint16_t> y_fraction = {0, 16384, 0, 32768}, x_fraction = {0, 20000, 0, 8192, 0};
  std::vector<float> y_weight = {0.0f, 0.5f, 0.0f, 1.0f},
                     x_weight = {0.0f, 0.6f, 0.0f, 0.25f, 0.0f};
  float out_scale = 0.5f;

  testing::ModelSpec Spec() const {
    const bool q = type != ElementType::Float32;
    const std::vector<float> s = q ? std::vector<float>{0.5f} : std::vector<float>{};
    const std::vector<float> so = q ? std::vector<float>{out_scale} : std::vector<float>{};
    const std::vector<int32_t> z = q ? std::vector<int32_t>{0} : std::vector<int32_t>{};
    const ResizeModel m = *this;
    return testing::OneOp(
        schema::OpCode::Resize, schema::OpOptions::ResizeOptions,
        {{"x", type, in_shape, s, z, -1, -1, 0, {}}, {"y", type, out_shape, so, z, -1, -1, 0, {}}},
        {0}, {1}, [m, q](flatbuffers::FlatBufferBuilder& fbb) {
          const bool lin = m.mode != schema::ResizeMode::Nearest;
          return schema::CreateResizeOptions(fbb, m.mode, fbb.CreateVector(m.y_index),
                                             fbb.CreateVector(m.x_index),
                                             lin && q ? fbb.CreateVector(m.y_fraction) : 0,
                                             lin && q ? fbb.CreateVector(m.x_fraction) : 0,
                                             lin && !q ? fbb.CreateVector(m.y_weight) : 0,
                                             lin && !q ? fbb.CreateVector(m.x_weight) : 0)
              .Union();
        });
  }
};

Status LoadStatus(const ResizeModel& m) {
  const testing::Aligned a(testing::BuildMote(m.Spec()));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(ResizeOp, GlueMatchesKernel) {
  for (ElementType type : {ElementType::Int8, ElementType::Int16, ElementType::Float32}) {
    ResizeModel m;
    m.type = type;
    const reference::ResizeShape s = {1, 2, 3, 4, 5, 2};
    std::vector<uint8_t> x(12 * (type == ElementType::Int8    ? 1
                                 : type == ElementType::Int16 ? 2
                                                              : 4));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 37 % 251);
    if (type == ElementType::Float32) {
      std::vector<float> f(12);
      for (size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(i) * 0.3f - 1.0f;
      x = Bytes(f);
    }
    const testing::RunResult r = testing::RunMote(testing::BuildMote(m.Spec()), {x});
    ASSERT_EQ(r.status, Status::kOk);
    std::vector<uint8_t> want(r.outputs[0].size());
    if (type == ElementType::Int8) {
      reference::ResizeLinearInt8(s, m.y_index, m.x_index, m.y_fraction, m.x_fraction,
                                  reinterpret_cast<const int8_t*>(x.data()),
                                  reinterpret_cast<int8_t*>(want.data()));
    } else if (type == ElementType::Int16) {
      reference::ResizeLinearInt16(s, m.y_index, m.x_index, m.y_fraction, m.x_fraction,
                                   reinterpret_cast<const int16_t*>(x.data()),
                                   reinterpret_cast<int16_t*>(want.data()));
    } else {
      reference::ResizeLinearFloat(s, m.y_index, m.x_index, m.y_weight, m.x_weight,
                                   reinterpret_cast<const float*>(x.data()),
                                   reinterpret_cast<float*>(want.data()));
    }
    EXPECT_EQ(r.outputs[0], want);
  }
}

TEST(ResizeOp, HostileTablesAreRefused) {
  EXPECT_EQ(LoadStatus(ResizeModel{}), Status::kOk);
  ResizeModel nearest;
  nearest.mode = schema::ResizeMode::Nearest;
  nearest.y_index = {0, 0, 1, 1};
  nearest.x_index = {0, 1, 1, 2, 2};
  EXPECT_EQ(LoadStatus(nearest), Status::kOk);
  ResizeModel f;
  f.type = ElementType::Float32;
  EXPECT_EQ(LoadStatus(f), Status::kOk);
  const auto refused = [](ResizeModel m, const char* why) {
    EXPECT_EQ(LoadStatus(m), Status::kCorruptFile) << why;
  };
  ResizeModel m;
  m.y_index[3] = 2;
  refused(m, "row index past the input");
  m = ResizeModel{};
  m.x_index[0] = -1;
  refused(m, "negative column index");
  m = ResizeModel{};
  m.x_index.pop_back();
  refused(m, "too few column indices");
  m = ResizeModel{};
  m.y_fraction[1] = 32769;
  refused(m, "weight above one");
  m = ResizeModel{};
  m.x_fraction.push_back(0);
  refused(m, "too many weights");
  m = f;
  m.y_weight[0] = std::nanf("");
  refused(m, "NaN weight");
  m = f;
  m.x_weight[1] = 1.5f;
  refused(m, "weight above one (float)");
  m = ResizeModel{};
  m.out_scale = 0.25f;
  refused(m, "output quantization differs");
  m = ResizeModel{};
  m.out_shape[3] = 3;
  refused(m, "channels differ");
  m = ResizeModel{};
  m.mode = static_cast<schema::ResizeMode>(7);
  refused(m, "unknown mode");
  m = nearest;
  m.y_index = {0, 0, 1, 1, 1, 1, 1, 1};
  refused(m, "nearest with linear's index count");
  m = ResizeModel{};
  m.in_shape = {2, 3, 2};
  refused(m, "rank 3");
}

}  // namespace
}  // namespace mote
