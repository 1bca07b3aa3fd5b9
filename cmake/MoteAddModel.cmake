# mote_add_model(<target> MODEL <model.onnx|.tflite>
#                [CALIBRATION <calib.npy>...] [PRECISION int8|int16|float32] [NAME <name>]
#                [CORES <cpu>...|all] [SELFTEST <n>]
#                [BUDGETS [ARENA <bytes>] [FLASH <bytes>] [MACS <n>] [STACK <bytes>|<cpu>=<bytes>]...])
#
# Converts the model with the host modelc at build time, whenever the model, a
# calibration file or modelc itself changes, and gives <target> the header
# modelc writes, <name>_model.h, which defines
#   mote_<name>_model[]           the .mote file (16-byte aligned, const: stays in flash)
#   MOTE_<NAME>_ARENA_SIZE        the exact arena the interpreter needs
#   MOTE_<NAME>_MODEL_SIZE        bytes of the file
# Next to it in ${CMAKE_CURRENT_BINARY_DIR}/mote_models/: <name>.mote and modelc's
# report <name>.json; their paths are also in the variables MOTE_<NAME>_MOTE_FILE and
# MOTE_<NAME>_HEADER. modelc's summary (arena, flash, MACs, stack, accuracy)
# appears in the build output; when it refuses the model or a budget is
# exceeded, its message does and the build fails.
#
#   NAME      C identifier for the header's names (default: the model's file name)
#   CORES     cores the arena's kernel scratch is planned for (default: this
#             package's CPU, e.g. cortex-m4; all six for a host package)
#   BUDGETS   fail the build when the model needs more: ARENA and FLASH bytes,
#             MACS per inference, STACK bytes of runtime stack (on this
#             package's CPU unless given as <cpu>=<bytes>)
#   SELFTEST  golden vectors modelc embeds for Interpreter::SelfTest()
function(mote_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;PRECISION;NAME;SELFTEST" "CALIBRATION;CORES;BUDGETS")
  set(where "mote_add_model(${target})")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${where}: unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "${where}: no target '${target}' (create it with add_executable first)")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "${where}: MODEL <file> is required")
  endif()
  if(NOT MOTE_MODELC OR NOT EXISTS "${MOTE_MODELC}")
    message(FATAL_ERROR "${where}: no modelc (the host tool converting models): give its path "
                        "with -DMOTE_MODELC=<path to modelc> (MOTE_MODELC is '${MOTE_MODELC}')")
  endif()

  get_filename_component(model "${ARG_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "${where}: MODEL ${model} does not exist")
  endif()
  if(ARG_NAME)
    set(name "${ARG_NAME}")
    if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
      message(FATAL_ERROR "${where}: NAME '${name}' is not a C identifier")
    endif()
  else()
    get_filename_component(name "${model}" NAME_WE)
    string(MAKE_C_IDENTIFIER "${name}" name)
  endif()
  string(TOUPPER "${name}" upper)

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/mote_models")
  set(header "${dir}/${name}_model.h")
  set(mote_file "${dir}/${name}.mote")
  set(report "${dir}/${name}.json")
  get_property(taken DIRECTORY PROPERTY MOTE_MODEL_NAMES)
  if(name IN_LIST taken)
    message(FATAL_ERROR "${where}: a model named '${name}' was already added in this directory "
                        "(give each one its own NAME)")
  endif()
  set_property(DIRECTORY APPEND PROPERTY MOTE_MODEL_NAMES ${name})

  set(args convert "${model}" -o "${mote_file}" --header "${header}" --report "${report}" --name "${name}")
  set(depends "${model}" "${MOTE_MODELC}")
  foreach(calibration ${ARG_CALIBRATION})
    get_filename_component(calibration "${calibration}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND args --calibration "${calibration}")
    list(APPEND depends "${calibration}")
  endforeach()
  if(ARG_PRECISION)
    list(APPEND args --precision ${ARG_PRECISION})
  endif()
  if(ARG_SELFTEST)
    list(APPEND args --selftest ${ARG_SELFTEST})
  endif()
  if(ARG_CORES)
    list(JOIN ARG_CORES "," cores)
    list(APPEND args --cores ${cores})
  elseif(mote_CPU)
    list(APPEND args --cores ${mote_CPU})
  endif()

  # BUDGETS: <KIND> <value> pairs.
  set(budgets ${ARG_BUDGETS})
  while(budgets)
    list(POP_FRONT budgets kind value)
    if(NOT DEFINED value OR value STREQUAL "")
      message(FATAL_ERROR "${where}: BUDGETS ${kind} needs a value")
    endif()
    if(kind STREQUAL "ARENA")
      list(APPEND args --max-arena ${value})
    elseif(kind STREQUAL "FLASH")
      list(APPEND args --max-flash ${value})
    elseif(kind STREQUAL "MACS")
      list(APPEND args --max-macs ${value})
    elseif(kind STREQUAL "STACK")
      if(mote_CPU AND NOT value MATCHES "=")
        set(value "${mote_CPU}=${value}")
      endif()
      list(APPEND args --max-stack ${value})
    else()
      message(FATAL_ERROR "${where}: BUDGETS takes ARENA, FLASH, MACS and STACK, not '${kind}'")
    endif()
    unset(value)
  endwhile()

  # The command line as a file that changes when it does, so that new options
  # (PRECISION, BUDGETS, ...) rerun modelc under every generator.
  list(JOIN args "\n" command_line)
  file(CONFIGURE OUTPUT "${dir}/${name}.modelc_args" CONTENT "${MOTE_MODELC}\n${command_line}\n" @ONLY)
  add_custom_command(
    OUTPUT "${header}" "${mote_file}" "${report}"
    COMMAND "${MOTE_MODELC}" ${args}
    DEPENDS ${depends} "${dir}/${name}.modelc_args"
    COMMENT "modelc: ${model} -> ${name}_model.h"
    VERBATIM)
  target_sources(${target} PRIVATE "${header}")
  target_include_directories(${target} PRIVATE "${dir}")
  set(MOTE_${upper}_MOTE_FILE "${mote_file}" PARENT_SCOPE)
  set(MOTE_${upper}_HEADER "${header}" PARENT_SCOPE)
endfunction()
