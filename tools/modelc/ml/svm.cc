#include "ml/svm.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "ir/reference_executor.h"
#include "ml/classic.h"

namespace mote::modelc {
namespace {

constexpr int64_t kMaxClasses = 32;  // runtime/kernels/ml/svm.h kMaxSvmClasses
constexpr int kMaxDegree = 32;       // kMaxSvmDegree
constexpr int kCouplingIterations = 100;

const std::vector<float>& Floats(const Node& n, const char* key) {
  static const std::vector<float> kEmpty;
  return n.has_attr(key) ? n.attrs.at(key).floats : kEmpty;
}

// The ONNX op a node is or was lowered from.
std::string OnnxOp(const Node& n) { return n.op == "Svm" ? n.attrs.at("mote_onnx").s : n.op; }

int KernelId(const Node& n) {
  const std::string s = n.has_attr("kernel_type") ? n.attrs.at("kernel_type").s : "LINEAR";
  if (s == "LINEAR") return 0;
  if (s == "POLY") return 1;
  if (s == "RBF") return 2;
  if (s == "SIGMOID") return 3;
  Fail(n, "unknown kernel_type " + s);
}

void ParseKernel(const Node& n, SvmModel& m) {
  m.kernel = KernelId(n);
  const std::vector<float>& p = Floats(n, "kernel_params");
  if (p.empty()) return;  // gamma = coef0 = degree = 0, as onnxruntime
  if (p.size() != 3) Fail(n, "kernel_params must hold gamma, coef0 and degree");
  m.gamma = p[0];
  m.coef0 = p[1];
  if (!std::isfinite(m.gamma) || !std::isfinite(m.coef0)) Fail(n, "kernel_params are not finite");
  if (m.kernel == 1) {
    if (p[2] != std::floor(p[2]) || p[2] < 0.0f || p[2] > static_cast<float>(kMaxDegree)) {
      Unsupported(n, "polynomial degree " + std::to_string(p[2]) + " (integers 0 to 32 are supported)");
    }
    m.degree = static_cast<int>(p[2]);
  }
}

void ParseRegressor(const Node& n, SvmModel& m) {
  m.mode = SvmModel::Mode::kRegressor;
  m.one_class = n.attr_int("one_class", 0) != 0;
  const int64_t supports = n.attr_int("n_supports", 0);
  const std::vector<float>& sv = Floats(n, "support_vectors");
  const std::vector<float>& coef = Floats(n, "coefficients");
  if (supports < 0 || supports > (int64_t{1} << 30)) Fail(n, "attribute n_supports = " + std::to_string(supports) + " is out of range");
  if (supports > 0) {
    if (static_cast<int64_t>(sv.size()) != supports * m.features) {
      Fail(n, "attribute support_vectors has " + std::to_string(sv.size()) + " values, n_supports = " +
                  std::to_string(supports) + " vectors of the input's " + std::to_string(m.features) + " features need " +
                  std::to_string(supports * m.features));
    }
    if (static_cast<int64_t>(coef.size()) != supports) {
      Fail(n, "attribute coefficients has " + std::to_string(coef.size()) + " values for n_supports = " +
                  std::to_string(supports) + " (one per support vector)");
    }
    m.support_vectors = sv;
    m.coefficients = coef;
    m.vectors = supports;
  } else {  // linear: one "vector", the coefficients, weighted 1
    if (static_cast<int64_t>(coef.size()) != m.features) {
      Fail(n, "attribute coefficients has " + std::to_string(coef.size()) + " values for the input's " +
                  std::to_string(m.features) + " features (n_supports = 0: one per feature)");
    }
    m.kernel = 0;
    m.support_vectors = coef;
    m.coefficients = {1.0f};
    m.vectors = 1;
  }
  if (m.rho.empty()) Fail(n, "rho is missing");
  m.rho.resize(1);  // onnxruntime reads rho[0] only
}

void ParseClassifier(const Node& n, SvmModel& m) {
  m.labels = ClassLabels(n);
  m.post = PostTransformId(n);
  const int64_t classes = m.classes();
  if (classes < 2) Fail(n, "at least two classes are needed");
  if (classes > kMaxClasses) Unsupported(n, "more than 32 classes");
  m.prob_a = Floats(n, "prob_a");
  m.prob_b = Floats(n, "prob_b");
  if (m.prob_a.size() != m.prob_b.size()) Fail(n, "prob_a and prob_b differ in size");
  const std::vector<int64_t> per_class = n.attr_ints("vectors_per_class");
  int64_t vectors = 0;
  for (size_t k = 0; k < per_class.size(); ++k) {
    if (per_class[k] < 0 || per_class[k] > (int64_t{1} << 30)) {
      Fail(n, "attribute vectors_per_class[" + std::to_string(k) + "] = " + std::to_string(per_class[k]) + " is out of range");
    }
    vectors += per_class[k];
  }
  const std::vector<float>& coef = Floats(n, "coefficients");
  if (coef.empty()) Fail(n, "coefficients are empty");
  if (vectors > 0) {
    m.mode = SvmModel::Mode::kOneVsOne;
    if (static_cast<int64_t>(per_class.size()) != classes) {
      Fail(n, "attribute vectors_per_class has " + std::to_string(per_class.size()) + " entries for " +
                  std::to_string(classes) + " classes (one per class)");
    }
    const std::vector<float>& sv = Floats(n, "support_vectors");
    if (static_cast<int64_t>(sv.size()) != vectors * m.features) {
      Fail(n, "attribute support_vectors has " + std::to_string(sv.size()) + " values; vectors_per_class sums to " +
                  std::to_string(vectors) + " vectors of the input's " + std::to_string(m.features) + " features, " +
                  std::to_string(vectors * m.features) + " values");
    }
    if (static_cast<int64_t>(coef.size()) != (classes - 1) * vectors) {
      Fail(n, "attribute coefficients has " + std::to_string(coef.size()) + " values, (classes - 1) x vectors = " +
                  std::to_string((classes - 1) * vectors) + " expected");
    }
    if (static_cast<int64_t>(m.rho.size()) < m.pairs()) Fail(n, "one rho per class pair expected");
    if (m.probabilities() && static_cast<int64_t>(m.prob_a.size()) < m.pairs()) {
      Fail(n, "prob_a and prob_b need one value per class pair");
    }
    m.rho.resize(static_cast<size_t>(m.pairs()));
    if (m.probabilities()) {
      m.prob_a.resize(static_cast<size_t>(m.pairs()));
      m.prob_b.resize(static_cast<size_t>(m.pairs()));
    }
    for (int64_t v : per_class) m.vectors_per_class.push_back(static_cast<int32_t>(v));
    m.support_vectors = sv;
    m.coefficients = coef;
    m.vectors = vectors;
    return;
  }
  // Linear (liblinear) mode: one coefficient row per class, rho[0] added to all.
  m.mode = SvmModel::Mode::kLinear;
  m.kernel = 0;
  if (static_cast<int64_t>(coef.size()) != classes * m.features) {
    Fail(n, "attribute coefficients has " + std::to_string(coef.size()) + " values, classes x features = " +
                std::to_string(classes * m.features) + " expected (no support vectors: a linear SVM)");
  }
  if (m.rho.empty()) Fail(n, "rho is missing");
  m.rho.resize(1);
  m.support_vectors = coef;
  m.vectors = classes;
  m.prob_a.clear();  // onnxruntime computes no probabilities without support vectors,
  const bool had_probabilities = !m.prob_b.empty();
  m.prob_b.clear();  // but their presence changes its binary label rule
  if (classes == 2 && !had_probabilities) {
    const bool positive = std::all_of(coef.begin(), coef.end(), [](float c) { return c >= 0.0f; });
    m.label_rule = positive ? 1 : 2;
  }
}

// --- float reference (onnxruntime's operation order; double where it uses double) ---

float KernelValue(const SvmModel& m, const float* x, const float* v) {
  if (m.kernel == 2) {
    float sum = 0.0f;
    for (int64_t f = 0; f < m.features; ++f) {
      const float d = x[f] - v[f];
      sum += d * d;
    }
    return std::exp(-m.gamma * sum);
  }
  double dot = 0.0;
  for (int64_t f = 0; f < m.features; ++f) dot += double{x[f]} * v[f];
  if (m.kernel == 0) return static_cast<float>(dot);
  const float t = static_cast<float>(m.gamma * dot + m.coef0);
  if (m.kernel == 3) return std::tanh(t);
  return static_cast<float>(std::pow(double{t}, m.degree));
}

// Pairwise decision values; returns the class with most votes.
size_t Decide(const SvmModel& m, const float* x, std::vector<float>* pairwise) {
  std::vector<float> k(static_cast<size_t>(m.vectors));
  for (int64_t v = 0; v < m.vectors; ++v) k[v] = KernelValue(m, x, m.support_vectors.data() + v * m.features);
  const size_t classes = m.labels.size();
  std::vector<size_t> start(classes + 1, 0);
  for (size_t c = 0; c < classes; ++c) start[c + 1] = start[c] + static_cast<size_t>(m.vectors_per_class[c]);
  std::vector<int> votes(classes, 0);
  pairwise->clear();
  for (size_t i = 0; i + 1 < classes; ++i)
    for (size_t j = i + 1; j < classes; ++j) {
      double sum = 0.0;
      for (size_t v = start[i]; v < start[i + 1]; ++v) sum += m.coefficients[(j - 1) * m.vectors + v] * k[v];
      for (size_t v = start[j]; v < start[j + 1]; ++v) sum += m.coefficients[i * m.vectors + v] * k[v];
      sum += m.rho[pairwise->size()];
      pairwise->push_back(static_cast<float>(sum));
      ++votes[sum > 0 ? i : j];
    }
  return static_cast<size_t>(std::max_element(votes.begin(), votes.end()) - votes.begin());
}

float Logistic(float v) {
  const float e = 1.0f / (1.0f + std::exp(-std::fabs(v)));
  return v < 0.0f ? 1.0f - e : e;
}

float PairProbability(float d, float a, float b) {
  return std::min(std::max(1.0f - Logistic(d * a + b), 1.0e-7f), 1.0f - 1.0e-7f);
}

void PostTransform(int post, std::vector<float>& s) {
  if (post == 1) {
    for (float& v : s) v = Logistic(v);
  } else if (post >= 2) {
    const float max = *std::max_element(s.begin(), s.end());
    double sum = 0.0;
    for (float& v : s) {
      v = (post == 3 && v == 0.0f) ? 0.0f : std::exp(v - max);
      sum += v;
    }
    for (float& v : s) v = sum > 0 ? static_cast<float>(v / sum) : 0.0f;
  }
}

std::vector<float> Couple(const std::vector<float>& pairs, size_t k) {
  auto index = [k](size_t i, size_t j) { return i * k - i * (i + 1) / 2 + (j - i - 1); };
  std::vector<float> r(k * k, 0.0f), q(k * k, 0.0f), qp(k, 0.0f), p(k);
  for (size_t i = 0; i < k; ++i)
    for (size_t j = i + 1; j < k; ++j) {
      r[i * k + j] = pairs[index(i, j)];
      r[j * k + i] = 1.0f - pairs[index(i, j)];
    }
  for (size_t i = 0; i < k; ++i) {
    p[i] = 1.0f / static_cast<float>(k);
    for (size_t j = 0; j < i; ++j) {
      q[i * k + i] += r[j * k + i] * r[j * k + i];
      q[i * k + j] = q[j * k + i];
    }
    for (size_t j = i + 1; j < k; ++j) {
      q[i * k + i] += r[j * k + i] * r[j * k + i];
      q[i * k + j] = -r[j * k + i] * r[i * k + j];
    }
  }
  const float eps = 0.005f / static_cast<float>(k);
  for (int loop = 0; loop < kCouplingIterations; ++loop) {
    float pqp = 0.0f;
    for (size_t i = 0; i < k; ++i) {
      qp[i] = 0.0f;
      for (size_t j = 0; j < k; ++j) qp[i] += q[i * k + j] * p[j];
      pqp += p[i] * qp[i];
    }
    float max_error = 0.0f;
    for (size_t i = 0; i < k; ++i) max_error = std::max(max_error, std::fabs(qp[i] - pqp));
    if (max_error < eps) break;
    for (size_t i = 0; i < k; ++i) {
      const float diff = (-qp[i] + pqp) / q[i * k + i];
      p[i] += diff;
      pqp = (pqp + diff * (diff * q[i * k + i] + 2 * qp[i])) / (1 + diff) / (1 + diff);
      for (size_t j = 0; j < k; ++j) {
        qp[j] = (qp[j] + diff * q[i * k + j]) / (1 + diff);
        p[j] /= (1 + diff);
      }
    }
  }
  return p;
}

// scikit-learn's _ovr_decision_function(d < 0, -d, classes), in float as the ONNX graph.
std::vector<float> OvrDecision(const float* pairs, size_t k) {
  std::vector<float> votes(k, 0.0f), sums(k, 0.0f), out(k);
  size_t p = 0;
  for (size_t i = 0; i + 1 < k; ++i)
    for (size_t j = i + 1; j < k; ++j, ++p) {
      sums[i] += pairs[p];
      sums[j] += -pairs[p];
      votes[pairs[p] < 0.0f ? j : i] += 1.0f;
    }
  for (size_t c = 0; c < k; ++c) out[c] = votes[c] + sums[c] / ((std::fabs(sums[c]) + 1.0f) * 3.0f);
  return out;
}

Value FloatValue(int64_t rows, int64_t cols, const std::vector<float>& data) {
  return Value::Float({rows, cols}, Eigen::Map<const Eigen::ArrayXf>(data.data(), static_cast<Eigen::Index>(data.size())));
}

// SVMClassifier / SVMRegressor (`stage1` false), or the runtime's Svm (`stage1`
// true: pair probabilities instead of coupled ones).
std::vector<Value> EvalModel(const SvmModel& m, const Value& x, bool stage1) {
  const int64_t rows = x.size() / m.features;
  std::vector<float> out;
  if (m.mode == SvmModel::Mode::kRegressor) {
    for (int64_t r = 0; r < rows; ++r) {
      double sum = 0.0;
      for (int64_t v = 0; v < m.vectors; ++v) {
        sum += m.coefficients[v] * KernelValue(m, x.f.data() + r * m.features, m.support_vectors.data() + v * m.features);
      }
      const float y = static_cast<float>(sum + m.rho[0]);
      out.push_back(m.one_class ? (y > 0.0f ? 1.0f : -1.0f) : y);
    }
    return {FloatValue(rows, 1, out)};
  }
  const size_t classes = m.labels.size();
  std::vector<int64_t> labels;
  int64_t cols = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x.f.data() + r * m.features;
    std::vector<float> s;
    if (m.mode == SvmModel::Mode::kLinear) {
      for (size_t c = 0; c < classes; ++c) {
        double dot = 0.0;
        for (int64_t f = 0; f < m.features; ++f) dot += double{xr[f]} * m.support_vectors[c * m.features + f];
        s.push_back(static_cast<float>(dot + m.rho[0]));
      }
      size_t best = static_cast<size_t>(std::max_element(s.begin(), s.end()) - s.begin());
      if ((m.label_rule == 1 && s[best] >= 0.5f) || (m.label_rule == 2 && s[best] > 0.0f)) best = 1;
      labels.push_back(m.labels[best]);
      PostTransform(m.post, s);
    } else {
      labels.push_back(m.labels[Decide(m, xr, &s)]);
      if (m.probabilities()) {
        for (size_t p = 0; p < s.size(); ++p) s[p] = PairProbability(s[p], m.prob_a[p], m.prob_b[p]);
        if (!stage1) {
          s = Couple(s, classes);
          PostTransform(m.post, s);
        }
      } else if (classes == 2) {
        s = {m.post == 0 ? -s[0] : 1.0f - s[0], s[0]};
      } else {
        PostTransform(m.post, s);
      }
    }
    cols = static_cast<int64_t>(s.size());
    out.insert(out.end(), s.begin(), s.end());
  }
  return {Value::Int({rows}, labels), FloatValue(rows, cols, out)};
}

// --- the one-vs-rest decision function skl2onnx appends to an SVC ---

// Nodes after `index` that compute from `scores` (and constants) only, and
// the graph output they lead to; false if they read anything else or lead to
// several outputs.
bool DownstreamRegion(const Graph& g, size_t index, int scores, std::vector<size_t>* region, int* output) {
  std::set<int> produced = {scores};
  for (size_t k = index + 1; k < g.nodes.size(); ++k) {
    const Node& n = g.nodes[k];
    if (std::none_of(n.inputs.begin(), n.inputs.end(), [&](int t) { return produced.count(t) != 0; })) continue;
    for (int t : n.inputs) {
      if (t >= 0 && !produced.count(t) && !g.tensors[t].is_const()) return false;
    }
    region->push_back(k);
    produced.insert(n.outputs.begin(), n.outputs.end());
  }
  *output = -1;
  for (int t : produced) {
    if (!g.IsGraphOutput(t)) continue;
    if (*output >= 0 || t == scores) return false;
    *output = t;
  }
  return *output >= 0;
}

// Runs the region on probe decision values and compares with the one-vs-rest
// formula: recognizes the function, whatever the node names and order.
bool ComputesOvrDecision(const Graph& g, const std::vector<size_t>& region, int scores, int output, int64_t classes) {
  const int64_t pairs = classes * (classes - 1) / 2;
  const int64_t rows = 64;
  std::vector<float> probe(static_cast<size_t>(rows * pairs));
  uint32_t state = 12345u;
  for (int64_t k = 0; k < rows * pairs; ++k) {
    state = state * 1664525u + 1013904223u;
    const int64_t row = k / pairs;
    const float u = static_cast<float>(state >> 8) / 16777216.0f - 0.5f;  // [-0.5, 0.5)
    const float scale = row % 4 == 0 ? 1e-3f : row % 4 == 1 ? 1.0f : row % 4 == 2 ? 20.0f : 1e3f;
    probe[k] = row == 0 ? 0.0f : row == 1 ? 1.0f : row == 2 ? -1.0f : ((state >> 4) % 8 == 0 ? 0.0f : u * scale);
  }
  Graph sub;
  sub.tensors = g.tensors;
  sub.opset = g.opset;
  for (size_t k : region) sub.nodes.push_back(g.nodes[k]);
  sub.inputs = {scores};
  sub.outputs = {output};
  std::vector<Value> values;
  try {
    values = Execute(sub, {FloatValue(rows, pairs, probe)});
  } catch (const ConvertError&) {
    return false;
  }
  const Value& got = values[output];
  if (got.is_int || got.size() != rows * classes) return false;
  for (int64_t r = 0; r < rows; ++r) {
    const std::vector<float> want = OvrDecision(probe.data() + r * pairs, static_cast<size_t>(classes));
    for (int64_t c = 0; c < classes; ++c) {
      const float v = got.f[r * classes + c];
      if (!(std::fabs(v - want[c]) <= 1e-5f * (1.0f + std::fabs(want[c])))) return false;
    }
  }
  return true;
}

// Replaces the generic ops computing scikit-learn's one-vs-rest decision
// function from an SVC's pairwise scores (skl2onnx: Less, Cast, Neg,
// ArrayFeatureExtractor, Add, Sum, Concat, Abs, Mul, Div) by SvmPairwise.
void FuseOvrDecision(Graph& g, size_t index, const SvmModel& m) {
  const Node& svm = g.nodes[index];
  const int scores = svm.outputs[1];
  std::vector<size_t> region;
  int output = -1;
  if (!DownstreamRegion(g, index, scores, &region, &output)) return;
  const bool votes = std::any_of(region.begin(), region.end(), [&](size_t k) { return g.nodes[k].op == "Less"; });
  if (!votes) return;  // no vote counting: whatever follows lowers on its own
  const Shape& shape = g.tensors[output].shape;
  if (m.post != 0 || shape.size() != 2 || shape[1] != m.classes() ||
      !ComputesOvrDecision(g, region, scores, output, m.classes())) {
    Unsupported(svm, "the " + std::to_string(region.size()) +
                         " nodes after the SVM scores are not scikit-learn's one-vs-rest decision function "
                         "(the only post-processing of pairwise votes mote recognizes)");
  }
  Node pairwise;
  pairwise.name = svm.name + ".ovr";
  pairwise.op = "SvmPairwise";
  pairwise.inputs = {scores};
  pairwise.outputs = {output};
  pairwise.attrs["method"].i = 0;
  pairwise.attrs["classes"].i = m.classes();
  for (size_t k = region.size(); k-- > 0;) g.nodes.erase(g.nodes.begin() + static_cast<long>(region[k]));
  g.nodes.insert(g.nodes.begin() + static_cast<long>(index) + 1, pairwise);
}

// skl2onnx casts the SVM's float outputs to float before they leave the
// graph: the SVM writes the graph output itself (which keeps its name).
void AbsorbOutputCasts(Graph& g, size_t index) {
  for (size_t k = 0; k < g.nodes[index].outputs.size(); ++k) {
    const int t = g.nodes[index].outputs[k];
    const std::vector<int> consumers = g.Consumers(t);
    if (consumers.size() != 1 || g.IsGraphOutput(t)) continue;
    const Node& cast = g.nodes[consumers[0]];
    const int out = cast.outputs.empty() ? -1 : cast.outputs[0];
    const bool copy = cast.op == "Identity" || (cast.op == "Cast" && out >= 0 && g.tensors[out].dtype == g.tensors[t].dtype);
    if (!copy || cast.inputs.size() != 1 || !g.IsGraphOutput(out) || g.tensors[out].shape != g.tensors[t].shape) continue;
    g.nodes[index].outputs[k] = out;
    g.nodes.erase(g.nodes.begin() + consumers[0]);
  }
}

int NewTensor(Graph& g, const std::string& name, Shape shape) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  return g.AddTensor(std::move(t));
}

}  // namespace

