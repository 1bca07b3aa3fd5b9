// Svm and SvmPairwise: kernels against straightforward double-precision
// references written here (onnxruntime's formulas), the glue through the
// interpreter, and hostile options refused at load.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/ml/svm.h"
#include "mote/diagnostics.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::BuildMote;
using testing::Bytes;
using testing::ModelSpec;
using testing::RunMote;

std::vector<float> Random(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

double KernelRef(const ml::SvmKernelParams& k, const float* x, const float* v, size_t n) {
  double dot = 0.0, dist = 0.0;
  for (size_t i = 0; i < n; ++i) {
    dot += double{x[i]} * v[i];
    dist += (double{x[i]} - v[i]) * (double{x[i]} - v[i]);
  }
  switch (k.type) {
    case ml::SvmKernel::kPoly: return std::pow(k.gamma * dot + k.coef0, k.degree);
    case ml::SvmKernel::kRbf: return std::exp(-k.gamma * dist);
    case ml::SvmKernel::kSigmoid: return std::tanh(k.gamma * dot + k.coef0);
    default: return dot;
  }
}

TEST(SvmKernel, KernelValuesMatchDoubleReference) {
  const size_t n = 7;
  for (uint32_t seed = 0; seed < 20; ++seed) {
    const std::vector<float> x = Random(n, seed), v = Random(n, seed + 100);
    for (auto type : {ml::SvmKernel::kLinear, ml::SvmKernel::kPoly, ml::SvmKernel::kRbf, ml::SvmKernel::kSigmoid}) {
      for (int32_t degree : {0, 1, 2, 3, 5}) {
        const ml::SvmKernelParams k{type, 0.7f, 0.3f, degree};
        const double want = KernelRef(k, x.data(), v.data(), n);
        EXPECT_NEAR(ml::SvmKernelValue(k, x.data(), v.data(), n), want, 1e-5 * (1.0 + std::fabs(want)))
            << static_cast<int>(type) << " degree " << degree << " seed " << seed;
      }
    }
  }
  const float zero[2] = {0.0f, 0.0f};
  EXPECT_EQ(ml::SvmKernelValue({ml::SvmKernel::kPoly, 1.0f, 0.0f, 0}, zero, zero, 2), 1.0f) << "0^0 = 1, as pow";
}

// A 4-class one-vs-one model with uneven vectors per class.
struct OvoFixture {
  size_t features = 5;
  std::vector<int32_t> per_class = {3, 1, 2, 4};
  size_t vectors = 10, classes = 4;
  std::vector<float> sv = Random(vectors * features, 7);
  std::vector<float> coef = Random((classes - 1) * vectors, 8, -2.0f, 2.0f);
  std::vector<float> rho = Random(6, 9, -0.5f, 0.5f);
  ml::SvmKernelParams kernel{ml::SvmKernel::kRbf, 0.4f, 0.0f, 0};

  ml::SvmOneVsOne Model() const {
    return {kernel, {sv.data(), vectors, features}, per_class, coef.data(), rho.data()};
  }
  // Pair-major, as onnxruntime's svmclassifier.cc, in double.
  std::vector<double> Decisions(const float* x) const {
    std::vector<double> k(vectors), d;
    for (size_t v = 0; v < vectors; ++v) k[v] = KernelRef(kernel, x, sv.data() + v * features, features);
    std::vector<size_t> start = {0};
    for (int32_t n : per_class) start.push_back(start.back() + static_cast<size_t>(n));
    for (size_t i = 0; i < classes; ++i)
      for (size_t j = i + 1; j < classes; ++j) {
        double s = rho[d.size()];
        for (size_t v = start[i]; v < start[i + 1]; ++v) s += coef[(j - 1) * vectors + v] * k[v];
        for (size_t v = start[j]; v < start[j + 1]; ++v) s += coef[i * vectors + v] * k[v];
        d.push_back(s);
      }
    return d;
  }
};

size_t VoteWinner(const std::vector<double>& d, size_t classes) {
  std::vector<int> votes(classes, 0);
  size_t p = 0;
  for (size_t i = 0; i < classes; ++i)
    for (size_t j = i + 1; j < classes; ++j) ++votes[d[p++] > 0 ? i : j];
  return static_cast<size_t>(std::max_element(votes.begin(), votes.end()) - votes.begin());
}

TEST(SvmKernel, OneVsOneDecisionsAndVotes) {
  const OvoFixture f;
  for (uint32_t seed = 0; seed < 50; ++seed) {
    const std::vector<float> x = Random(f.features, 1000 + seed, -1.5f, 1.5f);
    std::vector<float> d(6);
    const size_t best = ml::SvmDecide(f.Model(), x.data(), d);
    const std::vector<double> want = f.Decisions(x.data());
    for (size_t p = 0; p < 6; ++p) ASSERT_NEAR(d[p], want[p], 1e-5) << "pair " << p << " seed " << seed;
    EXPECT_EQ(best, VoteWinner(want, 4)) << seed;
  }
}

TEST(SvmKernel, VoteTiesGoToTheLowerClassAndZeroVotesForTheSecond) {
  // Linear kernel, 3 classes, one vector each; decisions come from rho alone
  // when the input is zero.
  const std::vector<int32_t> per_class = {1, 1, 1};
  const std::vector<float> sv = {1.0f, 2.0f, 3.0f}, coef(6, 0.0f);
  const float x = 0.0f;
  std::vector<float> d(3);
  // pairs (0,1) (0,2) (1,2): 0 beats 1, 2 beats 0, 1 beats 2: one vote each.
  const std::vector<float> cyclic = {1.0f, -1.0f, 1.0f};
  ml::SvmOneVsOne m{{}, {sv.data(), 3, 1}, per_class, coef.data(), cyclic.data()};
  EXPECT_EQ(ml::SvmDecide(m, &x, d), 0u);
  // d == 0 votes for the second class of the pair: 1 wins (0,1), 2 wins (0,2), 2 wins (1,2).
  const std::vector<float> zeros = {0.0f, 0.0f, 0.0f};
  m.rho = zeros.data();
  EXPECT_EQ(ml::SvmDecide(m, &x, d), 2u);
}

TEST(SvmKernel, RegressorAndOneClass) {
  const size_t features = 4, vectors = 6;
  const std::vector<float> sv = Random(vectors * features, 3), coef = Random(vectors, 4, -1.0f, 1.0f);
  const ml::SvmKernelParams k{ml::SvmKernel::kPoly, 0.5f, 1.0f, 3};
  for (uint32_t seed = 0; seed < 20; ++seed) {
    const std::vector<float> x = Random(features, 50 + seed);
    double want = 0.1;
    for (size_t v = 0; v < vectors; ++v) want += coef[v] * KernelRef(k, x.data(), sv.data() + v * features, features);
    const ml::SvmVectors vs{sv.data(), vectors, features};
    EXPECT_NEAR(ml::SvmRegress(k, vs, coef.data(), 0.1f, false, x.data()), want, 1e-5 * (1 + std::fabs(want)));
    EXPECT_EQ(ml::SvmRegress(k, vs, coef.data(), 0.1f, true, x.data()), want > 0 ? 1.0f : -1.0f);
  }
}

TEST(SvmKernel, LinearScoresAndBinaryRules) {
  const std::vector<float> rows = {1.0f, 0.0f, 0.0f, 1.0f};  // two classes, two features
  const ml::SvmVectors w{rows.data(), 2, 2};
  std::vector<float> s(2);
  const float a[2] = {0.3f, 0.2f};
  EXPECT_EQ(ml::SvmLinearScores(w, 0.0f, 0, a, s), 0u);
  EXPECT_FLOAT_EQ(s[0], 0.3f);
  EXPECT_EQ(ml::SvmLinearScores(w, 0.0f, 2, a, s), 1u) << "mixed weights: max > 0 picks the second class";
  EXPECT_EQ(ml::SvmLinearScores(w, 0.0f, 1, a, s), 0u) << "positive weights: max < 0.5 keeps the argmax";
  EXPECT_EQ(ml::SvmLinearScores(w, 0.3f, 1, a, s), 1u) << "positive weights: max >= 0.5 picks the second class";
  const float b[2] = {-0.3f, -0.2f};
  EXPECT_EQ(ml::SvmLinearScores(w, 0.0f, 2, b, s), 1u) << "argmax when max <= 0";
}

TEST(SvmKernel, OvrDecisionMatchesScikitLearnFormula) {
  for (uint32_t seed = 0; seed < 20; ++seed) {
    const size_t classes = 2 + seed % 6, pairs = ml::SvmPairs(classes);
    std::vector<float> d = Random(pairs, seed, -3.0f, 3.0f);
    d[0] = 0.0f;  // d == 0 votes for the first class (skl2onnx: Less(d, 0))
    std::vector<float> out(classes);
    ml::SvmOvrDecision(d, out);
    std::vector<double> votes(classes, 0.0), sums(classes, 0.0);
    size_t p = 0;
    for (size_t i = 0; i < classes; ++i)
      for (size_t j = i + 1; j < classes; ++j, ++p) {
        sums[i] += d[p];
        sums[j] -= d[p];
        votes[d[p] < 0 ? j : i] += 1;
      }
    for (size_t c = 0; c < classes; ++c) {
      EXPECT_NEAR(out[c], votes[c] + sums[c] / (3 * (std::fabs(sums[c]) + 1)), 1e-5) << classes << " " << c;
    }
  }
}

TEST(SvmKernel, PlattAndCoupling) {
  EXPECT_NEAR(ml::SvmPairProbability(0.5f, -2.0f, 0.1f), 1.0 / (1.0 + std::exp(-2.0 * 0.5 + 0.1)), 1e-6);
  EXPECT_FLOAT_EQ(ml::SvmPairProbability(1e6f, 1.0f, 0.0f), 1e-7f) << "clamped";
  EXPECT_FLOAT_EQ(ml::SvmPairProbability(-1e6f, 1.0f, 0.0f), 1.0f - 1e-7f) << "clamped";
  // Consistent pair probabilities r_ij = p_i / (p_i + p_j) are recovered.
  const std::vector<double> p = {0.5, 0.2, 0.2, 0.1};
  std::vector<float> r;
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = i + 1; j < 4; ++j) r.push_back(static_cast<float>(p[i] / (p[i] + p[j])));
  std::vector<float> out(4);
  ml::SvmCoupleProbabilities(r, out);
  double sum = 0.0;
  for (size_t c = 0; c < 4; ++c) {
    EXPECT_NEAR(out[c], p[c], 5e-3) << c;
    sum += out[c];
  }
  EXPECT_NEAR(sum, 1.0, 1e-5);
  // Two classes: the coupling returns (about) the pair probability.
  const std::vector<float> two = {0.8f};
  std::vector<float> out2(2);
  ml::SvmCoupleProbabilities(two, out2);
  EXPECT_NEAR(out2[0], 0.8, 5e-3);
  EXPECT_NEAR(out2[0] + out2[1], 1.0, 1e-5);
}

