# Converts the bundled digits MLP in every precision for the runtime tests.
file(MAKE_DIRECTORY ${OUT})
foreach(p int8 int16 float32)
  execute_process(
    COMMAND ${MODELC} convert ${SRC}/models/digits_mlp/digits_mlp.onnx -o ${OUT}/digits_${p}.mote
            --calibration ${SRC}/models/digits_mlp/calib.npy --precision ${p}
    RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "modelc failed for ${p}")
  endif()
endforeach()
# A model with ops beyond FullyConnected/Relu (for the op-selection test).
execute_process(
  COMMAND ${MODELC} convert ${SRC}/models/mlp_zoo/tanh_softmax/model.onnx -o ${OUT}/tanh_softmax_int8.mote
          --calibration ${SRC}/models/mlp_zoo/tanh_softmax/calib.npy
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "modelc failed for tanh_softmax")
endif()
# With golden self-test vectors.
execute_process(
  COMMAND ${MODELC} convert ${SRC}/models/digits_mlp/digits_mlp.onnx -o ${OUT}/digits_int8_selftest.mote
          --calibration ${SRC}/models/digits_mlp/calib.npy --selftest 4
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "modelc failed for the self-test model")
endif()
