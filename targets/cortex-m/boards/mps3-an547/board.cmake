# QEMU mps3-an547: Cortex-M55 (Armv8.1-M, TrustZone, FPv5 double precision,
# MVE integer + float "Helium") on the Arm MPS3 board, FPGA image AN547 with
# the SSE-300 subsystem. QEMU boots it in Secure state.
# Included by targets/cortex-m/CMakeLists.txt; memory map in memory.ld.
set(MOTE_BOARD_CPU cortex-m55)
set(MOTE_BOARD_QEMU_MACHINE mps3-an547)
set(MOTE_BOARD_QEMU_CPU cortex-m55)
# External interrupts of the NVIC: 32 SSE-300 interrupts + 96 from the AN547
# FPGA (QEMU 7.2 hw/arm/mps2-tz.c, armsse.c).
set(MOTE_BOARD_NUM_IRQS 128)
# Runner buffer (model file, then arena), in DDR at 0x70000000 (REGION_LARGE;
# the 2 GiB of DDR hold it with room to spare).
set(MOTE_BOARD_RUNNER_BUFFER_BYTES 8388608)
