#include "kernels/cortex_m_dsp/dot_q15.h"

#include <stddef.h>
#include <string.h>

#include "kernels/cortex_m_dsp/simd.h"

namespace mote::cortex_m_dsp {
namespace {

inline int32_t LoadWord(const int16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

inline void StoreWord(int16_t* p, int32_t v) { memcpy(p, &v, sizeof v); }

}  // namespace

void Widen(const int8_t* a, size_t n, int32_t offset, int32_t offset_pair, int16_t* out) {
  const size_t blocks = n >> 2;
  for (size_t k = 0; k < blocks; ++k) {
    const int32_t v = LoadInt8x4(a + 4 * k);
    StoreWord(out + 4 * k, SignExtendEvenAdd(offset_pair, v));
    StoreWord(out + 4 * k + 2, SignExtendOddAdd(offset_pair, v));
  }
  for (size_t i = 4 * blocks; i < n; ++i) out[i] = static_cast<int16_t>(a[i] + offset);
}

namespace {

// One block of a group: its four rows' words come with one LDM (whose
// targets must ascend, hence r0-r3); 18 instructions for 16 MACs.
#define MOTE_GROUP_BLOCK                             \
  "ldrd %[x02], %[x13], [%[x]], #8\n\t"             \
  "ldm %[w]!, {%[w0], %[w1], %[w2], %[w3]}\n\t"     \
  "sxtb16 %[t], %[w0]\n\t"                         \
  "smlad %[c0], %[x02], %[t], %[c0]\n\t"           \
  "sxtb16 %[w0], %[w0], ror #8\n\t"                \
  "smlad %[c0], %[x13], %[w0], %[c0]\n\t"          \
  "sxtb16 %[t], %[w1]\n\t"                         \
  "smlad %[c1], %[x02], %[t], %[c1]\n\t"           \
  "sxtb16 %[w1], %[w1], ror #8\n\t"                \
  "smlad %[c1], %[x13], %[w1], %[c1]\n\t"          \
  "sxtb16 %[t], %[w2]\n\t"                         \
  "smlad %[c2], %[x02], %[t], %[c2]\n\t"           \
  "sxtb16 %[w2], %[w2], ror #8\n\t"                \
  "smlad %[c2], %[x13], %[w2], %[c2]\n\t"          \
  "sxtb16 %[t], %[w3]\n\t"                         \
  "smlad %[c3], %[x02], %[t], %[c3]\n\t"           \
  "sxtb16 %[w3], %[w3], ror #8\n\t"                \
  "smlad %[c3], %[x13], %[w3], %[c3]\n\t"

// What the group loop of DotInterleavedGroups reads between groups, through
// one pointer: its 14 registers are all taken inside a group.
struct GroupState {
  const int16_t* x;    // the widened input
  uint32_t unrolled;   // weight bytes of a group the 4-block loop covers
  uint32_t step;       // from there to the next group
  int32_t* acc;        // the next group's four accumulators
  int32_t* acc_end;
  const int32_t* bias;  // the next group's four biases
};
// The asm below reads the fields at these offsets.
static_assert(offsetof(GroupState, unrolled) == 4 && offsetof(GroupState, step) == 8 &&
              offsetof(GroupState, acc) == 12 && offsetof(GroupState, acc_end) == 16 &&
              offsetof(GroupState, bias) == 20);

// Eight blocks per inner iteration (its compare and branch are then 2 of
// 146 instructions), an odd number of four-block steps entering halfway. Written out: the inner loop needs 14 registers, and
// LDM/STM need theirs ascending (weights r0-r3, accumulators r8-r11); the
// state pointer is kept in the frame while its register holds the inner
// loop's end.
void GroupsUnrolled(GroupState* state, const int8_t* w) {
  register int32_t w0 asm("r0");
  register int32_t w1 asm("r1");
  register int32_t w2 asm("r2");
  register int32_t w3 asm("r3");
  register int32_t c0 asm("r8");
  register int32_t c1 asm("r9");
  register int32_t c2 asm("r10");
  register int32_t c3 asm("r11");
  const int16_t* x;
  int32_t x02, x13, t;
  GroupState* spill;  // the state pointer while its register holds the loop end (in the frame
                      // GCC accounts for, not pushed by the asm)
  __asm__ volatile(
      "2:\n\t"
      "ldr %[x], [%[p], #0]\n\t"
      "ldr %[t], [%[p], #20]\n\t"  // the group's biases start its sums
      "ldm %[t]!, {%[c0], %[c1], %[c2], %[c3]}\n\t"
      "str %[t], [%[p], #20]\n\t"
      "ldr %[t], [%[p], #4]\n\t"
      "str %[p], %[spill]\n\t"
      "add %[p], %[w], %[t]\n\t"
      "tst %[t], #64\n\t"  // an odd number of 4-block steps enters at the second
      "bne 3f\n\t"
      "1:\n\t" MOTE_GROUP_BLOCK MOTE_GROUP_BLOCK MOTE_GROUP_BLOCK MOTE_GROUP_BLOCK
      "3:\n\t" MOTE_GROUP_BLOCK MOTE_GROUP_BLOCK MOTE_GROUP_BLOCK MOTE_GROUP_BLOCK
      "cmp %[w], %[p]\n\t"
      "bne 1b\n\t"
      "ldr %[p], %[spill]\n\t"
      "ldr %[t], [%[p], #12]\n\t"
      "stm %[t]!, {%[c0], %[c1], %[c2], %[c3]}\n\t"
      "str %[t], [%[p], #12]\n\t"
      "ldr %[x02], [%[p], #8]\n\t"
      "add %[w], %[w], %[x02]\n\t"
      "ldr %[x02], [%[p], #16]\n\t"
      "cmp %[t], %[x02]\n\t"
      "bne 2b\n\t"
      : [p] "+&r"(state), [spill] "=m"(spill), [w] "+&r"(w), [x] "=&r"(x), [x02] "=&r"(x02),
        [x13] "=&r"(x13),
        [t] "=&r"(t), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3),
        [c0] "=&r"(c0), [c1] "=&r"(c1), [c2] "=&r"(c2), [c3] "=&r"(c3)
      :
      : "cc", "memory");
}

}  // namespace

void DotInterleavedGroups(const int16_t* x, const int8_t* weights, size_t n, size_t groups,
                          const int32_t* bias, int32_t* acc) {
  if (groups == 0) return;
  const size_t blocks = n >> 2;
  const size_t unrolled = blocks & ~size_t{3};
  if (unrolled != 0) {  // the asm starts each group's sums from its biases
    GroupState state = {x,   static_cast<uint32_t>(16 * unrolled),
                        static_cast<uint32_t>(4 * n - 16 * unrolled),
                        acc, acc + 4 * groups,
                        bias};
    GroupsUnrolled(&state, weights);
  } else {
    for (size_t r = 0; r < 4 * groups; ++r) acc[r] = bias[r];
  }
  const size_t tail = n & 3;
  for (size_t g = 0; g < groups && (blocks != unrolled || tail != 0); ++g) {
    const int8_t* group = weights + 4 * g * n;
    int32_t* a = acc + 4 * g;
    for (size_t k = unrolled; k < blocks; ++k) {  // the blocks % 4 last blocks
      const int32_t x02 = LoadWord(x + 4 * k);
      const int32_t x13 = LoadWord(x + 4 * k + 2);
      for (int r = 0; r < 4; ++r) {
        const int32_t f = LoadInt8x4(group + 16 * k + 4 * r);
        a[r] = __smlad(x02, SignExtendEven(f), a[r]);
        a[r] = __smlad(x13, SignExtendOdd(f), a[r]);
      }
    }
    const int16_t* xt = x + 4 * blocks;
    const int8_t* wt = group + 16 * blocks;  // row r's tail at wt + r * tail
    for (int r = 0; r < 4; ++r) {
      for (size_t i = 0; i < tail; ++i) a[r] += xt[i] * wt[r * tail + i];
    }
  }
}

int32_t DotRow(const int16_t* x, const int8_t* w, size_t n, int32_t acc) {
  const size_t blocks = n >> 2;
  for (size_t k = 0; k < blocks; ++k) {
    const int32_t f = LoadInt8x4(w + 4 * k);
    acc = __smlad(LoadWord(x + 4 * k), SignExtendEven(f), acc);
    acc = __smlad(LoadWord(x + 4 * k + 2), SignExtendOdd(f), acc);
  }
  for (size_t i = 4 * blocks; i < n; ++i) acc += x[i] * w[i];
  return acc;
}

void WidenPair(const int8_t* a, const int8_t* b, size_t n, int32_t offset, int32_t offset_pair,
               int16_t* out) {
  const size_t blocks = n >> 2;
  for (size_t k = 0; k < blocks; ++k) {
    const int32_t va = LoadInt8x4(a + 4 * k);
    const int32_t vb = LoadInt8x4(b + 4 * k);
    int16_t* o = out + 8 * k;
    StoreWord(o, SignExtendEvenAdd(offset_pair, va));
    StoreWord(o + 2, SignExtendOddAdd(offset_pair, va));
    StoreWord(o + 4, SignExtendEvenAdd(offset_pair, vb));
    StoreWord(o + 6, SignExtendOddAdd(offset_pair, vb));
  }
  const size_t tail = n & 3;
  int16_t* o = out + 8 * blocks;
  for (size_t i = 0; i < tail; ++i) {
    o[i] = static_cast<int16_t>(a[4 * blocks + i] + offset);
    o[tail + i] = static_cast<int16_t>(b[4 * blocks + i] + offset);
  }
}

namespace {

// What the row-pair loop of DotPairRows reads between row pairs, through
// one pointer: its 14 registers are all taken inside a row pair.
struct RowPairState {
  const int16_t* x;   // the widened pair
  uint32_t blocks4;   // weight bytes of a row covered by whole blocks
  uint32_t step;      // from the end of row r's blocks to the start of row r + 2
  int32_t* acc;       // the next row pair's four accumulators
  int32_t* acc_end;
  const int32_t* bias;  // the next row pair's two biases (4-byte aligned, as LDRD needs)
};
// The asm below reads the fields at these offsets.
static_assert(offsetof(RowPairState, blocks4) == 4 && offsetof(RowPairState, step) == 8 &&
              offsetof(RowPairState, acc) == 12 && offsetof(RowPairState, acc_end) == 16 &&
              offsetof(RowPairState, bias) == 20);

// One block of a row pair: both pixels' block with one LDM (targets r0-r3),
// rows w and w + n; 15 instructions for 16 MACs.
#define MOTE_PAIR_BLOCK                                \
  "ldm %[x]!, {%[a02], %[a13], %[b02], %[b13]}\n\t"  \
  "ldr %[f], [%[w], %[s]]\n\t"                       \
  "sxtb16 %[t], %[f]\n\t"                            \
  "smlad %[c2], %[a02], %[t], %[c2]\n\t"             \
  "smlad %[c3], %[b02], %[t], %[c3]\n\t"             \
  "sxtb16 %[f], %[f], ror #8\n\t"                    \
  "smlad %[c2], %[a13], %[f], %[c2]\n\t"             \
  "smlad %[c3], %[b13], %[f], %[c3]\n\t"             \
  "ldr %[f], [%[w]], #4\n\t"                         \
  "sxtb16 %[t], %[f]\n\t"                            \
  "smlad %[c0], %[a02], %[t], %[c0]\n\t"             \
  "smlad %[c1], %[b02], %[t], %[c1]\n\t"             \
  "sxtb16 %[f], %[f], ror #8\n\t"                    \
  "smlad %[c0], %[a13], %[f], %[c0]\n\t"             \
  "smlad %[c1], %[b13], %[f], %[c1]\n\t"

// The whole blocks of every row pair, written out: the inner loop needs 14
// registers, and LDM/STM need theirs in ascending order (x: r0-r3,
// accumulators: r8-r11). The state pointer is kept in the frame while the
// inner loop uses its register for the loop end.
void BlocksRowPairs(RowPairState* state, const int8_t* w, size_t n) {
  register int32_t a02 asm("r0");
  register int32_t a13 asm("r1");
  register int32_t b02 asm("r2");
  register int32_t b13 asm("r3");
  register int32_t c0 asm("r8");
  register int32_t c1 asm("r9");
  register int32_t c2 asm("r10");
  register int32_t c3 asm("r11");
  const int16_t* x;
  int32_t f, t;
  RowPairState* spill;  // the state pointer while its register holds the loop end (in the
                        // frame GCC accounts for, not pushed by the asm)
  // Two blocks per inner iteration; an odd count enters at the second.
  __asm__ volatile(
      "2:\n\t"
      "ldr %[x], [%[p], #0]\n\t"
      "ldr %[t], [%[p], #20]\n\t"  // the row pair's biases start both pixels' sums
      "ldrd %[c0], %[c2], [%[t]], #8\n\t"
      "str %[t], [%[p], #20]\n\t"
      "mov %[c1], %[c0]\n\t"
      "mov %[c3], %[c2]\n\t"
      "ldr %[f], [%[p], #4]\n\t"
      "str %[p], %[spill]\n\t"
      "add %[p], %[w], %[f]\n\t"
      "tst %[f], #4\n\t"
      "bne 3f\n\t"
      "1:\n\t" MOTE_PAIR_BLOCK
      "3:\n\t" MOTE_PAIR_BLOCK
      "cmp %[w], %[p]\n\t"
      "bne 1b\n\t"
      "ldr %[p], %[spill]\n\t"
      "ldr %[t], [%[p], #12]\n\t"
      "stm %[t]!, {%[c0], %[c1], %[c2], %[c3]}\n\t"
      "str %[t], [%[p], #12]\n\t"
      "ldr %[f], [%[p], #8]\n\t"
      "add %[w], %[w], %[f]\n\t"
      "ldr %[f], [%[p], #16]\n\t"
      "cmp %[t], %[f]\n\t"
      "bne 2b\n\t"
      : [p] "+&r"(state), [spill] "=m"(spill), [w] "+&r"(w), [x] "=&r"(x), [f] "=&r"(f),
        [t] "=&r"(t),
        [a02] "=&r"(a02), [a13] "=&r"(a13), [b02] "=&r"(b02), [b13] "=&r"(b13), [c0] "=&r"(c0),
        [c1] "=&r"(c1), [c2] "=&r"(c2), [c3] "=&r"(c3)
      : [s] "r"(n)
      : "cc", "memory");
}

#undef MOTE_PAIR_BLOCK

}  // namespace

void DotPairRows(const int16_t* x, const int8_t* w, size_t n, size_t rows, const int32_t* bias,
                 int32_t* acc) {
  if (rows == 0) return;
  const size_t blocks = n >> 2;
  if (blocks != 0) {  // the asm starts each row pair's sums from its biases
    RowPairState state = {x,   static_cast<uint32_t>(4 * blocks),
                          static_cast<uint32_t>(2 * n - 4 * blocks),
                          acc, acc + 2 * rows,
                          bias};
    BlocksRowPairs(&state, w, n);
  } else {
    for (size_t r = 0; r < rows; ++r) acc[2 * r] = acc[2 * r + 1] = bias[r];
  }
  const size_t tail = n & 3;
  const int16_t* xt = x + 8 * blocks;  // the n % 4 last values of a, then of b
  for (size_t r = 0; tail != 0 && r < rows; ++r) {
    const int8_t* wt = w + r * n + 4 * blocks;
    for (size_t i = 0; i < tail; ++i) {
      acc[2 * r] += xt[i] * wt[i];
      acc[2 * r + 1] += xt[tail + i] * wt[i];
    }
  }
}

void DotPairRow1(const int16_t* x, const int8_t* w, size_t n, int32_t* acc) {
  const size_t blocks = n >> 2;
  int32_t c0 = acc[0], c1 = acc[1];
  for (size_t k = 0; k < blocks; ++k) {
    const int32_t f = LoadInt8x4(w + 4 * k);
    const int32_t fe = SignExtendEven(f);
    const int32_t fo = SignExtendOdd(f);
    const int16_t* xk = x + 8 * k;
    c0 = __smlad(LoadWord(xk), fe, c0);
    c0 = __smlad(LoadWord(xk + 2), fo, c0);
    c1 = __smlad(LoadWord(xk + 4), fe, c1);
    c1 = __smlad(LoadWord(xk + 6), fo, c1);
  }
  const size_t tail = n & 3;
  const int16_t* xa = x + 8 * blocks;
  for (size_t i = 0; i < tail; ++i) {
    c0 += xa[i] * w[4 * blocks + i];
    c1 += xa[tail + i] * w[4 * blocks + i];
  }
  acc[0] = c0;
  acc[1] = c1;
}

#undef MOTE_GROUP_BLOCK

}  // namespace mote::cortex_m_dsp
