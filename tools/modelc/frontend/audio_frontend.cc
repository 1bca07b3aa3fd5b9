#include "frontend/audio_frontend.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <sstream>

namespace mote::modelc {
namespace {

[[noreturn]] void Bad(const std::string& what) {
  throw ConvertError("--frontend: " + what, ErrorKind::kInvalid);
}

int64_t ParseInt(const std::string& name, const std::string& v) {
  size_t used = 0;
  int64_t x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used != v.size() || v.empty()) Bad(name + "=" + v + " is not an integer");
  return x;
}

double ParseDouble(const std::string& name, const std::string& v) {
  size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used != v.size() || v.empty() || !std::isfinite(x)) Bad(name + "=" + v + " is not a number");
  return x;
}

bool ParseBool(const std::string& name, const std::string& v) {
  if (v == "true" || v == "1" || v == "True") return true;
  if (v == "false" || v == "0" || v == "False") return false;
  Bad(name + "=" + v + " is not true or false");
}

std::string OneOf(const std::string& name, const std::string& v, std::vector<std::string> allowed) {
  for (const std::string& a : allowed) {
    if (v == a) return v;
  }
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : "|") + a;
  Bad(name + "=" + v + " is not one of " + list);
}

std::vector<double> ParseList(const std::string& name, const std::string& v) {
  std::vector<double> out;
  size_t start = 0;
  while (start <= v.size()) {
    const size_t semi = std::min(v.find(';', start), v.size());
    out.push_back(ParseDouble(name, v.substr(start, semi - start)));
    start = semi + 1;
  }
  return out;
}

