// Layer normalization: ONNX LayerNormalization (opset 17; the opset 13
// ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add form is fused into it by
// passes/fuse_layer_norm.cc) lowered to the runtime's LayerNorm over the
// trailing axes from `axis`, with gamma and beta flattened to one value per
// element of a row.
#include <cmath>

#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

int64_t AxisOf(const Node& n, size_t rank) {
  int64_t axis = n.attr_int("axis", -1);
  if (axis < 0) axis += static_cast<int64_t>(rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) {
    Fail(n, "axis " + std::to_string(n.attr_int("axis", -1)) + " is out of range for rank " +
                std::to_string(rank));
  }
  return axis;
}

// `v` broadcast (right-aligned) to the normalized shape `row` and flattened.
Eigen::ArrayXf PerElement(const Node& n, const Value& v, const Shape& row, const char* what) {
  if (v.is_int) Fail(n, std::string(what) + " must be float");
  if (v.shape.size() > row.size()) {
    Fail(n, std::string(what) + " " + ShapeString(v.shape) + " has more axes than the normalized " +
                ShapeString(row));
  }
  Shape vs(row.size() - v.shape.size(), 1);
  vs.insert(vs.end(), v.shape.begin(), v.shape.end());
  for (size_t k = 0; k < row.size(); ++k) {
    if (vs[k] != 1 && vs[k] != row[k])
      Fail(n, std::string(what) + " " + ShapeString(v.shape) + " does not broadcast to " + ShapeString(row));
  }
  const int64_t depth = NumElements(row);
  Eigen::ArrayXf out(depth);
  for (int64_t e = 0; e < depth; ++e) {
    int64_t rest = e, j = 0, step = 1;
    for (size_t k = row.size(); k-- > 0;) {
      const int64_t i = rest % row[k];
      rest /= row[k];
      j += (vs[k] == 1 ? 0 : i) * step;
      step *= vs[k];
    }
    out[e] = v.f[j];
  }
  return out;
}

struct Normalized {
  Value y, mean, inv_std;
};

// Rows of `depth` values normalized in double, then gamma and beta.
Normalized Normalize(const Value& x, int64_t axis, float epsilon, const Eigen::ArrayXf& gamma,
                     const Eigen::ArrayXf* beta) {
  const int64_t depth = gamma.size(), rows = depth == 0 ? 0 : x.size() / depth;
  Shape stat = x.shape;
  for (size_t k = static_cast<size_t>(axis); k < stat.size(); ++k) stat[k] = 1;
  Normalized r{x, Value::Float(stat, Eigen::ArrayXf(rows)), Value::Float(stat, Eigen::ArrayXf(rows))};
  for (int64_t i = 0; i < rows; ++i) {
    double mean = 0, var = 0;
    for (int64_t c = 0; c < depth; ++c) mean += x.f[i * depth + c];
    mean /= static_cast<double>(depth);
    for (int64_t c = 0; c < depth; ++c) var += std::pow(x.f[i * depth + c] - mean, 2);
    const double inv = 1.0 / std::sqrt(var / static_cast<double>(depth) + epsilon);
    for (int64_t c = 0; c < depth; ++c) {
      r.y.f[i * depth + c] = static_cast<float>((x.f[i * depth + c] - mean) * inv * gamma[c] +
                                                (beta != nullptr ? (*beta)[c] : 0.0f));
    }
    r.mean.f[i] = static_cast<float>(mean);
    r.inv_std.f[i] = static_cast<float>(inv);
  }
  return r;
}

std::vector<Value> EvalLayerNormalization(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.size() < 2 || ins[0] == nullptr || ins[1] == nullptr) Fail(n, "needs inputs X and Scale");
  if (n.attr_int("stash_type", 1) != 1) Unsupported(n, "only stash_type 1 (float) is supported");
  const Value& x = *ins[0];
  if (x.is_int) Fail(n, "input X must be float");
  const int64_t axis = AxisOf(n, x.shape.size());
  const Shape row(x.shape.begin() + axis, x.shape.end());
  const Eigen::ArrayXf gamma = PerElement(n, *ins[1], row, "Scale");
  Eigen::ArrayXf beta;
  const bool has_beta = ins.size() > 2 && ins[2] != nullptr;
  if (has_beta) beta = PerElement(n, *ins[2], row, "B");
  Normalized r = Normalize(x, axis, n.attr_float("epsilon", 1e-5f), gamma, has_beta ? &beta : nullptr);
  return {r.y, r.mean, r.inv_std};
}

// The mote op: gamma and beta [depth] as inputs, or (quantized) as attributes.
std::vector<Value> EvalLayerNorm(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = *ins.at(0);
  const int64_t axis = AxisOf(n, x.shape.size());
  const auto floats = [&](size_t k, const char* attr) {
    if (n.has_attr(attr)) {
      const std::vector<float>& v = n.attrs.at(attr).floats;
      return Eigen::ArrayXf(Eigen::Map<const Eigen::ArrayXf>(v.data(), static_cast<Eigen::Index>(v.size())));
    }
    return k < ins.size() && ins[k] != nullptr ? ins[k]->f : Eigen::ArrayXf();
  };
  const Eigen::ArrayXf gamma = floats(1, "gamma"), beta = floats(2, "beta");
  return {Normalize(x, axis, n.attr_float("epsilon", 1e-5f), gamma, beta.size() ? &beta : nullptr).y};
}

void LowerLayerNormalization(Graph& g, Node& n) {
  for (size_t k = 1; k < n.outputs.size(); ++k) {
    if (g.IsGraphOutput(n.outputs[k]) || !g.Consumers(n.outputs[k]).empty()) {
      Unsupported(n, "output " + std::to_string(k) + " (mean or inverse standard deviation) is not computed by mote");
    }
  }
  const Shape& xs = g.tensors[n.inputs.at(0)].shape;
  const int64_t axis = AxisOf(n, xs.size());
  const Shape row(xs.begin() + axis, xs.end());
  auto constant = [&](size_t k, const char* what) -> const Value& {
    if (!g.tensors[n.inputs[k]].is_const()) Unsupported(n, std::string(what) + " must be a constant (initializer)");
    return *g.tensors[n.inputs[k]].constant;
  };
  const int64_t depth = NumElements(row);
  std::vector<int> inputs = {n.inputs[0], g.AddConstant(n.name + ".gamma",
                                                        Value::Float({depth}, PerElement(n, constant(1, "Scale"), row, "Scale")))};
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    inputs.push_back(g.AddConstant(n.name + ".beta", Value::Float({depth}, PerElement(n, constant(2, "B"), row, "B"))));
  }
  const float epsilon = n.attr_float("epsilon", 1e-5f);
  n.op = "LayerNorm";
  n.inputs = inputs;
  n.outputs.resize(1);
  n.attrs.clear();
  n.attrs["axis"].i = axis;
  n.attrs["epsilon"].f = epsilon;
}

}  // namespace

std::vector<OpDef> LayerNormOps() {
  std::vector<OpDef> ops;
  ops.push_back({"LayerNormalization", {"axis", "epsilon", "stash_type"}, EvalLayerNormalization,
                 LowerLayerNormalization});
  ops.push_back({"LayerNorm", {"axis", "epsilon", "gamma", "beta"}, EvalLayerNorm});
  return ops;
}

}  // namespace mote::modelc
