// The one list of operators. X(Op, Check, Eval, Options):
//   Op      - name in schema::OpCode (its position must equal its value)
//   Check   - load-time validation in kernels/ops/, returns Status
//   Eval    - the kernel call, cannot fail on a checked model
//   Options - the schema::OpOptions table the op requires
// Adding an op: append to mote.fbs, append here, write kernels/ops/<op>_op.cc.
#ifndef MOTE_SRC_OP_LIST_H_
#define MOTE_SRC_OP_LIST_H_

#define MOTE_OP_LIST(X) \
  X(FullyConnected, CheckFullyConnected, EvalFullyConnected, FullyConnectedOptions) \
  X(Relu, CheckClamp, EvalClamp, ClampOptions) \
  X(Relu6, CheckClamp, EvalClamp, ClampOptions) \
  X(Clip, CheckClamp, EvalClamp, ClampOptions) \
  X(Sigmoid, CheckActivation, EvalSigmoid, LutOptions) \
  X(Tanh, CheckActivation, EvalTanh, LutOptions) \
  X(Softmax, CheckSoftmax, EvalSoftmax, SoftmaxOptions) \
  X(Reshape, CheckReshape, EvalReshape, ReshapeOptions) \
  X(Quantize, CheckQuantize, EvalQuantize, QuantizeOptions) \
  X(Dequantize, CheckDequantize, EvalDequantize, DequantizeOptions) \
  X(Add, CheckAdd, EvalAdd, AddOptions) \
  X(Conv2D, CheckConv2D, EvalConv2D, Conv2DOptions) \
  X(DepthwiseConv2D, CheckDepthwiseConv2D, EvalDepthwiseConv2D, DepthwiseConv2DOptions) \
  X(AveragePool2D, CheckAveragePool2D, EvalAveragePool2D, Pool2DOptions) \
  X(MaxPool2D, CheckMaxPool2D, EvalMaxPool2D, Pool2DOptions) \
  X(Mean, CheckMean, EvalMean, MeanOptions) \
  X(Mul, CheckMul, EvalMul, MulOptions) \
  X(Concat, CheckConcat, EvalConcat, ConcatOptions) \
  X(Pad, CheckPad, EvalPad, PadOptions) \
  X(Transpose, CheckTranspose, EvalTranspose, TransposeOptions) \
  X(HardSwish, CheckActivation, EvalHardSwish, LutOptions) \
  X(LeakyRelu, CheckActivation, EvalLeakyRelu, LutOptions) \
  X(TreeEnsemble, CheckTreeEnsemble, EvalTreeEnsemble, TreeEnsembleOptions) \
  X(ClassifierHead, CheckClassifierHead, EvalClassifierHead, ClassifierHeadOptions) \
  X(Normalize, CheckNormalize, EvalNormalize, NormalizeOptions) \
  X(Svm, CheckSvm, EvalSvm, SvmOptions) \
  X(SvmPairwise, CheckSvmPairwise, EvalSvmPairwise, SvmPairwiseOptions) \
  X(Unary, CheckUnary, EvalUnary, UnaryOptions) \
  X(StridedGather, CheckStridedGather, EvalStridedGather, StridedGatherOptions) \
  X(BatchMatMul, CheckBatchMatMul, EvalBatchMatMul, BatchMatMulOptions) \
  X(LayerNorm, CheckLayerNorm, EvalLayerNorm, LayerNormOptions) \
  X(Reduce, CheckReduce, EvalReduce, ReduceOptions) \
  X(Rnn, CheckRnn, EvalRnn, RnnOptions) \
  X(TransposeConv2D, CheckTransposeConv2D, EvalTransposeConv2D, TransposeConv2DOptions) \
  X(Resize, CheckResize, EvalResize, ResizeOptions) \
  X(Compare, CheckCompare, EvalCompare, CompareOptions) \
  X(Where, CheckWhere, EvalWhere, WhereOptions) \
  X(CumSum, CheckCumSum, EvalCumSum, CumSumOptions) \
  X(TopK, CheckTopK, EvalTopK, TopKOptions) \
  X(Spectrogram, CheckSpectrogram, EvalSpectrogram, SpectrogramOptions) \
  X(Dct, CheckDct, EvalDct, DctOptions) \
  X(Fifo, CheckFifo, EvalFifo, FifoOptions) \
  X(Gather, CheckGather, EvalGather, GatherOptions)

#endif  // MOTE_SRC_OP_LIST_H_
