// Markers around the code a benchmark measures; see bench_markers.h.
#include "bench_markers.h"

// noinline + used + an opaque body make them distinct symbols with their own
// first instruction that every call really branches to; noipa also keeps
// GCC's identical-code folding (-fipa-icf, on at -O2/-Os) from merging the
// two identical bodies into one address.
__attribute__((noinline, noipa, used)) void mote_bench_begin(void) {
  __asm__ volatile("" ::: "memory");
}
__attribute__((noinline, noipa, used)) void mote_bench_end(void) {
  __asm__ volatile("" ::: "memory");
}
