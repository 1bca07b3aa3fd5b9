// The sliding window of a stream (the Fifo op, mote.fbs FifoOptions): pure
// data movement, so one byte kernel serves every element type.
#ifndef MOTE_KERNELS_REFERENCE_FIFO_H_
#define MOTE_KERNELS_REFERENCE_FIFO_H_

#include <stddef.h>
#include <stdint.h>

namespace mote::reference {

// `window` is [outer, length, row_bytes], `in` [outer, hop, row_bytes] with
// 0 < hop <= length. Per outer slice: rows [hop, length) move to [0, length -
// hop), then `in`'s hop rows fill [length - hop, length). `in` and `window`
// must not overlap. Bytes moved: outer * length * row_bytes.
void Fifo(uint8_t* window, const uint8_t* in, size_t outer, size_t length, size_t hop,
          size_t row_bytes);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_FIFO_H_
