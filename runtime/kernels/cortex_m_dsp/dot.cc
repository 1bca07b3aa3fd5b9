#include "kernels/cortex_m_dsp/dot.h"

namespace mote::cortex_m_dsp {

// Rows 1 and 3 are read at a register offset from rows 0 and 2, so the loop
// fits the core's registers.
void Dot4(const int8_t* in, const int8_t* w, size_t stride, size_t n, int32_t offset,
          int32_t offset_pair, int32_t* acc) {
  const int8_t* w0 = w;
  const int8_t* w2 = w + 2 * stride;
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int8_t* const blocks_end = in + (n & ~size_t{3});
  if (in != blocks_end) {
    // Written out because GCC 12 spills accumulators from this loop: it
    // needs 14 registers, r0-r12 and lr.
    int32_t x, t, f, fe;  // input word / its pairs, weight word, one unpacked half
    __asm__ volatile(
        "1:\n\t"
        "ldr %[x], [%[in]], #4\n\t"
        "sxtab16 %[t], %[op], %[x]\n\t"          // t = (x0, x2) + offset
        "sxtab16 %[x], %[op], %[x], ror #8\n\t"  // x = (x1, x3) + offset
        "ldr %[f], [%[w0], %[s]]\n\t"
        "sxtb16 %[fe], %[f]\n\t"
        "smlad %[a1], %[t], %[fe], %[a1]\n\t"
        "sxtb16 %[f], %[f], ror #8\n\t"
        "smlad %[a1], %[x], %[f], %[a1]\n\t"
        "ldr %[f], [%[w0]], #4\n\t"
        "sxtb16 %[fe], %[f]\n\t"
        "smlad %[a0], %[t], %[fe], %[a0]\n\t"
        "sxtb16 %[f], %[f], ror #8\n\t"
        "smlad %[a0], %[x], %[f], %[a0]\n\t"
        "ldr %[f], [%[w2], %[s]]\n\t"
        "sxtb16 %[fe], %[f]\n\t"
        "smlad %[a3], %[t], %[fe], %[a3]\n\t"
        "sxtb16 %[f], %[f], ror #8\n\t"
        "smlad %[a3], %[x], %[f], %[a3]\n\t"
        "ldr %[f], [%[w2]], #4\n\t"
        "sxtb16 %[fe], %[f]\n\t"
        "smlad %[a2], %[t], %[fe], %[a2]\n\t"
        "sxtb16 %[f], %[f], ror #8\n\t"
        "smlad %[a2], %[x], %[f], %[a2]\n\t"
        "cmp %[in], %[end]\n\t"
        "bne 1b\n\t"
        : [in] "+&r"(in), [w0] "+&r"(w0), [w2] "+&r"(w2), [a0] "+&r"(a0), [a1] "+&r"(a1),
          [a2] "+&r"(a2), [a3] "+&r"(a3), [x] "=&r"(x), [t] "=&r"(t), [f] "=&r"(f),
          [fe] "=&r"(fe)
        : [end] "r"(blocks_end), [s] "r"(stride), [op] "r"(offset_pair)
        : "cc", "memory");
  }
  for (size_t i = 0; i < (n & 3); ++i) {
    const int32_t x = in[i] + offset;
    a0 += x * w0[i];
    a1 += x * w0[stride + i];
    a2 += x * w2[i];
    a3 += x * w2[stride + i];
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

}  // namespace mote::cortex_m_dsp
