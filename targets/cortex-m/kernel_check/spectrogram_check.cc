// The integer Spectrogram of this build (mote::kernels::SpectrogramInt16)
// against the reference, byte for byte: random geometries (n_fft 4 .. 4096,
// hops, reflect padding, frames at the edges) and random tables within the
// loader's checks (kernels/ops/spectrogram_op.cc): true twiddles, twiddles
// with (1, 0) or (0, -1) broken (the variant's fallback), random and extreme
// ones; windows, stage and input shifts that pass SpectrogramFftBound;
// filterbanks, log offsets and floors, top_db, every spectrum kind, layout
// and output type.
#include "spectrogram_check.h"

#include <stdio.h>
#include <string.h>

#include "kernels/reference/spectrogram.h"
#include "kernels/selected.h"

namespace {

using mote::reference::SpectrogramShape;
using mote::reference::SpectrogramTablesQ;
using mote::reference::SpectrumKind;

constexpr int32_t kOne = int32_t{1} << 30;
constexpr int32_t kMaxFft = mote::reference::kSpectrogramMaxFft;
constexpr int32_t kMaxFrames = 3;
constexpr int32_t kMaxBands = 48;
constexpr int32_t kMaxSamples = kMaxFft + 128;  // frames * hop stay below for n_fft <= 512
constexpr int32_t kMaxWeights = 4096;
constexpr size_t kScratchWords = kMaxFft + 2 + kMaxFrames * kMaxBands;
constexpr size_t kOutBytes = kMaxFrames * kMaxBands * 4;

// The large tables in the boards' large region (the M55's 512 KB DTCM is
// nearly full), zeroed at start-up like .bss.
#define CHECK_LARGE __attribute__((section(".bss.mote_large.spectrogram_check")))
CHECK_LARGE int32_t g_cos[kMaxFft];  // cos, sin of -2 pi k / 4096 in Q30 (k < 2048), interleaved
CHECK_LARGE int32_t g_window[kMaxFft];
CHECK_LARGE int32_t g_twiddle[kMaxFft];
CHECK_LARGE int16_t g_samples[kMaxSamples];
CHECK_LARGE int32_t g_scratch[kScratchWords];  // both kernels', one after the other
CHECK_LARGE uint16_t g_weight[kMaxWeights];
uint8_t g_shifts[13];
int32_t g_band_start[kMaxBands];
int32_t g_band_length[kMaxBands];
int32_t g_multiplier[kMaxBands];
int64_t g_offset[kMaxBands];
alignas(4) uint8_t g_expected[kOutBytes];
alignas(4) uint8_t g_actual[kOutBytes + 16];  // + a guard zone

uint32_t g_rng = 1;

uint32_t Next() {  // xorshift32
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return g_rng;
}
uint64_t Next64() { return (uint64_t{Next()} << 32) | Next(); }
int32_t Uniform(int32_t lo, int32_t hi) {
  return lo + static_cast<int32_t>(Next() % static_cast<uint32_t>(hi - lo + 1));
}
bool OneIn(uint32_t n) { return Next() % n == 0; }

// The 4096-point twiddles by complex rotation in double from a Taylor
// series of the first one (no libm), the quarter points exact.
void MakeCosTable() {
  const double x = 2.0 * 3.14159265358979323846 / kMaxFft;
  const double c1 = 1.0 - x * x / 2.0 + x * x * x * x / 24.0;
  const double s1 = -(x - x * x * x / 6.0 + x * x * x * x * x / 120.0);
  double c = 1.0, s = 0.0;
  for (int32_t k = 0; k < kMaxFft / 2; ++k) {
    g_cos[2 * k] = static_cast<int32_t>(c * kOne + (c >= 0 ? 0.5 : -0.5));
    g_cos[2 * k + 1] = static_cast<int32_t>(s * kOne + (s >= 0 ? 0.5 : -0.5));
    const double next_c = c * c1 - s * s1;
    s = c * s1 + s * c1;
    c = next_c;
  }
  g_cos[0] = kOne;
  g_cos[1] = 0;
  g_cos[kMaxFft / 2] = 0;
  g_cos[kMaxFft / 2 + 1] = -kOne;
}

// Extremes now and then, and halves: a twiddle of 2^29 makes b w + 2^29 a
// multiple of 2^30 (a rounding tie) for every odd b.
int32_t RandomQ30() {
  if (!OneIn(4)) return Uniform(-kOne, kOne);
  const int32_t v[5] = {0, kOne, -kOne, kOne / 2, -kOne / 2};
  return v[Uniform(0, 4)];
}

void MakeTwiddles(int32_t n) {
  const int kind = Uniform(0, 5);
  for (int32_t k = 0; k < n / 2; ++k) {
    g_twiddle[2 * k] = g_cos[2 * k * (kMaxFft / n)];
    g_twiddle[2 * k + 1] = g_cos[2 * k * (kMaxFft / n) + 1];
  }
  if (kind == 1) {  // true tables, some entries off by a little
    for (int32_t k = 0; k < n; ++k) {
      if (OneIn(8))
        g_twiddle[k] = g_twiddle[k] > 0 ? g_twiddle[k] - Uniform(0, 9) : g_twiddle[k] + 1;
    }
  } else if (kind == 2) {  // (1, 0) or (0, -1) broken: the fallback paths
    const int32_t at[4] = {0, 1, n / 2, n / 2 + 1};
    const int32_t exact[4] = {kOne, 0, 0, -kOne};
    const int k = Uniform(0, 3);
    int32_t v = RandomQ30();
    if (v == exact[k]) v = exact[k] == kOne ? kOne - 1 : exact[k] + 1;
    g_twiddle[at[k]] = v;
  } else if (kind >= 3) {  // random or extreme, sometimes with the trivial twiddles
    for (int32_t k = 0; k < n; ++k) g_twiddle[k] = kind == 3 ? Uniform(-kOne, kOne) : RandomQ30();
    if (kind == 5) {
      g_twiddle[0] = kOne;
      g_twiddle[1] = 0;
      g_twiddle[n / 2] = 0;
      g_twiddle[n / 2 + 1] = -kOne;
    }
  }
  // The loader accepts |w| <= 1 + 2^-29 (its FFT bound assumes it): pairs
  // past that are scaled back towards zero.
  constexpr int64_t kMax = (int64_t{kOne} + 2) * (int64_t{kOne} + 2);
  for (int32_t k = 0; k < n; k += 2) {
    const int64_t re = g_twiddle[k], im = g_twiddle[k + 1];
    if (re * re + im * im <= kMax) continue;
    const double f = static_cast<double>(kOne) / __builtin_sqrt(static_cast<double>(re * re + im * im));
    g_twiddle[k] = static_cast<int32_t>(static_cast<double>(re) * f);
    g_twiddle[k + 1] = static_cast<int32_t>(static_cast<double>(im) * f);
  }
}

void MakeWindow(int32_t n) {
  const int kind = Uniform(0, 3);
  // Hann over a window of `win` samples centred in n (zeros around), as modelc.
  const int32_t win = OneIn(2) ? n : Uniform(1, n);
  const int32_t left = (n - win) / 2;
  for (int32_t j = 0; j < n; ++j) {
    if (kind <= 1) {
      const int32_t i = j - left;
      if (i < 0 || i >= win) {
        g_window[j] = 0;
        continue;
      }
      const int32_t c = g_cos[2 * ((int64_t{i} * (kMaxFft / 2) / win) % (kMaxFft / 2))];
      g_window[j] = (kOne - c) / 2;
    } else {
      g_window[j] = kind == 2 ? Uniform(-kOne, kOne) : RandomQ30();
    }
  }
}

// Stage shifts (mostly modelc's zeros) and the smallest input shift the
// loader's bound accepts with them, sometimes more.
int MakeShifts(int32_t n, int stages) {
  const int kind = Uniform(0, 5);
  for (int k = 0; k < stages; ++k) {
    g_shifts[k] = static_cast<uint8_t>(kind <= 2   ? 0
                                       : kind == 3 ? Uniform(0, 1)
                                       : kind == 4 ? Uniform(0, 3)
                                                   : (OneIn(3) ? Uniform(0, 31) : Uniform(0, 2)));
  }
  const std::span<const uint8_t> shifts(g_shifts, static_cast<size_t>(stages));
  int shift = 0;
  while (mote::reference::SpectrogramFftBound(n, shift, shifts) < 0) ++shift;
  if (OneIn(4)) shift = Uniform(shift, OneIn(2) ? 62 : (shift + 8 > 62 ? 62 : shift + 8));
  return shift;
}

void MakeSamples(int32_t count) {
  const int kind = Uniform(0, 5);
  for (int32_t i = 0; i < count; ++i) {
    g_samples[i] = static_cast<int16_t>(kind == 0   ? (OneIn(2) ? -32768 : 32767)
                                        : kind == 1 ? 0
                                        : kind == 2 ? Uniform(-64, 64)
                                        : kind == 3 ? ((i / 7) % 2 == 0 ? 32767 : -32768)
                                                    : Uniform(-32768, 32767));
  }
}

int32_t MakeFilterbank(int32_t bins, int32_t bands) {
  int32_t total = 0;
  for (int32_t b = 0; b < bands; ++b) {
    const int32_t start = Uniform(0, bins - 1);
    const int32_t room = bins - start;
    int32_t length = OneIn(6) ? room : Uniform(0, room < 40 ? room : 40);
    if (total + length > kMaxWeights) length = 0;
    g_band_start[b] = start;
    g_band_length[b] = length;
    for (int32_t k = 0; k < length; ++k) {
      g_weight[total + k] =
          static_cast<uint16_t>(OneIn(5) ? (OneIn(2) ? 32768 : 0) : Uniform(0, 32768));
    }
    total += length;
  }
  return total;
}

void PrintCase(const SpectrogramShape& s, const SpectrogramTablesQ& t, int out_bytes) {
  printf(
      "  n_fft %ld hop %ld frames %ld pad %ld samples %ld bands %ld %s %s out int%d "
      "input_shift %d stage_shift[0] %d split %d twiddle %ld %ld %ld %ld top_db %ld\n",
      static_cast<long>(s.n_fft), static_cast<long>(s.hop), static_cast<long>(s.frames),
      static_cast<long>(s.pad), static_cast<long>(s.samples), static_cast<long>(s.bands),
      s.spectrum == SpectrumKind::kPower ? "power" : "magnitude",
      s.mel_time ? "mel_time" : "time_mel", 8 * out_bytes, t.input_shift, t.stage_shift[0],
      t.stage_shift[t.stage_shift.size() - 1], static_cast<long>(t.twiddle[0]),
      static_cast<long>(t.twiddle[1]), static_cast<long>(t.twiddle[s.n_fft / 2]),
      static_cast<long>(t.twiddle[s.n_fft / 2 + 1]), static_cast<long>(t.top_db_q24));
}

bool SpectrogramCase(int index) {
  // Mostly small transforms; the large ones (up to 4096) one frame, rarely.
  const int log2n = OneIn(12) ? Uniform(10, 12) : Uniform(2, 9);
  const int32_t n = int32_t{1} << log2n;
  SpectrogramShape s;
  s.n_fft = n;
  s.frames = n > 512 ? 1 : Uniform(1, kMaxFrames);
  s.hop = Uniform(1, 2 * n);
  s.pad = OneIn(2) ? 0 : Uniform(0, n);
  int32_t samples = (s.frames - 1) * s.hop + n - 2 * s.pad;
  if (samples < s.pad + 1) samples = s.pad + 1;
  samples += OneIn(2) ? 0 : Uniform(0, 64);
  if (samples > kMaxSamples) return true;
  s.samples = samples;
  s.bands = Uniform(1, kMaxBands);
  s.mel_time = OneIn(2);
  s.spectrum = OneIn(3) ? SpectrumKind::kMagnitude : SpectrumKind::kPower;
  s.log = OneIn(2) ? mote::reference::LogKind::kNatural : mote::reference::LogKind::kDecibel;
  MakeTwiddles(n);
  MakeWindow(n);
  MakeSamples(samples);
  const int stages = log2n;
  int input_shift = MakeShifts(n, stages);
  const int32_t weights = MakeFilterbank(n / 2 + 1, s.bands);
  // Half the cases store the log itself (int32, multiplier 1, shift 0), so
  // that a difference of one in a band sum's log shows; the others random
  // maps, which mostly saturate.
  const bool plain = OneIn(2);
  for (int32_t b = 0; b < s.bands; ++b) {
    if (plain) {
      g_multiplier[b] = 1;
      g_offset[b] = 0;
      continue;
    }
    g_multiplier[b] = OneIn(6) ? (OneIn(2) ? INT32_MAX : INT32_MIN) : static_cast<int32_t>(Next());
    const int64_t limit = int64_t{1} << 61;
    g_offset[b] = OneIn(6)
                      ? (OneIn(2) ? limit : -limit)
                      : static_cast<int64_t>(Next64() % (2 * static_cast<uint64_t>(limit))) - limit;
  }
  const SpectrogramTablesQ t = {
      {g_window, static_cast<size_t>(n)},
      {g_twiddle, static_cast<size_t>(n)},
      input_shift,
      {g_shifts, static_cast<size_t>(stages)},
      {g_band_start, static_cast<size_t>(s.bands)},
      {g_band_length, static_cast<size_t>(s.bands)},
      {g_weight, static_cast<size_t>(weights)},
      OneIn(3)   ? 0
      : OneIn(5) ? Next64()
                 : Next() % (1u << 20),
      OneIn(4) ? static_cast<int32_t>(Next()) : -Uniform(0, 80 << 24),
      OneIn(2) ? 0 : (OneIn(4) ? static_cast<int32_t>(Next() >> 1) : Uniform(1, 80 << 24)),
      {g_multiplier, static_cast<size_t>(s.bands)},
      {g_offset, static_cast<size_t>(s.bands)},
      plain      ? 0
      : OneIn(5) ? Uniform(0, 62)
                 : Uniform(24, 40)};
  const int out_bytes = plain ? 4 : OneIn(3) ? 1 : OneIn(2) ? 2 : 4;
  const size_t bytes = static_cast<size_t>(s.frames * s.bands * out_bytes);
  memset(g_expected, 0, bytes);
  memset(g_actual, 0x5A, bytes + 16);
  const int16_t* in = g_samples;
  if (out_bytes == 1) {
    mote::reference::SpectrogramInt16(s, t, in, g_scratch, reinterpret_cast<int8_t*>(g_expected));
    mote::kernels::SpectrogramInt16(s, t, in, g_scratch, reinterpret_cast<int8_t*>(g_actual));
  } else if (out_bytes == 2) {
    mote::reference::SpectrogramInt16(s, t, in, g_scratch, reinterpret_cast<int16_t*>(g_expected));
    mote::kernels::SpectrogramInt16(s, t, in, g_scratch, reinterpret_cast<int16_t*>(g_actual));
  } else {
    mote::reference::SpectrogramInt16(s, t, in, g_scratch, reinterpret_cast<int32_t*>(g_expected));
    mote::kernels::SpectrogramInt16(s, t, in, g_scratch, reinterpret_cast<int32_t*>(g_actual));
  }
  for (size_t i = 0; i < 16; ++i) {
    if (g_actual[bytes + i] != 0x5A) {
      printf("SpectrogramInt16 case %d: wrote past its output (%u bytes)\n", index,
             static_cast<unsigned>(bytes));
      PrintCase(s, t, out_bytes);
      return false;
    }
  }
  if (memcmp(g_expected, g_actual, bytes) == 0) return true;
  for (size_t i = 0; i < bytes; ++i) {
    if (g_expected[i] != g_actual[i]) {
      printf("SpectrogramInt16 case %d: byte %u is %d, reference %d\n", index,
             static_cast<unsigned>(i), g_actual[i], g_expected[i]);
      break;
    }
  }
  PrintCase(s, t, out_bytes);
  return false;
}

}  // namespace

bool SpectrogramChecks(int cases, uint32_t seed) {
  g_rng = seed == 0 ? 1 : seed;
  MakeCosTable();
  for (int i = 0; i < cases; ++i) {
    if (!SpectrogramCase(i)) return false;
  }
  printf("mote-kernel-check: SpectrogramInt16 (%s) == reference on %d cases\n",
         mote::kernels::kVariant, cases);
  return true;
}
