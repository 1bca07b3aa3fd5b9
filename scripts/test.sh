#!/usr/bin/env bash
# The second README command: installs what is missing, builds, and runs the
# whole test suite (unit, end-to-end on host and QEMU, link check), then the
# same suite built with AddressSanitizer and UndefinedBehaviorSanitizer (the
# host-asan preset: GCC at -O1, no Cortex-M firmware, so no QEMU runs), then
# each fuzz target under libFuzzer for a fixed number of executions with a
# fixed seed (scripts/fuzz.sh --ci: the same result on every run of a commit).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
ctest --preset host -j"$(nproc)"

echo "== host-asan: the test suite under ASan and UBSan"
cmake --preset host-asan >/dev/null
cmake --build --preset host-asan -j"$(nproc)"
ctest --preset host-asan -j"$(nproc)"

echo "== fuzzing"
scripts/fuzz.sh --ci
