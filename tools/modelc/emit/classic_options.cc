#include "emit/classic_options.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "ml/svm.h"
#include "ml/tree_model.h"
#include "mote/quantize.h"

namespace mote::modelc {
namespace {

constexpr size_t kMaxIndex = 0x8000;  // 15-bit node and leaf indices
constexpr uint16_t kLeaf = 0x8000;

template <typename T>
void Append(std::vector<uint8_t>& bytes, T v) {
  uint8_t raw[sizeof(T)];
  std::memcpy(raw, &v, sizeof(T));
  bytes.insert(bytes.end(), raw, raw + sizeof(T));
}

// Numbers the internal nodes of every tree in preorder (so a child always
// follows its parent) and the leaves in visiting order.
struct Numbering {
  std::vector<std::map<int64_t, uint16_t>> code;  // per tree: ONNX node id -> child code
  std::vector<std::pair<size_t, int64_t>> internal, leaves;  // (tree, node id) in number order
};

Numbering Number(const Node& n, const TreeModel& m) {
  Numbering num;
  size_t t = 0;
  for (const auto& [id, nodes] : m.trees) {
    num.code.emplace_back();
    std::vector<int64_t> stack = {0};
    while (!stack.empty()) {
      const int64_t nid = stack.back();
      stack.pop_back();
      const TreeNodeSpec& s = nodes.at(nid);
      if (s.mode < 0) {
        num.code[t][nid] = static_cast<uint16_t>(kLeaf | num.leaves.size());
        num.leaves.push_back({t, nid});
      } else {
        num.code[t][nid] = static_cast<uint16_t>(num.internal.size());
        num.internal.push_back({t, nid});
        stack.push_back(s.false_id);
        stack.push_back(s.true_id);
      }
      if (num.internal.size() > kMaxIndex || num.leaves.size() > kMaxIndex) {
        Unsupported(n, "the ensemble has more than 32768 branch nodes or leaves; split it or prune the trees");
      }
    }
    ++t;
  }
  return num;
}

BuiltOp TreeEnsembleOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n, const AddBuffer& add) {
  const TreeModel m = ParseTreeModel(n);
  if (m.targets > 32) Unsupported(n, "more than 32 outputs (classes or targets) per tree ensemble");
  const Tensor& in = g.tensors[n.inputs[0]];
  const bool grid = in.dtype == DType::kInt32;
  const Numbering num = Number(n, m);
  std::vector<const std::map<int64_t, TreeNodeSpec>*> trees;
  for (const auto& [id, nodes] : m.trees) trees.push_back(&nodes);
  std::vector<uint8_t> nodes, roots, offsets, targets, values;
  for (const auto& [t, nid] : num.internal) {
    const TreeNodeSpec& s = trees[t]->at(nid);
    int32_t threshold;
    if (grid) {
      const float scale = in.quant->scale.size() == 1 ? in.quant->scale[0] : in.quant->scale[s.feature];
      threshold = QuantizeValue(s.threshold, scale, 0, std::numeric_limits<int32_t>::min() + 1,
                                std::numeric_limits<int32_t>::max());
    } else {
      std::memcpy(&threshold, &s.threshold, sizeof(threshold));
    }
    Append(nodes, threshold);
    Append(nodes, static_cast<uint16_t>(s.feature));
    Append(nodes, static_cast<uint8_t>(s.mode | (s.missing_true ? 0x80 : 0)));
    Append(nodes, uint8_t{0});
    Append(nodes, num.code[t].at(s.true_id));
    Append(nodes, num.code[t].at(s.false_id));
  }
  for (size_t t = 0; t < trees.size(); ++t) Append(roots, num.code[t].at(0));
  // Leaf values as int32 with as many fraction bits as the largest allows.
  double max_abs = 0.0;
  for (const auto& [t, nid] : num.leaves)
    for (const auto& [target, w] : trees[t]->at(nid).weights) max_abs = std::max(max_abs, std::fabs(double{w}));
  int shift = 62;
  while (shift > 0 && max_abs * std::ldexp(1.0, shift) >= 2147483647.0) --shift;
  uint32_t entries = 0;
  Append(offsets, entries);
  for (const auto& [t, nid] : num.leaves) {
    std::map<int64_t, double> merged;  // several weights for one target add up
    for (const auto& [target, w] : trees[t]->at(nid).weights) merged[target] += w;
    for (const auto& [target, w] : merged) {
      Append(targets, static_cast<uint16_t>(target));
      Append(values, static_cast<int32_t>(std::llround(w * std::ldexp(1.0, shift))));
      ++entries;
    }
    Append(offsets, entries);
  }
  const auto o = schema::CreateTreeEnsembleOptions(
      fbb, add(nodes), add(roots), add(offsets), add(targets), add(values), shift, fbb.CreateVector(m.base_values),
      m.average, static_cast<int32_t>(MaxDepth(m)));
  return {schema::OpCode::TreeEnsemble, schema::OpOptions::TreeEnsembleOptions, o.Union()};
}

template <typename T>
std::vector<uint8_t> RawBytes(const std::vector<T>& v) {
  std::vector<uint8_t> bytes(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
  return bytes;
}

BuiltOp SvmOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n, const AddBuffer& add) {
  const SvmModel m = ParseSvm(n, g.tensors[n.inputs[0]].shape.back());
  const int8_t mode = m.mode == SvmModel::Mode::kRegressor ? 0 : m.mode == SvmModel::Mode::kOneVsOne ? 1 : 2;
  const int32_t vectors = add(RawBytes(m.support_vectors));
  const int32_t coefficients = m.mode == SvmModel::Mode::kLinear ? -1 : add(RawBytes(m.coefficients));
  const int32_t labels = m.mode == SvmModel::Mode::kRegressor ? -1 : add(RawBytes(m.labels));
  const auto per_class = fbb.CreateVector(m.vectors_per_class);
  const auto rho = fbb.CreateVector(m.rho);
  const auto prob_a = fbb.CreateVector(m.prob_a);
  const auto prob_b = fbb.CreateVector(m.prob_b);
  // With probabilities the transform follows the coupling (SvmPairwise).
  const int8_t post = static_cast<int8_t>(m.probabilities() ? 0 : m.post);
  const auto o = schema::CreateSvmOptions(fbb, mode, static_cast<int8_t>(m.kernel), m.gamma, m.coef0, m.degree, vectors,
                                          coefficients, per_class, rho, prob_a, prob_b, labels, post,
                                          static_cast<int8_t>(n.attr_int("mote_scores", 0)), m.one_class,
                                          static_cast<int8_t>(m.label_rule));
  return {schema::OpCode::Svm, schema::OpOptions::SvmOptions, o.Union()};
}

}  // namespace

