// When a Conv2D may write its output over its own input (TinyEngine-style
// in-place windows). modelc plans such overlaps, the loader re-checks them
// with the same function, and kernel_check proves every kernel variant keeps
// to it on every board.
//
// The contract every Conv2D kernel (reference, DSP, Helium) keeps: output
// pixels (batch, y, x in that order) are produced front to back; once a
// kernel writes any byte of output pixel p it reads only the inputs of
// pixels >= p - kInPlaceLookahead. That holds for up to kInPlaceMaxChannels
// output channels only (past them the Helium kernels walk chunks of 64
// channels over all pixels), so wider convs never overlap. The output may
// start `margin` bytes below the input, where margin is the most that any
// pixel's output end passes the lowest input byte still to be read.
#ifndef MOTE_KERNELS_REFERENCE_IN_PLACE_H_
#define MOTE_KERNELS_REFERENCE_IN_PLACE_H_

#include <stddef.h>
#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::reference {

// Pixel-pair kernels may write the second pixel before they are done with
// the first (the Helium 1x1 blocks of 8 read all 8 before writing).
inline constexpr int32_t kInPlaceLookahead = 1;
inline constexpr int32_t kInPlaceMaxChannels = 64;  // Helium channel chunk (measured: 65+ breaks)

// Least `input offset - output offset` (bytes, >= 0) at which the output of
// a conv with window `w` may overlap its input, or -1 if it must not overlap
// at all. Element sizes are the input's and output's. O(pixels).
int64_t ConvInPlaceMargin(const Window2D& w, size_t in_elem, size_t out_elem);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_IN_PLACE_H_
