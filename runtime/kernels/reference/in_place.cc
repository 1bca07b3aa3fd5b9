#include "kernels/reference/in_place.h"

namespace mote::reference {
namespace {

// First in-bounds tap of a window axis starting at `origin`, or -1. Taps
// the window has fit int32 (the loader checks windows), so only those are
// formed.
int32_t FirstTap(int32_t origin, int32_t dilation, int32_t taps, int32_t size) {
  const int32_t k = origin >= 0 ? 0 : -(origin + 1) / dilation + 1;
  if (k >= taps) return -1;
  const int32_t at = origin + k * dilation;
  return at < size ? at : -1;
}

}  // namespace

// 32-bit byte positions: the loader bounds every tensor by the arena, whose
// size is a uint32, and modelc's tensors are far smaller.
int64_t ConvInPlaceMargin(const Window2D& w, size_t in_elem, size_t out_elem) {
  if (w.out_c > kInPlaceMaxChannels) return -1;
  const uint32_t pixels = static_cast<uint32_t>(w.batches) * w.out_h * w.out_w;
  const uint32_t out_pixel = static_cast<uint32_t>(w.out_c * out_elem);
  const uint32_t in_pixel = static_cast<uint32_t>(w.in_c * in_elem);
  const uint32_t in_row = in_pixel * static_cast<uint32_t>(w.in_w);
  // Backwards, so that `lowest` is the lowest input byte any pixel >= q reads.
  uint32_t lowest = UINT32_MAX;
  uint32_t margin = 0;
  uint32_t q = pixels;
  for (int32_t b = w.batches - 1; b >= 0; --b) {
    const uint32_t image = static_cast<uint32_t>(b) * static_cast<uint32_t>(w.in_h) * in_row;
    for (int32_t oy = w.out_h - 1; oy >= 0; --oy) {
      const int32_t iy = FirstTap(oy * w.stride_h - w.pad_top, w.dilation_h, w.filter_h, w.in_h);
      for (int32_t ox = w.out_w - 1; ox >= 0; --ox) {
        --q;
        const int32_t ix = FirstTap(ox * w.stride_w - w.pad_left, w.dilation_w, w.filter_w, w.in_w);
        if (iy >= 0 && ix >= 0) {
          const uint32_t first = image + static_cast<uint32_t>(iy) * in_row + static_cast<uint32_t>(ix) * in_pixel;
          if (first < lowest) lowest = first;
        }
        if (lowest == UINT32_MAX) continue;  // nothing read from here on
        const uint32_t written = pixels - q > kInPlaceLookahead ? q + kInPlaceLookahead : pixels - 1;
        const uint32_t end = (written + 1) * out_pixel;
        if (end > lowest && end - lowest > margin) margin = end - lowest;
      }
    }
  }
  return margin;
}

}  // namespace mote::reference
