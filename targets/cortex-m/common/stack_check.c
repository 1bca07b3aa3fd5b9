// Stack painting and high-water mark; see stack_check.h.
#include "stack_check.h"

#include <stdint.h>

// Linker script (ldscripts/cortex_m_sections.ld).
extern uint32_t __stack_top[];

uintptr_t mote_stack_lowest_seen;

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
  uintptr_t lowest = (uintptr_t)p;
  // A window repainted by mote_stack_mark() may hide a deeper point seen earlier.
  if (mote_stack_lowest_seen != 0 && mote_stack_lowest_seen < lowest) lowest = mote_stack_lowest_seen;
  return (size_t)((uintptr_t)__stack_top - lowest);
}

size_t mote_stack_size(void) {
  return (size_t)((const char*)__stack_top - (const char*)__stack_limit);
}
