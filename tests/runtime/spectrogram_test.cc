// Spectrogram and Dct: the fixed-point log2, the integer and float kernels
// against a float64 DFT reference, the glue through the interpreter, and
// hostile geometries and tables refused at load.
#include "kernels/reference/spectrogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "kernels/reference/dct.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::Bytes;

TEST(SpectrogramLog2, WithinTwoToMinus18) {
  std::mt19937_64 rng(5);
  double worst = 0;
  for (int i = 0; i < 200000; ++i) {
    const uint64_t v = (rng() >> (rng() % 64)) | 1;
    const double got = reference::Log2Q24(v) / 16777216.0;
    worst = std::max(worst, std::fabs(got - std::log2(static_cast<double>(v))));
  }
  for (uint64_t v : {uint64_t{1}, uint64_t{2}, uint64_t{3}, UINT64_MAX}) {
    worst = std::max(
        worst, std::fabs(reference::Log2Q24(v) / 16777216.0 - std::log2(static_cast<double>(v))));
  }
  EXPECT_LT(worst, 1.0 / 262144.0);
}

// A spectrogram geometry with hann window and triangular bands.
struct Geometry {
  int32_t samples = 1000, n_fft = 128, hop = 50, pad = 0, bands = 12;
  bool mel_time = false;
  reference::SpectrumKind spectrum = reference::SpectrumKind::kPower;
  int32_t frames() const { return 1 + (samples + 2 * pad - n_fft) / hop; }
  std::vector<double> window, twiddle, weight;
  std::vector<int32_t> start, length;

  void Build() {
    window.clear();
    twiddle.clear();
    weight.clear();
    start.clear();
    length.clear();
    for (int j = 0; j < n_fft; ++j) window.push_back(0.5 - 0.5 * std::cos(2 * M_PI * j / n_fft));
    for (int k = 0; k < n_fft / 2; ++k) {
      twiddle.push_back(std::cos(2 * M_PI * k / n_fft));
      twiddle.push_back(-std::sin(2 * M_PI * k / n_fft));
    }
    const int bins = n_fft / 2 + 1, width = 2 * bins / (bands + 1);
    for (int b = 0; b < bands; ++b) {
      const int first = b * (bins - width) / std::max(1, bands - 1);
      start.push_back(first);
      length.push_back(width);
      for (int k = 0; k < width; ++k) weight.push_back(1.0 - std::fabs(k - width / 2.0) / width);
    }
  }
  reference::SpectrogramShape Shape() const {
    return {samples,  n_fft,    hop,
            frames(), pad,      bands,
            mel_time, spectrum, reference::LogKind::kNatural};
  }
};

int MinimalInputShift(int32_t n_fft) {
  int log2n = 0;
  while ((1 << log2n) < n_fft) ++log2n;
  const std::vector<uint8_t> zeros(static_cast<size_t>(log2n), 0);
  int shift = 0;
  while (reference::SpectrogramFftBound(n_fft, shift, zeros) < 0) ++shift;
  return shift;
}

std::vector<int32_t> Q30(const std::vector<double>& v) {
  std::vector<int32_t> q;
  for (double x : v) q.push_back(static_cast<int32_t>(std::llround(std::ldexp(x, 30))));
  return q;
}

// ln of each band's weighted power, [frames, bands], in float64.
std::vector<double> Reference(const Geometry& g, const std::vector<int16_t>& x,
                              const std::vector<double>& weights) {
  std::vector<double> out;
  for (int f = 0; f < g.frames(); ++f) {
    std::vector<double> p(static_cast<size_t>(g.n_fft / 2 + 1));
    for (int k = 0; k <= g.n_fft / 2; ++k) {
      std::complex<double> acc = 0;
      for (int j = 0; j < g.n_fft; ++j) {
        int i = f * g.hop - g.pad + j;
        i = i < 0 ? -i : i >= g.samples ? 2 * (g.samples - 1) - i : i;
        acc += x[i] / 32768.0 * g.window[j] * std::polar(1.0, -2 * M_PI * k * j / g.n_fft);
      }
      p[k] = g.spectrum == reference::SpectrumKind::kPower ? std::norm(acc) : std::abs(acc);
    }
    size_t w = 0;
    for (int b = 0; b < g.bands; ++b) {
      double acc = 0;
      for (int k = g.start[b]; k < g.start[b] + g.length[b]; ++k) acc += p[k] * weights[w++];
      out.push_back(std::log(acc + 1e-9));
    }
  }
  return out;
}

