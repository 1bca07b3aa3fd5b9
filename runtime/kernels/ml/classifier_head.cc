#include "kernels/ml/classifier_head.h"

#include "kernels/reference/math.h"

namespace mote::ml {
namespace {

float Abs(float x) { return x < 0.0f ? -x : x; }

// sqrt by Newton iterations from a bit-level guess: portable and identical on
// every target (libm's sqrtf is correctly rounded too, but not always available).
float Sqrt(float x) {
  if (!(x > 0.0f)) return x == 0.0f ? 0.0f : x - x;  // NaN for negative or NaN
  float r = x > 1.0f ? x : 1.0f;
  for (int i = 0; i < 64; ++i) {
    const float next = 0.5f * (r + x / r);
    if (next >= r) break;
    r = next;
  }
  return r;
}

}  // namespace

void ApplyPostTransform(std::span<const float> in, PostTransform t, std::span<float> out) {
  switch (t) {
    case PostTransform::kLogistic:
      for (size_t i = 0; i < in.size(); ++i) out[i] = reference::Sigmoid(in[i]);
      return;
    case PostTransform::kSoftmax:
    case PostTransform::kSoftmaxZero: {
      float max = in[0];
      for (float v : in) max = v > max ? v : max;
      float sum = 0.0f;
      for (size_t i = 0; i < in.size(); ++i) {
        // SOFTMAX_ZERO leaves exact zeros at zero (onnxruntime).
        out[i] = (t == PostTransform::kSoftmaxZero && in[i] == 0.0f) ? 0.0f : reference::Exp(in[i] - max);
        sum += out[i];
      }
      for (size_t i = 0; i < in.size(); ++i) out[i] = sum > 0.0f ? out[i] / sum : 0.0f;
      return;
    }
    default:
      for (size_t i = 0; i < in.size(); ++i) out[i] = in[i];
  }
}

int64_t ClassifierHead(std::span<const float> scores, PostTransform transform, BinaryMode binary,
                       std::span<const int64_t> labels, std::span<float> probabilities) {
  if (binary == BinaryMode::kNone) {
    size_t best = 0;
    for (size_t i = 1; i < scores.size(); ++i) best = scores[i] > scores[best] ? i : best;
    ApplyPostTransform(scores, transform, probabilities);
    return labels[best];
  }
  const float s = scores[0];
  float p = s;
  // onnxruntime applies the transform only to signed scores; positive ones
  // are probabilities already.
  if (binary == BinaryMode::kSigned && transform == PostTransform::kLogistic) p = reference::Sigmoid(s);
  if (binary == BinaryMode::kSigned && transform == PostTransform::kNone) {
    probabilities[0] = -s;
    probabilities[1] = s;
    return labels[s > 0.0f ? 1 : 0];
  }
  probabilities[0] = 1.0f - p;
  probabilities[1] = p;
  const bool second = binary == BinaryMode::kSigned ? s > 0.0f : p > 0.5f;
  return labels[second ? 1 : 0];
}

void NormalizeRow(std::span<const float> in, uint8_t norm, std::span<float> out) {
  float d = norm == 0 ? in[0] : 0.0f;
  for (float v : in) {
    if (norm == 0) d = v > d ? v : d;  // onnxruntime divides by the (signed) maximum
    else if (norm == 1) d += Abs(v);
    else d += v * v;
  }
  if (norm == 2) d = Sqrt(d);
  for (size_t i = 0; i < in.size(); ++i) out[i] = d != 0.0f ? in[i] / d : in[i];
}

}  // namespace mote::ml
