#include "kernels/reference/add.h"

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

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

void FillStrides(std::span<const int32_t> in, int rank, const int32_t* out_dims, size_t* strides) {
  size_t stride = 1;
  const int offset = rank - static_cast<int>(in.size());
  for (int d = rank - 1; d >= 0; --d) {
    const int32_t dim = d >= offset ? in[d - offset] : 1;
    strides[d] = (dim == 1 && out_dims[d] != 1) ? 0 : stride;
    stride *= static_cast<size_t>(dim);
  }
}

template <typename T>
void AddQuantized(const Broadcast& b, const QuantizedAddParams& p, const T* in1, const T* in2,
                  T* out) {
  ForEachElement(b, [&](size_t o, size_t i1, size_t i2) {
    const int32_t v1 = (static_cast<int32_t>(in1[i1]) + p.input1_offset) * (1 << p.left_shift);
    const int32_t v2 = (static_cast<int32_t>(in2[i2]) + p.input2_offset) * (1 << p.left_shift);
    const int32_t s1 = MultiplyByQuantizedMultiplier(v1, p.input1_multiplier, p.input1_shift);
    const int32_t s2 = MultiplyByQuantizedMultiplier(v2, p.input2_multiplier, p.input2_shift);
    const int32_t sum = SaturateToInt32(int64_t{s1} + s2);
    const int32_t raw = MultiplyByQuantizedMultiplier(sum, p.output_multiplier, p.output_shift);
    out[o] = ClampTo<T>(SaturateToInt32(int64_t{raw} + p.output_offset), p.activation_min,
                        p.activation_max);
  });
}

}  // namespace

bool MakeBroadcast(std::span<const int32_t> a1, std::span<const int32_t> a2,
                   std::span<const int32_t> out, Broadcast* b) {
  const int rank = static_cast<int>(out.size());
  if (rank > kMaxRank || a1.size() > out.size() || a2.size() > out.size()) return false;
  b->rank = rank;
  b->num_elements = 1;
  for (int d = 0; d < rank; ++d) {
    const int o1 = d - (rank - static_cast<int>(a1.size()));
    const int o2 = d - (rank - static_cast<int>(a2.size()));
    const int32_t d1 = o1 >= 0 ? a1[o1] : 1;
    const int32_t d2 = o2 >= 0 ? a2[o2] : 1;
    const int32_t want = d1 == 1 ? d2 : d1;
    if ((d1 != 1 && d2 != 1 && d1 != d2) || out[d] != want) return false;
    b->dims[d] = out[d];
    b->num_elements *= static_cast<size_t>(out[d]);
  }
  FillStrides(a1, rank, b->dims, b->stride1);
  FillStrides(a2, rank, b->dims, b->stride2);
  return true;
}

void AddInt8(const Broadcast& b, const QuantizedAddParams& p, const int8_t* in1,
             const int8_t* in2, int8_t* out) {
  AddQuantized(b, p, in1, in2, out);
}

void AddInt16(const Broadcast& b, const QuantizedAddParams& p, const int16_t* in1,
              const int16_t* in2, int16_t* out) {
  AddQuantized(b, p, in1, in2, out);
}

void AddFloat(const Broadcast& b, float activation_min, float activation_max, const float* in1,
              const float* in2, float* out) {
  ForEachElement(b, [&](size_t o, size_t i1, size_t i2) {
    float v = in1[i1] + in2[i2];
    if (v < activation_min) v = activation_min;
    if (v > activation_max) v = activation_max;
    out[o] = v;
  });
}

}  // namespace mote::reference
