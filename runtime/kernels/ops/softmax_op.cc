// Softmax over the last axis.
#include "kernels/ops/ops.h"
#include "kernels/reference/softmax.h"

namespace mote::internal {
namespace {

struct Rows {
  size_t rows;
  size_t depth;
};

Rows RowsOf(const schema::Tensor& t) {
  const auto shape = ShapeOf(t);
  const size_t depth = shape.empty() ? 1 : static_cast<size_t>(shape.back());
  return {NumElements(t) / depth, depth};
}

Status CheckExpTable(const OpContext& ctx, size_t entries) {
  const auto table = ctx.buffer<int32_t>(ctx.op->options_as_SoftmaxOptions()->exp_table());
  if (table.size() != entries) {
    return ctx.Fail("softmax table has the wrong size", static_cast<int64_t>(table.size()),
                    static_cast<int64_t>(entries));
  }
  // exp(0) = 1.0 in Q16 and nothing larger keeps every sum positive and in range.
  if (table[0] != 65536) return ctx.Fail("softmax table must start at 65536", table[0]);
  for (int32_t v : table) {
    if (v < 0 || v > 65536) return ctx.Fail("softmax table entry out of range", v, 65536);
  }
  return Status::kOk;
}

// Format 1 (TFLite's algorithm): gemmlowp Q0.31 exps. The kernel needs
// non-negative entries and exp(0) = 2^31 - 1 first, which keeps every sum at
// least 1.0 and every product in range. Entries must not increase: gemmlowp's
// exp is non-decreasing over all of Q5.26 (checked exhaustively) and the
// rescaling of differences is monotonic, so every true table is.
Status CheckTfliteExpTable(const OpContext& ctx) {
  const auto table = ctx.buffer<int32_t>(ctx.op->options_as_SoftmaxOptions()->exp_table());
  if (table.size() != 256) {
    return ctx.Fail("softmax table has the wrong size", static_cast<int64_t>(table.size()), 256);
  }
  if (table[0] != INT32_MAX) return ctx.Fail("softmax table must start at 2^31 - 1", table[0], INT32_MAX);
  for (size_t k = 1; k < table.size(); ++k) {
    if (table[k] < 0 || table[k] > table[k - 1]) {
      return ctx.Fail("softmax table entry negative or increasing", static_cast<int64_t>(k), table[k]);
    }
  }
  return Status::kOk;
}

}  // namespace

Status CheckSoftmax(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  if (ctx.op->options_as_SoftmaxOptions() == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& in = ctx.input(0);
  const schema::Tensor& out = ctx.output(0);
  MOTE_TRY(ExpectKernelType(ctx, in));
  MOTE_TRY(ExpectSameType(ctx, in, out));
  MOTE_TRY(ExpectSameShape(ctx, in, out));
  const Rows r = RowsOf(in);
  if (r.depth > reference::kMaxSoftmaxDepth) {
    return ctx.Fail("softmax axis too long", static_cast<int64_t>(r.depth),
                    static_cast<int64_t>(reference::kMaxSoftmaxDepth));
  }
  const int8_t format = ctx.op->options_as_SoftmaxOptions()->exp_format();
  if (format != 0 && format != 1) return ctx.Fail("unknown softmax exp_format", format);
  if (format == 1 && TypeOf(in) != ElementType::kInt8) {
    return ctx.Fail("softmax exp_format 1 is for int8 only");
  }
  switch (TypeOf(in)) {
    case ElementType::kInt8:
      if (ScaleOf(out) != 1.0f / 256.0f || ZeroPointOf(out) != -128) {
        return ctx.Fail("int8 softmax output must have scale 1/256 and zero point -128");
      }
      return format == 1 ? CheckTfliteExpTable(ctx) : CheckExpTable(ctx, 256);
    case ElementType::kInt16:
      if (ScaleOf(out) != 1.0f / 32768.0f || ZeroPointOf(out) != 0) {
        return ctx.Fail("int16 softmax output must have scale 1/32768 and zero point 0");
      }
      return CheckExpTable(ctx, 513);
    default:
      return Status::kOk;
  }
}

void EvalSoftmax(const OpContext& ctx) {
  const Rows r = RowsOf(ctx.input(0));
  const auto* opts = ctx.op->options_as_SoftmaxOptions();
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      if (opts->exp_format() == 1) {
        reference::SoftmaxInt8Tflite(r.rows, r.depth, ctx.buffer<int32_t>(opts->exp_table()).data(),
                                     ctx.input_data<int8_t>(0), ctx.output_data<int8_t>(0));
      } else {
        reference::SoftmaxInt8(r.rows, r.depth, ctx.buffer<int32_t>(opts->exp_table()).data(),
                               ctx.input_data<int8_t>(0), ctx.output_data<int8_t>(0));
      }
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::SoftmaxInt16(r.rows, r.depth, ctx.buffer<int32_t>(opts->exp_table()).data(),
                              ctx.input_data<int16_t>(0), ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::SoftmaxFloat(r.rows, r.depth, opts->beta(), ctx.input_data<float>(0),
                              ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