std::vector<int16_t> Audio(std::mt19937& rng, int32_t n) {
  std::normal_distribution<double> noise(0, 300);
  std::vector<int16_t> x;
  for (int i = 0; i < n; ++i) {
    const double v =
        9000 * std::sin(0.07 * i) + 3000 * std::sin(0.9 * i + 0.01 * i * i / n) + noise(rng);
    x.push_back(static_cast<int16_t>(std::clamp(std::lround(v), -32768L, 32767L)));
  }
  return x;
}

struct QuantTables {
  std::vector<int32_t> window, twiddle, multiplier;
  std::vector<int64_t> offset;
  std::vector<uint8_t> stages;
  std::vector<uint16_t> weight;
  std::vector<double> weight_real;  // what the Q15 weights are
  int input_shift = 0, out_shift = 0;
  uint64_t log_offset = 0;
  int32_t floor_q24 = 0;
  reference::SpectrogramTablesQ View(const Geometry& g) const {
    return {window,     twiddle,   input_shift, stages,     g.start, g.length, weight,
            log_offset, floor_q24, 0,           multiplier, offset,  out_shift};
  }
};

// Output: ln(band sum + 1e-9) in Q16, int32.
QuantTables Quantized(const Geometry& g) {
  QuantTables q;
  q.window = Q30(g.window);
  q.twiddle = Q30(g.twiddle);
  q.input_shift = MinimalInputShift(g.n_fft);
  int stages = 0;
  while ((1 << stages) < g.n_fft) ++stages;
  q.stages.assign(static_cast<size_t>(stages), 0);
  for (double w : g.weight) {
    q.weight.push_back(static_cast<uint16_t>(std::llround(w * 32768)));
    q.weight_real.push_back(q.weight.back() / 32768.0);
  }
  const double amplitude = std::ldexp(1.0, q.input_shift - 45);
  const double unit =
      g.spectrum == reference::SpectrumKind::kPower ? amplitude * amplitude : amplitude;
  q.log_offset = static_cast<uint64_t>(std::llround(1e-9 / unit));
  q.floor_q24 = static_cast<int32_t>(std::llround(std::ldexp(std::log2(1e-9 / unit), 24)));
  // y = ln(v * unit) * 2^16 = (l2 / 2^24 + log2 unit) * ln 2 * 2^16.
  q.out_shift = 30;
  q.multiplier.assign(
      static_cast<size_t>(g.bands),
      static_cast<int32_t>(std::llround(std::log(2.0) * std::ldexp(1.0, 16 - 24 + 30))));
  q.offset.assign(static_cast<size_t>(g.bands),
                  std::llround(std::log2(unit) * std::log(2.0) * std::ldexp(1.0, 16 + 30)));
  return q;
}

double SnrDb(const std::vector<double>& want, const std::vector<double>& got) {
  double s = 0, e = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    s += want[i] * want[i];
    e += (got[i] - want[i]) * (got[i] - want[i]);
  }
  return 10 * std::log10(s / std::max(e, 1e-300));
}

