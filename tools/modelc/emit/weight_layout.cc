#include "emit/weight_layout.h"

#include "plan/cost.h"

namespace mote::modelc {

namespace {

constexpr const char* kInterleavedAttr = "weights_interleaved";

bool CanInterleave(const Graph& g, const Node& n) {
  if (n.op != "FullyConnected" || n.inputs.size() < 2 || n.inputs[1] < 0) return false;
  const Tensor& in = g.tensors[n.inputs[0]];
  const Tensor& w = g.tensors[n.inputs[1]];
  const Tensor& out = g.tensors[n.outputs[0]];
  if (in.dtype != DType::kInt8 || out.dtype != DType::kInt8 || !w.is_const() ||
      w.shape.size() != 2 || w.encoded.size() != static_cast<size_t>(NumElements(w.shape))) {
    return false;
  }
  const int64_t units = w.shape[0];
  const int64_t depth = w.shape[1];
  if (units < 4 || depth < 1 || depth > kMaxInterleavedDepth || NumElements(in.shape) != depth) {
    return false;
  }
  int readers = 0;
  for (const Node& other : g.nodes) {
    for (int t : other.inputs) readers += t == n.inputs[1] ? 1 : 0;
  }
  for (int t : g.outputs) readers += t == n.inputs[1] ? 1 : 0;
  return readers == 1;
}

}  // namespace

void ChooseWeightLayouts(Graph& g) {
  std::vector<size_t> candidates;
  int64_t candidate_macs = 0, total_macs = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    g.nodes[i].attrs.erase(kInterleavedAttr);  // decided here only, whatever an importer kept
    const int64_t macs = CostOf(g, g.nodes[i]).macs;
    total_macs += macs;
    if (CanInterleave(g, g.nodes[i])) {
      candidates.push_back(i);
      candidate_macs += macs;
    }
  }
  if (candidate_macs * kMinInterleavedShare < total_macs) return;
  for (size_t i : candidates) g.nodes[i].attrs[kInterleavedAttr] = Attr{int64_t{1}};
}

bool InterleavesWeights(const Graph& g, const Node& n) {
  (void)g;
  return n.op == "FullyConnected" && n.attr_int(kInterleavedAttr, 0) != 0;
}

std::vector<uint8_t> InterleaveRows(const std::vector<uint8_t>& plain, size_t units, size_t depth) {
  std::vector<uint8_t> out(plain);  // rows after the last whole group stay plain
  const size_t blocks = depth / 4;
  const size_t tail = depth % 4;
  for (size_t g = 0; g + 4 <= units; g += 4) {
    uint8_t* group = out.data() + g * depth;
    for (size_t r = 0; r < 4; ++r) {
      const uint8_t* row = plain.data() + (g + r) * depth;
      for (size_t k = 0; k < blocks; ++k) {
        for (size_t i = 0; i < 4; ++i) group[16 * k + 4 * r + i] = row[4 * k + i];
      }
      for (size_t i = 0; i < tail; ++i) group[16 * blocks + r * tail + i] = row[4 * blocks + i];
    }
  }
  return out;
}

}  // namespace mote::modelc
