// A constant dense matrix over the last axis (mote.fbs DctOptions): the
// DCT-II of log-mel frames into MFCCs. Input [frames, n_in]; output
// [frames, n_out], or [n_out, frames] when mel_time.
//
// int: int32 input times the int16 matrix, summed exactly in int64 (|x| <
// 2^31, |c| <= 2^15, n_in <= 2^16), rounded down by pre_shift bits and
// saturated to int32 (v), then round((v * m[k] + o[k]) / 2^out_shift)
// saturated to the output type. float32: sum(c * x) * scale[k] + bias[k].
#ifndef MOTE_KERNELS_REFERENCE_DCT_H_
#define MOTE_KERNELS_REFERENCE_DCT_H_

#include <stdint.h>

#include <span>

namespace mote::reference {

inline constexpr int32_t kDctMaxInputs = 1 << 16;

struct DctShape {
  int32_t frames;
  int32_t n_in;
  int32_t n_out;
  bool mel_time;
};

struct DctTablesQ {
  std::span<const int16_t> matrix;  // [n_out, n_in]
  int pre_shift;                    // [0, 62]
  std::span<const int32_t> out_multiplier;
  std::span<const int64_t> out_offset;  // |.| <= 2^61
  int out_shift;                        // [0, 62]
};

void DctInt32(const DctShape& s, const DctTablesQ& t, const int32_t* input, int8_t* output);
void DctInt32(const DctShape& s, const DctTablesQ& t, const int32_t* input, int16_t* output);
void DctFloat(const DctShape& s, std::span<const float> matrix, std::span<const float> scale,
              std::span<const float> bias, const float* input, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_DCT_H_