std::string Num(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

double HzToMel(double f, bool htk) {
  if (htk) return 2595.0 * std::log10(1.0 + f / 700.0);
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  return f >= min_log_hz ? min_log_mel + std::log(f / min_log_hz) / logstep : f / f_sp;
}

double MelToHz(double m, bool htk) {
  if (htk) return 700.0 * (std::pow(10.0, m / 2595.0) - 1.0);
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  return m >= min_log_mel ? min_log_hz * std::exp(logstep * (m - min_log_mel)) : f_sp * m;
}

// torch.{hann,hamming,blackman}_window(length, periodic=True).
double WindowAt(const std::string& kind, int64_t n, int64_t length) {
  const double a = 2.0 * M_PI * static_cast<double>(n) / static_cast<double>(length);
  if (kind == "hamming") return 0.54 - 0.46 * std::cos(a);
  if (kind == "blackman") return 0.42 - 0.5 * std::cos(a) + 0.08 * std::cos(2.0 * a);
  return 0.5 - 0.5 * std::cos(a);
}

// In-place radix-2 FFT in double (n a power of two).
void Fft(std::vector<std::complex<double>>& z) {
  const size_t n = z.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(z[i], z[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    for (size_t start = 0; start < n; start += len) {
      std::complex<double> w = 1.0;
      for (size_t j = 0; j < len / 2; ++j) {
        const std::complex<double> t = w * z[start + j + len / 2];
        z[start + j + len / 2] = z[start + j] - t;
        z[start + j] += t;
        w = std::polar(1.0, -2.0 * M_PI * static_cast<double>(j + 1) / static_cast<double>(len));
      }
    }
  }
}

}  // namespace

double FrontendSpec::MeanOf(int64_t f) const {
  return mean.empty() ? 0.0 : mean.size() == 1 ? mean[0] : mean[static_cast<size_t>(f)];
}

double FrontendSpec::StdOf(int64_t f) const {
  return std.empty() ? 1.0 : std.size() == 1 ? std[0] : std[static_cast<size_t>(f)];
}

int64_t FrontendSpec::frames(int64_t s) const {
  const int64_t padded = s + (center ? 2 * (n_fft / 2) : 0);
  if (padded < n_fft) return 0;
  return 1 + (padded - n_fft) / hop_length;
}

std::vector<std::pair<std::string, std::string>> FrontendSpec::Parameters() const {
  std::vector<std::pair<std::string, std::string>> p = {
      {"sample_rate", std::to_string(sample_rate)},
      {"n_fft", std::to_string(n_fft)},
      {"win_length", std::to_string(win_length)},
      {"hop_length", std::to_string(hop_length)},
      {"f_min", Num(f_min)},
      {"f_max", Num(f_max)},
      {"n_mels", std::to_string(n_mels)},
      {"window", window},
      {"power", std::to_string(power)},
      {"center", center ? "true" : "false"},
      {"norm", norm},
      {"mel_scale", mel_scale}};
  if (mfcc()) {
    p.push_back({"n_mfcc", std::to_string(n_mfcc)});
    p.push_back({"dct_norm", dct_norm});
    p.push_back({"log_mels", log_mels ? "true" : "false"});
  } else {
    p.push_back({"log", log});
  }
  if (decibel()) {
    p.push_back({"top_db", top_db > 0 ? Num(top_db) : "none"});
  } else {
    p.push_back({"log_offset", Num(log_offset)});
  }
  auto list = [](const std::vector<double>& v) {
    std::string s;
    for (double x : v) s += (s.empty() ? "" : ";") + Num(x);
    return s;
  };
  if (!mean.empty()) p.push_back({"mean", list(mean)});
  if (!std.empty()) p.push_back({"std", list(std)});
  p.push_back({"layout", layout});
  p.push_back({"samples", std::to_string(samples)});
  return p;
}

std::string FrontendSpec::Canonical() const {
  std::string s = kind + ":";
  bool first = true;
  for (const auto& [k, v] : Parameters()) {
    s += (first ? "" : ",") + k + "=" + v;
    first = false;
  }
  return s;
}

FrontendSpec ParseFrontend(const std::string& text) {
  FrontendSpec s;
  const size_t colon = text.find(':');
  s.kind = OneOf("kind", text.substr(0, colon), {"logmel", "mfcc"});
  if (s.mfcc()) s.top_db = 80.0;
  bool top_db_given = false;
  std::string rest = colon == std::string::npos ? "" : text.substr(colon + 1);
  size_t start = 0;
  while (start < rest.size()) {
    const size_t comma = std::min(rest.find(',', start), rest.size());
    const std::string item = rest.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos) Bad("'" + item + "' is not name=value");
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k == "sample_rate")
      s.sample_rate = ParseInt(k, v);
    else if (k == "n_fft")
      s.n_fft = ParseInt(k, v);
    else if (k == "win_length")
      s.win_length = ParseInt(k, v);
    else if (k == "hop_length")
      s.hop_length = ParseInt(k, v);
    else if (k == "f_min")
      s.f_min = ParseDouble(k, v);
    else if (k == "f_max")
      s.f_max = ParseDouble(k, v);
    else if (k == "n_mels")
      s.n_mels = ParseInt(k, v);
    else if (k == "window")
      s.window = OneOf(k, v, {"hann", "hamming", "blackman"});
    else if (k == "power")
      s.power = ParseInt(k, v);
    else if (k == "center")
      s.center = ParseBool(k, v);
    else if (k == "norm")
      s.norm = OneOf(k, v, {"none", "slaney"});
    else if (k == "mel_scale")
      s.mel_scale = OneOf(k, v, {"htk", "slaney"});
    else if (k == "log" && !s.mfcc())
      s.log = OneOf(k, v, {"ln", "db"});
    else if (k == "log_offset")
      s.log_offset = ParseDouble(k, v);
    else if (k == "top_db") {
      s.top_db = v == "none" ? 0.0 : ParseDouble(k, v);
      top_db_given = true;
    } else if (k == "n_mfcc" && s.mfcc())
      s.n_mfcc = ParseInt(k, v);
    else if (k == "dct_norm" && s.mfcc())
      s.dct_norm = OneOf(k, v, {"ortho"});
    else if (k == "log_mels" && s.mfcc())
      s.log_mels = ParseBool(k, v);
    else if (k == "layout")
      s.layout = OneOf(k, v, {"mel_time", "time_mel"});
    else if (k == "samples")
      s.samples = ParseInt(k, v);
    else if (k == "mean")
      s.mean = ParseList(k, v);
    else if (k == "std")
      s.std = ParseList(k, v);
    else
      Bad("unknown parameter '" + k + "' for " + s.kind);
  }
  if (s.win_length == 0) s.win_length = s.n_fft;
  if (s.hop_length == 0) s.hop_length = s.win_length / 2;
  if (s.f_max < 0) s.f_max = static_cast<double>(s.sample_rate / 2);
  if (s.mfcc() && s.log_mels && !top_db_given) s.top_db = 0.0;
  if (s.sample_rate < 1) Bad("sample_rate must be positive");
  if (s.n_fft < 4 || s.n_fft > 4096 || (s.n_fft & (s.n_fft - 1)) != 0) {
    Bad("n_fft=" + std::to_string(s.n_fft) +
        " must be a power of two in [4, 4096] (the runtime's real FFT; torchaudio's default 400 is "
        "not)");
  }
  if (s.win_length < 1 || s.win_length > s.n_fft) Bad("win_length must be in [1, n_fft]");
  if (s.hop_length < 1) Bad("hop_length must be positive");
  if (s.n_mels < 1 || s.n_mels > 1024) Bad("n_mels must be in [1, 1024]");
  if (!(s.f_min >= 0 && s.f_min < s.f_max && s.f_max <= s.sample_rate / 2.0)) {
    Bad("need 0 <= f_min < f_max <= sample_rate / 2");
  }
  if (s.power != 1 && s.power != 2) Bad("power must be 1 or 2");
  if (s.log_offset <= 0) Bad("log_offset must be positive");
  if (s.top_db < 0) Bad("top_db must not be negative");
  if (s.mfcc() && (s.n_mfcc < 1 || s.n_mfcc > s.n_mels)) Bad("n_mfcc must be in [1, n_mels]");
  if (s.samples < 0) Bad("samples must be positive");
  for (const auto* list : {&s.mean, &s.std}) {
    const char* name = list == &s.mean ? "mean" : "std";
    if (list->size() > 1 && static_cast<int64_t>(list->size()) != s.features()) {
      Bad(std::string(name) + " holds " + std::to_string(list->size()) +
          " values; give one, or one per feature (" + std::to_string(s.features()) + ")");
    }
  }
  for (double v : s.std) {
    if (!(v > 0)) Bad("std must be positive");
  }
  return s;
}

