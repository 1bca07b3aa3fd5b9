// ClassifierHead and Normalize: the float tails of ONNX-ML classifiers.
#include "kernels/ml/classifier_head.h"
#include "kernels/ops/ops.h"

namespace mote::internal {

Status CheckClassifierHead(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 2));
  const auto* o = ctx.op->options_as_ClassifierHeadOptions();
  const auto in = ShapeOf(ctx.input(0));
  const auto label = ShapeOf(ctx.output(0));
  const auto prob = ShapeOf(ctx.output(1));
  if (TypeOf(ctx.input(0)) != ElementType::kFloat32 || TypeOf(ctx.output(0)) != ElementType::kInt64 ||
      TypeOf(ctx.output(1)) != ElementType::kFloat32 || in.size() != 2 || prob.size() != 2 ||
      label.empty() || label[0] != in[0] || NumElements(ctx.output(0)) != static_cast<size_t>(in[0]) ||
      prob[0] != in[0]) {
    return ctx.Fail("classifier head needs float32 [N, S] in, int64 [N] label and float32 [N, C] out");
  }
  const size_t classes = static_cast<size_t>(prob[1]);
  const std::span<const int64_t> labels = ctx.buffer<int64_t>(o->labels());
  if (labels.size() != classes) return ctx.Fail("one label per class expected");
  // Named classes: every label must index a name.
  if (const auto* names = ctx.output(0).class_names()) {
    for (int64_t l : labels) {
      if (l < 0 || static_cast<uint64_t>(l) >= names->size()) {
        return ctx.Fail("label has no class name", l, static_cast<int64_t>(names->size()));
      }
    }
  }
  if (o->post_transform() < 0 || o->post_transform() > 3 || o->binary() < 0 || o->binary() > 2) {
    return ctx.Fail("classifier post transform or binary mode unknown");
  }
  const bool binary = o->binary() != 0;
  if ((binary && (in[1] != 1 || classes != 2)) || (!binary && static_cast<size_t>(in[1]) != classes)) {
    return ctx.Fail("score and class counts disagree", in[1], static_cast<int64_t>(classes));
  }
  return Status::kOk;
}

void EvalClassifierHead(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_ClassifierHeadOptions();
  const auto in = ShapeOf(ctx.input(0));
  const size_t rows = static_cast<size_t>(in[0]), scores = static_cast<size_t>(in[1]);
  const size_t classes = static_cast<size_t>(ShapeOf(ctx.output(1))[1]);
  const std::span<const int64_t> labels = ctx.buffer<int64_t>(o->labels());
  for (size_t r = 0; r < rows; ++r) {
    ctx.output_data<int64_t>(0)[r] = ml::ClassifierHead(
        {ctx.input_data<float>(0) + r * scores, scores}, static_cast<ml::PostTransform>(o->post_transform()),
        static_cast<ml::BinaryMode>(o->binary()), labels, {ctx.output_data<float>(1) + r * classes, classes});
  }
}

Status CheckNormalize(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  MOTE_TRY(ExpectSameShape(ctx, ctx.input(0), ctx.output(0)));
  if (TypeOf(ctx.input(0)) != ElementType::kFloat32 || TypeOf(ctx.output(0)) != ElementType::kFloat32 ||
      ShapeOf(ctx.input(0)).empty()) {
    return ctx.Fail("normalize needs float32 tensors");
  }
  const int norm = ctx.op->options_as_NormalizeOptions()->norm();
  if (norm < 0 || norm > 2) return ctx.Fail("unknown norm", norm);
  return Status::kOk;
}

void EvalNormalize(const OpContext& ctx) {
  const auto shape = ShapeOf(ctx.input(0));
  const size_t depth = static_cast<size_t>(shape.back());
  const size_t rows = NumElements(ctx.input(0)) / depth;
  const auto norm = static_cast<uint8_t>(ctx.op->options_as_NormalizeOptions()->norm());
  for (size_t r = 0; r < rows; ++r) {
    ml::NormalizeRow({ctx.input_data<float>(0) + r * depth, depth}, norm, {ctx.output_data<float>(0) + r * depth, depth});
  }
}

}  // namespace mote::internal
