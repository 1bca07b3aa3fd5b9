// Numpy broadcasting of two inputs to one output, up to kMaxRank dims; used
// by the binary elementwise kernels (Add, Mul).
#ifndef MOTE_KERNELS_REFERENCE_BROADCAST_H_
#define MOTE_KERNELS_REFERENCE_BROADCAST_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "mote/tensor.h"

namespace mote::reference {

// Output shape and per-input strides (0 along broadcast dims), all padded on
// the left to the output's rank.
struct Broadcast {
  int rank = 0;
  int32_t dims[kMaxRank] = {};
  size_t stride1[kMaxRank] = {};
  size_t stride2[kMaxRank] = {};
  size_t num_elements = 0;
};

// Fills `b` for inputs of shapes `a1`, `a2` producing `out`; false if the
// shapes do not broadcast to `out`.
bool MakeBroadcast(std::span<const int32_t> a1, std::span<const int32_t> a2,
                   std::span<const int32_t> out, Broadcast* b);

// Calls f(out_index, in1_index, in2_index) for every output element in
// row-major order.
template <typename F>
void ForEachElement(const Broadcast& b, F f) {
  size_t counter[kMaxRank] = {};
  size_t i1 = 0;
  size_t i2 = 0;
  for (size_t o = 0; o < b.num_elements; ++o) {
    f(o, i1, i2);
    for (int d = b.rank - 1; d >= 0; --d) {
      i1 += b.stride1[d];
      i2 += b.stride2[d];
      if (++counter[d] < static_cast<size_t>(b.dims[d])) break;
      i1 -= b.stride1[d] * counter[d];
      i2 -= b.stride2[d] * counter[d];
      counter[d] = 0;
    }
  }
}

// Calls f(out_index, in1_index, in2_index, n, step1, step2) for runs of n
// consecutive outputs whose inputs advance by step1 and step2 (0: broadcast,
// 1: contiguous) per output, covering every output in row-major order. When
// neither input broadcasts, or one is a single element, the whole output is
// one run; otherwise each run is a row of the innermost dimension. The
// elementwise kernels keep their index bookkeeping out of the inner loop
// (f has one call site, so its loop is inlined once).
template <typename F>
void ForEachRun(const Broadcast& b, F f) {
  if (b.num_elements == 0) return;
  bool contiguous1 = true;
  bool contiguous2 = true;
  bool single1 = true;
  bool single2 = true;
  size_t stride = 1;
  for (int d = b.rank - 1; d >= 0; --d) {
    contiguous1 = contiguous1 && (b.stride1[d] == stride || b.dims[d] == 1);
    contiguous2 = contiguous2 && (b.stride2[d] == stride || b.dims[d] == 1);
    single1 = single1 && (b.stride1[d] == 0 || b.dims[d] == 1);
    single2 = single2 && (b.stride2[d] == 0 || b.dims[d] == 1);
    stride *= static_cast<size_t>(b.dims[d]);
  }
  const bool one_run = (contiguous1 || single1) && (contiguous2 || single2);
  // Rows of n outputs over the outer dimensions [0, outer), walked as
  // ForEachElement walks elements.
  const int outer = one_run ? 0 : b.rank - 1;
  const size_t n = one_run ? b.num_elements : static_cast<size_t>(b.dims[outer]);
  const size_t step1 = one_run ? (single1 ? 0 : 1) : b.stride1[outer];
  const size_t step2 = one_run ? (single2 ? 0 : 1) : b.stride2[outer];
  size_t counter[kMaxRank] = {};
  size_t i1 = 0;
  size_t i2 = 0;
  for (size_t o = 0; o < b.num_elements; o += n) {
    f(o, i1, i2, n, step1, step2);
    for (int d = outer - 1; d >= 0; --d) {
      i1 += b.stride1[d];
      i2 += b.stride2[d];
      if (++counter[d] < static_cast<size_t>(b.dims[d])) break;
      i1 -= b.stride1[d] * counter[d];
      i2 -= b.stride2[d] * counter[d];
      counter[d] = 0;
    }
  }
}

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_BROADCAST_H_
