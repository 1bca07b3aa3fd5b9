// Audio front-end in one pass per frame (mote.fbs SpectrogramOptions):
// framing with hop and reflect padding, window, real FFT of n_fft = 2^k
// points (a complex FFT of n_fft / 2 points on the even/odd samples, then the
// real split), power or magnitude, a sparse filterbank, log and a per-band
// affine output. Every table (window, twiddles, filterbank, output mapping)
// was computed by modelc; the kernels do no trigonometry.
//
// int16 path (integer-only, so every target gives identical bytes): samples
// times the Q30 window rounded down by input_shift bits into int32; each FFT
// stage computes in int64 and rounds by 30 + stage_shift[s] bits (the loader
// proved every component stays within 2^30); power |X|^2 is exact in uint64;
// band sums are exact floor(|X|^2 * w / 2^15) in uint64 (saturating); log2
// by count-leading-zeros and a 257-entry table with linear interpolation
// (error < 3e-6), in Q24; output round((l2 * m[b] + o[b]) / 2^out_shift).
// float32 path: the same steps in float, log from kernels/reference/math.h.
#ifndef MOTE_KERNELS_REFERENCE_SPECTROGRAM_H_
#define MOTE_KERNELS_REFERENCE_SPECTROGRAM_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote::reference {

inline constexpr int kSpectrogramMaxFft = 4096;

enum class SpectrumKind : uint8_t { kPower = 0, kMagnitude = 1 };
enum class LogKind : uint8_t { kNone = 0, kNatural = 1, kDecibel = 2 };

struct SpectrogramShape {
  int32_t samples;
  int32_t n_fft;
  int32_t hop;
  int32_t frames;
  int32_t pad;  // reflect padding on both sides, < samples
  int32_t bands;
  bool mel_time;  // output [bands, frames], else [frames, bands]
  SpectrumKind spectrum;
  LogKind log;
};

struct SpectrogramTablesQ {
  std::span<const int32_t> window;       // n_fft, Q30
  std::span<const int32_t> twiddle;      // n_fft (cos, sin of -2 pi k / n_fft, k < n_fft / 2), Q30
  int input_shift;                       // [0, 62]
  std::span<const uint8_t> stage_shift;  // log2(n_fft): the complex stages, then the split
  std::span<const int32_t> band_start;
  std::span<const int32_t> band_length;
  std::span<const uint16_t> weight;  // Q15, in band order
  uint64_t log_offset;
  int32_t log_floor_q24;                    // log2 of the floor in Q24 (a zero sum gives it)
  int32_t top_db_q24;                       // 0: no clamp
  std::span<const int32_t> out_multiplier;  // per band
  std::span<const int64_t> out_offset;      // per band, |.| <= 2^61
  int out_shift;                            // [0, 62]
};

struct SpectrogramTablesF {
  std::span<const float> window;
  std::span<const float> twiddle;
  std::span<const int32_t> band_start;
  std::span<const int32_t> band_length;
  std::span<const float> weight;
  float log_offset;
  float log_floor;
  float top_db;  // 0: no clamp
  std::span<const float> out_scale;
  std::span<const float> out_bias;
};

// Scratch bytes the kernels need: the FFT's n_fft words, and with top_db
// the log of every output before the clamp.
inline size_t SpectrogramScratchBytes(const SpectrogramShape& s, bool top_db) {
  size_t bytes = (static_cast<size_t>(s.n_fft) + 2) * 4;  // bin n_fft / 2 in the extra pair
  if (top_db) bytes += static_cast<size_t>(s.frames) * static_cast<size_t>(s.bands) * 4;
  return bytes;
}

// floor(log2(v) * 2^24 + 0.5) within 2^-18 of the exact value; v >= 1.
int32_t Log2Q24(uint64_t v);

// Largest |component| bound after the FFT for |input sample| <= 2^15 and
// these shifts, or -1 when a stage could exceed 2^30 (the loader's check).
int64_t SpectrogramFftBound(int32_t n_fft, int input_shift, std::span<const uint8_t> stage_shift);

void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int8_t* output);
void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int16_t* output);
void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int32_t* output);

void SpectrogramFloat(const SpectrogramShape& s, const SpectrogramTablesF& t, const float* input,
                      float* scratch, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_SPECTROGRAM_H_