FrontendTables TablesFor(const FrontendSpec& s, int64_t samples) {
  FrontendTables t;
  t.samples = samples;
  t.frames = s.frames(samples);
  t.pad = s.center ? s.n_fft / 2 : 0;
  t.bands = s.n_mels;
  if (t.frames < 1)
    Bad(std::to_string(samples) + " samples hold no frame of n_fft=" + std::to_string(s.n_fft));
  if (t.pad >= samples) Bad("center=true needs more than n_fft / 2 samples (reflect padding)");
  const int64_t n = s.n_fft;
  t.window.assign(static_cast<size_t>(n), 0.0);
  const int64_t left = (n - s.win_length) / 2;
  for (int64_t k = 0; k < s.win_length; ++k)
    t.window[left + k] = WindowAt(s.window, k, s.win_length);
  for (int64_t k = 0; k < n / 2; ++k) {
    const double a = 2.0 * M_PI * static_cast<double>(k) / static_cast<double>(n);
    t.twiddle.push_back(std::cos(a));
    t.twiddle.push_back(-std::sin(a));
  }
  // torchaudio.functional.melscale_fbanks.
  const bool htk = s.mel_scale == "htk";
  const int64_t bins = n / 2 + 1;
  std::vector<double> freqs(bins);
  for (int64_t k = 0; k < bins; ++k) {
    freqs[k] = bins == 1 ? 0.0 : static_cast<double>(s.sample_rate / 2) * k / (bins - 1);
  }
  const double m_min = HzToMel(s.f_min, htk), m_max = HzToMel(s.f_max, htk);
  std::vector<double> f_pts(s.n_mels + 2);
  for (int64_t k = 0; k < s.n_mels + 2; ++k) {
    f_pts[k] = MelToHz(m_min + (m_max - m_min) * k / (s.n_mels + 1), htk);
  }
  for (int64_t b = 0; b < s.n_mels; ++b) {
    const double lo = f_pts[b], mid = f_pts[b + 1], hi = f_pts[b + 2];
    const double enorm = s.norm == "slaney" ? 2.0 / (hi - lo) : 1.0;
    int32_t first = -1, last = -2;
    std::vector<double> w(bins, 0.0);
    for (int64_t k = 0; k < bins; ++k) {
      const double down = (freqs[k] - lo) / (mid - lo);
      const double up = (hi - freqs[k]) / (hi - mid);
      w[k] = std::max(0.0, std::min(down, up)) * enorm;
      if (w[k] > 0) {
        if (first < 0) first = static_cast<int32_t>(k);
        last = static_cast<int32_t>(k);
      }
    }
    if (first < 0) first = 0;  // an empty band (too narrow for the bins): torchaudio's zeros
    t.band_start.push_back(first);
    t.band_length.push_back(last - first + 1);
    for (int32_t k = first; k <= last; ++k) t.weight.push_back(w[k]);
  }
  if (s.mfcc()) {  // torchaudio.functional.create_dct(n_mfcc, n_mels, "ortho"), transposed
    const double N = static_cast<double>(s.n_mels);
    for (int64_t k = 0; k < s.n_mfcc; ++k) {
      for (int64_t m = 0; m < s.n_mels; ++m) {
        double c = std::cos(M_PI / N * (m + 0.5) * k) * std::sqrt(2.0 / N);
        if (k == 0) c /= std::sqrt(2.0);
        t.dct.push_back(c);
      }
    }
  }
  return t;
}

