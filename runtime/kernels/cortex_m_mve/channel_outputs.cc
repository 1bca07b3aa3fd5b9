#include "kernels/cortex_m_mve/channel_outputs.h"

#include <arm_mve.h>

#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_mve/requantize.h"

namespace mote::cortex_m_mve {
namespace {

// The dot products below are tail-predicated low-overhead loops (DLSTP /
// LETP): the last iteration runs with only the lanes below n active, so any n
// >= 1 takes ceil(n / 16) iterations with no separate tail and reads nothing
// past the rows. Written in assembly because GCC 12 spilled the accumulators
// around its own loops (VMLADAVA needs even registers: the "Te" constraint).

// Two inputs against `triples` consecutive triples of weight rows w_c = w +
// c * n: sums[0][c] = init[c] + xa . w_c and sums[1][c] (kChunk further
// on) = init[c] + xb . w_c for c < 3 * triples. Each 16-value block of the
// inputs is loaded once for three rows, each block of weights once for both
// inputs: 12 instructions per 96 MACs. One assembly loop for all triples
// (the state between them in memory: the body takes every register), as a
// call per triple cost about twice the per-triple overhead.
struct PairRows {
  const int8_t* xa;     // [0]
  const int8_t* xb;     // [4]
  const int8_t* w;      // [8]  the next triple's first row
  const int32_t* init;  // [12] the next triple's
  int32_t* sum;         // [16] sums[0] + the next triple's channel
  int32_t* sum_end;     // [20] sums[0] + 3 * triples
  size_t n;             // [24]
};

static_assert(kChunk * sizeof(int32_t) == 256, "PairRowsLoop stores pixel b's sums 256 bytes on");

__attribute__((noinline)) void PairRowsLoop(PairRows* job) {
  register PairRows* state __asm__("r12") = job;
  __asm__ volatile(
      "ldr r11, [r12, #24]\n"
      "1:\n"
      "ldr r1, [r12, #0]\n"
      "ldr r3, [r12, #4]\n"
      "ldr r5, [r12, #8]\n"
      "add r7, r5, r11\n"
      "add r9, r7, r11\n"
      "add r0, r9, r11\n"
      "str r0, [r12, #8]\n"
      "ldr r8, [r12, #12]\n"
      "ldm r8!, {r0, r2, r4}\n"
      "str r8, [r12, #12]\n"
      "mov r6, r0\n"
      "mov r8, r2\n"
      "mov r10, r4\n"
      "dlstp.8 lr, r11\n"
      "2:\n"
      "vldrb.8 q0, [r1], #16\n"
      "vldrb.8 q1, [r3], #16\n"
      "vldrb.8 q2, [r5], #16\n"
      "vmladava.s8 r0, q0, q2\n"
      "vmladava.s8 r6, q1, q2\n"
      "vldrb.8 q3, [r7], #16\n"
      "vmladava.s8 r2, q0, q3\n"
      "vmladava.s8 r8, q1, q3\n"
      "vldrb.8 q2, [r9], #16\n"
      "vmladava.s8 r4, q0, q2\n"
      "vmladava.s8 r10, q1, q2\n"
      "letp lr, 2b\n"
      "ldr r1, [r12, #16]\n"
      "stm r1!, {r0, r2, r4}\n"
      "str r6, [r1, #244]\n"
      "str r8, [r1, #248]\n"
      "str r10, [r1, #252]\n"
      "str r1, [r12, #16]\n"
      "ldr r3, [r12, #20]\n"
      "cmp r1, r3\n"
      "bne 1b\n"
      :
      : "r"(state)
      : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "lr", "q0", "q1",
        "q2", "q3", "memory", "cc");
}

// sum_a[0] = init[0] + xa . w, sum_b[0] = init[0] + xb . w: one weight row.
inline void Dot2x1(const int8_t* xa, const int8_t* xb, const int8_t* w, size_t n,
                   const int32_t* init, int32_t* sum_a, int32_t* sum_b) {
  int32_t a0 = init[0];
  int32_t b0 = a0;
  __asm__ volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vldrb.8 q0, [%[xa]], #16\n"
      "vldrb.8 q1, [%[xb]], #16\n"
      "vldrb.8 q2, [%[w0]], #16\n"
      "vmladava.s8 %[a0], q0, q2\n"
      "vmladava.s8 %[b0], q1, q2\n"
      "letp lr, 1b\n"
      : [a0] "+Te"(a0), [b0] "+Te"(b0), [xa] "+r"(xa), [xb] "+r"(xb), [w0] "+r"(w)
      : [n] "r"(n)
      : "q0", "q1", "q2", "lr", "memory");
  sum_a[0] = a0;
  sum_b[0] = b0;
}

// sum[r] = init[r] + x . w_r, r < 4: one input (an odd last row).
__attribute__((noinline)) void Dot1x4(const int8_t* x, const int8_t* w, size_t n,
                                      const int32_t* init, int32_t* sum) {
  const int8_t* w1 = w + n;
  const int8_t* w2 = w1 + n;
  const int8_t* w3 = w2 + n;
  int32_t a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
  __asm__ volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vldrb.8 q0, [%[x]], #16\n"
      "vldrb.8 q1, [%[w0]], #16\n"
      "vmladava.s8 %[a0], q0, q1\n"
      "vldrb.8 q2, [%[w1]], #16\n"
      "vmladava.s8 %[a1], q0, q2\n"
      "vldrb.8 q1, [%[w2]], #16\n"
      "vmladava.s8 %[a2], q0, q1\n"
      "vldrb.8 q2, [%[w3]], #16\n"
      "vmladava.s8 %[a3], q0, q2\n"
      "letp lr, 1b\n"
      : [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [a3] "+Te"(a3), [x] "+r"(x), [w0] "+r"(w),
        [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3)
      : [n] "r"(n)
      : "q0", "q1", "q2", "lr", "memory");
  sum[0] = a0;
  sum[1] = a1;
  sum[2] = a2;
  sum[3] = a3;
}

inline void Dot1x1(const int8_t* x, const int8_t* w, size_t n, const int32_t* init, int32_t* sum) {
  int32_t a0 = init[0];
  __asm__ volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vldrb.8 q0, [%[x]], #16\n"
      "vldrb.8 q1, [%[w0]], #16\n"
      "vmladava.s8 %[a0], q0, q1\n"
      "letp lr, 1b\n"
      : [a0] "+Te"(a0), [x] "+r"(x), [w0] "+r"(w)
      : [n] "r"(n)
      : "q0", "q1", "lr", "memory");
  sum[0] = a0;
}

