#include "kernels/reference/dct.h"

namespace mote::reference {
namespace {

inline int64_t RoundShift(int64_t x, int shift) {
  if (shift == 0) return x;
  return (x + (int64_t{1} << (shift - 1))) >> shift;
}

template <typename Out>
void Run(const DctShape& s, const DctTablesQ& t, const int32_t* input, Out* output) {
  constexpr int64_t kMin = sizeof(Out) == 1 ? INT8_MIN : INT16_MIN;
  constexpr int64_t kMax = sizeof(Out) == 1 ? INT8_MAX : INT16_MAX;
  for (int32_t f = 0; f < s.frames; ++f) {
    const int32_t* x = input + static_cast<int64_t>(f) * s.n_in;
    for (int32_t k = 0; k < s.n_out; ++k) {
      const int16_t* c = t.matrix.data() + static_cast<int64_t>(k) * s.n_in;
      int64_t acc = 0;
      for (int32_t i = 0; i < s.n_in; ++i) acc += int64_t{c[i]} * x[i];
      int64_t v = RoundShift(acc, t.pre_shift);
      v = v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
      int64_t y = RoundShift(
          v * t.out_multiplier[static_cast<size_t>(k)] + t.out_offset[static_cast<size_t>(k)],
          t.out_shift);
      y = y < kMin ? kMin : y > kMax ? kMax : y;
      output[s.mel_time ? k * s.frames + f : f * s.n_out + k] = static_cast<Out>(y);
    }
  }
}

}  // namespace

void DctInt32(const DctShape& s, const DctTablesQ& t, const int32_t* input, int8_t* output) {
  Run(s, t, input, output);
}

void DctInt32(const DctShape& s, const DctTablesQ& t, const int32_t* input, int16_t* output) {
  Run(s, t, input, output);
}

void DctFloat(const DctShape& s, std::span<const float> matrix, std::span<const float> scale,
              std::span<const float> bias, const float* input, float* output) {
  for (int32_t f = 0; f < s.frames; ++f) {
    const float* x = input + static_cast<int64_t>(f) * s.n_in;
    for (int32_t k = 0; k < s.n_out; ++k) {
      const float* c = matrix.data() + static_cast<int64_t>(k) * s.n_in;
      float acc = 0.0f;
      for (int32_t i = 0; i < s.n_in; ++i) acc += c[i] * x[i];
      output[s.mel_time ? k * s.frames + f : f * s.n_out + k] =
          acc * scale[static_cast<size_t>(k)] + bias[static_cast<size_t>(k)];
    }
  }
}

}  // namespace mote::reference
