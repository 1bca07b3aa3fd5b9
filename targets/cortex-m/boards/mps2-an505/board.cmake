# QEMU mps2-an505: Cortex-M33 (TrustZone, FPv5-SP, DSP) on the Arm MPS2+ board,
# FPGA image AN505 with the SSE-200 subsystem. QEMU boots it in Secure state.
# Included by targets/cortex-m/CMakeLists.txt; memory map in memory.ld.
set(MOTE_BOARD_CPU cortex-m33)
set(MOTE_BOARD_QEMU_MACHINE mps2-an505)
set(MOTE_BOARD_QEMU_CPU cortex-m33)
# External interrupts of the NVIC: 32 SSE-200 interrupts + 92 from the AN505
# FPGA (QEMU 7.2 hw/arm/mps2-tz.c, armsse.c).
set(MOTE_BOARD_NUM_IRQS 124)
# Runner buffer (model file, then arena), in the 16 MiB PSRAM at 0x80000000
# (REGION_LARGE).
set(MOTE_BOARD_RUNNER_BUFFER_BYTES 8388608)
