// ONNX reductions (ReduceMax/Min/Sum/Mean/Prod/L1/L2/SumSquare/LogSumExp)
// over any constant axes, keepdims and noop_with_empty_axes, lowered to the
// runtime's Reduce over trailing axes: a Transpose first moves the reduced
// axes last when they are not already. ReduceMean over NCHW's spatial axes
// stays the runtime's Mean (passes/layout.cc) and ReduceSum over the last
// axis a compensated FullyConnected (passes/lower.cc); those ops keep the
// executor's float reference.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "mote/schema/mote_generated.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

const std::map<std::string, schema::ReduceFunction>& Functions() {
  static const std::map<std::string, schema::ReduceFunction> kFunctions = {
      {"ReduceSum", schema::ReduceFunction::Sum},
      {"ReduceMean", schema::ReduceFunction::Mean},
      {"ReduceMax", schema::ReduceFunction::Max},
      {"ReduceMin", schema::ReduceFunction::Min},
      {"ReduceProd", schema::ReduceFunction::Prod},
      {"ReduceL1", schema::ReduceFunction::L1},
      {"ReduceL2", schema::ReduceFunction::L2},
      {"ReduceSumSquare", schema::ReduceFunction::SumSquare},
      {"ReduceLogSumExp", schema::ReduceFunction::LogSumExp},
      {"ReduceLogSum", schema::ReduceFunction::Sum}};  // then a Unary Log
  return kFunctions;
}

double Combine(schema::ReduceFunction f, const std::vector<double>& row) {
  using F = schema::ReduceFunction;
  if (f == F::Max || f == F::Min || f == F::LogSumExp) {
    double m = row[0];
    for (double v : row) {
      if (std::isnan(v)) return v;
      m = f == F::Min ? std::min(m, v) : std::max(m, v);
    }
    if (f != F::LogSumExp || !std::isfinite(m)) return m;
    double sum = 0;
    for (double v : row) sum += std::exp(v - m);
    return m + std::log(sum);
  }
  double acc = f == F::Prod ? 1 : 0;
  for (double v : row) {
    if (f == F::Prod)
      acc *= v;
    else if (f == F::L1)
      acc += std::fabs(v);
    else if (f == F::L2 || f == F::SumSquare)
      acc += v * v;
    else
      acc += v;
  }
  if (f == F::Mean) acc /= static_cast<double>(row.size());
  if (f == F::L2) acc = std::sqrt(acc);
  return acc;
}

// The reduced axes (sorted, normalized); empty with *noop for an identity.
std::vector<int64_t> AxesOf(const Node& n, const OpInputs& ins, size_t rank, bool* noop) {
  std::vector<int64_t> axes = n.attr_ints("axes");
  if (ins.size() > 1 && ins[1] != nullptr) {
    if (!ins[1]->is_int) Fail(n, "axes must be integers");
    axes = ins[1]->i;
  }
  *noop = axes.empty() && n.attr_int("noop_with_empty_axes", 0) != 0;
  if (axes.empty() && !*noop) {
    for (size_t k = 0; k < rank; ++k) axes.push_back(static_cast<int64_t>(k));
  }
  for (int64_t& a : axes) {
    if (a < -static_cast<int64_t>(rank) || a >= static_cast<int64_t>(rank))
      Fail(n, "axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
    if (a < 0) a += static_cast<int64_t>(rank);
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) Fail(n, "an axis is repeated");
  return axes;
}

// Integer reductions (shape arithmetic such as the element count torch.var
// exports as ReduceProd over Shape): exact in int64, refused on overflow.
int64_t CombineInt(const Node& n, schema::ReduceFunction f, const std::vector<int64_t>& row) {
  using F = schema::ReduceFunction;
  if (f == F::Max || f == F::Min) {
    return f == F::Max ? *std::max_element(row.begin(), row.end())
                       : *std::min_element(row.begin(), row.end());
  }
  if (f != F::Sum && f != F::Prod && f != F::SumSquare && f != F::L1)
    Unsupported(n,
                "this reduction of integers is not supported (Sum, Prod, Max, Min, L1, "
                "SumSquare are)");
  int64_t acc = f == F::Prod ? 1 : 0;
  for (int64_t v : row) {
    int64_t term = f == F::L1 && v < 0 ? -v : v;
    bool overflow = f == F::SumSquare && __builtin_mul_overflow(v, v, &term);
    overflow = overflow || (f == F::Prod ? __builtin_mul_overflow(acc, term, &acc)
                                         : __builtin_add_overflow(acc, term, &acc));
    if (overflow) Unsupported(n, "the integer reduction overflows int64");
  }
  return acc;
}

Value Reduce(const Node& n, schema::ReduceFunction f, const Value& x,
             const std::vector<int64_t>& axes, bool keep) {
  const size_t rank = x.shape.size();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : axes) reduced[a] = true;
  Shape kept_shape = x.shape, out;
  for (size_t k = 0; k < rank; ++k) {
    if (reduced[k]) kept_shape[k] = 1;
    if (!reduced[k] || keep) out.push_back(kept_shape[k]);
  }
  if (x.size() == 0) Unsupported(n, "reductions of empty tensors are not supported");
  // rows[o]: the flat indices of x that output o combines.
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(NumElements(kept_shape)));
  std::vector<int64_t> counter(rank, 0);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t o = 0;
    for (size_t k = 0; k < rank; ++k) o = o * kept_shape[k] + (reduced[k] ? 0 : counter[k]);
    rows[o].push_back(i);
    for (size_t k = rank; k-- > 0;) {
      if (++counter[k] < x.shape[k]) break;
      counter[k] = 0;
    }
  }
  if (x.is_int) {
    std::vector<int64_t> y(rows.size());
    for (size_t o = 0; o < rows.size(); ++o) {
      std::vector<int64_t> row;
      for (int64_t i : rows[o]) row.push_back(x.i[i]);
      y[o] = CombineInt(n, f, row);
    }
    return Value::Int(out, std::move(y));
  }
  Eigen::ArrayXf y(static_cast<Eigen::Index>(rows.size()));
  for (size_t o = 0; o < rows.size(); ++o) {
    std::vector<double> row;
    for (int64_t i : rows[o]) row.push_back(x.f[i]);
    y[o] = static_cast<float>(Combine(f, row));
  }
  return Value::Float(out, std::move(y));
}