TEST(SpectrogramKernel, IntegerAndFloatMatchFloat64Dft) {
  std::mt19937 rng(11);
  for (int n_fft : {4, 16, 128, 512, 2048}) {
    for (auto spectrum : {reference::SpectrumKind::kPower, reference::SpectrumKind::kMagnitude}) {
      Geometry g;
      g.n_fft = n_fft;
      g.samples = 3 * n_fft + 17;
      g.hop = n_fft / 2 + 3;
      g.pad = n_fft / 2;
      g.bands = std::min(12, n_fft / 4 + 1);
      g.spectrum = spectrum;
      g.Build();
      const std::vector<int16_t> x = Audio(rng, g.samples);
      const QuantTables q = Quantized(g);
      const auto shape = g.Shape();
      std::vector<int32_t> scratch(reference::SpectrogramScratchBytes(shape, false) / 4);
      std::vector<int32_t> out(static_cast<size_t>(g.frames() * g.bands));
      reference::SpectrogramInt16(shape, q.View(g), x.data(), scratch.data(), out.data());
      const std::vector<double> want = Reference(g, x, q.weight_real);
      std::vector<double> got;
      for (int32_t v : out) got.push_back(v / 65536.0);
      const double snr = SnrDb(want, got);
      EXPECT_GT(snr, 70.0) << "n_fft " << n_fft << " int16, SNR " << snr;

      std::vector<float> xf, wf(g.window.begin(), g.window.end()),
          tf(g.twiddle.begin(), g.twiddle.end());
      for (int16_t v : x) xf.push_back(v / 32768.0f);
      std::vector<float> weight(q.weight_real.begin(), q.weight_real.end());
      std::vector<float> ones(static_cast<size_t>(g.bands), 1.0f),
          zeros(static_cast<size_t>(g.bands), 0.0f);
      const reference::SpectrogramTablesF tables = {wf,    tf,   g.start, g.length, weight,
                                                    1e-9f, 0.0f, 0.0f,    ones,     zeros};
      std::vector<float> fscratch(scratch.size()), fout(out.size());
      reference::SpectrogramFloat(shape, tables, xf.data(), fscratch.data(), fout.data());
      const double fsnr = SnrDb(want, std::vector<double>(fout.begin(), fout.end()));
      EXPECT_GT(fsnr, 90.0) << "n_fft " << n_fft << " float32, SNR " << fsnr;
    }
  }
}

// One Spectrogram op: int16 [1, samples] -> int32 [frames, bands].
struct SpectrogramModel {
  Geometry g;
  QuantTables q;
  int32_t n_fft_override = 0, frames_override = 0, pad_override = -1;
  uint32_t scratch = 0;  // 0: what the kernel needs
  std::vector<int32_t> out_shape;
  schema::LogKind log = schema::LogKind::Natural;

  SpectrogramModel() {
    g.Build();
    q = Quantized(g);
    out_shape = {g.frames(), g.bands};
  }

  testing::ModelSpec Spec() const {
    const SpectrogramModel m = *this;
    testing::ModelSpec spec = testing::OneOp(
        schema::OpCode::Spectrogram, schema::OpOptions::SpectrogramOptions,
        {{"x", ElementType::Int16, {1, g.samples}, {1.0f / 32768}, {0}, -1, -1, 0, {}},
         {"y", ElementType::Int32, out_shape, {1.0f / 65536}, {0}, -1, -1, 0, {}}},
        {0}, {1}, [m](flatbuffers::FlatBufferBuilder& fbb) {
          const auto window = fbb.CreateVector(m.q.window);
          const auto twiddle = fbb.CreateVector(m.q.twiddle);
          const auto stages = fbb.CreateVector(m.q.stages);
          const auto start = fbb.CreateVector(m.g.start);
          const auto length = fbb.CreateVector(m.g.length);
          const auto weight = fbb.CreateVector(m.q.weight);
          const auto mult = fbb.CreateVector(m.q.multiplier);
          const auto offset = fbb.CreateVector(m.q.offset);
          schema::SpectrogramOptionsBuilder b(fbb);
          b.add_n_fft(m.n_fft_override ? m.n_fft_override : m.g.n_fft);
          b.add_hop(m.g.hop);
          b.add_frames(m.frames_override ? m.frames_override : m.g.frames());
          b.add_pad(m.pad_override >= 0 ? m.pad_override : m.g.pad);
          b.add_log(m.log);
          b.add_window_q30(window);
          b.add_twiddle_q30(twiddle);
          b.add_input_shift(m.q.input_shift);
          b.add_stage_shift(stages);
          b.add_band_start(start);
          b.add_band_length(length);
          b.add_weight_q15(weight);
          b.add_log_offset(m.q.log_offset);
          b.add_log_floor_q24(m.q.floor_q24);
          b.add_out_multiplier(mult);
          b.add_out_offset(offset);
          b.add_out_shift(m.q.out_shift);
          return b.Finish().Union();
        });
    spec.scratch_offset = (spec.arena_size + 15) / 16 * 16;
    spec.scratch_size =
        scratch ? scratch
                : static_cast<uint32_t>(reference::SpectrogramScratchBytes(g.Shape(), false));
    spec.arena_size = spec.scratch_offset + spec.scratch_size;
    return spec;
  }
};

