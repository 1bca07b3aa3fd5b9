// Stack measurement on the Cortex-M boards.
//
// Whole program, on boards with little RAM (MOTE_STACK_CHECK=1,
// MOTE_BOARD_STACK_CHECK in boards/<board>/board.cmake): start-up paints the
// free RAM between the end of .bss (the heap's start) and the stack pointer
// with a pattern; mote_stack_used() finds the lowest word no longer holding
// it. The stack sits at the top of REGION_DATA with the (unused) heap below
// it, so an overflow first runs into painted RAM that nothing else uses:
// used > size means the margin is gone, before anything was corrupted.
//
// One call, on every board: how deep a call goes below its caller's stack
// pointer, the figure modelc's stack bound states (the stack_report.py table):
//
//   const uintptr_t sp = mote_stack_pointer();
//   mote_stack_mark(sp);                         // paints the window below sp
//   interpreter.Invoke();
//   const size_t bytes = mote_stack_depth(sp);   // lowest word written
//
// Both are inline, so they put no frame of their own below sp; call them from
// the function making the call, whose stack pointer does not move (GCC on Arm
// reserves outgoing arguments in the prologue). The window is the
// MOTE_STACK_WINDOW_BYTES below sp, clipped to the stack (to the painted
// guard band with MOTE_STACK_CHECK); a call that went deeper reads as the
// whole window. Painting and reading cost about one store or load per word
// of the window, outside anything measured.
#ifndef MOTE_CORTEX_M_STACK_CHECK_H_
#define MOTE_CORTEX_M_STACK_CHECK_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MOTE_STACK_CHECK
#define MOTE_STACK_CHECK 0
#endif
#ifndef MOTE_STACK_WINDOW_BYTES
#define MOTE_STACK_WINDOW_BYTES 16384u
#endif
#define MOTE_STACK_PAINT_WORD 0x5AC35AC3u

// Called by Reset_Handler after .bss is zeroed (MOTE_STACK_CHECK only).
void mote_stack_paint(void);

// Bytes of stack used so far: from the top of the stack down to the deepest
// word written since mote_stack_paint(). May exceed mote_stack_size().
size_t mote_stack_used(void);

// The stack the linker script reserves (__stack_size).
size_t mote_stack_size(void);

// --- One call ---------------------------------------------------------------
// Linker script (ldscripts/cortex_m_sections.ld).
extern uint32_t __heap_start[];
extern uint32_t __stack_limit[];
// The deepest address mote_stack_depth() found written (0: none yet), so that
// repainting a window does not lose it for mote_stack_used().
extern uintptr_t mote_stack_lowest_seen;

static inline __attribute__((always_inline)) uintptr_t mote_stack_pointer(void) {
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

static inline __attribute__((always_inline)) uintptr_t mote_stack_window(uintptr_t sp) {
  const uintptr_t floor = (uintptr_t)(MOTE_STACK_CHECK ? __heap_start : __stack_limit);
  return sp - floor > MOTE_STACK_WINDOW_BYTES ? sp - MOTE_STACK_WINDOW_BYTES : floor;
}

// Bytes below sp written since mote_stack_mark(sp).
static inline __attribute__((always_inline)) size_t mote_stack_depth(uintptr_t sp) {
  volatile const uint32_t* p = (volatile const uint32_t*)mote_stack_window(sp);
  while ((uintptr_t)p < sp && *p == MOTE_STACK_PAINT_WORD) ++p;
  if (mote_stack_lowest_seen == 0 || (uintptr_t)p < mote_stack_lowest_seen) {
    mote_stack_lowest_seen = (uintptr_t)p;
  }
  return (size_t)(sp - (uintptr_t)p);
}

// Paints the window below sp (with MOTE_STACK_CHECK, after noting how deep
// the stack went so far: the window was painted at start-up).
static inline __attribute__((always_inline)) void mote_stack_mark(uintptr_t sp) {
  if (MOTE_STACK_CHECK) (void)mote_stack_depth(sp);
  for (volatile uint32_t* p = (volatile uint32_t*)mote_stack_window(sp); (uintptr_t)p < sp; ++p) {
    *p = MOTE_STACK_PAINT_WORD;
  }
}

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // MOTE_CORTEX_M_STACK_CHECK_H_
