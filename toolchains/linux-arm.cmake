# CMake toolchain file: Linux on small Arm boards with Debian's cross compilers
# (g++-aarch64-linux-gnu, g++-arm-linux-gnueabihf). MOTE_LINUX_ARCH chooses:
#
#   MOTE_LINUX_ARCH   compiler prefix           run with (qemu-user)
#   aarch64           aarch64-linux-gnu-        qemu-aarch64
#   armhf             arm-linux-gnueabihf-      qemu-arm  (ARMv7-A, VFPv3-D16, hard float)
#
# Programs link statically, so qemu-user runs them without a target sysroot.
# -ffp-contract=off (top-level CMakeLists) keeps float results the host's.
set(CMAKE_SYSTEM_NAME Linux)
set(MOTE_LINUX_ARCH "aarch64" CACHE STRING "aarch64 or armhf")
if(MOTE_LINUX_ARCH STREQUAL "aarch64")
  set(CMAKE_SYSTEM_PROCESSOR aarch64)
  set(_prefix aarch64-linux-gnu-)
elseif(MOTE_LINUX_ARCH STREQUAL "armhf")
  set(CMAKE_SYSTEM_PROCESSOR arm)
  set(_prefix arm-linux-gnueabihf-)
else()
  message(FATAL_ERROR "MOTE_LINUX_ARCH must be aarch64 or armhf, not '${MOTE_LINUX_ARCH}'")
endif()
set(CMAKE_C_COMPILER ${_prefix}gcc)
set(CMAKE_CXX_COMPILER ${_prefix}g++)
set(CMAKE_ASM_COMPILER ${_prefix}gcc)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