std::vector<Value> EvalReduceOnnx(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr) Fail(n, "needs an input");
  bool noop = false;
  const std::vector<int64_t> axes = AxesOf(n, ins, ins[0]->shape.size(), &noop);
  if (noop) return {*ins[0]};
  if (ins[0]->is_int && n.op == "ReduceLogSum") Unsupported(n, "ReduceLogSum of integers");
  Value y = Reduce(n, Functions().at(n.op), *ins[0], axes, n.attr_int("keepdims", 1) != 0);
  if (n.op == "ReduceLogSum") y.f = y.f.log();
  return {y};
}

// The mote op: rows of the trailing axes from `axis`, output shape `shape`.
std::vector<Value> EvalReduceMote(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = *ins.at(0);
  std::vector<int64_t> axes;
  for (int64_t k = n.attr_int("axis", 0); k < static_cast<int64_t>(x.shape.size()); ++k)
    axes.push_back(k);
  Value y =
      Reduce(n, static_cast<schema::ReduceFunction>(n.attr_int("function", 0)), x, axes, true);
  y.shape = n.attr_ints("shape");
  if (NumElements(y.shape) != y.size()) Fail(n, "shape attribute does not match the reduction");
  return {y};
}

}  // namespace

std::vector<Node> ExpandReduce(Graph& g, const Node& n) {
  const int x = n.inputs.at(0), y = n.outputs.at(0);
  const Shape s = g.tensors[x].shape;
  OpInputs ins = {nullptr, n.inputs.size() > 1 && n.inputs[1] >= 0
                               ? &*g.tensors[n.inputs[1]].constant
                               : nullptr};
  if (n.inputs.size() > 1 && n.inputs[1] >= 0 && !g.tensors[n.inputs[1]].is_const())
    Unsupported(n, "the axes must be a constant");
  bool noop = false;
  const std::vector<int64_t> axes = AxesOf(n, ins, s.size(), &noop);
  Node r;
  r.outputs = {y};
  if (noop) {
    r.name = n.name;
    r.op = "Reshape";
    r.inputs = {x};
    r.attrs["shape"].ints = g.tensors[y].shape;
    return {r};
  }
  std::vector<Node> nodes;
  const int64_t rank = static_cast<int64_t>(s.size()), count = static_cast<int64_t>(axes.size());
  bool trailing = true;
  for (int64_t k = 0; k < count; ++k) trailing = trailing && axes[k] == rank - count + k;
  int in = x;
  if (!trailing) {  // kept axes first, reduced axes last, each in order
    std::vector<int64_t> perm;
    for (int64_t k = 0; k < rank; ++k)
      if (!std::binary_search(axes.begin(), axes.end(), k)) perm.push_back(k);
    perm.insert(perm.end(), axes.begin(), axes.end());
    Tensor t;
    t.name = n.name + ".reduced_last";
    for (int64_t p : perm) t.shape.push_back(s[p]);
    in = g.AddTensor(std::move(t));
    Node tr;
    tr.name = n.name + ".move_axes";
    tr.op = "Transpose";
    tr.inputs = {x};
    tr.outputs = {in};
    tr.attrs["perm"].ints = perm;
    nodes.push_back(tr);
  }
  r.name = n.name;
  r.op = "Reduce";
  r.inputs = {in};
  r.attrs["function"].i = static_cast<int64_t>(Functions().at(n.op));
  r.attrs["axis"].i = rank - count;
  r.attrs["shape"].ints = g.tensors[y].shape;
  if (n.op == "ReduceLogSum") {
    Tensor sum;
    sum.name = n.name + ".sum";
    sum.shape = g.tensors[y].shape;
    r.outputs = {g.AddTensor(std::move(sum))};
    r.name = n.name + ".sum";
    Node log;
    log.name = n.name;
    log.op = "Unary";
    log.inputs = r.outputs;
    log.outputs = {y};
    log.attrs["function"].i = static_cast<int64_t>(schema::UnaryFunction::Log);
    nodes.push_back(r);
    nodes.push_back(log);
    return nodes;
  }
  nodes.push_back(r);
  return nodes;
}

std::vector<OpDef> ReduceOps() {
  std::vector<OpDef> ops;
  for (const char* name : {"ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                           "ReduceSumSquare", "ReduceLogSum"}) {
    ops.push_back({name,
                   {"axes", "keepdims", "noop_with_empty_axes"},
                   EvalReduceOnnx,
                   nullptr,
                   ExpandReduce});
  }
  ops.push_back({"Reduce", {"function", "axis", "shape"}, EvalReduceMote});
  return ops;
}

}  // namespace mote::modelc
