# QEMU mps2-an500: Cortex-M7 on the Arm MPS2 board (FPGA image AN500).
# Included by targets/cortex-m/CMakeLists.txt; memory map in memory.ld.
set(MOTE_BOARD_CPU cortex-m7)
set(MOTE_BOARD_QEMU_MACHINE mps2-an500)
set(MOTE_BOARD_QEMU_CPU cortex-m7)
# External interrupts QEMU 7.2 gives the AN500 image (num-irq 48).
set(MOTE_BOARD_NUM_IRQS 48)
# Runner buffer (model file, then arena), in the 16 MiB PSRAM (REGION_LARGE).
set(MOTE_BOARD_RUNNER_BUFFER_BYTES 8388608)
