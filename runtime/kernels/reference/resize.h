// Resize of NHWC height and width by source coordinates modelc computed
// (mote.fbs ResizeOptions): the coordinate transformation and rounding modes
// are resolved on the host, so the kernels only read tables.
//
// Nearest: output (b, oy, ox, c) = input (b, y_index[oy], x_index[ox], c).
// Linear: along x, v = a * (1 - wx) + b * wx between columns x_index[2 ox]
// and x_index[2 ox + 1]; then along y between the two rows the same way.
// Quantized tensors interpolate their integer values (input and output share
// scale and zero point, and the weights sum to one): weights in Q15,
// rows in int32 (|value| * 2^15 <= 2^30), the final sum in int64, rounded
// half up by one shift of 30. Integer-only, so every target gives the same
// bytes. Float32 uses float weights in the same order.
#ifndef MOTE_KERNELS_REFERENCE_RESIZE_H_
#define MOTE_KERNELS_REFERENCE_RESIZE_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote::reference {

inline constexpr int kResizeFractionBits = 15;
inline constexpr int32_t kResizeOne = int32_t{1} << kResizeFractionBits;

struct ResizeShape {
  int32_t batches;
  int32_t in_h, in_w;
  int32_t out_h, out_w;
  int32_t channels;
};

// Any element type: copies `element_size`-byte elements.
void ResizeNearest(const ResizeShape& s, size_t element_size, std::span<const int32_t> y_index,
                   std::span<const int32_t> x_index, const uint8_t* input, uint8_t* output);

// Linear. Indices are (lower, upper) pairs per output row / column;
// fractions are the upper one's weight in Q15 ([0, kResizeOne]).
void ResizeLinearInt8(const ResizeShape& s, std::span<const int32_t> y_index,
                      std::span<const int32_t> x_index, std::span<const uint16_t> y_fraction,
                      std::span<const uint16_t> x_fraction, const int8_t* input, int8_t* output);

void ResizeLinearInt16(const ResizeShape& s, std::span<const int32_t> y_index,
                       std::span<const int32_t> x_index, std::span<const uint16_t> y_fraction,
                       std::span<const uint16_t> x_fraction, const int16_t* input, int16_t* output);

void ResizeLinearFloat(const ResizeShape& s, std::span<const int32_t> y_index,
                       std::span<const int32_t> x_index, std::span<const float> y_weight,
                       std::span<const float> x_weight, const float* input, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_RESIZE_H_
