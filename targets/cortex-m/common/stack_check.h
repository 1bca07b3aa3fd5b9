// Stack high-water mark for boards with little RAM (MOTE_STACK_CHECK=1,
// MOTE_BOARD_STACK_CHECK in boards/<board>/board.cmake).
//
// Start-up paints the free RAM between the end of .bss (the heap's start)
// and the stack pointer with a pattern; mote_stack_used() finds the lowest
// word no longer holding it. The stack sits at the top of REGION_DATA with
// the (unused) heap below it, so an overflow first runs into painted RAM
// that nothing else uses: used > size means the margin is gone, before
// anything was corrupted.
#ifndef MOTE_CORTEX_M_STACK_CHECK_H_
#define MOTE_CORTEX_M_STACK_CHECK_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MOTE_STACK_CHECK
#define MOTE_STACK_CHECK 0
#endif

// Called by Reset_Handler after .bss is zeroed (MOTE_STACK_CHECK only).
void mote_stack_paint(void);

// Bytes of stack used so far: from the top of the stack down to the deepest
// word written since mote_stack_paint(). May exceed mote_stack_size().
size_t mote_stack_used(void);

// The stack the linker script reserves (__stack_size).
size_t mote_stack_size(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // MOTE_CORTEX_M_STACK_CHECK_H_
