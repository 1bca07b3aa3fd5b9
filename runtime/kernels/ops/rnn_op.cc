// Rnn: a simple RNN, GRU or LSTM layer over a fixed sequence (mote.fbs
// RnnOptions). Inputs X, W, R, B, optional initial_h, initial_c, peepholes;
// outputs Y, Y_h and the op's state in the arena (work).
#include <stdint.h>

#include <initializer_list>

#include "kernels/ops/ops.h"
#include "kernels/ops/weight_checks.h"
#include "kernels/selected.h"

namespace mote::internal {
namespace {

using reference::RnnCell;
using reference::RnnShape;

constexpr size_t kInitialH = 4, kInitialC = 5, kPeepholes = 6;

static_assert(static_cast<int>(RnnCell::kLstm) == static_cast<int>(schema::RnnCell::MAX),
              "kernels/reference/rnn.h and mote.fbs disagree on the cells");

// Shapes as the checked tensors give them: X [S, N, I], Y_h [D, N, H].
RnnShape ShapeFrom(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_RnnOptions();
  const auto x = ShapeOf(ctx.input(0));
  const auto yh = ShapeOf(ctx.output(1));
  return {static_cast<RnnCell>(opts->cell()),
          static_cast<size_t>(x[0]),
          static_cast<size_t>(x[1]),
          static_cast<size_t>(x[2]),
          static_cast<size_t>(yh[2]),
          static_cast<size_t>(yh[0]),
          opts->reverse(),
          opts->linear_before_reset(),
          opts->stateful()};
}

// Element counts in 64 bits: a product of dimensions that wrapped size_t
// on a 32-bit core could otherwise pass for a tensor's real size.
uint64_t Product(std::initializer_list<size_t> dims) {
  uint64_t p = 1;
  for (size_t d : dims) p *= d;
  return p;
}

bool HasElements(const schema::Tensor& t, uint64_t count) { return NumElements(t) == count; }

Status ExpectDims(const OpContext& ctx, const schema::Tensor& t, std::span<const uint64_t> dims,
                  const char* what) {
  const auto shape = ShapeOf(t);
  bool same = shape.size() == dims.size();
  for (size_t k = 0; same && k < dims.size(); ++k)
    same = static_cast<uint64_t>(shape[k]) == dims[k];
  if (!same) return ctx.Fail(what, static_cast<int64_t>(NumElements(t)));
  return Status::kOk;
}

// An optional state input [D, N, H] of X's type.
Status CheckState(const OpContext& ctx, size_t i, const RnnShape& s) {
  if (!ctx.has_input(i)) return Status::kOk;
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.input(i)));
  if (!HasElements(ctx.input(i), Product({s.directions, s.batch, s.hidden}))) {
    return ctx.Fail("initial state must be [directions, batch, hidden]",
                    static_cast<int64_t>(NumElements(ctx.input(i))));
  }
  return Status::kOk;
}

Status CheckRows(const OpContext& ctx, const flatbuffers::Vector<int32_t>* multiplier,
                 const flatbuffers::Vector<int8_t>* shift, uint64_t rows) {
  if (multiplier == nullptr || shift == nullptr || multiplier->size() != rows ||
      shift->size() != rows) {
    return ctx.Fail("one multiplier and shift per weight row expected", static_cast<int64_t>(rows));
  }
  for (uint32_t k = 0; k < multiplier->size(); ++k) {
    if (!ValidMultiplier(multiplier->Get(k), shift->Get(k), -31, 7)) {
      return ctx.Fail("row multiplier or shift out of range", multiplier->Get(k), shift->Get(k));
    }
  }
  return Status::kOk;
}

