# cmake/GenerateSchemaVerifyTables.cmake on edited copies of flatc's reader:
# it reproduces the build's descriptors, takes required fields, and stops on
# any check it does not know instead of leaving it out.
#   cmake -DHEADER=mote_generated.h -DTABLES=<the build's .inc> -DSCRIPT=<generator>
#         -DWORK=<scratch dir> -P schema_verify_tables_test.cmake
cmake_minimum_required(VERSION 3.25)
file(READ "${HEADER}" original)
file(MAKE_DIRECTORY "${WORK}")

# Runs the generator on `text`; sets ok (true/false) and out (the .inc).
function(generate text)
  file(WRITE "${WORK}/edited.h" "${text}")
  file(REMOVE "${WORK}/edited.inc")
  execute_process(COMMAND ${CMAKE_COMMAND} -DIN=${WORK}/edited.h -DOUT=${WORK}/edited.inc -P ${SCRIPT}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  set(out "")
  if(rc EQUAL 0)
    file(READ "${WORK}/edited.inc" out)
    set(ok true PARENT_SCOPE)
  else()
    set(ok false PARENT_SCOPE)
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# The header as flatc wrote it gives the build's tables.
generate("${original}")
file(READ "${TABLES}" expected)
if(NOT ok OR NOT out STREQUAL expected)
  message(FATAL_ERROR "the unedited header does not give the build's descriptors: ${err}")
endif()

# A required field becomes a required step.
string(REPLACE "VerifyOffset(verifier, VT_NAME)" "VerifyOffsetRequired(verifier, VT_NAME)" text
       "${original}")
generate("${text}")
if(NOT ok OR NOT out MATCHES "StringStep\\(4, true\\)")
  message(FATAL_ERROR "a required string field: ${err}")
endif()

# Checks of unknown forms stop the generator.
set(edits
    "verifier.VerifyString(name())|verifier.VerifyStringUnchecked(name())"
    "return verifier.VerifyTable(ptr)|return verifier.VerifyString(ptr)"
    "VerifyField<int32_t>(verifier, VT_AXIS, 4)|VerifyField<int24_t>(verifier, VT_AXIS, 4)"
    "VerifyField<int32_t>(verifier, VT_AXIS, 4)|VerifyField<int32_t>(verifier, VT_AXIS, 3)"
    "verifier.VerifyVectorOfTables(tensors())|verifier.VerifyVectorOfTables(operators())"
    "verifier.EndTable()|verifier.EndTableLater()")
foreach(edit ${edits})
  string(REPLACE "|" ";" pair "${edit}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  string(FIND "${original}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "`${from}` is not in flatc's header: update this test")
  endif()
  string(REPLACE "${from}" "${to}" text "${original}")
  generate("${text}")
  if(ok OR NOT err MATCHES "GenerateSchemaVerifyTables: ")
    message(FATAL_ERROR "the generator took `${to}`")
  endif()
endforeach()