// ------------------------------------------------------------------- glue

constexpr int32_t kRows = 3;

// A one-op Svm model; fields are what the options and buffers say.
struct SvmModelSpec {
  int8_t mode = 1, kernel = 2, post = 0, scores = 0, label_rule = 0;
  float gamma = 0.4f, coef0 = 0.0f;
  int32_t degree = 3;
  bool one_class = false;
  int32_t features = 5;
  std::vector<float> sv, coef, rho, prob_a, prob_b;
  std::vector<int32_t> per_class;
  std::vector<int64_t> labels;
  int32_t score_cols = 6;
  int32_t sv_buffer = 0, coef_buffer = 1, label_buffer = 2;
  ElementType label_type = ElementType::Int64;

  static SvmModelSpec Ovo() {
    const OvoFixture f;
    SvmModelSpec s;
    s.sv = f.sv;
    s.coef = f.coef;
    s.rho = f.rho;
    s.per_class = f.per_class;
    s.labels = {10, 20, 30, 40};
    return s;
  }

  ModelSpec Spec() const {
    ModelSpec s;
    s.tensors = {{"x", ElementType::Float32, {kRows, features}, {}, {}}};
    if (mode == 0) {
      s.tensors.push_back({"y", ElementType::Float32, {kRows, 1}, {}, {}});
      s.op_outputs = {1};
    } else {
      s.tensors.push_back({"label", label_type, {kRows}, {}, {}});
      s.tensors.push_back({"scores", ElementType::Float32, {kRows, score_cols}, {}, {}});
      s.op_outputs = {1, 2};
    }
    s.buffers = {Bytes(sv), Bytes(coef), Bytes(labels)};
    s.opcode = schema::OpCode::Svm;
    s.options_type = schema::OpOptions::SvmOptions;
    s.op_inputs = {0};
    s.inputs = {0};
    s.outputs = s.op_outputs;
    const SvmModelSpec o = *this;
    s.options_builder = [o](flatbuffers::FlatBufferBuilder& fbb) {
      return schema::CreateSvmOptions(fbb, o.mode, o.kernel, o.gamma, o.coef0, o.degree, o.sv_buffer, o.coef_buffer,
                                      fbb.CreateVector(o.per_class), fbb.CreateVector(o.rho),
                                      fbb.CreateVector(o.prob_a), fbb.CreateVector(o.prob_b), o.label_buffer, o.post,
                                      o.scores, o.one_class, o.label_rule)
          .Union();
    };
    testing::PlanArena(s);
    return s;
  }
};

