#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets from real files:
#   make_seeds.sh MODELC OUT_DIR
# writes OUT_DIR/<target>/ for fuzz_mote_load, fuzz_onnx_import,
# fuzz_tflite_import and fuzz_npy from the repository's models/ (ONNX models,
# .npy arrays, and .mote files modelc makes from them in every precision),
# ../shared/models/mlperf-tiny/*.tflite and ../shared/testdata/onnx-ml/*/model.onnx
# when present, the ONNX backend node tests of libonnx-testdata for the ops
# modelc supports, and the small hand-written seeds in tests/fuzz/seeds/.
# Files from ../shared are copied into OUT_DIR (a build folder) only.
set -euo pipefail
modelc=$1
out=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
shared=$(cd "$repo/.." && pwd)/shared
node_tests=/usr/share/libonnx-testdata/data/node
# Larger inputs only slow every execution down; the small ones cover the same code.
max_seed_bytes=$((400 * 1024))

rm -rf "$out"
for t in fuzz_mote_load fuzz_onnx_import fuzz_tflite_import fuzz_npy; do
  mkdir -p "$out/$t"
  if [[ -d $repo/tests/fuzz/seeds/$t ]]; then cp "$repo/tests/fuzz/seeds/$t"/* "$out/$t/"; fi
done

# A flat, unique name for a source path.
seed_name() { echo "$1" | sed "s|^$repo/||; s|^$shared/|shared/|; s|[/ ]|_|g"; }

add() {  # add TARGET FILE
  local size
  size=$(stat -c %s "$2")
  if ((size <= max_seed_bytes)); then cp "$2" "$out/$1/$(seed_name "$2")"; fi
}

shopt -s nullglob
onnx_models=("$repo"/models/*/*.onnx "$repo"/models/*/*/*.onnx "$shared"/testdata/onnx-ml/*/model.onnx)
for f in "${onnx_models[@]}"; do add fuzz_onnx_import "$f"; done
if [[ -d $node_tests ]]; then
  # Node tests of the ops modelc imports (test names are the op in snake case).
  ops='gemm|matmul|add|sub|mul|div|relu|clip|sigmoid|tanh|softmax|flatten|reshape|squeeze|unsqueeze|identity|dropout'
  ops+='|batchnorm|conv|maxpool|averagepool|globalaveragepool|globalmaxpool|reduce_mean|concat|pad|constant|transpose'
  ops+='|hardswish|hardsigmoid|leakyrelu|cast|shape|gather|pow|exp|argmax|reduce_sum|reduce_log_sum_exp'
  ops+='|abs|neg|log|sqrt|reciprocal|elu|selu|celu|softplus|softsign|erf|floor|ceil|round|sign|thresholdedrelu|mish|gelu'
  ops+='|slice|split|expand|tile|depthtospace|spacetodepth'
  ops+='|layer_normalization|instancenorm|logsoftmax|reduce_max|reduce_min|reduce_prod|reduce_l1|reduce_l2|reduce_sum_square|reduce_log_sum'
  ops+='|gru|lstm|rnn|simple_rnn|constantofshape'
  ops+='|convtranspose|resize|upsample'
  ops+='|quantizelinear|dequantizelinear|qlinearconv|qlinearmatmul|convinteger|matmulinteger'
  ops+='|where|equal|less|less_equal|greater|greater_equal|and|or|xor|and[234]d|or[234]d|xor[234]d|not'
  ops+='|cumsum|castlike|hardmax|top_k|edge_pad|reflect_pad'
  ops+='|dft|stft|melweightmatrix|hannwindow|hammingwindow|blackmanwindow|range|cos|size'
  for d in "$node_tests"/test_*; do
    name=${d##*/test_}
    if [[ $name =~ ^($ops)(_|$) ]]; then
      cp "$d/model.onnx" "$out/fuzz_onnx_import/node_$name.onnx"
    fi
  done
fi
# The signal ops with constant sizes (the node tests' sizes are graph inputs).
/usr/bin/python3 "$repo/tests/fuzz/signal_seeds.py" "$out/fuzz_onnx_import"
# Einsum, 3-D Conv and shape arithmetic (the node tests' Einsum inputs are float64).
/usr/bin/python3 "$repo/tests/fuzz/graph_seeds.py" "$out/fuzz_onnx_import"
for f in "$shared"/models/mlperf-tiny/*/*.tflite; do add fuzz_tflite_import "$f"; done
# Small TFLite models of every operator modelc imports, float32 and int8
# (tflite_seeds.py writes them as JSON for flatc and the subset schema).
gen=$out/tflite_gen
/usr/bin/python3 "$repo/tests/fuzz/tflite_seeds.py" "$gen"
flatc -b -o "$gen" "$repo/tools/modelc/import/tflite_schema.fbs" "$gen"/*.json
for b in "$gen"/*.bin; do mv "$b" "$out/fuzz_tflite_import/gen_$(basename "$b" .bin).tflite"; done
for f in "$repo"/models/*/*.npy "$repo"/models/*/*/*.npy "$shared"/testdata/onnx-ml/*/*.npy; do
  add fuzz_npy "$f"
done

# .mote files from modelc, each followed by input bytes (the fuzz target's
# layout): float32 rows of the model's own test data where there is some.
mote() {  # mote NAME MODEL INPUT_BYTES_FILE [modelc options...]
  local name=$1 model=$2 input=$3
  shift 3
  local tmp="$out/tmp.mote"
  if "$modelc" convert "$model" -o "$tmp" "$@" >/dev/null 2>&1; then
    if [[ -n $input && -f $input ]]; then
      # Skip the .npy header (128 bytes for numpy's usual files): raw rows.
      head -c $((128 + 4096)) "$input" | tail -c +129 | cat "$tmp" - > "$out/fuzz_mote_load/$name.mote"
    else
      cp "$tmp" "$out/fuzz_mote_load/$name.mote"
    fi
    rm -f "$tmp"
  else
    echo "make_seeds: modelc could not convert $model $* (skipped)" >&2
  fi
}
for dir in "$repo"/models/mlp_zoo/*/ "$repo"/models/digits_mlp/ "$repo"/models/digits_cnn/ \
           "$repo"/models/shufflenet_v2_tiny/ \
           "$repo"/models/gru_classifier/ "$repo"/models/lstm_classifier/ "$repo"/models/bigru_classifier/ \
           "$repo"/models/conv_autoencoder/ "$repo"/models/masked_attention/ \
           "$repo"/models/text_embed/; do  # text_embed: a Gather by run-time int32 token ids
  model=$(ls "$dir"*.onnx 2>/dev/null | head -1)
  [[ -n $model && -f $dir/calib.npy ]] || continue
  x=$dir/x.npy
  [[ -f $x ]] || x=$dir/test_x.npy
  for p in int8 int16 float32; do
    mote "$(basename "$dir")_$p" "$model" "$x" --calibration "$dir/calib.npy" --precision "$p"
  done
