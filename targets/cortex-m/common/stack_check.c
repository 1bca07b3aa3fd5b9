// Stack painting and high-water mark; see stack_check.h.
#include "stack_check.h"

#include <stdint.h>

#define MOTE_STACK_PAINT_WORD 0x5AC35AC3u

// Linker script (ldscripts/cortex_m_sections.ld).
extern uint32_t __heap_start[];
extern uint32_t __stack_top[];
extern uint32_t __stack_limit[];

// Not a memset() call: it must not touch the stack it runs on.
__attribute__((noinline, optimize("no-tree-loop-distribute-patterns")))
void mote_stack_paint(void) {
  uint32_t* sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  // Stop well short of this function's own frame.
  uint32_t* const end = sp - 16;
  for (uint32_t* p = __heap_start; p < end; ++p) *p = MOTE_STACK_PAINT_WORD;
}

size_t mote_stack_used(void) {
  const uint32_t* p = __heap_start;
  while (p < __stack_top && *p == MOTE_STACK_PAINT_WORD) ++p;
  return (size_t)((const char*)__stack_top - (const char*)p);
}

size_t mote_stack_size(void) {
  return (size_t)((const char*)__stack_top - (const char*)__stack_limit);
}
