#include "kernels/ml/svm.h"

#include "kernels/reference/math.h"

namespace mote::ml {
namespace {

float Abs(float x) { return x < 0.0f ? -x : x; }

float Dot(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// onnxruntime's ComputeLogistic: 1 / (1 + e^-|v|), mirrored for v < 0.
float Logistic(float v) {
  const float e = 1.0f / (1.0f + reference::Exp(-Abs(v)));
  return v < 0.0f ? 1.0f - e : e;
}

}  // namespace

float SvmKernelValue(const SvmKernelParams& k, const float* x, const float* v, size_t features) {
  switch (k.type) {
    case SvmKernel::kRbf: {
      float sum = 0.0f;
      for (size_t i = 0; i < features; ++i) {
        const float d = x[i] - v[i];
        sum += d * d;
      }
      return reference::Exp(-k.gamma * sum);
    }
    case SvmKernel::kPoly: {
      const float t = k.gamma * Dot(x, v, features) + k.coef0;
      float p = 1.0f;
      for (int32_t i = 0; i < k.degree; ++i) p *= t;
      return p;
    }
    case SvmKernel::kSigmoid:
      return reference::Tanh(k.gamma * Dot(x, v, features) + k.coef0);
    default:
      return Dot(x, v, features);
  }
}

float SvmRegress(const SvmKernelParams& k, const SvmVectors& sv, const float* coefficients, float rho,
                 bool one_class, const float* x) {
  float sum = 0.0f;
  for (size_t v = 0; v < sv.count; ++v) sum += coefficients[v] * SvmKernelValue(k, x, sv.row(v), sv.features);
  const float y = sum + rho;
  if (one_class) return y > 0.0f ? 1.0f : -1.0f;
  return y;
}

size_t SvmDecide(const SvmOneVsOne& m, const float* x, std::span<float> pairwise) {
  const size_t classes = m.vectors_per_class.size();
  const size_t count = m.vectors.count;
  for (float& d : pairwise) d = 0.0f;
  // Vector-major: each kernel value is computed once and added to the C - 1
  // pairs of its class. Pair (i, j) still sums its class-i terms before its
  // class-j terms, in vector order, as onnxruntime does.
  size_t v = 0;
  for (size_t c = 0; c < classes; ++c) {
    const size_t end = v + static_cast<size_t>(m.vectors_per_class[c]);
    for (; v < end; ++v) {
      const float k = SvmKernelValue(m.kernel, x, m.vectors.row(v), m.vectors.features);
      for (size_t o = 0; o < classes; ++o) {
        if (o == c) continue;
        const size_t row = o > c ? o - 1 : o;
        const size_t pair = o > c ? SvmPairIndex(classes, c, o) : SvmPairIndex(classes, o, c);
        pairwise[pair] += m.coefficients[row * count + v] * k;
      }
    }
  }
  int32_t votes[kMaxSvmClasses] = {};
  size_t p = 0;
  for (size_t i = 0; i + 1 < classes; ++i) {
    for (size_t j = i + 1; j < classes; ++j, ++p) {
      pairwise[p] += m.rho[p];
      ++votes[pairwise[p] > 0.0f ? i : j];
    }
  }
  size_t best = 0;
  for (size_t c = 1; c < classes; ++c) best = votes[c] > votes[best] ? c : best;
  return best;
}

float SvmPairProbability(float decision, float prob_a, float prob_b) {
  const float p = 1.0f - Logistic(decision * prob_a + prob_b);
  const float lo = 1.0e-7f, hi = 1.0f - 1.0e-7f;
  return p < lo ? lo : (p > hi ? hi : p);
}

void SvmBinaryScores(float decision, PostTransform transform, std::span<float> out) {
  out[0] = transform == PostTransform::kNone ? -decision : 1.0f - decision;
  out[1] = decision;
}

size_t SvmLinearScores(const SvmVectors& rows, float rho, uint8_t label_rule, const float* x,
                       std::span<float> scores) {
  size_t best = 0;
  for (size_t c = 0; c < rows.count; ++c) {
    scores[c] = Dot(x, rows.row(c), rows.features) + rho;
    best = scores[c] > scores[best] ? c : best;
  }
  if (label_rule == 1 && scores[best] >= 0.5f) return 1;
  if (label_rule == 2 && scores[best] > 0.0f) return 1;
  return best;
}

void SvmOvrDecision(std::span<const float> pairwise, std::span<float> out) {
  const size_t classes = out.size();
  int32_t votes[kMaxSvmClasses] = {};
  for (float& s : out) s = 0.0f;
  size_t p = 0;
  for (size_t i = 0; i + 1 < classes; ++i) {
    for (size_t j = i + 1; j < classes; ++j, ++p) {
      const float d = pairwise[p];
      out[i] += d;
      out[j] -= d;
      ++votes[d < 0.0f ? j : i];
    }
  }
  for (size_t c = 0; c < classes; ++c) {
    out[c] = static_cast<float>(votes[c]) + out[c] / ((Abs(out[c]) + 1.0f) * 3.0f);
  }
}

namespace {

// r_ab: probability that a beats b, from the pairs' r_ij (i < j).
float PairR(std::span<const float> pairwise, size_t classes, size_t a, size_t b) {
  return a < b ? pairwise[SvmPairIndex(classes, a, b)] : 1.0f - pairwise[SvmPairIndex(classes, b, a)];
}

}  // namespace

void SvmCoupleProbabilities(std::span<const float> pairwise, std::span<float> out) {
  const size_t k = out.size();
  // Q (k x k) is read on the fly from the pair probabilities: diagonal
  // sum_j r_ji^2, off-diagonal -r_ji r_ij, with onnxruntime's float operations.
  float q_diag[kMaxSvmClasses];
  float qp[kMaxSvmClasses];
  auto q = [&](size_t i, size_t j) {
    return i == j ? q_diag[i] : -PairR(pairwise, k, j, i) * PairR(pairwise, k, i, j);
  };
  for (size_t i = 0; i < k; ++i) {
    out[i] = 1.0f / static_cast<float>(k);
    q_diag[i] = 0.0f;
    for (size_t j = 0; j < k; ++j) {
      if (j == i) continue;
      const float r = PairR(pairwise, k, j, i);
      q_diag[i] += r * r;
    }
  }
  const float eps = 0.005f / static_cast<float>(k);
  for (int loop = 0; loop < 100; ++loop) {
    float pqp = 0.0f;
    for (size_t i = 0; i < k; ++i) {
      qp[i] = 0.0f;
      for (size_t j = 0; j < k; ++j) qp[i] += q(i, j) * out[j];
      pqp += out[i] * qp[i];
    }
    float max_error = 0.0f;
    for (size_t i = 0; i < k; ++i) {
      const float error = Abs(qp[i] - pqp);
      max_error = error > max_error ? error : max_error;
    }
    if (max_error < eps) break;
    for (size_t i = 0; i < k; ++i) {
      const float diff = (-qp[i] + pqp) / q_diag[i];
      out[i] += diff;
      pqp = (pqp + diff * (diff * q_diag[i] + 2.0f * qp[i])) / (1.0f + diff) / (1.0f + diff);
      for (size_t j = 0; j < k; ++j) {
        qp[j] = (qp[j] + diff * q(i, j)) / (1.0f + diff);
        out[j] /= 1.0f + diff;
      }
    }
  }
}

}  // namespace mote::ml