std::vector<double> ReferenceSpectrogram(const FrontendSpec& s, const FrontendTables& t,
                                         const float* audio) {
  const int64_t n = s.n_fft, bins = n / 2 + 1, bands = t.bands;
  const bool out_mel_time = !s.mfcc() && s.mel_time();
  std::vector<double> logs(static_cast<size_t>(t.frames * bands));
  std::vector<std::complex<double>> z(static_cast<size_t>(n));
  std::vector<double> spectrum(static_cast<size_t>(bins));
  double max_log = -1e300;
  for (int64_t f = 0; f < t.frames; ++f) {
    for (int64_t j = 0; j < n; ++j) {
      int64_t i = f * s.hop_length - t.pad + j;
      if (i < 0) i = -i;
      if (i >= t.samples) i = 2 * (t.samples - 1) - i;
      z[j] = static_cast<double>(audio[i]) * t.window[j];
    }
    Fft(z);
    for (int64_t k = 0; k < bins; ++k) {
      const double p = std::norm(z[k]);
      spectrum[k] = s.power == 2 ? p : std::sqrt(p);
    }
    size_t w = 0;
    for (int64_t b = 0; b < bands; ++b) {
      double acc = 0;
      for (int32_t k = t.band_start[b]; k < t.band_start[b] + t.band_length[b]; ++k, ++w) {
        acc += spectrum[k] * t.weight[w];
      }
      const double v = s.decibel() ? 10.0 * s.db_factor() * std::log10(std::max(acc, 1e-10))
                                   : std::log(acc + s.log_offset);
      logs[f * bands + b] = v;
      max_log = std::max(max_log, v);
    }
  }
  if (s.decibel() && s.top_db > 0) {
    for (double& v : logs) v = std::max(v, max_log - s.top_db);
  }
  if (!s.mfcc()) {  // per-feature normalization (mfcc: after the DCT)
    for (int64_t f = 0; f < t.frames; ++f) {
      for (int64_t b = 0; b < bands; ++b) {
        double& v = logs[f * bands + b];
        v = (v - s.MeanOf(b)) / s.StdOf(b);
      }
    }
  }
  if (!out_mel_time) return logs;
  std::vector<double> out(logs.size());
  for (int64_t f = 0; f < t.frames; ++f)
    for (int64_t b = 0; b < bands; ++b) out[b * t.frames + f] = logs[f * bands + b];
  return out;
}

