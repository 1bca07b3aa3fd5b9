// The unary family: ONNX's elementwise functions of one input, all lowered to
// the runtime's Unary op (kernels/reference/unary.h), which tabulates them on
// quantized tensors and computes them on float ones.
#include <cmath>
#include <map>

#include "ir/reference_executor.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

// Values of schema::UnaryFunction (runtime/schema/mote.fbs).
enum Function : int64_t {
  kAbs,
  kNeg,
  kExp,
  kLog,
  kSqrt,
  kReciprocal,
  kElu,
  kSelu,
  kCelu,
  kSoftplus,
  kHardSigmoid,
  kSilu,
  kGelu,
  kGeluTanh,
  kErf,
  kSoftsign,
  kMish,
  kThresholdedRelu,
  kFloor,
  kCeil,
  kRound,
  kSign,
  kTable,  // a fused chain (Node::body), quantized tensors only
};

struct UnaryKind {
  const char* onnx;
  Function function;
  std::vector<std::string> attributes;
  float alpha, beta;  // the attributes' defaults (alpha, then beta or gamma)
};

const std::vector<UnaryKind>& Kinds() {
  static const std::vector<UnaryKind> kKinds = {
      {"Abs", kAbs, {}, 0, 0},
      {"Neg", kNeg, {}, 0, 0},
      {"Exp", kExp, {}, 0, 0},
      {"Log", kLog, {}, 0, 0},
      {"Sqrt", kSqrt, {}, 0, 0},
      {"Reciprocal", kReciprocal, {}, 0, 0},
      {"Elu", kElu, {"alpha"}, 1.0f, 0},
      {"Selu", kSelu, {"alpha", "gamma"}, 1.67326319217681884765625f, 1.05070102214813232421875f},
      {"Celu", kCelu, {"alpha"}, 1.0f, 0},
      {"Softplus", kSoftplus, {}, 0, 0},
      {"HardSigmoid", kHardSigmoid, {"alpha", "beta"}, 0.2f, 0.5f},
      {"Gelu", kGelu, {"approximate"}, 0, 0},
      {"Erf", kErf, {}, 0, 0},
      {"Softsign", kSoftsign, {}, 0, 0},
      {"Mish", kMish, {}, 0, 0},
      {"ThresholdedRelu", kThresholdedRelu, {"alpha"}, 1.0f, 0},
      {"Floor", kFloor, {}, 0, 0},
      {"Ceil", kCeil, {}, 0, 0},
      {"Round", kRound, {}, 0, 0},
      {"Sign", kSign, {}, 0, 0},
  };
  return kKinds;
}

const UnaryKind& KindOf(const Node& n) {
  for (const UnaryKind& k : Kinds()) {
    if (n.op == k.onnx) return k;
  }
  Fail(n, "not a unary op");
}

// The mote Unary node an ONNX node becomes: function, alpha, beta.
Node AsMoteUnary(const Node& n) {
  const UnaryKind& k = KindOf(n);
  Node u;
  u.name = n.name;
  u.op = "Unary";
  u.inputs = {n.inputs.at(0)};
  u.outputs = {n.outputs.at(0)};
  int64_t function = k.function;
  if (k.function == kGelu) {
    const std::string approx = n.has_attr("approximate") ? n.attrs.at("approximate").s : "none";
    if (approx != "none" && approx != "tanh")
      Fail(n, "attribute approximate must be 'none' or 'tanh', not '" + approx + "'");
    if (approx == "tanh") function = kGeluTanh;
  }
  u.attrs["function"].i = function;
  const std::string second = k.function == kSelu ? "gamma" : "beta";
  u.attrs["alpha"].f = n.attr_float("alpha", k.alpha);
  u.attrs["beta"].f = n.attr_float(second, k.beta);
  if (k.function == kCelu && u.attrs["alpha"].f == 0.0f) Fail(n, "attribute alpha must not be 0");
  return u;
}

double Softplus(double x) { return x > 30.0 ? x : std::log1p(std::exp(x)); }

double RoundHalfEven(double x) { return std::nearbyint(x); }  // the default rounding mode: to even

double UnaryFunctionValue(const Node& u, double x);

