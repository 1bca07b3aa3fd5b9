// Parameters of a QuantizeLinear / DequantizeLinear node (ops/qdq.cc).
#ifndef MOTE_TOOLS_MODELC_OPS_QDQ_H_
#define MOTE_TOOLS_MODELC_OPS_QDQ_H_

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

struct QdqParams {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int axis = -1;               // -1: per tensor
  DType type = DType::kUInt8;  // the quantized type: kInt8, kUInt8 or kInt32
  int32_t lo = 0, hi = 255;    // its range
};

// The parameters of `n` (a QuantizeLinear or DequantizeLinear) on an input
// of rank `rank`; throws naming the node for float8, int16, block-wise or
// inconsistent parameters.
QdqParams ReadQdqParams(const Graph& g, const Node& n, const Value& scale, const Value* zero_point,
                        int64_t rank);

// The channel (index into scale) of element k of a tensor of `shape`.
int64_t QdqChannel(const QdqParams& p, const Shape& shape, int64_t k);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_OPS_QDQ_H_
