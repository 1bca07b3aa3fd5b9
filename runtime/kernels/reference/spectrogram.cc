#include "kernels/reference/spectrogram.h"

#include <string.h>

#include "kernels/reference/math.h"

namespace mote::reference {
namespace {

// log2(1 + i / 256) in Q30, i = 0 .. 256 (tools: round(log2(1 + i/256) * 2^30)).
constexpr int32_t kLog2Table[257] = {
    0,          6039314,    12055174,   18047761,   24017256,   29963836,   35887675,   41788947,
    47667823,   53524472,   59359063,   65171760,   70962728,   76732128,   82480119,   88206862,
    93912511,   99597222,   105261148,  110904440,  116527248,  122129721,  127712004,  133274244,
    138816582,  144339162,  149842124,  155325606,  160789745,  166234679,  171660541,  177067464,
    182455581,  187825021,  193175914,  198508388,  203822568,  209118580,  214396548,  219656594,
    224898839,  230123404,  235330407,  240519966,  245692198,  250847218,  255985140,  261106077,
    266210141,  271297442,  276368092,  281422197,  286459867,  291481207,  296486323,  301475319,
    306448299,  311405366,  316346620,  321272163,  326182095,  331076513,  335955515,  340819199,
    345667660,  350500993,  355319292,  360122651,  364911162,  369684916,  374444004,  379188517,
    383918542,  388634168,  393335482,  398022572,  402695523,  407354420,  411999347,  416630388,
    421247625,  425851141,  430441017,  435017334,  439580170,  444129607,  448665721,  453188592,
    457698295,  462194908,  466678506,  471149164,  475606957,  480051959,  484484242,  488903880,
    493310944,  497705506,  502087636,  506457405,  510814882,  515160136,  519493235,  523814248,
    528123241,  532420281,  536705435,  540978767,  545240343,  549490228,  553728485,  557955178,
    562170370,  566374123,  570566499,  574747559,  578917365,  583075977,  587223455,  591359858,
    595485245,  599599675,  603703206,  607795895,  611877800,  615948977,  620009483,  624059373,
    628098702,  632127527,  636145900,  640153876,  644151509,  648138853,  652115959,  656082880,
    660039669,  663986377,  667923055,  671849754,  675766525,  679673418,  683570481,  687457766,
    691335320,  695203192,  699061430,  702910083,  706749198,  710578822,  714399001,  718209783,
    722011213,  725803337,  729586201,  733359850,  737124328,  740879680,  744625951,  748363183,
    752091421,  755810707,  759521085,  763222597,  766915285,  770599192,  774274358,  777940826,
    781598637,  785247830,  788888448,  792520529,  796144114,  799759243,  803365955,  806964289,
    810554283,  814135978,  817709409,  821274617,  824831638,  828380510,  831921271,  835453956,
    838978604,  842495250,  846003931,  849504683,  852997541,  856482542,  859959719,  863429109,
    866890747,  870344666,  873790901,  877229486,  880660455,  884083842,  887499680,  890908003,
    894308843,  897702233,  901088206,  904466794,  907838029,  911201944,  914558569,  917907937,
    921250079,  924585025,  927912807,  931233456,  934547002,  937853475,  941152905,  944445323,
    947730758,  951009239,  954280797,  957545460,  960803257,  964054218,  967298370,  970535742,
    973766362,  976990259,  980207461,  983417995,  986621888,  989819169,  993009864,  996194001,
    999371606,  1002542707, 1005707329, 1008865499, 1012017244, 1015162589, 1018301561, 1021434185,
    1024560487, 1027680492, 1030794226, 1033901713, 1037002979, 1040098049, 1043186948, 1046269699,
    1049346328, 1052416858, 1055481314, 1058539720, 1061592099, 1064638476, 1067678873, 1070713315,
    1073741824,
};

inline int64_t RoundShift(int64_t x, int shift) {
  if (shift == 0) return x;
  return (x + (int64_t{1} << (shift - 1))) >> shift;
}

inline int CountLeadingZeros64(uint64_t v) {
  int n = 0;
  if ((v >> 32) == 0) {
    n += 32;
    v <<= 32;
  }
  if ((v >> 48) == 0) {
    n += 16;
    v <<= 16;
  }
  if ((v >> 56) == 0) {
    n += 8;
    v <<= 8;
  }
  if ((v >> 60) == 0) {
    n += 4;
    v <<= 4;
  }
  if ((v >> 62) == 0) {
    n += 2;
    v <<= 2;
  }
  if ((v >> 63) == 0) n += 1;
  return n;
}

// floor(sqrt(v)), bit by bit.
uint64_t SqrtU64(uint64_t v) {
  uint64_t root = 0;
  uint64_t bit = uint64_t{1} << 62;
  while (bit > v) bit >>= 2;
  while (bit != 0) {
    if (v >= root + bit) {
      v -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

inline uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

inline void Store64(int32_t* slot, uint64_t v) { memcpy(slot, &v, sizeof(v)); }
inline uint64_t Load64(const int32_t* slot) {
  uint64_t v;
  memcpy(&v, slot, sizeof(v));
  return v;
}

// In-place bit reversal of m complex values stored (re, im).
template <typename T>
void BitReverse(T* z, int32_t m) {
  for (int32_t i = 1, j = 0; i < m; ++i) {
    int32_t bit = m >> 1;
    for (; (j & bit) != 0; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const T re = z[2 * i], im = z[2 * i + 1];
      z[2 * i] = z[2 * j];
      z[2 * i + 1] = z[2 * j + 1];
      z[2 * j] = re;
      z[2 * j + 1] = im;
    }
  }
}

int32_t ReflectIndex(const SpectrogramShape& s, int32_t i) {
  if (i < 0) return -i;
  if (i >= s.samples) return 2 * (s.samples - 1) - i;
  return i;
}

// Radix-2 decimation-in-time FFT of m complex Q values, in place.
void FftQ(int32_t* z, int32_t m, int32_t n_fft, std::span<const int32_t> tw,
          std::span<const uint8_t> stage_shift) {
  BitReverse(z, m);
  int stage = 0;
  for (int32_t len = 2; len <= m; len <<= 1, ++stage) {
    const int32_t half = len / 2, step = n_fft / len;
    const int shift = 30 + stage_shift[static_cast<size_t>(stage)];
    for (int32_t start = 0; start < m; start += len) {
      for (int32_t j = 0; j < half; ++j) {
        const int64_t wr = tw[static_cast<size_t>(2 * j * step)];
        const int64_t wi = tw[static_cast<size_t>(2 * j * step + 1)];
        int32_t* a = z + 2 * (start + j);
        int32_t* b = z + 2 * (start + j + half);
        const int64_t tr = b[0] * wr - b[1] * wi;
        const int64_t ti = b[0] * wi + b[1] * wr;
        const int64_t ar = int64_t{a[0]} << 30, ai = int64_t{a[1]} << 30;
        a[0] = static_cast<int32_t>(RoundShift(ar + tr, shift));
        a[1] = static_cast<int32_t>(RoundShift(ai + ti, shift));
        b[0] = static_cast<int32_t>(RoundShift(ar - tr, shift));
        b[1] = static_cast<int32_t>(RoundShift(ai - ti, shift));
      }
    }
  }
}

// X[k] of the real sequence from Z = FFT(even + i odd):
// X[k] = (A + B + W^k (-i)(A - B)) / 2, A = Z[k], B = conj(Z[m - k]).
inline void SplitQ(const int32_t* z, int32_t m, int32_t k, std::span<const int32_t> tw, int shift,
                   int64_t* re, int64_t* im) {
  const int32_t ka = k % m, kb = (m - k) % m;
  const int64_t ar = z[2 * ka], ai = z[2 * ka + 1];
  const int64_t br = z[2 * kb], bi = -int64_t{z[2 * kb + 1]};
  const int64_t er = ar + br, ei = ai + bi;   // 2 E
  const int64_t orr = ai - bi, oi = br - ar;  // -i (A - B) = 2 O
  const int64_t wr = k == m ? -(int64_t{1} << 30) : tw[static_cast<size_t>(2 * k)];
  const int64_t wi = k == m ? 0 : tw[static_cast<size_t>(2 * k + 1)];
  *re = RoundShift((er << 30) + orr * wr - oi * wi, 31 + shift);
  *im = RoundShift((ei << 30) + orr * wi + oi * wr, 31 + shift);
}

// The spectrum of frame f into p[0 .. m] (uint64 in the scratch's pairs).
void FrameSpectrumQ(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                    int32_t f, int32_t* z) {
  const int32_t n = s.n_fft, m = n / 2;
  const int32_t start = f * s.hop - s.pad;
  for (int32_t j = 0; j < n; ++j) {
    const int64_t x = input[ReflectIndex(s, start + j)];
    z[j] = static_cast<int32_t>(RoundShift(x * t.window[static_cast<size_t>(j)], t.input_shift));
  }
  FftQ(z, m, n, t.twiddle, t.stage_shift);
  const int split_shift = t.stage_shift[t.stage_shift.size() - 1];
  auto value = [&](int64_t re, int64_t im) {
    const uint64_t p = static_cast<uint64_t>(re * re) + static_cast<uint64_t>(im * im);
    return s.spectrum == SpectrumKind::kMagnitude ? SqrtU64(p) : p;
  };
  // Pairs (k, m - k) read the same two Z values, so both are done before
  // their slots are overwritten; bin m goes to the extra slot at z[n].
  for (int32_t k = 0; k <= m / 2; ++k) {
    const int32_t k2 = m - k;
    int64_t r1, i1, r2, i2;
    SplitQ(z, m, k, t.twiddle, split_shift, &r1, &i1);
    SplitQ(z, m, k2, t.twiddle, split_shift, &r2, &i2);
    const uint64_t v1 = value(r1, i1), v2 = value(r2, i2);
    Store64(z + 2 * k, v1);
    Store64(z + 2 * (k2 == m ? m : k2), v2);
  }
}

template <typename Out>
void StoreOutput(const SpectrogramShape& s, const SpectrogramTablesQ& t, int32_t f, int32_t b,
                 int32_t l2, Out* output) {
  constexpr int64_t kMin = sizeof(Out) == 1 ? INT8_MIN : sizeof(Out) == 2 ? INT16_MIN : INT32_MIN;
  constexpr int64_t kMax = sizeof(Out) == 1 ? INT8_MAX : sizeof(Out) == 2 ? INT16_MAX : INT32_MAX;
  int64_t y = RoundShift(
      int64_t{l2} * t.out_multiplier[static_cast<size_t>(b)] + t.out_offset[static_cast<size_t>(b)],
      t.out_shift);
  y = y < kMin ? kMin : y > kMax ? kMax : y;
  const int32_t at = s.mel_time ? b * s.frames + f : f * s.bands + b;
  output[at] = static_cast<Out>(y);
}

template <typename Out>
void RunQ(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
          int32_t* scratch, Out* output) {
  int32_t* z = scratch;
  int32_t* logs = scratch + s.n_fft + 2;  // with top_db
  const bool clamp = t.top_db_q24 > 0;
  int32_t max_l2 = INT32_MIN;
  for (int32_t f = 0; f < s.frames; ++f) {
    FrameSpectrumQ(s, t, input, f, z);
    size_t w = 0;
    for (int32_t b = 0; b < s.bands; ++b) {
      uint64_t acc = 0;
      const int32_t first = t.band_start[static_cast<size_t>(b)];
      const int32_t count = t.band_length[static_cast<size_t>(b)];
      for (int32_t k = first; k < first + count; ++k, ++w) {
        const uint64_t p = Load64(z + 2 * k);
        const uint64_t weight = t.weight[w];
        acc = SaturatingAdd(acc, (p >> 15) * weight + (((p & 0x7FFF) * weight) >> 15));
      }
      acc = SaturatingAdd(acc, t.log_offset);
      int32_t l2 = acc == 0 ? t.log_floor_q24 : Log2Q24(acc);
      l2 = l2 < t.log_floor_q24 ? t.log_floor_q24 : l2;
      if (clamp) {
        logs[f * s.bands + b] = l2;
        max_l2 = l2 > max_l2 ? l2 : max_l2;
      } else {
        StoreOutput(s, t, f, b, l2, output);
      }
    }
  }
  if (!clamp) return;
  const int64_t low = int64_t{max_l2} - t.top_db_q24;
  const int32_t floor = low < INT32_MIN ? INT32_MIN : static_cast<int32_t>(low);
  for (int32_t f = 0; f < s.frames; ++f) {
    for (int32_t b = 0; b < s.bands; ++b) {
      const int32_t l2 = logs[f * s.bands + b];
      StoreOutput(s, t, f, b, l2 < floor ? floor : l2, output);
    }
  }
}

void FftF(float* z, int32_t m, int32_t n_fft, std::span<const float> tw) {
  BitReverse(z, m);
  for (int32_t len = 2; len <= m; len <<= 1) {
    const int32_t half = len / 2, step = n_fft / len;
    for (int32_t start = 0; start < m; start += len) {
      for (int32_t j = 0; j < half; ++j) {
        const float wr = tw[static_cast<size_t>(2 * j * step)];
        const float wi = tw[static_cast<size_t>(2 * j * step + 1)];
        float* a = z + 2 * (start + j);
        float* b = z + 2 * (start + j + half);
        const float tr = b[0] * wr - b[1] * wi;
        const float ti = b[0] * wi + b[1] * wr;
        const float ar = a[0], ai = a[1];
        a[0] = ar + tr;
        a[1] = ai + ti;
        b[0] = ar - tr;
        b[1] = ai - ti;
      }
    }
  }
}

}  // namespace

int32_t Log2Q24(uint64_t v) {
  const int e = 63 - CountLeadingZeros64(v);
  const uint64_t fraction = (v << (63 - e)) << 1;  // the bits after the leading one
  const int32_t i = static_cast<int32_t>(fraction >> 56);
  const uint64_t r = (fraction >> 24) & 0xFFFFFFFFu;
  const int64_t lo = kLog2Table[i], hi = kLog2Table[i + 1];
  const int64_t q30 = lo + (((hi - lo) * static_cast<int64_t>(r)) >> 32);
  return static_cast<int32_t>((int64_t{e} << 24) + ((q30 + 32) >> 6));
}

int64_t SpectrogramFftBound(int32_t n_fft, int input_shift, std::span<const uint8_t> stage_shift) {
  constexpr int64_t kLimit = int64_t{1} << 30;
  if (input_shift < 0 || input_shift > 62) return -1;
  // |x * w| <= 2^15 * 2^30; rounding adds at most one.
  int64_t sample = input_shift >= 45 ? 1 : (int64_t{1} << (45 - input_shift)) + 1;
  if (sample > kLimit) return -1;
  int64_t bound = sample * 46341 / 32768 + 1;  // |even + i odd| <= sqrt(2) max
  for (size_t k = 0; k < stage_shift.size(); ++k) {
    if (stage_shift[k] > 31) return -1;
    bound = ((2 * bound + 2) >> stage_shift[k]) + 1;
    if (bound > kLimit) return -1;
  }
  (void)n_fft;
  return bound;
}

void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int8_t* output) {
  RunQ(s, t, input, scratch, output);
}
void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int16_t* output) {
  RunQ(s, t, input, scratch, output);
}
void SpectrogramInt16(const SpectrogramShape& s, const SpectrogramTablesQ& t, const int16_t* input,
                      int32_t* scratch, int32_t* output) {
  RunQ(s, t, input, scratch, output);
}

void SpectrogramFloat(const SpectrogramShape& s, const SpectrogramTablesF& t, const float* input,
                      float* scratch, float* output) {
  const int32_t n = s.n_fft, m = n / 2;
  float* z = scratch;
  float* logs = scratch + n + 2;
  const bool clamp = t.top_db > 0.0f;
  float max_log = -3.4e38f;
  for (int32_t f = 0; f < s.frames; ++f) {
    const int32_t start = f * s.hop - s.pad;
    for (int32_t j = 0; j < n; ++j) {
      z[j] = input[ReflectIndex(s, start + j)] * t.window[static_cast<size_t>(j)];
    }
    FftF(z, m, n, t.twiddle);
    for (int32_t k = 0; k <= m / 2; ++k) {
      float v[2];
      const int32_t ks[2] = {k, m - k};
      for (int side = 0; side < 2; ++side) {
        const int32_t kk = ks[side];
        const int32_t ka = kk % m, kb = (m - kk) % m;
        const float ar = z[2 * ka], ai = z[2 * ka + 1], br = z[2 * kb], bi = -z[2 * kb + 1];
        const float er = ar + br, ei = ai + bi, orr = ai - bi, oi = br - ar;
        const float wr = kk == m ? -1.0f : t.twiddle[static_cast<size_t>(2 * kk)];
        const float wi = kk == m ? 0.0f : t.twiddle[static_cast<size_t>(2 * kk + 1)];
        const float re = 0.5f * (er + (orr * wr - oi * wi));
        const float im = 0.5f * (ei + (orr * wi + oi * wr));
        const float p = re * re + im * im;
        v[side] = s.spectrum == SpectrumKind::kMagnitude ? Sqrt(p) : p;
      }
      z[2 * k] = v[0];
      z[2 * (m - k == m ? m : m - k)] = v[1];
    }
    size_t w = 0;
    for (int32_t b = 0; b < s.bands; ++b) {
      float acc = 0.0f;
      const int32_t first = t.band_start[static_cast<size_t>(b)];
      const int32_t count = t.band_length[static_cast<size_t>(b)];
      for (int32_t k = first; k < first + count; ++k, ++w) acc += z[2 * k] * t.weight[w];
      float y = acc;
      if (s.log != LogKind::kNone) {
        acc += t.log_offset;
        y = Log(acc < t.log_floor ? t.log_floor : acc);
        if (s.log == LogKind::kDecibel) y *= 4.3429448190325175f;  // 10 / ln 10
      }
      if (clamp) {
        logs[f * s.bands + b] = y;
        max_log = y > max_log ? y : max_log;
      } else {
        const int32_t at = s.mel_time ? b * s.frames + f : f * s.bands + b;
        output[at] = y * t.out_scale[static_cast<size_t>(b)] + t.out_bias[static_cast<size_t>(b)];
      }
    }
  }
  if (!clamp) return;
  const float floor = max_log - t.top_db;
  for (int32_t f = 0; f < s.frames; ++f) {
    for (int32_t b = 0; b < s.bands; ++b) {
      float y = logs[f * s.bands + b];
      y = y < floor ? floor : y;
      const int32_t at = s.mel_time ? b * s.frames + f : f * s.bands + b;
      output[at] = y * t.out_scale[static_cast<size_t>(b)] + t.out_bias[static_cast<size_t>(b)];
    }
  }
}

}  // namespace mote::reference
