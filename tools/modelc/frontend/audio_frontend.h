// modelc convert --frontend: an audio front-end described with torchaudio's
// parameters (MelSpectrogram, MFCC), prepended to a classifier so the .mote
// takes raw audio. The spec is parsed once; every table (window, twiddles,
// mel filterbank, DCT) is computed here in double precision from it, for
// the float reference, the quantizer and the emitter alike.
//
//   logmel:sample_rate=16000,n_fft=512,win_length=480,hop_length=320,n_mels=40
//   mfcc:n_mfcc=13,n_fft=512,n_mels=40
//
// Parameters and defaults (torchaudio's): sample_rate=16000, n_fft=400 (must
// be a power of two here, so give it), win_length=n_fft,
// hop_length=win_length/2, f_min=0, f_max=sample_rate/2, n_mels=128,
// window=hann (hann|hamming|blackman, periodic as torch's *_window),
// power=2 (1|2), center=true (reflect padding of n_fft/2), norm=none
// (none|slaney), mel_scale=htk (htk|slaney). logmel: log=ln with
// log_offset=1e-6 (log(mel + offset)), or log=db with top_db (none by
// default; 10 log10 for power 2, 20 log10 for power 1, amin 1e-10 as
// AmplitudeToDB). mfcc: n_mfcc=40, norm of the DCT is ortho (dct_norm),
// log_mels=false (AmplitudeToDB power with top_db=80) or true (log(mel + 1e-6)).
// layout=mel_time (torchaudio's [..., n_mels, time]) or time_mel; samples=
// (default: the fewest giving the classifier's T frames); mean= and std=
// (per-feature normalization (x - mean) / std of the output: one value, or
// one per feature separated by ';'; default none).
#ifndef MOTE_TOOLS_MODELC_FRONTEND_AUDIO_FRONTEND_H_
#define MOTE_TOOLS_MODELC_FRONTEND_AUDIO_FRONTEND_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

struct FrontendSpec {
  std::string kind;  // logmel | mfcc
  int64_t sample_rate = 16000;
  int64_t n_fft = 400;
  int64_t win_length = 0;  // 0: n_fft
  int64_t hop_length = 0;  // 0: win_length / 2
  double f_min = 0.0;
  double f_max = -1.0;  // < 0: sample_rate / 2
  int64_t n_mels = 128;
  std::string window = "hann";
  int64_t power = 2;
  bool center = true;
  std::string norm = "none";
  std::string mel_scale = "htk";
  std::string log = "ln";  // logmel: ln | db
  double log_offset = 1e-6;
  double top_db = 0.0;  // 0: none
  int64_t n_mfcc = 40;
  std::string dct_norm = "ortho";
  bool log_mels = false;
  std::string layout = "mel_time";
  int64_t samples = 0;  // 0: derived from the classifier's frames
  // Per-feature normalization of the output, (x - mean) / std: empty, one
  // value for every feature, or one per feature (mean=a;b;...).
  std::vector<double> mean, std;
  double MeanOf(int64_t feature) const;
  double StdOf(int64_t feature) const;

  bool mfcc() const { return kind == "mfcc"; }
  int64_t features() const { return mfcc() ? n_mfcc : n_mels; }
  bool mel_time() const { return layout == "mel_time"; }
  bool decibel() const { return mfcc() ? !log_mels : log == "db"; }
  // dB per 10 log10 unit: 1, or 2 for a magnitude spectrum in dB (20 log10).
  double db_factor() const { return !mfcc() && power == 1 ? 2.0 : 1.0; }
  int64_t frames(int64_t samples) const;
  // Every parameter with its value (defaults filled in), for the file and reports.
  std::vector<std::pair<std::string, std::string>> Parameters() const;
  std::string Canonical() const;  // kind:name=value,... of Parameters()
};

// Throws ConvertError naming the parameter on anything malformed or unsupported.
FrontendSpec ParseFrontend(const std::string& text);

struct FrontendTables {
  int64_t samples = 0, frames = 0, pad = 0, bands = 0;
  std::vector<double> window;   // n_fft (the window centred, zero outside)
  std::vector<double> twiddle;  // n_fft: (cos, -sin)(2 pi k / n_fft), k < n_fft / 2
  std::vector<int32_t> band_start, band_length;
  std::vector<double> weight;  // in band order
  std::vector<double> dct;     // [n_mfcc, n_mels] (mfcc)
};

FrontendTables TablesFor(const FrontendSpec& spec, int64_t samples);

// Replaces the graph's single input (the classifier's features) by raw audio
// [1, samples] feeding a Spectrogram (and for mfcc a Dct) node; throws
// ConvertError when the classifier's input does not fit the spec.
void PrependFrontend(Graph& g, const FrontendSpec& spec);

// The spectrogram (and DCT) in double precision as torchaudio defines them:
// audio [1, samples] in [-1, 1] -> [frames, bands] (mel_time: transposed).
std::vector<double> ReferenceSpectrogram(const FrontendSpec& spec, const FrontendTables& t,
                                         const float* audio);
std::vector<double> ReferenceDct(const FrontendSpec& spec, const FrontendTables& t,
                                 const std::vector<double>& log_mel_time_major, int64_t frames);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_FRONTEND_AUDIO_FRONTEND_H_