done
# The same CNN planned for the DSP cores only (scratch, no effective biases)
# and for the reference-kernel cores only (neither).
if [[ -f $repo/models/digits_cnn/calib.npy ]]; then
  cnn=$(ls "$repo"/models/digits_cnn/*.onnx | head -1)
  for cores in cortex-m4 cortex-m0,cortex-m3; do
    mote "digits_cnn_int8_cores_${cores//,/_}" "$cnn" "$repo/models/digits_cnn/test_x.npy" \
      --calibration "$repo/models/digits_cnn/calib.npy" --precision int8 --cores "$cores"
  done
fi
# A pre-quantized QDQ model: int8 without calibration (the parameters it carries), and float32.
for p in int8 float32; do
  mote "qdq_cnn_$p" "$repo/models/qdq_cnn/qdq_cnn.onnx" "" --precision "$p"
done
# The audio front-end (modelc convert --frontend) on an identity classifier.
fe=$out/frontend_gen
/usr/bin/python3 "$repo/tests/fuzz/frontend_seeds.py" "$fe"
for p in int16 int8 float32; do
  mote "frontend_logmel_$p" "$fe/identity_logmel.onnx" "$fe/audio.npy" --calibration "$fe/audio.npy" \
    --precision "$p" --frontend "logmel:n_fft=256,hop_length=128,n_mels=16,log=db,top_db=80"
  mote "frontend_mfcc_$p" "$fe/identity_mfcc.onnx" "$fe/audio.npy" --calibration "$fe/audio.npy" \
    --precision "$p" --frontend "mfcc:n_fft=256,hop_length=128,n_mels=16,n_mfcc=8,center=false,layout=time_mel"
done
rm -rf "$fe"
# Streaming models (passes/stream.h): a Fifo window and a stateful GRU.
for p in int8 float32; do
  if [[ -f $repo/models/sensor_cnn1d/calib.npy ]]; then
    mote "sensor_cnn1d_stream_$p" "$repo/models/sensor_cnn1d/sensor_cnn1d.onnx" \
      "$repo/models/sensor_cnn1d/test_x.npy" --calibration "$repo/models/sensor_cnn1d/calib.npy" \
      --precision "$p" --stream input=x,axis=2,hop=16
  fi
  if [[ -f $repo/models/gru_classifier/calib.npy ]]; then
    mote "gru_classifier_stream_$p" "$repo/models/gru_classifier/gru_classifier.onnx" \
      "$repo/models/gru_classifier/test_x.npy" --calibration "$repo/models/gru_classifier/calib.npy" \
      --precision "$p" --stream input=x,axis=1,hop=1
  fi
done
for dir in "$shared"/testdata/onnx-ml/*/; do
  [[ -f $dir/model.onnx && -f $dir/X_calib.npy ]] || continue
  for p in int8 float32; do
    mote "onnxml_$(basename "$dir")_$p" "$dir/model.onnx" "$dir/X_test.npy" --calibration "$dir/X_calib.npy" \
      --precision "$p"
  done
done
for f in "$out"/fuzz_tflite_import/gen_*.tflite; do
  name=$(basename "$f" .tflite)
  if [[ $f == *int8* ]]; then  # prequantized: converts as it is
    mote "tflite_$name" "$f" "" --precision int8
  else
    calib=$gen/${name#gen_}.calib.npy
    for p in float32 int8 int16; do
      mote "tflite_${name%_float32}_calibrated_$p" "$f" "$calib" --calibration "$calib" --precision "$p"
    done
  fi
done
rm -rf "$gen"
for f in "$shared"/models/mlperf-tiny/keyword_spotting/kws_ref_model.tflite \
         "$shared"/models/mlperf-tiny/image_classification/pretrainedResnet_quant.tflite; do
  [[ -f $f ]] && mote "tflite_$(basename "$f" .tflite)" "$f" ""
done

for t in fuzz_mote_load fuzz_onnx_import fuzz_tflite_import fuzz_npy; do
  echo "make_seeds: $t: $(ls "$out/$t" | wc -l) seeds, $(du -sk "$out/$t" | cut -f1) KiB"
done
