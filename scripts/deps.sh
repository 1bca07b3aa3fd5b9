#!/usr/bin/env bash
# Installs the Debian packages mote needs, only those missing (PyTorch included:
# the tests convert torch modules; --models is kept for older instructions).
set -euo pipefail
packages=(
  cmake make g++ git
  libeigen3-dev flatbuffers-compiler libflatbuffers-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib binutils-arm-none-eabi
  qemu-system-arm valgrind
  clang libclang-rt-14-dev  # scripts/fuzz.sh: clang, libFuzzer and the ASan/UBSan runtimes (only recommended by clang)
  python3 python3-numpy python3-onnx python3-sklearn
  libonnx-testdata
  pybind11-dev python3-dev  # the Python package (tools/python)
  python3-torch python3-torchvision  # tests: mote.convert of torch modules, torchvision's ShuffleNetV2
  libcli11-dev nlohmann-json3-dev libssl-dev  # the host tools' command lines, JSON and SHA-256
  g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user  # mote-sim --target linux-aarch64|linux-armhf
  espeak-ng sox python3-torchaudio  # models/kws_audio: synthesized speech, noise, torchaudio features (issue 13)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
