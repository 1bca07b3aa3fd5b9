# `cmake --install <build> --prefix <prefix>`: the runtime as a package.
#
#   lib/libmote.a                      the runtime, as this build compiled it
#   include/mote/                      public API, op_config.h (ops and types compiled in),
#                                      build_abi.h (CPU and ABI), schema/mote_generated.h
#   include/mote/third_party/          the FlatBuffers headers mote_generated.h needs
#   lib/cmake/mote/                    find_package(mote): mote::runtime, mote::schema,
#                                      mote::board (Cortex-M), mote_add_model()
#   lib/pkgconfig/mote.pc              for builds without CMake
#   share/mote/toolchain.cmake         Cortex-M: the compiler and CPU flags of this build
#   share/mote/board/, lib/mote/board/ Cortex-M: the QEMU board's linker script and start-up
#   bin/modelc, bin/mote-sim           host builds only, component "tools"
#
# modelc runs on the host, so a Cortex-M build cannot install it: configure
# the Cortex-M build with -DMOTE_MODELC=<host modelc> to record it in the
# package, or install a host build's tools into the same prefix
# (`cmake --install build/host --component tools --prefix <prefix>`), or put
# modelc on PATH. mote_add_model() looks in that order after the consumer's
# own -DMOTE_MODELC.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MOTE_MODELC "" CACHE FILEPATH
    "Host modelc the installed package's mote_add_model() uses (Cortex-M builds; optional)")
set(_mote_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/mote)
set(_mote_component COMPONENT runtime)

install(TARGETS mote EXPORT mote-targets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} ${_mote_component})
# (schema_verify_tables.inc is the runtime's private verifier descriptors.)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/mote ${CMAKE_BINARY_DIR}/generated/mote
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} ${_mote_component} PATTERN "*.inc" EXCLUDE)

# mote::schema: the generated FlatBuffers reader of a .mote file (what
# Model::schema() returns), for tools that walk the model; with the
# FlatBuffers headers it was generated for.
add_library(mote_schema_reader INTERFACE)
set_target_properties(mote_schema_reader PROPERTIES EXPORT_NAME schema)
target_link_libraries(mote_schema_reader INTERFACE mote)
target_include_directories(mote_schema_reader INTERFACE
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/mote/third_party>)
install(TARGETS mote_schema_reader EXPORT mote-targets ${_mote_component})
install(DIRECTORY ${FLATBUFFERS_INCLUDE_DIR}/flatbuffers
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mote/third_party ${_mote_component})
if(EXISTS /usr/share/doc/libflatbuffers-dev/copyright)
  install(FILES /usr/share/doc/libflatbuffers-dev/copyright
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mote/third_party/flatbuffers RENAME COPYRIGHT
          ${_mote_component})
endif()

# What the package says about itself (moteConfig.cmake, mote.pc).
if(CMAKE_CROSSCOMPILING)
  set(MOTE_PACKAGE_CPU ${MOTE_CPU})
  set(MOTE_PACKAGE_BOARD ${MOTE_BOARD})
else()
  set(MOTE_PACKAGE_CPU "")
  set(MOTE_PACKAGE_BOARD "")
  set(MOTE_BOARD_QEMU_MACHINE "")
  set(MOTE_BOARD_QEMU_CPU "")
endif()
string(REPLACE ";" "\;" MOTE_PACKAGE_OPS "${MOTE_OPS}")
string(REPLACE ";" "\;" MOTE_PACKAGE_TYPES "${MOTE_TYPES}")

if(CMAKE_CROSSCOMPILING)
  install(TARGETS mote_board EXPORT mote-targets
          OBJECTS DESTINATION ${CMAKE_INSTALL_LIBDIR}/mote/board ${_mote_component})
  install(FILES ${MOTE_BOARD_LINKER_SCRIPT} ${MOTE_LDSCRIPT_DIR}/cortex_m_sections.ld
          DESTINATION ${CMAKE_INSTALL_DATADIR}/mote/board ${_mote_component})
  configure_file(${CMAKE_CURRENT_LIST_DIR}/toolchain.cmake.in ${CMAKE_BINARY_DIR}/package/toolchain.cmake
                 @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/package/toolchain.cmake ${PROJECT_SOURCE_DIR}/toolchains/arm-none-eabi.cmake
          DESTINATION ${CMAKE_INSTALL_DATADIR}/mote ${_mote_component})
else()
  if(NOT MOTE_MODELC)
    set(MOTE_MODELC ${CMAKE_BINARY_DIR}/bin/modelc)  # recorded: this build's
  endif()
  install(TARGETS modelc mote-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
endif()

install(EXPORT mote-targets NAMESPACE mote:: DESTINATION ${_mote_cmake_dir} ${_mote_component})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/moteConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/package/moteConfig.cmake
                              INSTALL_DESTINATION ${_mote_cmake_dir})
# 0.x: a minor version may change the API. ARCH_INDEPENDENT: moteConfig.cmake
# checks the target itself, with a better message than "(32bit)".
write_basic_package_version_file(${CMAKE_BINARY_DIR}/package/moteConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${CMAKE_BINARY_DIR}/package/moteConfig.cmake
              ${CMAKE_BINARY_DIR}/package/moteConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/MoteAddModel.cmake
        DESTINATION ${_mote_cmake_dir} ${_mote_component})

get_target_property(_mote_definitions mote INTERFACE_COMPILE_DEFINITIONS)
list(TRANSFORM _mote_definitions PREPEND -D)
list(JOIN _mote_definitions " " MOTE_PACKAGE_CFLAGS)
file(RELATIVE_PATH MOTE_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" MOTE_PC_TO_PREFIX "${MOTE_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/mote.pc.in ${CMAKE_BINARY_DIR}/package/mote.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/package/mote.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig ${_mote_component})
