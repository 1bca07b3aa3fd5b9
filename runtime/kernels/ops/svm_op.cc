// Svm and SvmPairwise: every count, size and range of the options is checked
// here at load, so the kernels in kernels/ml/svm.cc index without checks.
#include "kernels/ml/svm.h"
#include "kernels/ops/ops.h"

namespace mote::internal {
namespace {

constexpr int kRegressor = 0, kOneVsOne = 1, kLinear = 2;

bool Finite(float v) { return v - v == 0.0f; }

// Number of entries of an optional flatbuffer vector.
template <typename T>
size_t Count(const flatbuffers::Vector<T>* v) {
  return v == nullptr ? 0 : v->size();
}

// The buffer holds exactly `count` values of T (callers keep count below 2^60).
template <typename T>
bool HoldsExactly(const OpContext& ctx, int32_t buffer, uint64_t count) {
  return uint64_t{BufferBytes(*ctx.model, buffer).size()} == count * sizeof(T);
}

Status CheckKernel(const OpContext& ctx, const schema::SvmOptions& o) {
  if (o.kernel() < 0 || o.kernel() > 3) return ctx.Fail("unknown svm kernel", o.kernel());
  if (!Finite(o.gamma()) || !Finite(o.coef0())) return ctx.Fail("svm gamma or coef0 is not finite");
  if (o.kernel() == static_cast<int>(ml::SvmKernel::kPoly) && (o.degree() < 0 || o.degree() > ml::kMaxSvmDegree)) {
    return ctx.Fail("svm polynomial degree out of range", o.degree(), ml::kMaxSvmDegree);
  }
  if (o.post_transform() < 0 || o.post_transform() > 3) return ctx.Fail("unknown post transform", o.post_transform());
  return Status::kOk;
}

// Label int64 [N] and scores float32 [N, S].
Status CheckClassifierOutputs(const OpContext& ctx, int32_t rows, size_t scores) {
  const auto label = ShapeOf(ctx.output(0));
  const auto out = ShapeOf(ctx.output(1));
  if (TypeOf(ctx.output(0)) != ElementType::kInt64 || label.empty() || label[0] != rows ||
      NumElements(ctx.output(0)) != static_cast<size_t>(rows) || TypeOf(ctx.output(1)) != ElementType::kFloat32 ||
      out.size() != 2 || out[0] != rows || static_cast<size_t>(out[1]) != scores) {
    return ctx.Fail("svm classifier needs int64 [N] labels and float32 [N, S] scores", out.size() == 2 ? out[1] : -1,
                    static_cast<int64_t>(scores));
  }
  return Status::kOk;
}

size_t Classes(const OpContext& ctx, const schema::SvmOptions& o) {
  return ctx.buffer<int64_t>(o.labels()).size();
}

Status CheckOneVsOne(const OpContext& ctx, const schema::SvmOptions& o, int32_t rows, size_t features) {
  const size_t classes = Classes(ctx, o);
  if (classes < 2 || classes > ml::kMaxSvmClasses || !HoldsExactly<int64_t>(ctx, o.labels(), classes)) {
    return ctx.Fail("svm needs 2 to 32 int64 class labels", static_cast<int64_t>(classes), ml::kMaxSvmClasses);
  }
  const size_t pairs = ml::SvmPairs(classes);
  if (Count(o.vectors_per_class()) != classes) return ctx.Fail("svm needs one vector count per class");
  uint64_t vectors = 0;
  for (int32_t n : *o.vectors_per_class()) {
    if (n < 0) return ctx.Fail("negative svm vector count", n);
    vectors += static_cast<uint64_t>(n);
  }
  // vectors <= the buffer's floats keeps vectors * features below 2^63.
  if (vectors == 0 || vectors > ctx.buffer<float>(o.support_vectors()).size() ||
      !HoldsExactly<float>(ctx, o.support_vectors(), vectors * features)) {
    return ctx.Fail("svm support vectors do not match the counts and features", static_cast<int64_t>(vectors));
  }
  if (!HoldsExactly<float>(ctx, o.coefficients(), (classes - 1) * vectors)) {
    return ctx.Fail("svm needs (classes - 1) x vectors coefficients");
  }
  if (Count(o.rho()) != pairs) return ctx.Fail("svm needs one rho per class pair", static_cast<int64_t>(Count(o.rho())));
  const size_t pa = Count(o.prob_a()), pb = Count(o.prob_b());
  const bool probabilities = pa != 0 || pb != 0;
  if (probabilities && (pa != pairs || pb != pairs)) return ctx.Fail("svm needs prob_a and prob_b per class pair");
  size_t scores = pairs;
  if (o.scores() == 1) {
    if (classes != 2 || probabilities) return ctx.Fail("two-column svm scores need 2 classes and no probabilities");
    scores = 2;
  } else if (o.scores() != 0) {
    return ctx.Fail("unknown svm scores layout", o.scores());
  }
  if (probabilities && o.post_transform() != 0) return ctx.Fail("svm pair probabilities take no post transform");
  return CheckClassifierOutputs(ctx, rows, scores);
}

Status CheckLinear(const OpContext& ctx, const schema::SvmOptions& o, int32_t rows, size_t features) {
  const size_t classes = Classes(ctx, o);
  if (classes < 2 || classes > ml::kMaxSvmClasses || !HoldsExactly<int64_t>(ctx, o.labels(), classes)) {
    return ctx.Fail("svm needs 2 to 32 int64 class labels", static_cast<int64_t>(classes), ml::kMaxSvmClasses);
  }
  if (o.kernel() != 0 || !HoldsExactly<float>(ctx, o.support_vectors(), uint64_t{classes} * features) ||
      Count(o.rho()) != 1) {
    return ctx.Fail("linear svm needs a linear kernel, one row per class and one rho");
  }
  if (o.label_rule() < 0 || o.label_rule() > 2 || (o.label_rule() != 0 && classes != 2)) {
    return ctx.Fail("svm label rule out of range", o.label_rule());
  }
  return CheckClassifierOutputs(ctx, rows, classes);
}

Status CheckRegressor(const OpContext& ctx, const schema::SvmOptions& o, int32_t rows, size_t features) {
  const size_t vectors = ctx.buffer<float>(o.coefficients()).size();
  if (vectors == 0 || !HoldsExactly<float>(ctx, o.coefficients(), vectors) ||
      !HoldsExactly<float>(ctx, o.support_vectors(), uint64_t{vectors} * features) || Count(o.rho()) != 1) {
    return ctx.Fail("svm regressor needs V coefficients, V x F support vectors and one rho");
  }
  const auto out = ShapeOf(ctx.output(0));
  if (TypeOf(ctx.output(0)) != ElementType::kFloat32 || out.size() != 2 || out[0] != rows || out[1] != 1) {
    return ctx.Fail("svm regressor needs a float32 [N, 1] output");
  }
  return Status::kOk;
}

ml::SvmKernelParams KernelOf(const schema::SvmOptions& o) {
  return {static_cast<ml::SvmKernel>(o.kernel()), o.gamma(), o.coef0(), o.degree()};
}

}  // namespace

Status CheckSvm(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_SvmOptions();
  if (o->mode() < kRegressor || o->mode() > kLinear) return ctx.Fail("unknown svm mode", o->mode());
  MOTE_TRY(ExpectCounts(ctx, 1, 1, o->mode() == kRegressor ? 1 : 2));
  const auto in = ShapeOf(ctx.input(0));
  if (TypeOf(ctx.input(0)) != ElementType::kFloat32 || in.size() != 2 || in[1] < 1) {
    return ctx.Fail("svm needs a float32 [N, F] input");
  }
  MOTE_TRY(CheckKernel(ctx, *o));
  const size_t features = static_cast<size_t>(in[1]);
  if (o->mode() == kRegressor) return CheckRegressor(ctx, *o, in[0], features);
  if (o->mode() == kOneVsOne) return CheckOneVsOne(ctx, *o, in[0], features);
  return CheckLinear(ctx, *o, in[0], features);
}

void EvalSvm(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_SvmOptions();
  const auto in = ShapeOf(ctx.input(0));
  const size_t rows = static_cast<size_t>(in[0]), features = static_cast<size_t>(in[1]);
  const float* x = ctx.input_data<float>(0);
  const std::span<const float> sv = ctx.buffer<float>(o->support_vectors());
  const ml::SvmKernelParams kernel = KernelOf(*o);
  const float* rho = o->rho()->data();
  if (o->mode() == kRegressor) {
    const std::span<const float> coef = ctx.buffer<float>(o->coefficients());
    const ml::SvmVectors vectors{sv.data(), coef.size(), features};
    float* y = ctx.output_data<float>(0);
    for (size_t r = 0; r < rows; ++r) {
      y[r] = ml::SvmRegress(kernel, vectors, coef.data(), rho[0], o->one_class(), x + r * features);
    }
    return;
  }
  const std::span<const int64_t> labels = ctx.buffer<int64_t>(o->labels());
  const size_t classes = labels.size();
  const size_t scores = static_cast<size_t>(ShapeOf(ctx.output(1))[1]);
  const auto transform = static_cast<ml::PostTransform>(o->post_transform());
  int64_t* label = ctx.output_data<int64_t>(0);
  float* out = ctx.output_data<float>(1);
  if (o->mode() == kLinear) {
    const ml::SvmVectors rows_of_weights{sv.data(), classes, features};
    for (size_t r = 0; r < rows; ++r) {
      const std::span<float> row(out + r * scores, scores);
      label[r] = labels[ml::SvmLinearScores(rows_of_weights, rho[0], static_cast<uint8_t>(o->label_rule()),
                                            x + r * features, row)];
      ml::ApplyPostTransform(row, transform, row);
    }
    return;
  }
  const std::span<const int32_t> per_class(o->vectors_per_class()->data(), classes);
  size_t vectors = 0;
  for (int32_t n : per_class) vectors += static_cast<size_t>(n);
  const ml::SvmOneVsOne m{kernel, {sv.data(), vectors, features}, per_class,
                          ctx.buffer<float>(o->coefficients()).data(), rho};
  const bool probabilities = o->prob_a() != nullptr && o->prob_a()->size() != 0;
  for (size_t r = 0; r < rows; ++r) {
    const std::span<float> row(out + r * scores, scores);
    if (o->scores() == 1) {  // binary: one decision value, two columns
      float d = 0.0f;
      label[r] = labels[ml::SvmDecide(m, x + r * features, {&d, 1})];
      ml::SvmBinaryScores(d, transform, row);
      continue;
    }
    label[r] = labels[ml::SvmDecide(m, x + r * features, row)];
    if (probabilities) {
      const float* a = o->prob_a()->data();
      const float* b = o->prob_b()->data();
      for (size_t p = 0; p < scores; ++p) row[p] = ml::SvmPairProbability(row[p], a[p], b[p]);
    } else if (scores > 1) {
      ml::ApplyPostTransform(row, transform, row);
    }
  }
}

Status CheckSvmPairwise(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* o = ctx.op->options_as_SvmPairwiseOptions();
  const auto in = ShapeOf(ctx.input(0));
  const auto out = ShapeOf(ctx.output(0));
  if (TypeOf(ctx.input(0)) != ElementType::kFloat32 || TypeOf(ctx.output(0)) != ElementType::kFloat32 ||
      in.size() != 2 || out.size() != 2 || in[0] != out[0]) {
    return ctx.Fail("svm pairwise needs float32 [N, P] in and [N, C] out");
  }
  if (out[1] < 2 || static_cast<size_t>(out[1]) > ml::kMaxSvmClasses ||
      static_cast<size_t>(in[1]) != ml::SvmPairs(static_cast<size_t>(out[1]))) {
    return ctx.Fail("svm pairwise needs 2 to 32 classes and one value per pair", out[1], in[1]);
  }
  if (o->method() < 0 || o->method() > 1) return ctx.Fail("unknown svm pairwise method", o->method());
  if (o->post_transform() < 0 || o->post_transform() > 3 || (o->method() == 0 && o->post_transform() != 0)) {
    return ctx.Fail("svm pairwise post transform out of range", o->post_transform());
  }
  return Status::kOk;
}

void EvalSvmPairwise(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_SvmPairwiseOptions();
  const auto in = ShapeOf(ctx.input(0));
  const size_t rows = static_cast<size_t>(in[0]), pairs = static_cast<size_t>(in[1]);
  const size_t classes = static_cast<size_t>(ShapeOf(ctx.output(0))[1]);
  const auto transform = static_cast<ml::PostTransform>(o->post_transform());
  for (size_t r = 0; r < rows; ++r) {
    const std::span<const float> pairwise(ctx.input_data<float>(0) + r * pairs, pairs);
    const std::span<float> row(ctx.output_data<float>(0) + r * classes, classes);
    if (o->method() == 0) {
      ml::SvmOvrDecision(pairwise, row);
    } else {
      ml::SvmCoupleProbabilities(pairwise, row);
      ml::ApplyPostTransform(row, transform, row);
    }
  }
}

}  // namespace mote::internal
