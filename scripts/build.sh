#!/usr/bin/env bash
# Configures and builds the host preset (modelc, mote-sim, runtime, tests and
# the Cortex-M runner firmware).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset host >/dev/null
cmake --build --preset host -j"$(nproc)"
