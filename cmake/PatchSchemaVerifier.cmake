# Rewrites flatc's reader so that Operator::Verify checks only the options
# tables of the ops this build compiles in (VerifyBuiltOpOptions,
# runtime/src/verify_options.cc) instead of every table of the OpOptions union.
# An op left out by MOTE_OPS is refused by CheckModel before anything reads its
# options, so a firmware image need not carry verifier code for ~40 tables it
# never uses (TFLite Micro patches its generated schema header for size too).
#   cmake -DIN=flatc's header -DOUT=patched header -P PatchSchemaVerifier.cmake
file(READ "${IN}" text)
set(call "VerifyOpOptions(verifier, options(), options_type())")
string(FIND "${text}" "${call}" first)
string(FIND "${text}" "${call}" last REVERSE)
if(first EQUAL -1 OR NOT first EQUAL last)
  message(FATAL_ERROR "PatchSchemaVerifier: flatc's Operator::Verify no longer calls `${call}` "
                      "exactly once; update cmake/PatchSchemaVerifier.cmake")
endif()
string(REPLACE "${call}" "VerifyBuiltOpOptions(verifier, options(), options_type())" text "${text}")
set(decl "bool VerifyOpOptions(flatbuffers::Verifier &verifier, const void *obj, OpOptions type);")
string(FIND "${text}" "${decl}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "PatchSchemaVerifier: no declaration of VerifyOpOptions in flatc's header")
endif()
string(REPLACE "${decl}" "${decl}\n// The options verifier of the ops compiled in (runtime/src/verify_options.cc).\nbool VerifyBuiltOpOptions(flatbuffers::Verifier &verifier, const void *obj, OpOptions type);" text "${text}")
file(WRITE "${OUT}.tmp" "${text}")
file(RENAME "${OUT}.tmp" "${OUT}")
