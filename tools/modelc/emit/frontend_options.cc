// SpectrogramOptions and DctOptions (mote.fbs) from the front-end's spec:
// the tables in Q30 / Q15 / int16 or float, the FFT's scaling and the
// fixed-point output mapping into each output tensor's quantization.
#include <algorithm>
#include <cmath>

#include "emit/op_options.h"
#include "frontend/audio_frontend.h"
#include "kernels/reference/spectrogram.h"
#include "quantize/fixed_point.h"

namespace mote::modelc {
namespace {

struct Affine {
  std::vector<int32_t> multiplier;
  std::vector<int64_t> offset;
  int shift = 0;
};

// y = round((x * m + o) / 2^shift) approximating x * m_real + o_real, with the
// largest shift keeping |m| < 2^31 and |o| <= 2^61.
Affine AffineFor(const std::vector<double>& m_real, const std::vector<double>& o_real) {
  Affine a;
  for (a.shift = 62; a.shift > 0; --a.shift) {
    bool fits = true;
    for (size_t k = 0; k < m_real.size(); ++k) {
      fits = fits && std::fabs(std::ldexp(m_real[k], a.shift)) < 2147483647.0 &&
             std::fabs(std::ldexp(o_real[k], a.shift)) < 0x1p61;
    }
    if (fits) break;
  }
  for (size_t k = 0; k < m_real.size(); ++k) {
    a.multiplier.push_back(static_cast<int32_t>(std::llround(std::ldexp(m_real[k], a.shift))));
    a.offset.push_back(static_cast<int64_t>(std::llround(std::ldexp(o_real[k], a.shift))));
  }
  return a;
}

std::vector<int32_t> Q30(const std::vector<double>& v) {
  std::vector<int32_t> q;
  for (double x : v) q.push_back(static_cast<int32_t>(std::llround(std::ldexp(x, 30))));
  return q;
}

std::vector<float> Floats(const std::vector<double>& v) { return {v.begin(), v.end()}; }

int Log2Of(int64_t v) {
  int k = 0;
  while ((int64_t{1} << k) < v) ++k;
  return k;
}

float ScaleOf(const Tensor& t) {
  if (!t.quant || t.quant->scale.empty())
    throw ConvertError("tensor '" + t.name + "' has no scale");
  return t.quant->scale[0];
}
int32_t ZeroOf(const Tensor& t) { return t.quant->zero_point.empty() ? 0 : t.quant->zero_point[0]; }

BuiltOp Spectrogram(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const FrontendSpec spec = ParseFrontend(n.attrs.at("spec").s);
  const FrontendTables t = TablesFor(spec, spec.samples);
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const bool mel_time = !spec.mfcc() && spec.mel_time();
  const auto spectrum =
      spec.power == 2 ? schema::SpectrumKind::Power : schema::SpectrumKind::Magnitude;
  const auto log = spec.decibel() ? schema::LogKind::Decibel : schema::LogKind::Natural;
  const auto starts = fbb.CreateVector(t.band_start);
  const auto lengths = fbb.CreateVector(t.band_length);
  const size_t bands = t.band_start.size();
  if (in.dtype == DType::kFloat32) {
    const auto window = fbb.CreateVector(Floats(t.window));
    const auto twiddle = fbb.CreateVector(Floats(t.twiddle));
    const auto weight = fbb.CreateVector(Floats(t.weight));
    std::vector<float> scales, biases;  // the dB factor, and mfcc's log-mels unnormalized
    for (size_t b = 0; b < bands; ++b) {
      const double mean = spec.mfcc() ? 0.0 : spec.MeanOf(static_cast<int64_t>(b));
      const double sd = spec.mfcc() ? 1.0 : spec.StdOf(static_cast<int64_t>(b));
      scales.push_back(static_cast<float>(spec.db_factor() / sd));
      biases.push_back(static_cast<float>(-mean / sd));
    }
    const auto scale = fbb.CreateVector(scales);
    const auto bias = fbb.CreateVector(biases);
    schema::SpectrogramOptionsBuilder b(fbb);
    b.add_n_fft(static_cast<int32_t>(spec.n_fft));
    b.add_hop(static_cast<int32_t>(spec.hop_length));
    b.add_frames(static_cast<int32_t>(t.frames));
    b.add_pad(static_cast<int32_t>(t.pad));
    b.add_spectrum(spectrum);
    b.add_log(log);
    b.add_mel_time(mel_time);
    b.add_band_start(starts);
    b.add_band_length(lengths);
    b.add_window(window);
    b.add_twiddle(twiddle);
    b.add_weight(weight);
    b.add_float_offset(spec.decibel() ? 0.0f : static_cast<float>(spec.log_offset));
    b.add_float_floor(spec.decibel() ? 1e-10f : 0.0f);
    b.add_float_top_db(spec.decibel() ? static_cast<float>(spec.top_db / spec.db_factor()) : 0.0f);
    b.add_out_scale(scale);
    b.add_out_bias(bias);
    return {schema::OpCode::Spectrogram, schema::OpOptions::SpectrogramOptions, b.Finish().Union()};
  }
  // The smallest input shift that keeps every FFT stage within 2^30 unscaled.
  const int stages = Log2Of(spec.n_fft);
  const std::vector<uint8_t> no_shifts(static_cast<size_t>(stages), 0);
  int input_shift = 0;
  while (reference::SpectrogramFftBound(static_cast<int32_t>(spec.n_fft), input_shift, no_shifts) <
         0) {
    ++input_shift;
  }
  const double amplitude = std::ldexp(1.0, input_shift - 45);  // real |X| per integer unit
  const double unit = spec.power == 2 ? amplitude * amplitude : amplitude;
  const double wmax = std::max(1e-30, *std::max_element(t.weight.begin(), t.weight.end()));
  std::vector<uint16_t> wq;
  for (double w : t.weight) {
    wq.push_back(
        static_cast<uint16_t>(std::clamp<int64_t>(std::llround(w / wmax * 32768.0), 0, 32768)));
  }
  const double s = unit * wmax;  // real band sum per integer unit
  // dB: max(x, amin = 1e-10) as AmplitudeToDB; ln: x + offset, whose
  // floor only binds when the offset is below one unit (then a zero sum).
  const double floor_real = spec.decibel() ? 1e-10 : spec.log_offset;
  const uint64_t log_offset =
      spec.decibel()
          ? 0
          : static_cast<uint64_t>(std::max(0.0, std::min(0x1p62, std::round(spec.log_offset / s))));
  const int32_t log_floor_q24 = static_cast<int32_t>(std::clamp(
      std::llround(std::ldexp(std::log2(floor_real / s), 24)), -0x7FFFFFFFLL, 0x7FFFFFFFLL));
  // L = c1 * log2(v * s) for the log's unit: ln, or dB (10 or 20 log10).
  const double c1 = spec.decibel() ? 10.0 * std::log10(2.0) * spec.db_factor() : std::log(2.0);
  const int32_t top_db_q24 =
      spec.decibel() && spec.top_db > 0
          ? static_cast<int32_t>(std::llround(std::ldexp(spec.top_db / c1, 24)))
          : 0;
  const double out_scale = ScaleOf(out);
  const double zp = ZeroOf(out);
  std::vector<double> m_real, o_real;  // with the per-feature normalization (logmel)
  for (size_t b = 0; b < bands; ++b) {
    const double mean = spec.mfcc() ? 0.0 : spec.MeanOf(static_cast<int64_t>(b));
    const double sd = spec.mfcc() ? 1.0 : spec.StdOf(static_cast<int64_t>(b));
    m_real.push_back(c1 / sd / out_scale / 16777216.0);
    o_real.push_back((c1 * std::log2(s) - mean) / sd / out_scale + zp);
  }
  const Affine a = AffineFor(m_real, o_real);
  const auto window = fbb.CreateVector(Q30(t.window));
  const auto twiddle = fbb.CreateVector(Q30(t.twiddle));
  const auto shifts = fbb.CreateVector(no_shifts);
  const auto weight = fbb.CreateVector(wq);
  const auto mult = fbb.CreateVector(a.multiplier);
  const auto offset = fbb.CreateVector(a.offset);
  schema::SpectrogramOptionsBuilder b(fbb);
  b.add_n_fft(static_cast<int32_t>(spec.n_fft));
  b.add_hop(static_cast<int32_t>(spec.hop_length));
  b.add_frames(static_cast<int32_t>(t.frames));
  b.add_pad(static_cast<int32_t>(t.pad));
  b.add_spectrum(spectrum);
  b.add_log(log);
  b.add_mel_time(mel_time);
  b.add_window_q30(window);
  b.add_twiddle_q30(twiddle);
  b.add_input_shift(input_shift);
  b.add_stage_shift(shifts);
  b.add_band_start(starts);
  b.add_band_length(lengths);
  b.add_weight_q15(weight);
  b.add_log_offset(log_offset);
  b.add_log_floor_q24(log_floor_q24);
  b.add_top_db_q24(top_db_q24);
  b.add_out_multiplier(mult);
  b.add_out_offset(offset);
  b.add_out_shift(a.shift);
  return {schema::OpCode::Spectrogram, schema::OpOptions::SpectrogramOptions, b.Finish().Union()};
}

BuiltOp Dct(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n) {
  const FrontendSpec spec = ParseFrontend(n.attrs.at("spec").s);
  const FrontendTables t = TablesFor(spec, spec.samples);
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& out = g.tensors[n.outputs[0]];
  const int32_t n_in = static_cast<int32_t>(spec.n_mels), n_out = static_cast<int32_t>(spec.n_mfcc);
  if (in.dtype == DType::kFloat32) {
    const auto matrix = fbb.CreateVector(Floats(t.dct));
    std::vector<float> scales, biases;  // per-feature normalization
    for (int32_t k = 0; k < n_out; ++k) {
      scales.push_back(static_cast<float>(1.0 / spec.StdOf(k)));
      biases.push_back(static_cast<float>(-spec.MeanOf(k) / spec.StdOf(k)));
    }
    const auto scale = fbb.CreateVector(scales);
    const auto bias = fbb.CreateVector(biases);
    schema::DctOptionsBuilder b(fbb);
    b.add_n_in(n_in);
    b.add_n_out(n_out);
    b.add_mel_time(spec.mel_time());
    b.add_matrix(matrix);
    b.add_out_scale(scale);
    b.add_out_bias(bias);
    return {schema::OpCode::Dct, schema::OpOptions::DctOptions, b.Finish().Union()};
  }
  double cmax = 0;
  for (double c : t.dct) cmax = std::max(cmax, std::fabs(c));
  std::vector<int16_t> cq;
  for (double c : t.dct) cq.push_back(static_cast<int16_t>(std::llround(c / cmax * 32767.0)));
  const double acc_unit = ScaleOf(in) * cmax / 32767.0;
  const double out_scale = ScaleOf(out);
  // v keeps 2^10 steps per output step (of the coefficient before normalization).
  double min_sd = spec.StdOf(0);
  for (int32_t k = 0; k < n_out; ++k) min_sd = std::min(min_sd, spec.StdOf(k));
  const int pre_shift = std::clamp(
      static_cast<int>(std::floor(std::log2(out_scale * min_sd / 1024.0 / acc_unit))), 0, 62);
  const double v_unit = acc_unit * std::ldexp(1.0, pre_shift);
  std::vector<double> m_real, o_real;
  for (int32_t k = 0; k < n_out; ++k) {
    m_real.push_back(v_unit / spec.StdOf(k) / out_scale);
    o_real.push_back(ZeroOf(out) - spec.MeanOf(k) / spec.StdOf(k) / out_scale);
  }
  const Affine a = AffineFor(m_real, o_real);
  const auto matrix = fbb.CreateVector(cq);
  const auto mult = fbb.CreateVector(a.multiplier);
  const auto offset = fbb.CreateVector(a.offset);
  schema::DctOptionsBuilder b(fbb);
  b.add_n_in(n_in);
  b.add_n_out(n_out);
  b.add_mel_time(spec.mel_time());
  b.add_matrix_q(matrix);
  b.add_pre_shift(pre_shift);
  b.add_out_multiplier(mult);
  b.add_out_offset(offset);
  b.add_out_shift(a.shift);
  return {schema::OpCode::Dct, schema::OpOptions::DctOptions, b.Finish().Union()};
}

}  // namespace

std::optional<BuiltOp> BuildFrontendOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g,
                                       const Node& n) {
  if (n.op == "Spectrogram") return Spectrogram(fbb, g, n);
  if (n.op == "Dct") return Dct(fbb, g, n);
  return std::nullopt;
}

}  // namespace mote::modelc