Status CheckQuantized(const OpContext& ctx, const RnnShape& s) {
  const auto* opts = ctx.op->options_as_RnnOptions();
  const uint64_t rows = Product({s.directions, s.gates(), s.hidden});
  MOTE_TRY(CheckRows(ctx, opts->input_multiplier(), opts->input_shift(), rows));
  MOTE_TRY(CheckRows(ctx, opts->recurrent_multiplier(), opts->recurrent_shift(), rows));
  MOTE_TRY(ExpectSameQuant(ctx, ctx.output(0), ctx.output(1)));
  if (!ValidMultiplier(opts->output_multiplier(), opts->output_shift(), -31, 30) ||
      !ValidMultiplier(opts->initial_h_multiplier(), opts->initial_h_shift(), -31, 30) ||
      !ValidMultiplier(opts->initial_c_multiplier(), opts->initial_c_shift(), -31, 30)) {
    return ctx.Fail("output or initial state multiplier out of range");
  }
  if (opts->cell_shift() < 0 || opts->cell_shift() > 15) {
    return ctx.Fail("cell shift out of range", opts->cell_shift(), 15);
  }
  for (int32_t table : {opts->sigmoid_table(), opts->tanh_table()}) {
    const size_t have = BufferBytes(*ctx.model, table).size();
    if (have != 513 * 2)
      return ctx.Fail("gate table has the wrong size", static_cast<int64_t>(have));
  }
  constexpr int64_t kLimit = int64_t{1} << 60;  // the int64 sums cannot wrap
  for (int64_t b : ctx.buffer<int64_t>(ctx.input(3).buffer())) {
    if (b > kLimit || b < -kLimit) return ctx.Fail("bias out of range", b, kLimit);
  }
  return Status::kOk;
}

}  // namespace

Status CheckRnn(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 4, 7, 3));
  const auto* opts = ctx.op->options_as_RnnOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  if (opts->cell() > schema::RnnCell::MAX) {
    return ctx.Fail("unknown cell", static_cast<int64_t>(opts->cell()));
  }
  const schema::Tensor& x = ctx.input(0);
  MOTE_TRY(ExpectKernelType(ctx, x));
  const ElementType type = TypeOf(x);
  for (size_t o = 0; o < 2; ++o) MOTE_TRY(ExpectSameType(ctx, x, ctx.output(o)));
  const auto xs = ShapeOf(x), yh = ShapeOf(ctx.output(1));
  if (xs.size() != 3 || yh.size() != 3 || yh[1] != xs[1] || yh[0] < 1 || yh[0] > 2 ||
      NumElements(x) == 0 || NumElements(ctx.output(1)) == 0) {
    return ctx.Fail("X must be [steps, batch, input] and Y_h [directions, batch, hidden]");
  }
  const RnnShape s = ShapeFrom(ctx);
  if (s.reverse && s.directions != 1) return ctx.Fail("reverse is for one direction");
  const uint64_t rows = Product({s.directions, s.gates(), s.hidden});
  MOTE_TRY(CheckWeights(ctx, ctx.input(1), 2, type));
  MOTE_TRY(CheckWeights(ctx, ctx.input(2), 2, type));
  const uint64_t w_dims[] = {rows, s.input}, r_dims[] = {rows, s.hidden};
  MOTE_TRY(ExpectDims(ctx, ctx.input(1), w_dims, "W must be [directions * gates * hidden, input]"));
  MOTE_TRY(
      ExpectDims(ctx, ctx.input(2), r_dims, "R must be [directions * gates * hidden, hidden]"));
  const schema::Tensor& b = ctx.input(3);
  const ElementType bias_type = type == ElementType::kFloat32 ? type : ElementType::kInt64;
  if (!IsConstant(b) || TypeOf(b) != bias_type || !HasElements(b, 2 * rows)) {
    return ctx.Fail("B must be a constant [directions, 2 * gates * hidden] of the bias type");
  }
  if (!HasElements(ctx.output(0), Product({s.steps, s.directions, s.batch, s.hidden}))) {
    return ctx.Fail("Y must be [steps, directions * batch, hidden]");
  }
  const schema::Tensor& work = ctx.output(2);
  const ElementType state_type = type == ElementType::kFloat32 ? type : ElementType::kInt16;
  if (TypeOf(work) != state_type ||
      !HasElements(work, Product({s.directions, s.batch, 3, s.hidden}))) {
    return ctx.Fail("work must be [directions * batch, 3, hidden] of the state type");
  }
  if (opts->stateful() && (s.directions != 1 || s.reverse || ctx.has_input(kInitialH) ||
                           ctx.has_input(kInitialC) || !work.persistent())) {
    return ctx.Fail("a stateful Rnn runs forward only, without initial states, on persistent work");
  }
  MOTE_TRY(CheckState(ctx, kInitialH, s));
  if (ctx.has_input(kInitialC) && s.cell != RnnCell::kLstm) return ctx.Fail("initial_c is LSTM's");
  MOTE_TRY(CheckState(ctx, kInitialC, s));
  if (ctx.has_input(kPeepholes)) {
    const schema::Tensor& p = ctx.input(kPeepholes);
    if (s.cell != RnnCell::kLstm || type != ElementType::kFloat32 || !IsConstant(p) ||
        TypeOf(p) != ElementType::kFloat32 ||
        !HasElements(p, Product({s.directions, 3, s.hidden}))) {
      return ctx.Fail("peepholes must be a float32 LSTM constant [directions, 3 * hidden]");
    }
  }
  if (type == ElementType::kFloat32) return Status::kOk;
  return CheckQuantized(ctx, s);
}

