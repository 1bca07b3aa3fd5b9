// ONNX-ML classifier outputs from raw scores: post transform, probabilities
// and the class label (semantics in mote.fbs, ClassifierHeadOptions).
#ifndef MOTE_KERNELS_ML_CLASSIFIER_HEAD_H_
#define MOTE_KERNELS_ML_CLASSIFIER_HEAD_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote::ml {

enum class PostTransform : uint8_t { kNone = 0, kLogistic = 1, kSoftmax = 2, kSoftmaxZero = 3 };
enum class BinaryMode : uint8_t { kNone = 0, kPositive = 1, kSigned = 2 };

// onnxruntime's post transform of one row of scores (in may equal out).
void ApplyPostTransform(std::span<const float> in, PostTransform transform, std::span<float> out);

// One sample: `scores` (S values) -> `probabilities` (C values) and the label.
int64_t ClassifierHead(std::span<const float> scores, PostTransform transform, BinaryMode binary,
                       std::span<const int64_t> labels, std::span<float> probabilities);

// Row normalization: 0 by the maximum, 1 L1, 2 L2 (a zero divisor leaves the row).
void NormalizeRow(std::span<const float> in, uint8_t norm, std::span<float> out);

}  // namespace mote::ml

#endif  // MOTE_KERNELS_ML_CLASSIFIER_HEAD_H_
