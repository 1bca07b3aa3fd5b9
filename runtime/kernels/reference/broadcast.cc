#include "kernels/reference/broadcast.h"

namespace mote::reference {
namespace {

void FillStrides(std::span<const int32_t> in, int rank, const int32_t* out_dims, size_t* strides) {
  size_t stride = 1;
  const int offset = rank - static_cast<int>(in.size());
  for (int d = rank - 1; d >= 0; --d) {
    const int32_t dim = d >= offset ? in[d - offset] : 1;
    strides[d] = (dim == 1 && out_dims[d] != 1) ? 0 : stride;
    stride *= static_cast<size_t>(dim);
  }
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

}  // namespace mote::reference