// A tabulated chain on `x`: its nodes in order, each reading the chain's
// input, earlier results or constants.
Value EvalBody(const Graph& g, const Node& n, const Value& x) {
  std::map<int, Value> local = {{n.inputs.at(0), x}};
  for (const Node& b : n.body) {
    std::vector<const Value*> ins;
    for (int t : b.inputs) {
      if (t >= 0 && g.tensors[t].is_const()) {
        ins.push_back(&*g.tensors[t].constant);
      } else if (local.count(t)) {
        ins.push_back(&local.at(t));
      } else {
        Fail(n, "fused node '" + b.name + "' reads a tensor outside its chain");
      }
    }
    std::vector<Value> outs = EvalNode(g, b, ins);
    for (size_t k = 0; k < b.outputs.size() && k < outs.size(); ++k)
      local[b.outputs[k]] = std::move(outs[k]);
  }
  if (!local.count(n.outputs.at(0))) Fail(n, "fused chain does not compute its output");
  return local.at(n.outputs.at(0));
}

std::vector<Value> EvalMoteUnary(const Graph& g, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr) Fail(n, "input 0 is missing");
  const Value& x = *ins[0];
  const int64_t f = n.attr_int("function", -1);
  if (f == kTable) return {EvalBody(g, n, x)};
  if (x.is_int && (f == kAbs || f == kNeg || f == kSign)) {  // shapes and indices stay integers
    std::vector<int64_t> r(x.i);
    for (int64_t& v : r) v = f == kAbs ? (v < 0 ? -v : v) : f == kNeg ? -v : (v > 0) - (v < 0);
    return {Value::Int(x.shape, std::move(r))};
  }
  Eigen::ArrayXf r(x.size());
  for (int64_t k = 0; k < x.size(); ++k) {
    r[k] = static_cast<float>(UnaryFunctionValue(n, static_cast<double>(x.AsFloat(k))));
  }
  return {Value::Float(x.shape, std::move(r))};
}

std::vector<Value> EvalOnnxUnary(const Graph& g, const Node& n, const OpInputs& ins) {
  return EvalMoteUnary(g, AsMoteUnary(n), ins);
}

void LowerUnary(Graph&, Node& n) {
  if (n.inputs.size() != 1 || n.outputs.size() != 1) Fail(n, "needs one input and one output");
  n = AsMoteUnary(n);
}

double UnaryFunctionValue(const Node& u, double x) {
  const double a = u.attr_float("alpha", 0.0f), b = u.attr_float("beta", 0.0f);
  switch (u.attr_int("function", -1)) {
    case kAbs:
      return std::fabs(x);
    case kNeg:
      return -x;
    case kExp:
      return std::exp(x);
    case kLog:
      return std::log(x);
    case kSqrt:
      return std::sqrt(x);
    case kReciprocal:
      return 1.0 / x;
    case kElu:
      return x > 0 ? x : a * std::expm1(x);
    case kSelu:
      return b * (x > 0 ? x : a * std::expm1(x));
    case kCelu:
      return std::max(0.0, x) + std::min(0.0, a * std::expm1(x / a));
    case kSoftplus:
      return Softplus(x);
    case kHardSigmoid:
      return std::clamp(a * x + b, 0.0, 1.0);
    case kSilu:
      return x / (1.0 + std::exp(-x));
    case kGelu:
      return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    case kGeluTanh:
      return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    case kErf:
      return std::erf(x);
    case kSoftsign:
      return x / (1.0 + std::fabs(x));
    case kMish:
      return x * std::tanh(Softplus(x));
    case kThresholdedRelu:
      return x > a ? x : 0.0;
    case kFloor:
      return std::floor(x);
    case kCeil:
      return std::ceil(x);
    case kRound:
      return RoundHalfEven(x);
    case kSign:
      return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
  }
  Fail(u, "unknown unary function " + std::to_string(u.attr_int("function", -1)));
}

}  // namespace

std::vector<double> UnaryValues(const Graph& g, const Node& u, const std::vector<double>& xs) {
  std::vector<double> ys;
  if (u.attr_int("function", -1) != kTable) {
    for (double x : xs) ys.push_back(UnaryFunctionValue(u, x));
    return ys;
  }
  Eigen::ArrayXf f(static_cast<Eigen::Index>(xs.size()));
  for (size_t k = 0; k < xs.size(); ++k)
    f[static_cast<Eigen::Index>(k)] = static_cast<float>(xs[k]);
  const Value y = EvalBody(g, u, Value::Float({static_cast<int64_t>(xs.size())}, std::move(f)));
  for (int64_t k = 0; k < y.size(); ++k) ys.push_back(y.AsFloat(k));
  return ys;
}

std::vector<OpDef> UnaryOps() {
  std::vector<OpDef> ops;
  for (const UnaryKind& k : Kinds()) {
    ops.push_back({k.onnx, k.attributes, EvalOnnxUnary, LowerUnary, nullptr, true});
  }
  ops.push_back({"Unary", {"function", "alpha", "beta"}, EvalMoteUnary, nullptr, nullptr, true});
  return ops;
}

}  // namespace mote::modelc