namespace {

template <typename T>
void EvalQuantized(const OpContext& ctx, const RnnShape& s) {
  const auto* opts = ctx.op->options_as_RnnOptions();
  const schema::Tensor& out = ctx.output(0);
  const ElementType type = TypeOf(out);
  auto zero_point = [&](size_t i) { return ctx.has_input(i) ? ZeroPointOf(ctx.input(i)) : 0; };
  const reference::RnnQuantParams q = {
      -ZeroPointOf(ctx.input(0)),
      opts->input_multiplier()->data(),
      opts->input_shift()->data(),
      opts->recurrent_multiplier()->data(),
      opts->recurrent_shift()->data(),
      opts->output_multiplier(),
      opts->output_shift(),
      ZeroPointOf(out),
      TypeMin(type),
      TypeMax(type),
      opts->initial_h_multiplier(),
      opts->initial_h_shift(),
      zero_point(kInitialH),
      opts->initial_c_multiplier(),
      opts->initial_c_shift(),
      zero_point(kInitialC),
      opts->cell_shift(),
      ctx.buffer<int16_t>(opts->sigmoid_table()).data(),
      ctx.buffer<int16_t>(opts->tanh_table()).data(),
  };
  const T* h0 = ctx.has_input(kInitialH) ? ctx.input_data<T>(kInitialH) : nullptr;
  const T* c0 = ctx.has_input(kInitialC) ? ctx.input_data<T>(kInitialC) : nullptr;
  kernels::RnnQuantized<T>(s, q, ctx.input_data<T>(0), ctx.input_data<int8_t>(1),
                           ctx.input_data<int8_t>(2), ctx.input_data<int64_t>(3), h0, c0,
                           ctx.output_data<T>(0), ctx.output_data<T>(1),
                           ctx.output_data<int16_t>(2));
}

}  // namespace

void EvalRnn(const OpContext& ctx) {
  const RnnShape s = ShapeFrom(ctx);
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (kInt8Kernels) EvalQuantized<int8_t>(ctx, s);
      break;
    case ElementType::kInt16:
      if (kInt16Kernels) EvalQuantized<int16_t>(ctx, s);
      break;
    default:
      if (!kFloat32Kernels) break;
      kernels::RnnFloat(s, ctx.input_data<float>(0), ctx.input_data<float>(1),
                        ctx.input_data<float>(2), ctx.input_data<float>(3),
                        ctx.has_input(kInitialH) ? ctx.input_data<float>(kInitialH) : nullptr,
                        ctx.has_input(kInitialC) ? ctx.input_data<float>(kInitialC) : nullptr,
                        ctx.has_input(kPeepholes) ? ctx.input_data<float>(kPeepholes) : nullptr,
                        ctx.output_data<float>(0), ctx.output_data<float>(1),
                        ctx.output_data<float>(2));
      break;
  }
}

}  // namespace mote::internal
