// Start-up code shared by every Cortex-M board: vector table, reset handler,
// fault handler.
//
// Reset_Handler runs on the stack the hardware loaded from vector 0 and:
//   1. enables the FPU (CPACR CP10/CP11 full access) on cores that have one,
//      before any compiled code can touch a floating-point register;
//   2. points VTOR at the vector table (ARMv7-M and later);
//   3. copies every {load, start, end} record of the linker script's copy
//      table (.data from flash image to RAM) and zeroes every {start, end}
//      record of its zero table (.bss and the board's large-buffer section);
//   4. on boards with MOTE_STACK_CHECK, paints the free RAM below the stack
//      (common/stack_check.h);
//   5. runs the C++/C constructors (.preinit_array, .init_array);
//   6. calls mote_crt_main(), provided by crt_raw.c (runner: semihosting
//      command line, raw semihosting I/O, exit code), crt_semihost.c
//      (mote-hello: the same with newlib stdio) or crt_bare.c (no I/O).
//
// ARMv6-M (Cortex-M0): no VTOR (the table must be at address 0, where the
// core reads it), no FPU, no CFSR/HFSR (every fault is a HardFault); the
// code below only uses what all profiles have.
//
// The board's linker script (boards/<board>/memory.ld + ldscripts/
// cortex_m_sections.ld) defines every symbol used here.
#include <stdint.h>

#include "semihosting.h"
#include "stack_check.h"

#ifndef MOTE_BOARD_NUM_IRQS
#error "MOTE_BOARD_NUM_IRQS must come from the board (boards/<board>/board.cmake)"
#endif

// --- Linker-script symbols -------------------------------------------------
extern uint32_t __stack_top[];
extern const uint32_t __copy_table_start__[];
extern const uint32_t __copy_table_end__[];
extern const uint32_t __zero_table_start__[];
extern const uint32_t __zero_table_end__[];
typedef void (*InitFunction)(void);
extern InitFunction __preinit_array_start[];
extern InitFunction __preinit_array_end[];
extern InitFunction __init_array_start[];
extern InitFunction __init_array_end[];

// Provided by crt_semihost.c or crt_bare.c; never returns.
__attribute__((noreturn)) void mote_crt_main(void);

// Name printed by the fault handler; a firmware may define its own.
__attribute__((weak)) const char mote_firmware_name[] = "firmware";
// Exit code of a fault (kept distinct from mote::Status values and from the
// runner's I/O failure code 100).
#define MOTE_FAULT_EXIT_CODE 101
#define MOTE_STRINGIFY_(x) #x
#define MOTE_STRINGIFY(x) MOTE_STRINGIFY_(x)

// crtbegin.o (not linked: -nostartfiles) normally defines the handle that
// g++ passes to __cxa_atexit for static destructors.
void* __dso_handle = &__dso_handle;

// crti.o/crtn.o (not linked either) provide these for newlib's
// __libc_init_array/__libc_fini_array; the ELF .init/.fini sections are
// unused on Arm EABI, .init_array/.fini_array do the work.
void _init(void) {}
void _fini(void) {}

// --- System control block registers ----------------------------------------
#define SCB_VTOR (*(volatile uint32_t*)0xE000ED08u)
#define SCB_CFSR (*(volatile uint32_t*)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t*)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile uint32_t*)0xE000ED34u)
#define SCB_BFAR (*(volatile uint32_t*)0xE000ED38u)
#define SCB_CPACR (*(volatile uint32_t*)0xE000ED88u)

void Reset_Handler(void);
void Fault_Handler(void);

// --- Vector table ----------------------------------------------------------
typedef void (*VectorEntry)(void);

__attribute__((used, section(".vectors")))
const VectorEntry mote_vector_table[16 + MOTE_BOARD_NUM_IRQS] = {
    [0] = (VectorEntry)(uintptr_t)__stack_top,
    [1] = Reset_Handler,
    [2 ... 15 + MOTE_BOARD_NUM_IRQS] = Fault_Handler,
    // Reserved entries: hardware never fetches them, any value will do.
};

