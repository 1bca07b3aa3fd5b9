// Concatenation, one input at a time: viewing input i as [outer, inner_i] and
// the output as [outer, out_inner], input i fills columns [offset_i,
// offset_i + inner_i) of every output row. Running it for each input in turn
// writes the whole output without any table of input pointers.
#ifndef MOTE_KERNELS_REFERENCE_CONCAT_H_
#define MOTE_KERNELS_REFERENCE_CONCAT_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

struct ConcatSlice {
  size_t outer;      // product of the dims before the axis
  size_t inner;      // input's axis dim * product of the dims after it
  size_t out_inner;  // output's axis dim * product of the dims after it
  size_t offset;     // sum of the inner sizes of the inputs before this one
};

// Same parameters on both sides: copies the bytes.
void ConcatCopy(const ConcatSlice& s, size_t element_size, const void* input, void* output);

// Different parameters: out = clamp((q - zp_in) * M + zp_out) with M =
// (multiplier, shift), as TFLite's requantization.
struct ConcatRequant {
  int32_t input_zero_point;
  int32_t multiplier;
  int shift;
  int32_t output_zero_point;
};
void ConcatRequantizeInt8(const ConcatSlice& s, const ConcatRequant& r, const int8_t* input,
                          int8_t* output);
void ConcatRequantizeInt16(const ConcatSlice& s, const ConcatRequant& r, const int16_t* input,
                           int16_t* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_CONCAT_H_