bool IsSvmOp(const std::string& op) {
  return op == "SVMClassifier" || op == "SVMRegressor" || op == "Svm" || op == "SvmPairwise";
}

SvmModel ParseSvm(const Node& n, int64_t features) {
  SvmModel m;
  m.features = features;
  if (features < 1) Fail(n, "the input has no features");
  ParseKernel(n, m);
  m.rho = Floats(n, "rho");
  const std::string op = OnnxOp(n);
  if (op == "SVMRegressor") ParseRegressor(n, m);
  else ParseClassifier(n, m);
  return m;
}

std::vector<Value> EvalSvm(const Node& n, const Value& x) {
  if (x.shape.size() != 2) Unsupported(n, "the input must be a matrix [N, features]");
  if (n.op == "SvmPairwise") {
    const int64_t classes = n.attr_int("classes", 0);
    const int64_t rows = x.shape[0], pairs = x.shape[1];
    if (classes < 2 || pairs != classes * (classes - 1) / 2) Fail(n, "pairwise values do not match the classes");
    std::vector<float> out;
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<float> row(x.f.data() + r * pairs, x.f.data() + (r + 1) * pairs);
      std::vector<float> c;
      if (n.attr_int("method", 0) == 0) {
        c = OvrDecision(row.data(), static_cast<size_t>(classes));
      } else {
        c = Couple(row, static_cast<size_t>(classes));
        PostTransform(static_cast<int>(n.attr_int("post", 0)), c);
      }
      out.insert(out.end(), c.begin(), c.end());
    }
    return {FloatValue(rows, classes, out)};
  }
  return EvalModel(ParseSvm(n, x.shape[1]), x, n.op == "Svm");
}