// Not optimized into memcpy()/memset() calls: nothing else has run yet.
__attribute__((noreturn, optimize("no-tree-loop-distribute-patterns")))
void Reset_Handler(void) {
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  // CP10 and CP11 (FPU and MVE) full access, then make it take effect before
  // the next instruction that might use them.
  SCB_CPACR |= (0xFu << 20);
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
#if __ARM_ARCH >= 7 || defined(__ARM_ARCH_8M_BASE__)
  SCB_VTOR = (uint32_t)(uintptr_t)mote_vector_table;
#endif

  for (const uint32_t* entry = __copy_table_start__; entry < __copy_table_end__; entry += 3) {
    const uint32_t* from = (const uint32_t*)(uintptr_t)entry[0];
    uint32_t* to = (uint32_t*)(uintptr_t)entry[1];
    uint32_t* const end = (uint32_t*)(uintptr_t)entry[2];
    while (to < end) *to++ = *from++;
  }
  for (const uint32_t* entry = __zero_table_start__; entry < __zero_table_end__; entry += 2) {
    uint32_t* to = (uint32_t*)(uintptr_t)entry[0];
    uint32_t* const end = (uint32_t*)(uintptr_t)entry[1];
    while (to < end) *to++ = 0;
  }
#if MOTE_STACK_CHECK
  mote_stack_paint();
#endif

  for (InitFunction* f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (InitFunction* f = __init_array_start; f < __init_array_end; ++f) (*f)();

  mote_crt_main();
}

// --- Faults ----------------------------------------------------------------
// Reports the exception through raw semihosting (stdio may be what broke):
// one line on stderr with the registers, then "<name>: exit 101" on stdout,
// and ends the emulation with MOTE_FAULT_EXIT_CODE.
__attribute__((noreturn, used))
void mote_fault_report(const uint32_t* frame, uint32_t exc_return) {
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  mote_semihost_write0(mote_firmware_name);
  mote_semihost_write0(": error: ");
  switch (ipsr & 0x1FFu) {
    case 2: mote_semihost_write0("NMI"); break;
    case 3: mote_semihost_write0("HardFault"); break;
    case 4: mote_semihost_write0("MemManage fault"); break;
    case 5: mote_semihost_write0("BusFault"); break;
    case 6: mote_semihost_write0("UsageFault"); break;
    case 7: mote_semihost_write0("SecureFault"); break;
    default:
      mote_semihost_write0("unexpected exception ");
      mote_semihost_write_dec((int32_t)(ipsr & 0x1FFu));
      break;
  }
  // Exception frame: r0 r1 r2 r3 r12 lr pc xpsr.
  mote_semihost_write0(": pc=");
  mote_semihost_write_hex(frame[6]);
  mote_semihost_write0(" lr=");
  mote_semihost_write_hex(frame[5]);
  mote_semihost_write0(" xpsr=");
  mote_semihost_write_hex(frame[7]);
  mote_semihost_write0(" sp=");
  mote_semihost_write_hex((uint32_t)(uintptr_t)frame);
  mote_semihost_write0(" exc_return=");
  mote_semihost_write_hex(exc_return);
#if __ARM_ARCH >= 7 && !defined(__ARM_ARCH_8M_BASE__)
  mote_semihost_write0(" cfsr=");
  mote_semihost_write_hex(SCB_CFSR);
  mote_semihost_write0(" hfsr=");
  mote_semihost_write_hex(SCB_HFSR);
  mote_semihost_write0(" mmfar=");
  mote_semihost_write_hex(SCB_MMFAR);
  mote_semihost_write0(" bfar=");
  mote_semihost_write_hex(SCB_BFAR);
#endif
  mote_semihost_write0("\n");
  // The last line on stdout, as a firmware that exits normally prints it.
  mote_semihost_write_stdout(mote_firmware_name);
  mote_semihost_write_stdout(": exit " MOTE_STRINGIFY(MOTE_FAULT_EXIT_CODE) "\n");
  mote_semihost_exit(MOTE_FAULT_EXIT_CODE);
}

// Finds the stacked exception frame (MSP or PSP, per EXC_RETURN bit 2) and
// hands it to mote_fault_report. Thumb-1 only, so it also assembles for
// ARMv6-M (Cortex-M0).
__attribute__((naked)) void Fault_Handler(void) {
  __asm__ volatile(
      "movs r0, #4\n\t"
      "mov r1, lr\n\t"
      "tst r0, r1\n\t"
      "beq 1f\n\t"
      "mrs r0, psp\n\t"
      "b 2f\n"
      "1:\n\t"
      "mrs r0, msp\n"
      "2:\n\t"
      "ldr r2, =mote_fault_report\n\t"
      "bx r2\n\t"
      ".ltorg\n");
}
