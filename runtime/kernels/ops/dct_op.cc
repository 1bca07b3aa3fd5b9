// Dct: [frames, n_in] -> [frames, n_out] (or [n_out, frames]) by a constant
// matrix (MFCC's DCT-II), any leading ones. int32 -> int8/int16 or float32.
#include "kernels/ops/ops.h"
#include "kernels/reference/dct.h"

namespace mote::internal {
namespace {

template <typename T>
std::span<const T> Span(const flatbuffers::Vector<T>* v) {
  if (v == nullptr) return {};
  return {v->data(), v->size()};
}

bool Squeezed2D(std::span<const int32_t> shape, int32_t* rows, int32_t* cols) {
  if (shape.size() < 2) return false;
  for (size_t k = 0; k + 2 < shape.size(); ++k) {
    if (shape[k] != 1) return false;
  }
  *rows = shape[shape.size() - 2];
  *cols = shape[shape.size() - 1];
  return true;
}

}  // namespace

Status CheckDct(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* o = ctx.op->options_as_DctOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  const ElementType in_type = TypeOf(ctx.input(0));
  const ElementType out_type = TypeOf(ctx.output(0));
  const bool is_float = in_type == ElementType::kFloat32;
  if (is_float ? out_type != ElementType::kFloat32
               : (in_type != ElementType::kInt32 ||
                  (out_type != ElementType::kInt8 && out_type != ElementType::kInt16))) {
    return ctx.Fail("dct needs float32 -> float32 or int32 -> int8/int16");
  }
  if (is_float ? !kFloat32Kernels
               : !(out_type == ElementType::kInt8 ? kInt8Kernels : kInt16Kernels)) {
    return Report(Status::kUnsupportedOp, "dct type not compiled in", ctx.index, -1, 0, 0);
  }
  if (o->n_in() < 1 || o->n_in() > reference::kDctMaxInputs || o->n_out() < 1) {
    return ctx.Fail("dct sizes outside [1, 65536]", o->n_in(), o->n_out());
  }
  int32_t frames = 0, n_in = 0, rows = 0, cols = 0;
  if (!Squeezed2D(ShapeOf(ctx.input(0)), &frames, &n_in) || n_in != o->n_in()) {
    return ctx.Fail("dct input must be [frames, n_in]", n_in, o->n_in());
  }
  if (!Squeezed2D(ShapeOf(ctx.output(0)), &rows, &cols) ||
      rows != (o->mel_time() ? o->n_out() : frames) ||
      cols != (o->mel_time() ? frames : o->n_out())) {
    return ctx.Fail("dct output must be [frames, n_out] (or [n_out, frames])", rows, cols);
  }
  const size_t cells = static_cast<size_t>(o->n_in()) * static_cast<size_t>(o->n_out());
  const size_t n_out = static_cast<size_t>(o->n_out());
  if (is_float) {
    if (Span(o->matrix()).size() != cells || Span(o->out_scale()).size() != n_out ||
        Span(o->out_bias()).size() != n_out) {
      return ctx.Fail("dct matrix, scale or bias size differs from n_in x n_out");
    }
    return Status::kOk;
  }
  if (Span(o->matrix_q()).size() != cells || Span(o->out_multiplier()).size() != n_out ||
      Span(o->out_offset()).size() != n_out) {
    return ctx.Fail("dct matrix, multiplier or offset size differs from n_in x n_out");
  }
  for (int16_t c : Span(o->matrix_q())) {
    if (c == INT16_MIN) return ctx.Fail("dct coefficient -32768 (|c| <= 2^15 - 1)");
  }
  constexpr int64_t kOffsetLimit = int64_t{1} << 61;
  for (int64_t v : Span(o->out_offset())) {
    if (v > kOffsetLimit || v < -kOffsetLimit) return ctx.Fail("dct output offset beyond 2^61");
  }
  if (o->pre_shift() < 0 || o->pre_shift() > 62 || o->out_shift() < 0 || o->out_shift() > 62) {
    return ctx.Fail("dct shift outside [0, 62]", o->pre_shift(), o->out_shift());
  }
  return Status::kOk;
}

void EvalDct(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_DctOptions();
  const auto in = ShapeOf(ctx.input(0));
  const reference::DctShape s = {in[in.size() - 2], o->n_in(), o->n_out(), o->mel_time()};
  const ElementType out_type = TypeOf(ctx.output(0));
  if (kFloat32Kernels && out_type == ElementType::kFloat32) {
    reference::DctFloat(s, Span(o->matrix()), Span(o->out_scale()), Span(o->out_bias()),
                        ctx.input_data<float>(0), ctx.output_data<float>(0));
    return;
  }
  const reference::DctTablesQ t = {Span(o->matrix_q()), o->pre_shift(), Span(o->out_multiplier()),
                                   Span(o->out_offset()), o->out_shift()};
  if (kInt8Kernels && out_type == ElementType::kInt8) {
    reference::DctInt32(s, t, ctx.input_data<int32_t>(0), ctx.output_data<int8_t>(0));
  } else if (kInt16Kernels && out_type == ElementType::kInt16) {
    reference::DctInt32(s, t, ctx.input_data<int32_t>(0), ctx.output_data<int16_t>(0));
  }
}

}  // namespace mote::internal