// The sum of a row of n >= 1 int8 weights.
inline int32_t RowSum(const int8_t* w, size_t n) {
  int32_t sum = 0;
  __asm__ volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vldrb.8 q0, [%[w]], #16\n"
      "vaddva.s8 %[sum], q0\n"
      "letp lr, 1b\n"
      : [sum] "+Te"(sum), [w] "+r"(w)
      : [n] "r"(n)
      : "q0", "lr", "memory");
  return sum;
}

ChannelQuant QuantOf(const ChannelChunk& chunk, const OutputQuant& q) {
  return {nullptr,          q.multiplier + chunk.first, q.shift + chunk.first,  q.output_offset,
          q.activation_min, q.activation_max,           chunk.vector_requantize};
}

}  // namespace

void PrepareChunk(const int8_t* weights, size_t n, const int32_t* bias, const OutputQuant& q,
                  size_t first, size_t count, ChannelChunk& chunk) {
  chunk.first = first;
  chunk.count = count;
  chunk.vector_requantize = RightShiftsOnly(q.shift + first, count);
  if (q.effective_bias != nullptr) {  // computed by modelc, checked at load
    chunk.bias = q.effective_bias + first;
    return;
  }
  chunk.bias = chunk.sums;
  const uint32_t offset = static_cast<uint32_t>(q.input_offset);
  for (size_t c = 0; c < count; ++c) {
    const int8_t* w = weights + (first + c) * n;
    const int32_t sum = RowSum(w, n);
    // Modulo 2^32 (see channel_outputs.h): unsigned, so it is defined.
    const uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[first + c]) : 0;
    chunk.sums[c] = static_cast<int32_t>(b + offset * static_cast<uint32_t>(sum));
  }
}

