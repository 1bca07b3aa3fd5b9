#include "kernels/reference/fifo.h"

#include <string.h>

namespace mote::reference {

void Fifo(uint8_t* window, const uint8_t* in, size_t outer, size_t length, size_t hop,
          size_t row_bytes) {
  const size_t keep = (length - hop) * row_bytes, fresh = hop * row_bytes;
  for (size_t o = 0; o < outer; ++o) {
    uint8_t* w = window + o * length * row_bytes;
    memmove(w, w + fresh, keep);
    memcpy(w + keep, in + o * fresh, fresh);
  }
}

}  // namespace mote::reference
