# QEMU mps2-an386: Cortex-M4F on the Arm MPS2 board (FPGA image AN386).
# Included by targets/cortex-m/CMakeLists.txt; memory map in memory.ld.
set(MOTE_BOARD_CPU cortex-m4)
set(MOTE_BOARD_QEMU_MACHINE mps2-an386)
set(MOTE_BOARD_QEMU_CPU cortex-m4)
# External interrupts QEMU 7.2 gives the AN385/AN386 images (num-irq 48).
set(MOTE_BOARD_NUM_IRQS 48)
# Runner buffer (model file, then arena), in the 16 MiB PSRAM (REGION_LARGE).
set(MOTE_BOARD_RUNNER_BUFFER_BYTES 8388608)