void ChunkOutputs(const ChannelChunk& chunk, const int8_t* xa, const int8_t* xb, size_t n,
                  const int8_t* weights, const OutputQuant& q, int8_t* out_a, int8_t* out_b) {
  int32_t sums[2][kChunk];  // pixel b's right after pixel a's (PairRowsLoop)
  int32_t* const sum_a = sums[0];
  int32_t* const sum_b = sums[1];
  const int8_t* w = weights + chunk.first * n;
  const size_t count = chunk.count;
  size_t c = 0;
  if (xb != nullptr) {
    const size_t triples = count / 3;
    if (triples != 0) {
      PairRows job = {xa, xb, w, chunk.bias, sum_a, sum_a + 3 * triples, n};
      PairRowsLoop(&job);
      c = 3 * triples;
    }
    for (; c < count; ++c) {
      Dot2x1(xa, xb, w + c * n, n, chunk.bias + c, sum_a + c, sum_b + c);
    }
    RequantizeRows(QuantOf(chunk, q), count, sum_a, sum_b, out_a + chunk.first,
                   out_b + chunk.first);
    return;
  }
  for (; c + 4 <= count; c += 4) {
    Dot1x4(xa, w + c * n, n, chunk.bias + c, sum_a + c);
  }
  for (; c < count; ++c) {
    Dot1x1(xa, w + c * n, n, chunk.bias + c, sum_a + c);
  }
  RequantizeRows(QuantOf(chunk, q), count, sum_a, nullptr, out_a + chunk.first, nullptr);
}

namespace {

// Rows of at most 16 values (one vector each), e.g. a pointwise conv over 8
// or 16 channels: there the per-block costs of ChunkOutputs outweigh its
// products. Instead four channels' weights stay in registers while up to
// kShortRows input rows pass (one load and four VMLADAVA per row), then
// the rows' sums (2 KB, in the op's arena scratch) are requantized in pairs.
inline constexpr size_t kShortRows = kernel_scratch::kMveShortRows;

__attribute__((noinline)) void ShortMatrixOutputs(const int8_t* x, size_t rows, size_t n,
                                                  const int8_t* weights, size_t channels,
                                                  const int32_t* bias, const OutputQuant& q,
                                                  int8_t* out, ChannelChunk& chunk,
                                                  int32_t (*sums)[kChunk]) {
  const mve_pred16_t lanes = vctp8q(static_cast<uint32_t>(n));  // lanes past n read nothing
  for (size_t first = 0; first < channels; first += kChunk) {
    const size_t count = channels - first < kChunk ? channels - first : kChunk;
    PrepareChunk(weights, n, bias, q, first, count, chunk);
    const ChannelQuant quant = QuantOf(chunk, q);
    for (size_t r0 = 0; r0 < rows; r0 += kShortRows) {
      const size_t block = rows - r0 < kShortRows ? rows - r0 : kShortRows;
      const int8_t* xr = x + r0 * n;
      size_t c = 0;
      for (; c + 4 <= count; c += 4) {
        const int8_t* w = weights + (first + c) * n;
        const int8x16_t w0 = vldrbq_z_s8(w, lanes);
        const int8x16_t w1 = vldrbq_z_s8(w + n, lanes);
        const int8x16_t w2 = vldrbq_z_s8(w + 2 * n, lanes);
        const int8x16_t w3 = vldrbq_z_s8(w + 3 * n, lanes);
        const int32_t b0 = chunk.bias[c], b1 = chunk.bias[c + 1];
        const int32_t b2 = chunk.bias[c + 2], b3 = chunk.bias[c + 3];
        const int8_t* xp = xr;
        for (size_t p = 0; p < block; ++p, xp += n) {
          const int8x16_t xv = vldrbq_z_s8(xp, lanes);
          int32_t* s = sums[p] + c;
          s[0] = vmladavaq_s8(b0, xv, w0);
          s[1] = vmladavaq_s8(b1, xv, w1);
          s[2] = vmladavaq_s8(b2, xv, w2);
          s[3] = vmladavaq_s8(b3, xv, w3);
        }
      }
      for (; c < count; ++c) {
        const int8x16_t w0 = vldrbq_z_s8(weights + (first + c) * n, lanes);
        const int32_t b0 = chunk.bias[c];
        const int8_t* xp = xr;
        for (size_t p = 0; p < block; ++p, xp += n) {
          sums[p][c] = vmladavaq_s8(b0, vldrbq_z_s8(xp, lanes), w0);
        }
      }
      int8_t* o = out + r0 * channels + first;
      size_t p = 0;
      for (; p + 2 <= block; p += 2, o += 2 * channels) {
        RequantizeRows(quant, count, sums[p], sums[p + 1], o, o + channels);
      }
      if (p < block) RequantizeRows(quant, count, sums[p], nullptr, o, nullptr);
    }
  }
}

}  // namespace