std::optional<BuiltOp> BuildClassicOp(flatbuffers::FlatBufferBuilder& fbb, const Graph& g, const Node& n,
                                      const AddBuffer& add) {
  if (n.op == "TreeEnsemble") return TreeEnsembleOp(fbb, g, n, add);
  if (n.op == "ClassifierHead") {
    std::vector<uint8_t> labels;
    for (int64_t l : n.attr_ints("labels")) Append(labels, l);
    const auto o = schema::CreateClassifierHeadOptions(fbb, static_cast<int8_t>(n.attr_int("post", 0)),
                                                       static_cast<int8_t>(n.attr_int("binary", 0)), add(labels));
    return BuiltOp{schema::OpCode::ClassifierHead, schema::OpOptions::ClassifierHeadOptions, o.Union()};
  }
  if (n.op == "Svm") return SvmOp(fbb, g, n, add);
  if (n.op == "SvmPairwise") {
    const auto o = schema::CreateSvmPairwiseOptions(fbb, static_cast<int8_t>(n.attr_int("method", 0)),
                                                    static_cast<int8_t>(n.attr_int("post", 0)));
    return BuiltOp{schema::OpCode::SvmPairwise, schema::OpOptions::SvmPairwiseOptions, o.Union()};
  }
  if (n.op == "Normalize") {
    const auto o = schema::CreateNormalizeOptions(fbb, static_cast<int8_t>(n.attr_int("norm", 0)));
    return BuiltOp{schema::OpCode::Normalize, schema::OpOptions::NormalizeOptions, o.Union()};
  }
  return std::nullopt;
}

}  // namespace mote::modelc
