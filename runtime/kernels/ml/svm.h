// Support vector machines with onnxruntime's SVMClassifier / SVMRegressor
// semantics (layout and formulas in mote.fbs, SvmOptions and
// SvmPairwiseOptions). The glue has checked every count and size at load, so
// these functions index without checks. All state per sample lives in the
// output rows and in stack arrays bounded by kMaxSvmClasses.
#ifndef MOTE_KERNELS_ML_SVM_H_
#define MOTE_KERNELS_ML_SVM_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "kernels/ml/classifier_head.h"

namespace mote::ml {

// Votes (and, for SvmPairwise, two per-class float arrays) live on the stack.
inline constexpr size_t kMaxSvmClasses = 32;
inline constexpr int32_t kMaxSvmDegree = 32;

enum class SvmKernel : uint8_t { kLinear = 0, kPoly = 1, kRbf = 2, kSigmoid = 3 };

struct SvmKernelParams {
  SvmKernel type = SvmKernel::kLinear;
  float gamma = 0.0f;
  float coef0 = 0.0f;
  int32_t degree = 0;  // poly only, 0..kMaxSvmDegree
};

// V vectors of F floats each, row-major.
struct SvmVectors {
  const float* data;
  size_t count;
  size_t features;
  const float* row(size_t v) const { return data + v * features; }
};

// Number of class pairs for C classes, and the index of pair (i, j), i < j.
constexpr size_t SvmPairs(size_t classes) { return classes * (classes - 1) / 2; }
constexpr size_t SvmPairIndex(size_t classes, size_t i, size_t j) {
  return i * classes - i * (i + 1) / 2 + (j - i - 1);
}

// K(x, v) over `features` values.
float SvmKernelValue(const SvmKernelParams& k, const float* x, const float* v, size_t features);

// Regressor: sum_v coefficients[v] K(x, v) + rho, or its sign (+1 / -1) for one_class.
float SvmRegress(const SvmKernelParams& k, const SvmVectors& sv, const float* coefficients, float rho,
                 bool one_class, const float* x);

struct SvmOneVsOne {
  SvmKernelParams kernel;
  SvmVectors vectors;
  std::span<const int32_t> vectors_per_class;  // C entries summing to vectors.count
  const float* coefficients;                   // [C - 1, V]
  const float* rho;                            // [P]
};

// Decision values d_p of every pair into `pairwise` (P values); returns the
// index of the class with the most votes (i if d_p > 0 else j; ties: lowest).
size_t SvmDecide(const SvmOneVsOne& m, const float* x, std::span<float> pairwise);

// libsvm's Platt sigmoid for one decision value, clamped to [1e-7, 1 - 1e-7].
float SvmPairProbability(float decision, float prob_a, float prob_b);

// [-d, d] (PostTransform::kNone) or [1 - d, d] (any other transform).
void SvmBinaryScores(float decision, PostTransform transform, std::span<float> out);

// Linear classifier: scores[c] = <x, rows[c]> + rho; returns the label index
// (rule 0 argmax, 1 second class if max >= 0.5, 2 second class if max > 0).
size_t SvmLinearScores(const SvmVectors& rows, float rho, uint8_t label_rule, const float* x,
                       std::span<float> scores);

// scikit-learn's one-vs-rest decision function from P decision values into C outputs.
void SvmOvrDecision(std::span<const float> pairwise, std::span<float> out);

// libsvm's pairwise coupling of P pair probabilities into C class probabilities.
void SvmCoupleProbabilities(std::span<const float> pairwise, std::span<float> out);

}  // namespace mote::ml

#endif  // MOTE_KERNELS_ML_SVM_H_