Status LoadStatus(const testing::ModelSpec& spec) {
  const testing::Aligned a(testing::BuildMote(spec));
  return Model::Load({a.data(), a.size()}).status();
}

TEST(SpectrogramOp, GlueMatchesKernel) {
  std::mt19937 rng(2);
  const SpectrogramModel m;
  const std::vector<int16_t> x = Audio(rng, m.g.samples);
  const testing::RunResult r = testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<int32_t> scratch(reference::SpectrogramScratchBytes(m.g.Shape(), false) / 4);
  std::vector<int32_t> want(static_cast<size_t>(m.g.frames() * m.g.bands));
  reference::SpectrogramInt16(m.g.Shape(), m.q.View(m.g), x.data(), scratch.data(), want.data());
  EXPECT_EQ(r.outputs[0], Bytes(want));
}

TEST(SpectrogramOp, HostileGeometriesAreRefused) {
  EXPECT_EQ(LoadStatus(SpectrogramModel{}.Spec()), Status::kOk);
  const auto refused = [](const SpectrogramModel& m, const char* why) {
    EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << why;
  };
  SpectrogramModel m;
  m.n_fft_override = 96;
  refused(m, "n_fft not a power of two");
  m = SpectrogramModel{};
  m.n_fft_override = 8192;
  refused(m, "n_fft above 4096");
  m = SpectrogramModel{};
  m.frames_override = m.g.frames() + 1;
  m.out_shape = {m.g.frames() + 1, m.g.bands};
  refused(m, "frames past the input");
  m = SpectrogramModel{};
  m.pad_override = m.g.samples;
  refused(m, "reflect padding as long as the input");
  m = SpectrogramModel{};
  m.g.start[3] = m.g.n_fft / 2;
  refused(m, "band past the bins");
  m = SpectrogramModel{};
  m.g.length[0] += 1;
  refused(m, "weights fewer than the band lengths");
  m = SpectrogramModel{};
  m.q.weight[2] = 40000;
  refused(m, "weight above one");
  m = SpectrogramModel{};
  m.q.input_shift -= 1;
  refused(m, "FFT could overflow");
  m = SpectrogramModel{};
  m.q.stages.pop_back();
  refused(m, "stage shifts missing");
  m = SpectrogramModel{};
  m.q.window.pop_back();
  refused(m, "short window");
  m = SpectrogramModel{};
  m.q.twiddle[5] = (1 << 30) + 1;
  refused(m, "twiddle above one");
  m = SpectrogramModel{};
  m.q.twiddle[4] = m.q.twiddle[5] = 1 << 30;  // each part in range, |w| = sqrt(2)
  refused(m, "twiddle magnitude above one");
  m = SpectrogramModel{};
  m.scratch = 64;
  refused(m, "scratch too small");
  m = SpectrogramModel{};
  m.q.out_shift = 63;
  refused(m, "output shift out of range");
  m = SpectrogramModel{};
  m.q.offset[0] = int64_t{1} << 62;
  refused(m, "output offset beyond 2^61");
  m = SpectrogramModel{};
  m.q.multiplier.pop_back();
  refused(m, "multiplier per band missing");
  m = SpectrogramModel{};
  m.out_shape = {m.g.bands, m.g.frames()};
  refused(m, "output layout differs from mel_time");
  m = SpectrogramModel{};
  m.log = schema::LogKind::None;
  refused(m, "integer spectrogram without a log");
}

