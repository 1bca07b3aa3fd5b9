// Spectrogram: raw audio [1, samples] -> [frames, bands] or [bands, frames]
// (any leading ones). Load-time checks cover everything the kernels index or
// shift by, in O(table sizes): power-of-two n_fft, frames inside the padded
// input, filterbank bands inside the n_fft / 2 + 1 bins, table lengths,
// shifts in range and an FFT that provably stays within 2^30.
#include "kernels/ops/ops.h"
#include "kernels/reference/spectrogram.h"
#include "kernels/selected.h"

namespace mote::internal {
namespace {

template <typename T>
std::span<const T> Span(const flatbuffers::Vector<T>* v) {
  if (v == nullptr) return {};
  return {v->data(), v->size()};
}

// The dimensions other than the last two must be 1.
bool Squeezed2D(std::span<const int32_t> shape, int32_t* rows, int32_t* cols) {
  if (shape.size() < 2) return false;
  for (size_t k = 0; k + 2 < shape.size(); ++k) {
    if (shape[k] != 1) return false;
  }
  *rows = shape[shape.size() - 2];
  *cols = shape[shape.size() - 1];
  return true;
}

bool IsPowerOfTwo(int32_t v) { return v > 0 && (v & (v - 1)) == 0; }

int Log2Of(int32_t v) {
  int k = 0;
  while ((int32_t{1} << k) < v) ++k;
  return k;
}

reference::SpectrogramShape ShapeOfSpectrogram(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_SpectrogramOptions();
  const auto in = ShapeOf(ctx.input(0));
  return {in.back(),
          o->n_fft(),
          o->hop(),
          o->frames(),
          o->pad(),
          static_cast<int32_t>(o->band_start()->size()),
          o->mel_time(),
          static_cast<reference::SpectrumKind>(o->spectrum()),
          static_cast<reference::LogKind>(o->log())};
}

Status CheckFilterbank(const OpContext& ctx, const schema::SpectrogramOptions& o, size_t weights) {
  const auto start = Span(o.band_start());
  const auto length = Span(o.band_length());
  if (start.empty() || start.size() != length.size()) {
    return ctx.Fail("spectrogram needs a start and a length for every band",
                    static_cast<int64_t>(start.size()), static_cast<int64_t>(length.size()));
  }
  const int64_t bins = o.n_fft() / 2 + 1;
  int64_t total = 0;
  for (size_t b = 0; b < start.size(); ++b) {
    if (start[b] < 0 || length[b] < 0 || int64_t{start[b]} + length[b] > bins) {
      return ctx.Fail("filterbank band outside the FFT bins", int64_t{start[b]} + length[b], bins);
    }
    total += length[b];
  }
  if (total != static_cast<int64_t>(weights)) {
    return ctx.Fail("filterbank weight count differs from the bands' lengths",
                    static_cast<int64_t>(weights), total);
  }
  return Status::kOk;
}

Status CheckIntegerTables(const OpContext& ctx, const schema::SpectrogramOptions& o,
                          int32_t bands) {
  const auto window = Span(o.window_q30());
  const auto twiddle = Span(o.twiddle_q30());
  const auto shifts = Span(o.stage_shift());
  constexpr int32_t kOne = int32_t{1} << 30;
  if (static_cast<int64_t>(window.size()) != o.n_fft() ||
      static_cast<int64_t>(twiddle.size()) != o.n_fft()) {
    return ctx.Fail("spectrogram window and twiddle tables must hold n_fft values",
                    static_cast<int64_t>(window.size()), o.n_fft());
  }
  for (int32_t w : window) {
    if (w < -kOne || w > kOne) return ctx.Fail("window value outside [-1, 1] (Q30)", w, kOne);
  }
  for (int32_t w : twiddle) {
    if (w < -kOne || w > kOne) return ctx.Fail("twiddle outside [-1, 1] (Q30)", w, kOne);
  }
  // SpectrogramFftBound assumes |w| <= 1: rounded unit twiddles reach 1 + 2^-30.5, and
  // up to 1 + 2^-29 the bound's slack of 2 per stage still covers them.
  constexpr int64_t kMaxNorm = (int64_t{kOne} + 2) * (int64_t{kOne} + 2);
  for (size_t k = 0; k + 1 < twiddle.size(); k += 2) {
    const int64_t re = twiddle[k], im = twiddle[k + 1];
    if (re * re + im * im > kMaxNorm) {
      return ctx.Fail("twiddle magnitude above 1 (Q30)", static_cast<int64_t>(k / 2), kOne);
    }
  }
  if (static_cast<int>(shifts.size()) != Log2Of(o.n_fft())) {
    return ctx.Fail("spectrogram needs one shift per FFT stage",
                    static_cast<int64_t>(shifts.size()), Log2Of(o.n_fft()));
  }
  if (reference::SpectrogramFftBound(o.n_fft(), o.input_shift(), shifts) < 0) {
    return ctx.Fail("spectrogram scaling could overflow the FFT's 2^30 range", o.input_shift());
  }
  MOTE_TRY(CheckFilterbank(ctx, o, o.weight_q15() == nullptr ? 0 : o.weight_q15()->size()));
  for (uint16_t w : Span(o.weight_q15())) {
    if (w > 32768) return ctx.Fail("filterbank weight above one (Q15)", w, 32768);
  }
  if (o.log() == schema::LogKind::None) {
    return ctx.Fail("integer spectrogram needs a log (the band sums span 64 bits)");
  }
  if (o.top_db_q24() < 0) return ctx.Fail("top_db must not be negative", o.top_db_q24());
  if (Span(o.out_multiplier()).size() != static_cast<size_t>(bands) ||
      Span(o.out_offset()).size() != static_cast<size_t>(bands)) {
    return ctx.Fail("spectrogram needs an output multiplier and offset per band");
  }
  constexpr int64_t kOffsetLimit = int64_t{1} << 61;
  for (int64_t v : Span(o.out_offset())) {
    if (v > kOffsetLimit || v < -kOffsetLimit) return ctx.Fail("output offset beyond 2^61");
  }
  if (o.out_shift() < 0 || o.out_shift() > 62) {
    return ctx.Fail("output shift outside [0, 62]", o.out_shift());
  }
  return Status::kOk;
}

Status CheckFloatTables(const OpContext& ctx, const schema::SpectrogramOptions& o, int32_t bands) {
  if (static_cast<int64_t>(Span(o.window()).size()) != o.n_fft() ||
      static_cast<int64_t>(Span(o.twiddle()).size()) != o.n_fft()) {
    return ctx.Fail("spectrogram window and twiddle tables must hold n_fft values");
  }
  MOTE_TRY(CheckFilterbank(ctx, o, o.weight() == nullptr ? 0 : o.weight()->size()));
  if (Span(o.out_scale()).size() != static_cast<size_t>(bands) ||
      Span(o.out_bias()).size() != static_cast<size_t>(bands)) {
    return ctx.Fail("spectrogram needs an output scale and bias per band");
  }
  if (!(o.float_top_db() >= 0.0f)) return ctx.Fail("top_db must not be negative");
  return Status::kOk;
}

}  // namespace

Status CheckSpectrogram(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* o = ctx.op->options_as_SpectrogramOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& output = ctx.output(0);
  const ElementType in_type = TypeOf(input);
  const ElementType out_type = TypeOf(output);
  const bool is_float = in_type == ElementType::kFloat32;
  if (is_float ? out_type != ElementType::kFloat32
               : (in_type != ElementType::kInt16 ||
                  (out_type != ElementType::kInt8 && out_type != ElementType::kInt16 &&
                   out_type != ElementType::kInt32))) {
    return ctx.Fail("spectrogram needs float32 -> float32 or int16 -> int8/int16/int32");
  }
  if (is_float ? !kFloat32Kernels : !kInt16Kernels) {
    return Report(Status::kUnsupportedOp, "spectrogram type not compiled in", ctx.index, -1, 0, 0);
  }
  int32_t one = 0, samples = 0;
  if (!Squeezed2D(ShapeOf(input), &one, &samples) || one != 1 || samples < 1) {
    return ctx.Fail("spectrogram input must be [1, samples]");
  }
  if (!IsPowerOfTwo(o->n_fft()) || o->n_fft() < 4 || o->n_fft() > reference::kSpectrogramMaxFft) {
    return ctx.Fail("n_fft must be a power of two in [4, 4096]", o->n_fft());
  }
  if (o->hop() < 1 || o->frames() < 1) return ctx.Fail("hop and frames must be positive");
  if (o->pad() < 0 || o->pad() >= samples) {
    return ctx.Fail("reflect padding must be below the sample count", o->pad(), samples);
  }
  const int64_t last = int64_t{o->frames() - 1} * o->hop() + o->n_fft();
  if (last > int64_t{samples} + 2 * int64_t{o->pad()}) {
    return ctx.Fail("frames run past the (padded) input", last, int64_t{samples} + 2 * o->pad());
  }
  if (o->band_start() == nullptr) return ctx.Fail("spectrogram has no filterbank");
  const int32_t bands = static_cast<int32_t>(o->band_start()->size());
  int32_t rows = 0, cols = 0;
  if (!Squeezed2D(ShapeOf(output), &rows, &cols) || rows != (o->mel_time() ? bands : o->frames()) ||
      cols != (o->mel_time() ? o->frames() : bands)) {
    return ctx.Fail("spectrogram output must be [frames, bands] (or [bands, frames])", rows, cols);
  }
  if (o->spectrum() != schema::SpectrumKind::Power &&
      o->spectrum() != schema::SpectrumKind::Magnitude) {
    return ctx.Fail("unknown spectrum kind", static_cast<int64_t>(o->spectrum()));
  }
  if (o->log() != schema::LogKind::None && o->log() != schema::LogKind::Natural &&
      o->log() != schema::LogKind::Decibel) {
    return ctx.Fail("unknown log kind", static_cast<int64_t>(o->log()));
  }
  MOTE_TRY(is_float ? CheckFloatTables(ctx, *o, bands) : CheckIntegerTables(ctx, *o, bands));
  const bool top_db = is_float ? o->float_top_db() > 0.0f : o->top_db_q24() > 0;
  const size_t need = reference::SpectrogramScratchBytes(ShapeOfSpectrogram(ctx), top_db);
  if (ctx.op->scratch_size() < need) {
    return ctx.Fail("spectrogram scratch too small", ctx.op->scratch_size(),
                    static_cast<int64_t>(need));
  }
  return Status::kOk;
}

void EvalSpectrogram(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_SpectrogramOptions();
  const reference::SpectrogramShape s = ShapeOfSpectrogram(ctx);
  const ElementType in_type = TypeOf(ctx.input(0));
  const ElementType out_type = TypeOf(ctx.output(0));
  if (kFloat32Kernels && in_type == ElementType::kFloat32) {
    const reference::SpectrogramTablesF t = {
        Span(o->window()),    Span(o->twiddle()), Span(o->band_start()), Span(o->band_length()),
        Span(o->weight()),    o->float_offset(),  o->float_floor(),      o->float_top_db(),
        Span(o->out_scale()), Span(o->out_bias())};
    kernels::SpectrogramFloat(s, t, ctx.input_data<float>(0),
                              reinterpret_cast<float*>(ctx.scratch().data()),
                              ctx.output_data<float>(0));
    return;
  }
  if (!kInt16Kernels) return;
  const reference::SpectrogramTablesQ t = {
      Span(o->window_q30()),  Span(o->twiddle_q30()),    o->input_shift(),
      Span(o->stage_shift()), Span(o->band_start()),     Span(o->band_length()),
      Span(o->weight_q15()),  o->log_offset(),           o->log_floor_q24(),
      o->top_db_q24(),        Span(o->out_multiplier()), Span(o->out_offset()),
      o->out_shift()};
  int32_t* scratch = reinterpret_cast<int32_t*>(ctx.scratch().data());
  const int16_t* input = ctx.input_data<int16_t>(0);
  if (out_type == ElementType::kInt8) {
    kernels::SpectrogramInt16(s, t, input, scratch, ctx.output_data<int8_t>(0));
  } else if (out_type == ElementType::kInt16) {
    kernels::SpectrogramInt16(s, t, input, scratch, ctx.output_data<int16_t>(0));
  } else {
    kernels::SpectrogramInt16(s, t, input, scratch, ctx.output_data<int32_t>(0));
  }
}

}  // namespace mote::internal
