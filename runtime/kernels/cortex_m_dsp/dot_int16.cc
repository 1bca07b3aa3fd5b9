#include "kernels/cortex_m_dsp/dot_int16.h"

#include <arm_acle.h>
#include <string.h>

#include "kernels/cortex_m_dsp/simd.h"

namespace mote::cortex_m_dsp {
namespace {

inline int32_t LoadPair(const int16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

// One block of four values of four rows, the input's pairs in fe and x:
// rows 1 and 3 are read at a register offset from rows 0 and 2.
#define MOTE_FOUR_ROWS_BLOCK            \
  "ldr %[f], [%[w0], %[s]]\n\t"         \
  "sxtb16 %[t], %[f]\n\t"               \
  "smlad %[a1], %[fe], %[t], %[a1]\n\t" \
  "sxtb16 %[f], %[f], ror #8\n\t"       \
  "smlad %[a1], %[x], %[f], %[a1]\n\t"  \
  "ldr %[f], [%[w0]], #4\n\t"           \
  "sxtb16 %[t], %[f]\n\t"               \
  "smlad %[a0], %[fe], %[t], %[a0]\n\t" \
  "sxtb16 %[f], %[f], ror #8\n\t"       \
  "smlad %[a0], %[x], %[f], %[a0]\n\t"  \
  "ldr %[f], [%[w2], %[s]]\n\t"         \
  "sxtb16 %[t], %[f]\n\t"               \
  "smlad %[a3], %[fe], %[t], %[a3]\n\t" \
  "sxtb16 %[f], %[f], ror #8\n\t"       \
  "smlad %[a3], %[x], %[f], %[a3]\n\t"  \
  "ldr %[f], [%[w2]], #4\n\t"           \
  "sxtb16 %[t], %[f]\n\t"               \
  "smlad %[a2], %[fe], %[t], %[a2]\n\t" \
  "sxtb16 %[f], %[f], ror #8\n\t"       \
  "smlad %[a2], %[x], %[f], %[a2]\n\t"

// The whole blocks of four of one run of at most kMaxInt32Run values, four
// rows, int32 sums from zero; `arranged`: the input as ArrangeRun lays it
// out (one LDRD a block), else plain (two LDRs, one PKHBT, one PKHTB).
// Written out: the loop needs 13 registers, and GCC 12 spills accumulators
// from the same loop in C.
void Blocks4(const int16_t* in, const int16_t* end, const int8_t* w, size_t stride, bool arranged,
             int32_t* sums) {
  const int8_t* w0 = w;
  const int8_t* w2 = w + 2 * stride;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int32_t x, t, f, fe;
  if (arranged) {
    __asm__ volatile(
        "1:\n\t"
        "ldrd %[fe], %[x], [%[in]], #8\n\t" MOTE_FOUR_ROWS_BLOCK
        "cmp %[in], %[end]\n\t"
        "bne 1b\n\t"
        : [in] "+&r"(in), [w0] "+&r"(w0), [w2] "+&r"(w2), [a0] "+&r"(a0), [a1] "+&r"(a1),
          [a2] "+&r"(a2), [a3] "+&r"(a3), [x] "=&r"(x), [t] "=&r"(t), [f] "=&r"(f), [fe] "=&r"(fe)
        : [end] "r"(end), [s] "r"(stride)
        : "cc", "memory");
  } else {
    __asm__ volatile(
        "1:\n\t"
        "ldr %[t], [%[in]], #4\n\t"             // (x0, x1)
        "ldr %[x], [%[in]], #4\n\t"             // (x2, x3)
        "pkhbt %[fe], %[t], %[x], lsl #16\n\t"  // (x0, x2)
        "pkhtb %[x], %[x], %[t], asr #16\n\t"   // (x1, x3)
        MOTE_FOUR_ROWS_BLOCK
        "cmp %[in], %[end]\n\t"
        "bne 1b\n\t"
        : [in] "+&r"(in), [w0] "+&r"(w0), [w2] "+&r"(w2), [a0] "+&r"(a0), [a1] "+&r"(a1),
          [a2] "+&r"(a2), [a3] "+&r"(a3), [x] "=&r"(x), [t] "=&r"(t), [f] "=&r"(f), [fe] "=&r"(fe)
        : [end] "r"(end), [s] "r"(stride)
        : "cc", "memory");
  }
  sums[0] = a0;
  sums[1] = a1;
  sums[2] = a2;
  sums[3] = a3;
}

#undef MOTE_FOUR_ROWS_BLOCK

}  // namespace

void Dot4Int16(const int16_t* in, const int8_t* w, size_t stride, size_t n, int64_t* acc) {
  for (size_t done = 0; done < n;) {
    const size_t run = n - done < kMaxInt32Run ? n - done : kMaxInt32Run;
    const size_t body = run & ~size_t{3};
    int32_t sums[4] = {0, 0, 0, 0};
    if (body != 0) Blocks4(in + done, in + done + body, w + done, stride, false, sums);
    for (size_t i = done + body; i < done + run; ++i) {
      for (int r = 0; r < 4; ++r) sums[r] += in[i] * w[r * stride + i];
    }
    for (int r = 0; r < 4; ++r) acc[r] += sums[r];
    done += run;
  }
}

void ArrangeRun(const int16_t* in, size_t n, int16_t* out) {
  const size_t body = n & ~size_t{3};
  for (size_t i = 0; i < body; i += 4) {
    const int32_t x01 = LoadPair(in + i);
    const int32_t x23 = LoadPair(in + i + 2);
    const int32_t even = EvenLanes(x01, x23);
    const int32_t odd = OddLanes(x01, x23);
    memcpy(out + i, &even, sizeof even);
    memcpy(out + i + 2, &odd, sizeof odd);
  }
  for (size_t i = body; i < n; ++i) out[i] = in[i];
}

void Dot4Arranged(const int16_t* x, const int8_t* w, size_t stride, size_t n, int32_t* sums) {
  const size_t body = n & ~size_t{3};
  sums[0] = sums[1] = sums[2] = sums[3] = 0;
  if (body != 0) Blocks4(x, x + body, w, stride, true, sums);
  for (size_t i = body; i < n; ++i) {
    for (int r = 0; r < 4; ++r) sums[r] += x[i] * w[r * stride + i];
  }
}

int32_t MultiplyByQuantizedMultiplier64Wide(int64_t acc, int32_t multiplier, int shift) {
  return reference::MultiplyByQuantizedMultiplier64(acc, multiplier, shift);
}

int64_t Dot1Int16(const int16_t* in, const int8_t* w, size_t n, int64_t acc) {
  for (size_t done = 0; done < n;) {
    const size_t run = n - done < kMaxInt32Run ? n - done : kMaxInt32Run;
    const size_t body = run & ~size_t{3};
    int32_t sum = 0;
    for (size_t i = done; i < done + body; i += 4) {
      const int32_t x01 = LoadPair(in + i);
      const int32_t x23 = LoadPair(in + i + 2);
      const int32_t f = LoadInt8x4(w + i);
      sum = __smlad(EvenLanes(x01, x23), SignExtendEven(f), sum);
      sum = __smlad(OddLanes(x01, x23), SignExtendOdd(f), sum);
    }
    for (size_t i = done + body; i < done + run; ++i) sum += in[i] * w[i];
    acc += sum;
    done += run;
  }
  return acc;
}

}  // namespace mote::cortex_m_dsp