size_t LowerSvm(Graph& g, size_t index) {
  AbsorbOutputCasts(g, index);
  Node n = g.nodes[index];
  const Shape in = g.tensors[n.inputs[0]].shape;
  if (in.size() != 2) Unsupported(n, "the input must be a matrix [N, features]");
  const SvmModel m = ParseSvm(n, in[1]);
  Node svm = n;
  svm.op = "Svm";
  svm.attrs["mote_onnx"].s = n.op;
  svm.inputs.resize(1);
  std::vector<Node> out;
  if (m.mode == SvmModel::Mode::kRegressor) {
    svm.outputs.resize(1);
    out = {svm};
  } else {
    while (svm.outputs.size() < 2) svm.outputs.push_back(NewTensor(g, n.name + ".unused", {in[0], 1}));
    NameClasses(g, n, svm.outputs[0]);
    if (m.mode == SvmModel::Mode::kOneVsOne && !m.probabilities() && m.classes() > 2) FuseOvrDecision(g, index, m);
    svm.attrs["mote_scores"].i = (m.mode == SvmModel::Mode::kOneVsOne && !m.probabilities() && m.classes() == 2) ? 1 : 0;
    out = {svm};
    if (m.mode == SvmModel::Mode::kOneVsOne && m.probabilities()) {
      const int pairs = NewTensor(g, n.name + ".pair_probabilities", {in[0], m.pairs()});
      Node couple;
      couple.name = n.name + ".coupling";
      couple.op = "SvmPairwise";
      couple.inputs = {pairs};
      couple.outputs = {svm.outputs[1]};
      couple.attrs["method"].i = 1;
      couple.attrs["post"].i = m.post;
      couple.attrs["classes"].i = m.classes();
      out[0].outputs[1] = pairs;
      out.push_back(couple);
    }
  }
  g.nodes.erase(g.nodes.begin() + static_cast<long>(index));
  g.nodes.insert(g.nodes.begin() + static_cast<long>(index), out.begin(), out.end());
  return out.size();
}