void MatrixOutputs(const int8_t* x, size_t rows, size_t n, const int8_t* weights, size_t channels,
                   const int32_t* bias, const OutputQuant& q, int8_t* out,
                   std::span<uint8_t> scratch) {
  ChannelChunk chunk;
  if (kernel_scratch::MveShortRowsTake(rows, n) &&
      scratch.size() >= kernel_scratch::kMveShortRowsBytes) {
    ShortMatrixOutputs(x, rows, n, weights, channels, bias, q, out, chunk,
                       reinterpret_cast<int32_t(*)[kChunk]>(scratch.data()));
    return;
  }
  for (size_t first = 0; first < channels; first += kChunk) {
    const size_t count = channels - first < kChunk ? channels - first : kChunk;
    PrepareChunk(weights, n, bias, q, first, count, chunk);
    size_t r = 0;
    for (; r + 2 <= rows; r += 2) {
      ChunkOutputs(chunk, x + r * n, x + (r + 1) * n, n, weights, q, out + r * channels,
                   out + (r + 1) * channels);
    }
    if (r < rows)
      ChunkOutputs(chunk, x + r * n, nullptr, n, weights, q, out + r * channels, nullptr);
  }
}

namespace {

// Channel c's bias with the input offset folded in: from the file, or
// summed here modulo 2^32 (see channel_outputs.h: unsigned, so defined).
inline int32_t InitialSum(const int8_t* weights, size_t n, const int32_t* bias,
                          const OutputQuant& q, uint32_t offset, size_t c) {
  if (q.effective_bias != nullptr) return q.effective_bias[c];
  const uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[c]) : 0;
  return static_cast<int32_t>(b + offset * static_cast<uint32_t>(RowSum(weights + c * n, n)));
}

}  // namespace

void SmallStackOutputs(const int8_t* x, size_t rows, size_t n, const int8_t* weights,
                       size_t channels, const int32_t* bias, const OutputQuant& q, int8_t* out) {
  const uint32_t offset = static_cast<uint32_t>(q.input_offset);
  for (size_t r = 0; r < rows; r += 2) {
    const int8_t* xa = x + r * n;
    const int8_t* xb = r + 1 < rows ? xa + n : nullptr;
    int8_t* out_a = out + r * channels;
    int8_t* out_b = out_a + channels;
    size_t c = 0;
    if (xb == nullptr) {
      // One row: four channels per pass over it.
      for (; c + 4 <= channels; c += 4) {
        int32_t init[4];
        int32_t sum[4];
        for (int i = 0; i < 4; ++i) init[i] = InitialSum(weights, n, bias, q, offset, c + i);
        Dot1x4(xa, weights + c * n, n, init, sum);
        for (int i = 0; i < 4; ++i) {
          out_a[c + i] =
              cortex_m_dsp::RequantizeInt8(sum[i], q.multiplier[c + i], q.shift[c + i],
                                           q.output_offset, q.activation_min, q.activation_max);
        }
      }
    }
    for (; c < channels; ++c) {
      const int8_t* w = weights + c * n;
      const int32_t init = InitialSum(weights, n, bias, q, offset, c);
      int32_t sum_a;
      int32_t sum_b;
      if (xb != nullptr) {
        Dot2x1(xa, xb, w, n, &init, &sum_a, &sum_b);
      } else {
        Dot1x1(xa, w, n, &init, &sum_a);
      }
      out_a[c] = cortex_m_dsp::RequantizeInt8(sum_a, q.multiplier[c], q.shift[c], q.output_offset,
                                              q.activation_min, q.activation_max);
      if (xb != nullptr) {
        out_b[c] = cortex_m_dsp::RequantizeInt8(sum_b, q.multiplier[c], q.shift[c], q.output_offset,
                                                q.activation_min, q.activation_max);
      }
    }
  }
}

}  // namespace mote::cortex_m_mve
