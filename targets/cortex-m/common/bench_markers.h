// Markers around the code a benchmark measures.
//
// bench/qemu_plugin (libmote_insn_count.so) counts the guest instructions
// executed from the entry of mote_bench_begin() to the entry of
// mote_bench_end(), found by symbol name: both must stay distinct,
// never-inlined functions with these exact names.
#ifndef MOTE_CORTEX_M_BENCH_MARKERS_H_
#define MOTE_CORTEX_M_BENCH_MARKERS_H_

#ifdef __cplusplus
extern "C" {
#endif

void mote_bench_begin(void);
void mote_bench_end(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // MOTE_CORTEX_M_BENCH_MARKERS_H_