void SvmCost(const Graph& g, const Node& n, int64_t* macs, int64_t* elementwise) {
  const Shape& in = g.tensors[n.inputs[0]].shape;
  const int64_t rows = in[0];
  if (n.op == "SvmPairwise") {
    const int64_t c = n.attr_int("classes", 2), p = c * (c - 1) / 2;
    *macs = 0;
    // ovr: sums, votes and the transform; coupling: at most 100 iterations of O(C^2).
    *elementwise = rows * (n.attr_int("method", 0) == 0 ? 3 * p + 4 * c : (2 * kCouplingIterations + 1) * c * c);
    return;
  }
  const SvmModel m = ParseSvm(n, in[1]);
  const int64_t per_vector = m.kernel == 1 ? 1 + m.degree : 2;  // kernel transform (pow / exp / tanh)
  switch (m.mode) {
    case SvmModel::Mode::kRegressor:
      *macs = rows * m.vectors * (m.features + 1);
      *elementwise = rows * m.vectors * per_vector;
      break;
    case SvmModel::Mode::kOneVsOne:
      *macs = rows * m.vectors * (m.features + m.classes() - 1);
      *elementwise = rows * (m.vectors * per_vector + 2 * m.pairs() + m.classes());
      break;
    case SvmModel::Mode::kLinear:
      *macs = rows * m.classes() * m.features;
      *elementwise = rows * 3 * m.classes();
      break;
  }
}

}  // namespace mote::modelc
