# QEMU microbit: BBC micro:bit v1, Nordic nRF51822 (Cortex-M0, ARMv6-M: no
# FPU, no hardware divide, no unaligned access), 256 KiB flash, 16 KiB RAM.
# Included by targets/cortex-m/CMakeLists.txt; memory map in memory.ld.
set(MOTE_BOARD_CPU cortex-m0)
set(MOTE_BOARD_QEMU_MACHINE microbit)
# QEMU 7.2 builds the nRF51 with a Cortex-M0 whatever -cpu says.
set(MOTE_BOARD_QEMU_CPU cortex-m0)
# External interrupts of the nRF51 NVIC (QEMU 7.2 hw/arm/nrf51_soc.c:
# num-irq 32).
set(MOTE_BOARD_NUM_IRQS 32)
# Everything shares the 16 KiB RAM: see the RAM budget in
# targets/cortex-m/README.md. The runner's buffer holds model file + arena.
set(MOTE_BOARD_RUNNER_BUFFER_BYTES 12288)
set(MOTE_BOARD_CMDLINE_BYTES 512)
set(MOTE_BOARD_MAX_ARGS 32)
set(MOTE_BOARD_STACK_CHECK 1)
# Nothing between the end of RAM (0x20004000) and the peripherals
# (0x40000000); 0xF0000000 reads as 0 here (an unimplemented-device region).
set(MOTE_BOARD_UNMAPPED_ADDRESS 0x30000000)