std::vector<double> ReferenceDct(const FrontendSpec& s, const FrontendTables& t,
                                 const std::vector<double>& logs, int64_t frames) {
  const int64_t n_in = s.n_mels, n_out = s.n_mfcc;
  std::vector<double> out(static_cast<size_t>(frames * n_out));
  for (int64_t f = 0; f < frames; ++f) {
    for (int64_t k = 0; k < n_out; ++k) {
      double acc = 0;
      for (int64_t m = 0; m < n_in; ++m) acc += t.dct[k * n_in + m] * logs[f * n_in + m];
      out[s.mel_time() ? k * frames + f : f * n_out + k] = (acc - s.MeanOf(k)) / s.StdOf(k);
    }
  }
  return out;
}

void PrependFrontend(Graph& g, const FrontendSpec& spec) {
  if (g.inputs.size() != 1) {
    Bad("the classifier must have one input (the features); it has " +
        std::to_string(g.inputs.size()));
  }
  const int features = g.inputs[0];
  const Shape shape = g.tensors[features].shape;
  const size_t rank = shape.size();
  if ((rank != 3 && rank != 4) || shape[0] != 1 || (rank == 4 && shape[1] != 1)) {
    Bad("the classifier's input " + ShapeString(shape) +
        " must be [1, n_mels, T] or [1, 1, n_mels, T] (layout=time_mel: T and n_mels swapped)");
  }
  const int64_t feat = spec.mel_time() ? shape[rank - 2] : shape[rank - 1];
  const int64_t frames = spec.mel_time() ? shape[rank - 1] : shape[rank - 2];
  if (feat != spec.features()) {
    Bad("the classifier's input " + ShapeString(shape) + " holds " + std::to_string(feat) +
        " features per frame (layout " + spec.layout + "), the front-end gives " +
        std::to_string(spec.features()));
  }
  FrontendSpec s = spec;
  if (s.samples == 0) {
    s.samples = s.center ? (frames - 1) * s.hop_length : s.n_fft + (frames - 1) * s.hop_length;
    if (s.center && s.samples <= s.n_fft / 2) s.samples = s.n_fft / 2 + 1;
  }
  if (s.frames(s.samples) != frames) {
    Bad(std::to_string(s.samples) + " samples give " + std::to_string(s.frames(s.samples)) +
        " frames; the classifier takes " + std::to_string(frames));
  }
  (void)TablesFor(s, s.samples);  // validates the geometry
  Tensor audio;
  audio.name = "audio";
  audio.shape = {1, s.samples};
  const int audio_index = g.AddTensor(audio);
  Node spectrogram;
  spectrogram.name = "frontend.spectrogram";
  spectrogram.op = "Spectrogram";
  spectrogram.attrs["spec"].s = s.Canonical();
  spectrogram.inputs = {audio_index};
  std::vector<Node> nodes;
  const Shape out3 = spec.mel_time() ? Shape{1, feat, frames} : Shape{1, frames, feat};
  int last = -1;
  if (s.mfcc()) {
    Tensor logs;
    logs.name = "frontend.log_mel";
    logs.shape = {1, frames, s.n_mels};
    const int logs_index = g.AddTensor(logs);
    spectrogram.outputs = {logs_index};
    nodes.push_back(spectrogram);
    Node dct;
    dct.name = "frontend.dct";
    dct.op = "Dct";
    dct.attrs["spec"].s = s.Canonical();
    dct.inputs = {logs_index};
    nodes.push_back(dct);
  } else {
    nodes.push_back(spectrogram);
  }
  if (rank == 3) {
    nodes.back().outputs = {features};
  } else {
    Tensor t;
    t.name = "frontend.features";
    t.shape = out3;
    last = g.AddTensor(t);
    nodes.back().outputs = {last};
    Node reshape;
    reshape.name = "frontend.reshape";
    reshape.op = "Reshape";
    reshape.inputs = {
        last, g.AddConstant("frontend.shape", Value::Int({static_cast<int64_t>(rank)}, shape))};
    reshape.outputs = {features};
    reshape.attrs["shape"].ints = shape;
    nodes.push_back(reshape);
  }
  g.nodes.insert(g.nodes.begin(), nodes.begin(), nodes.end());
  g.inputs = {audio_index};
}

}  // namespace mote::modelc
