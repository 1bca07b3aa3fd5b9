# CMake toolchain file: bare-metal Arm Cortex-M with Debian's arm-none-eabi-gcc
# (gcc-arm-none-eabi, libnewlib-arm-none-eabi, libstdc++-arm-none-eabi-newlib).
#
# The CPU is the cache variable MOTE_CPU (default cortex-m4):
#
#   MOTE_CPU     flags                                             newlib multilib           QEMU board
#   cortex-m0    -mcpu=cortex-m0  -mfloat-abi=soft                 thumb/v6-m/nofp           microbit
#   cortex-m3    -mcpu=cortex-m3  -mfloat-abi=soft                 thumb/v7-m/nofp           mps2-an385
#   cortex-m4    -mcpu=cortex-m4  -mfloat-abi=hard -mfpu=fpv4-sp-d16  thumb/v7e-m+fp/hard   mps2-an386
#   cortex-m7    -mcpu=cortex-m7  -mfloat-abi=hard -mfpu=fpv5-d16     thumb/v7e-m+dp/hard   mps2-an500
#   cortex-m33   -mcpu=cortex-m33 -mfloat-abi=hard -mfpu=fpv5-sp-d16  thumb/v8-m.main+fp/hard mps2-an505
#   cortex-m55   -mcpu=cortex-m55+nomve.fp -mfloat-abi=hard      thumb/v8-m.main+dp/hard   mps3-an547
#
# The FPUs match what QEMU 7.2 models for each CPU (target/arm/cpu_tcg.c,
# MVFR0): cortex-m4 single precision only (FPv4-SP), cortex-m7 single and
# double precision (FPv5-D16), cortex-m33 single precision only (FPv5-SP),
# cortex-m55 FPv5 double precision plus MVE (integer and float Helium).
#
# cortex-m55 drops MVE's floating-point half (+nomve.fp: __ARM_FEATURE_MVE == 1,
# integer Helium only; scalar float stays in the FPv5 unit). MVE float
# instructions always flush subnormal inputs and results to zero and return the
# default NaN, whatever FPSCR.FZ/DN say (QEMU 7.2 runs them with its "standard
# FP status"), while the scalar FPU, the other targets and the host keep
# subnormals. With plain -mcpu=cortex-m55, GCC 12 at -O3 vectorizes the float
# FullyConnected multiply (VMUL.F32 on Q registers) and a float32 model fed
# subnormal inputs or products gave 0 on the M55 where the host gave the
# subnormal: outputs were no longer bit-identical. Integer MVE is exact.
#
# The toolchain file only sets code-generation flags. What a firmware links
# against (rdimon semihosting, nosys, startup code, linker script) is chosen per
# target in targets/cortex-m/CMakeLists.txt.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(MOTE_CPU "cortex-m4" CACHE STRING
    "Cortex-M core: cortex-m0, cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55")
set_property(CACHE MOTE_CPU PROPERTY STRINGS
             cortex-m0 cortex-m3 cortex-m4 cortex-m7 cortex-m33 cortex-m55)
# try_compile() projects re-read this file: hand them the CPU.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MOTE_CPU)

if(MOTE_CPU STREQUAL "cortex-m0")
  set(_mote_cpu_flags "-mcpu=cortex-m0 -mthumb -mfloat-abi=soft")
elseif(MOTE_CPU STREQUAL "cortex-m3")
  set(_mote_cpu_flags "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
elseif(MOTE_CPU STREQUAL "cortex-m4")
  set(_mote_cpu_flags "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
elseif(MOTE_CPU STREQUAL "cortex-m7")
  set(_mote_cpu_flags "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")
elseif(MOTE_CPU STREQUAL "cortex-m33")
  set(_mote_cpu_flags "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16")
elseif(MOTE_CPU STREQUAL "cortex-m55")
  # Integer MVE only: see the note on cortex-m55 at the top.
  set(_mote_cpu_flags "-mcpu=cortex-m55+nomve.fp -mthumb -mfloat-abi=hard")
else()
  message(FATAL_ERROR "MOTE_CPU='${MOTE_CPU}' is not one of: cortex-m0 cortex-m3 "
                      "cortex-m4 cortex-m7 cortex-m33 cortex-m55")
endif()

set(_mote_triple arm-none-eabi)
find_program(CMAKE_C_COMPILER ${_mote_triple}-gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER ${_mote_triple}-g++ REQUIRED)
set(CMAKE_ASM_COMPILER ${CMAKE_C_COMPILER})
find_program(CMAKE_AR ${_mote_triple}-ar REQUIRED)
find_program(CMAKE_RANLIB ${_mote_triple}-ranlib REQUIRED)
find_program(CMAKE_OBJCOPY ${_mote_triple}-objcopy REQUIRED)
find_program(CMAKE_OBJDUMP ${_mote_triple}-objdump REQUIRED)
find_program(CMAKE_NM ${_mote_triple}-nm REQUIRED)
find_program(CMAKE_SIZE ${_mote_triple}-size)

# No host executable can be linked without a board's startup code and linker
# script, so CMake's compiler checks build static libraries only.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Every section in its own input section, so --gc-sections can drop what the
# firmware does not use.
set(_mote_common_flags "${_mote_cpu_flags} -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${_mote_common_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_mote_common_flags}")
set(CMAKE_ASM_FLAGS_INIT "${_mote_cpu_flags}")
# Links go through the compiler driver, which needs the CPU flags to pick the
# right newlib / libgcc multilib.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_mote_cpu_flags} -Wl,--gc-sections")

# The *_INIT values only seed the cache of a new build folder. An existing one
# (the firmware builds under build/host/firmware/, or a folder reconfigured
# with another MOTE_CPU) would keep compiling with the CPU flags it was first
# given: replace the CPU flags this file put in the cached values by today's.
foreach(_mote_var CMAKE_C_FLAGS CMAKE_CXX_FLAGS CMAKE_ASM_FLAGS CMAKE_EXE_LINKER_FLAGS)
  if(DEFINED CACHE{${_mote_var}})
    string(REGEX REPLACE "-mcpu=[^ ]+ -mthumb -mfloat-abi=[a-z]+( -mfpu=[^ ]+)?"
           "${_mote_cpu_flags}" _mote_value "$CACHE{${_mote_var}}")
    if(NOT _mote_value STREQUAL "$CACHE{${_mote_var}}")
      set_property(CACHE ${_mote_var} PROPERTY VALUE "${_mote_value}")
    endif()
  endif()
endforeach()

# Search programs (flatc, python) on the host; libraries and headers only in
# the toolchain's sysroot, so the host's /usr/include never shadows newlib.
set(CMAKE_FIND_ROOT_PATH /usr/lib/${_mote_triple})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