Status LoadStatus(const ModelSpec& s) {
  const testing::Aligned a(BuildMote(s));
  return Model::Load({a.data(), a.size()}).status();
}

// The message of the last diagnostic a load reported.
std::string LoadMessage(const ModelSpec& s) {
  std::string message;
  SetDiagnosticHandler([](const Diagnostic& d, void* out) { *static_cast<std::string*>(out) = d.message; }, &message);
  const Status status = LoadStatus(s);
  SetDiagnosticHandler(nullptr, nullptr);
  return status == Status::kOk ? "loaded" : message;
}

template <typename T>
std::vector<T> As(const std::vector<uint8_t>& bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

TEST(SvmOp, OneVsOneThroughTheInterpreter) {
  const OvoFixture f;
  const std::vector<float> x = Random(kRows * 5, 77, -1.5f, 1.5f);
  const testing::RunResult r = RunMote(BuildMote(SvmModelSpec::Ovo().Spec()), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  const std::vector<int64_t> labels = As<int64_t>(r.outputs[0]);
  const std::vector<float> scores = As<float>(r.outputs[1]);
  for (int32_t row = 0; row < kRows; ++row) {
    const std::vector<double> d = f.Decisions(x.data() + row * 5);
    EXPECT_EQ(labels[row], 10 * static_cast<int64_t>(VoteWinner(d, 4) + 1));
    for (size_t p = 0; p < 6; ++p) EXPECT_NEAR(scores[row * 6 + p], d[p], 1e-5);
  }
}

TEST(SvmOp, ProbabilitiesBinaryRegressorAndLinearModes) {
  const std::vector<float> x = Random(kRows * 5, 78, -1.5f, 1.5f);
  // Pair probabilities, then coupling by SvmPairwise (checked below).
  SvmModelSpec p = SvmModelSpec::Ovo();
  p.prob_a = Random(6, 11, -3.0f, -1.0f);
  p.prob_b = Random(6, 12, -0.2f, 0.2f);
  testing::RunResult r = RunMote(BuildMote(p.Spec()), {Bytes(x)});
  ASSERT_EQ(r.status, Status::kOk);
  const OvoFixture f;
  const std::vector<float> pairs = As<float>(r.outputs[1]);
  for (int32_t row = 0; row < kRows; ++row) {
    const std::vector<double> d = f.Decisions(x.data() + row * 5);
    for (size_t k = 0; k < 6; ++k) {
      const double want = 1.0 / (1.0 + std::exp(p.prob_a[k] * d[k] + p.prob_b[k]));
      EXPECT_NEAR(pairs[row * 6 + k], std::clamp(want, 1e-7, 1 - 1e-7), 1e-5);
    }
  }
  // Two classes, two columns: [-d, d] without a post transform, [1 - d, d] with one.
  SvmModelSpec b;
  b.kernel = 0;
  b.features = 2;
  b.sv = {1.0f, 0.0f, 0.0f, 1.0f};
  b.per_class = {1, 1};
  b.coef = {1.0f, -1.0f};
  b.rho = {0.25f};
  b.labels = {3, 7};
  b.scores = 1;
  b.score_cols = 2;
  const std::vector<float> xb = {1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f};  // d = 1.25, -0.75, 0.25
  r = RunMote(BuildMote(b.Spec()), {Bytes(xb)});
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(As<int64_t>(r.outputs[0]), (std::vector<int64_t>{3, 7, 3}));
  EXPECT_EQ(As<float>(r.outputs[1]), (std::vector<float>{-1.25f, 1.25f, 0.75f, -0.75f, -0.25f, 0.25f}));
  b.post = 1;
  r = RunMote(BuildMote(b.Spec()), {Bytes(xb)});
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(As<float>(r.outputs[1]), (std::vector<float>{-0.25f, 1.25f, 1.75f, -0.75f, 0.75f, 0.25f}));
  // Regressor, one_class.
  SvmModelSpec g;
  g.mode = 0;
  g.features = 2;
  g.sv = {1.0f, 0.0f, 0.0f, 1.0f};
  g.coef = {2.0f, -1.0f};
  g.rho = {0.5f};
  g.kernel = 0;
  r = RunMote(BuildMote(g.Spec()), {Bytes(xb)});
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(As<float>(r.outputs[0]), (std::vector<float>{2.5f, -0.5f, 0.5f}));
  g.one_class = true;
  r = RunMote(BuildMote(g.Spec()), {Bytes(xb)});
  EXPECT_EQ(As<float>(r.outputs[0]), (std::vector<float>{1.0f, -1.0f, 1.0f}));
  // Linear classifier: 3 classes, softmax.
  SvmModelSpec l;
  l.mode = 2;
  l.kernel = 0;
  l.features = 2;
  l.sv = {1.0f, 0.0f, 0.0f, 1.0f, -1.0f, -1.0f};
  l.rho = {0.0f};
  l.labels = {5, 6, 7};
  l.score_cols = 3;
  l.post = 2;
  l.coef_buffer = -1;
  r = RunMote(BuildMote(l.Spec()), {Bytes(xb)});
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(As<int64_t>(r.outputs[0]), (std::vector<int64_t>{5, 6, 5}));
  const std::vector<float> probs = As<float>(r.outputs[1]);
  EXPECT_NEAR(probs[0], std::exp(1.0) / (std::exp(1.0) + 1 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(probs[6] + probs[7] + probs[8], 1.0, 1e-6);
}

TEST(SvmOp, HostileOptionsAreRefusedAtLoad) {
  EXPECT_EQ(LoadStatus(SvmModelSpec::Ovo().Spec()), Status::kOk);
  struct Case {
    const char* what;
    const char* message;  // the diagnostic naming the reason
    void (*edit)(SvmModelSpec&);
  };
  const Case cases[] = {
      {"unknown mode", "unknown svm mode", [](SvmModelSpec& s) { s.mode = 3; }},
      {"unknown kernel", "unknown svm kernel", [](SvmModelSpec& s) { s.kernel = 4; }},
      {"degree too high", "degree out of range", [](SvmModelSpec& s) { s.kernel = 1; s.degree = 33; }},
      {"negative degree", "degree out of range", [](SvmModelSpec& s) { s.kernel = 1; s.degree = -1; }},
      {"gamma not finite", "not finite", [](SvmModelSpec& s) { s.gamma = NAN; }},
      {"negative vector count", "negative svm vector count", [](SvmModelSpec& s) { s.per_class = {3, -1, 2, 6}; }},
      {"vector counts exceed the vectors", "support vectors do not match",
       [](SvmModelSpec& s) { s.per_class = {3, 1, 2, 5}; }},
      {"vector counts near overflow", "support vectors do not match",
       [](SvmModelSpec& s) { s.per_class = {INT32_MAX, INT32_MAX, INT32_MAX, 4}; }},
      {"one vector count missing", "one vector count per class", [](SvmModelSpec& s) { s.per_class = {3, 1, 6}; }},
      {"support vectors short", "support vectors do not match", [](SvmModelSpec& s) { s.sv.pop_back(); }},
      {"coefficients short", "coefficients", [](SvmModelSpec& s) { s.coef.pop_back(); }},
      {"coefficient buffer missing", "coefficients", [](SvmModelSpec& s) { s.coef_buffer = 7; }},
      {"rho count", "one rho per class pair", [](SvmModelSpec& s) { s.rho.pop_back(); }},
      {"prob_a without prob_b", "prob_a and prob_b", [](SvmModelSpec& s) { s.prob_a.assign(6, -1.0f); }},
      {"prob_a count", "prob_a and prob_b",
       [](SvmModelSpec& s) { s.prob_a.assign(5, -1.0f); s.prob_b.assign(5, 0.0f); }},
      {"probabilities with a post transform", "take no post transform",
       [](SvmModelSpec& s) { s.prob_a.assign(6, -1.0f); s.prob_b.assign(6, 0.0f); s.post = 2; }},
      {"one class", "class labels", [](SvmModelSpec& s) { s.labels = {1}; s.per_class = {10}; s.rho = {}; }},
      {"33 classes", "class labels", [](SvmModelSpec& s) { s.labels.assign(33, 0); }},
      {"labels buffer missing", "class labels", [](SvmModelSpec& s) { s.label_buffer = -1; }},
      {"unknown post transform", "unknown post transform", [](SvmModelSpec& s) { s.post = 4; }},
      {"two-column scores for 4 classes", "two-column",
       [](SvmModelSpec& s) { s.scores = 1; s.score_cols = 2; }},
      {"unknown scores layout", "unknown svm scores layout", [](SvmModelSpec& s) { s.scores = 2; }},
      {"score columns", "int64 [N] labels and float32 [N, S]", [](SvmModelSpec& s) { s.score_cols = 4; }},
      {"label type", "int64 [N] labels and float32 [N, S]",
       [](SvmModelSpec& s) { s.label_type = ElementType::Int32; }},
      {"linear mode, rbf kernel", "linear svm needs",
       [](SvmModelSpec& s) { s.mode = 2; s.sv.resize(20); s.score_cols = 4; s.rho = {0.0f}; }},
      {"linear mode, label rule with 4 classes", "label rule",
       [](SvmModelSpec& s) { s.mode = 2; s.kernel = 0; s.sv.resize(20); s.rho = {0.0f}; s.score_cols = 4; s.label_rule = 1; }},
      {"regressor, coefficient count", "svm regressor needs",
       [](SvmModelSpec& s) { s.mode = 0; s.rho = {0.0f}; s.coef.resize(9); }},
      {"regressor, rho count", "svm regressor needs", [](SvmModelSpec& s) { s.mode = 0; s.coef.resize(10); }},
  };
  for (const Case& c : cases) {
    SvmModelSpec s = SvmModelSpec::Ovo();
    c.edit(s);
    EXPECT_EQ(LoadStatus(s.Spec()), Status::kCorruptFile) << c.what;
    EXPECT_NE(LoadMessage(s.Spec()).find(c.message), std::string::npos) << c.what << ": " << LoadMessage(s.Spec());
  }
  // The same edits made consistent load fine (the cases fail for their reason).
  SvmModelSpec l = SvmModelSpec::Ovo();
  l.mode = 2;
  l.kernel = 0;
  l.sv.resize(20);
  l.rho = {0.0f};
  l.score_cols = 4;
  EXPECT_EQ(LoadStatus(l.Spec()), Status::kOk);
  SvmModelSpec g = SvmModelSpec::Ovo();
  g.mode = 0;
  g.coef.resize(10);
  g.rho = {0.0f};
  EXPECT_EQ(LoadStatus(g.Spec()), Status::kOk);
}

ModelSpec PairwiseSpec(int8_t method, int8_t post, int32_t pairs, int32_t classes) {
  ModelSpec s;
  s.tensors = {{"pairs", ElementType::Float32, {kRows, pairs}, {}, {}},
               {"out", ElementType::Float32, {kRows, classes}, {}, {}}};
  s.opcode = schema::OpCode::SvmPairwise;
  s.options_type = schema::OpOptions::SvmPairwiseOptions;
  s.op_inputs = {0};
  s.op_outputs = {1};
  s.inputs = {0};
  s.outputs = {1};
  s.options_builder = [=](flatbuffers::FlatBufferBuilder& fbb) {
    return schema::CreateSvmPairwiseOptions(fbb, method, post).Union();
  };
  testing::PlanArena(s);
  return s;
}

TEST(SvmPairwiseOp, GlueMatchesKernelsAndHostileOptionsAreRefused) {
  const std::vector<float> d = Random(kRows * 6, 5, -2.0f, 2.0f);
  testing::RunResult r = RunMote(BuildMote(PairwiseSpec(0, 0, 6, 4)), {Bytes(d)});
  ASSERT_EQ(r.status, Status::kOk);
  std::vector<float> want(4);
  for (int32_t row = 0; row < kRows; ++row) {
    ml::SvmOvrDecision({d.data() + row * 6, 6}, want);
    for (size_t c = 0; c < 4; ++c) EXPECT_EQ(As<float>(r.outputs[0])[row * 4 + c], want[c]);
  }
  const std::vector<float> probs = Random(kRows * 6, 6, 0.05f, 0.95f);
  r = RunMote(BuildMote(PairwiseSpec(1, 0, 6, 4)), {Bytes(probs)});
  ASSERT_EQ(r.status, Status::kOk);
  for (int32_t row = 0; row < kRows; ++row) {
    ml::SvmCoupleProbabilities({probs.data() + row * 6, 6}, want);
    for (size_t c = 0; c < 4; ++c) EXPECT_EQ(As<float>(r.outputs[0])[row * 4 + c], want[c]);
  }
  EXPECT_EQ(LoadStatus(PairwiseSpec(1, 3, 6, 4)), Status::kOk);
  EXPECT_EQ(LoadStatus(PairwiseSpec(0, 1, 6, 4)), Status::kCorruptFile) << "ovr takes no transform";
  EXPECT_EQ(LoadStatus(PairwiseSpec(1, 4, 6, 4)), Status::kCorruptFile) << "unknown transform";
  EXPECT_EQ(LoadStatus(PairwiseSpec(2, 0, 6, 4)), Status::kCorruptFile) << "unknown method";
  EXPECT_EQ(LoadStatus(PairwiseSpec(0, 0, 5, 4)), Status::kCorruptFile) << "pairs do not match classes";
  EXPECT_EQ(LoadStatus(PairwiseSpec(0, 0, 0, 1)), Status::kCorruptFile) << "one class";
  EXPECT_EQ(LoadStatus(PairwiseSpec(0, 0, 528, 33)), Status::kCorruptFile) << "33 classes";
}

}  // namespace
}  // namespace mote