// One Dct op: int32 [frames, n_in] -> int16 [frames, n_out].
struct DctModel {
  int32_t frames = 3, n_in = 8, n_out = 5, pre_shift = 4, out_shift = 20;
  std::vector<int16_t> matrix;
  std::vector<int32_t> multiplier;
  std::vector<int64_t> offset;
  std::vector<int32_t> out_shape;
  DctModel() {
    for (int k = 0; k < n_out * n_in; ++k)
      matrix.push_back(static_cast<int16_t>((k * 7919) % 60000 - 30000));
    multiplier.assign(static_cast<size_t>(n_out), 1 << 20);
    offset.assign(static_cast<size_t>(n_out), 12345);
    out_shape = {frames, n_out};
  }
  // int32 tensors are never model inputs: x is a constant.
  std::vector<int32_t> Input() const {
    std::vector<int32_t> x;
    for (int i = 0; i < frames * n_in; ++i) x.push_back((i * 104729) % 2000000 - 1000000);
    return x;
  }
  testing::ModelSpec Spec() const {
    const DctModel m = *this;
    testing::ModelSpec spec = testing::OneOp(
        schema::OpCode::Dct, schema::OpOptions::DctOptions,
        {{"x", ElementType::Int32, {frames, n_in}, {1.0f / 65536}, {0}, -1, 0, 0, {}},
         {"y", ElementType::Int16, out_shape, {0.01f}, {0}, -1, -1, 0, {}},
         {"unused", ElementType::Int8, {1}, {1.0f}, {0}, -1, -1, 0, {}}},
        {0}, {1}, [m](flatbuffers::FlatBufferBuilder& fbb) {
          const auto matrix = fbb.CreateVector(m.matrix);
          const auto mult = fbb.CreateVector(m.multiplier);
          const auto offset = fbb.CreateVector(m.offset);
          schema::DctOptionsBuilder b(fbb);
          b.add_n_in(m.n_in);
          b.add_n_out(m.n_out);
          b.add_matrix_q(matrix);
          b.add_pre_shift(m.pre_shift);
          b.add_out_multiplier(mult);
          b.add_out_offset(offset);
          b.add_out_shift(m.out_shift);
          return b.Finish().Union();
        });
    spec.buffers = {Bytes(Input())};
    spec.inputs = {2};  // a model needs an input; the op reads the constant
    testing::PlanArena(spec);
    return spec;
  }
};

TEST(DctOp, GlueMatchesExactProducts) {
  const DctModel m;
  const std::vector<int32_t> x = m.Input();
  const testing::RunResult r = testing::RunMote(testing::BuildMote(m.Spec()), {{0}});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<int16_t> want;
  for (int f = 0; f < m.frames; ++f) {
    for (int k = 0; k < m.n_out; ++k) {
      int64_t acc = 0;
      for (int i = 0; i < m.n_in; ++i) acc += int64_t{m.matrix[k * m.n_in + i]} * x[f * m.n_in + i];
      const double v = std::floor(acc / 16.0 + 0.5);
      const double y = std::floor((v * m.multiplier[k] + m.offset[k]) / std::ldexp(1.0, 20) + 0.5);
      want.push_back(static_cast<int16_t>(std::clamp(y, -32768.0, 32767.0)));
    }
  }
  EXPECT_EQ(r.outputs[0], Bytes(want));
}

TEST(DctOp, HostileTablesAreRefused) {
  EXPECT_EQ(LoadStatus(DctModel{}.Spec()), Status::kOk);
  const auto refused = [](const DctModel& m, const char* why) {
    EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << why;
  };
  DctModel m;
  m.matrix.pop_back();
  refused(m, "matrix too small");
  m = DctModel{};
  m.matrix[0] = INT16_MIN;
  refused(m, "coefficient -32768");
  m = DctModel{};
  m.pre_shift = 63;
  refused(m, "pre shift out of range");
  m = DctModel{};
  m.offset[1] = int64_t{1} << 62;
  refused(m, "offset beyond 2^61");
  m = DctModel{};
  m.out_shape = {m.frames, m.n_out + 1};
  refused(m, "output shape");
  m = DctModel{};
  m.multiplier.pop_back();
  refused(m, "multiplier missing");
}

}  // namespace
}  // namespace mote
