# QEMU mps2-an385: Cortex-M3 on the Arm MPS2 board (FPGA image AN385).
# Included by targets/cortex-m/CMakeLists.txt; memory map in memory.ld.
set(MOTE_BOARD_CPU cortex-m3)
set(MOTE_BOARD_QEMU_MACHINE mps2-an385)
set(MOTE_BOARD_QEMU_CPU cortex-m3)
# External interrupts QEMU 7.2 gives the AN385/AN386 images (num-irq 48).
set(MOTE_BOARD_NUM_IRQS 48)
# Runner buffer (model file, then arena), in the 16 MiB PSRAM (REGION_LARGE).
set(MOTE_BOARD_RUNNER_BUFFER_BYTES 8388608)
