#!/usr/bin/env bash
# The second README command: installs what is missing, builds, and runs the
# whole test suite (unit, end-to-end on host and QEMU, link check).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
ctest --preset host -j"$(nproc)"
