#!/usr/bin/env bash
# Fuzzing with libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer
# (tests/fuzz): builds the `fuzz` preset (Debian's clang), makes the seed
# corpora from the repository's models (and ../shared's when present), runs
# each fuzz target for SECONDS (default 45) and prints, per target, the
# executions, coverage (cov: edges, ft: features) and corpus size. Exits
# non-zero if any target found a crash, a sanitizer report, a timeout (10 s per
# input) or an out-of-memory (2 GiB); the input is kept in build/fuzz/findings/.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   scripts/fuzz.sh 3600                  # an hour each
#   scripts/fuzz.sh 600 fuzz_mote_load    # one target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-45}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(fuzz_mote_load fuzz_onnx_import fuzz_tflite_import fuzz_npy)
fi
build=build/fuzz

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

# Seeds are remade when modelc or the scripts that make them change.
seeds=$build/seeds
stamp=$seeds/.made
if [[ ! -f $stamp || $build/bin/modelc -nt $stamp || tests/fuzz/make_seeds.sh -nt $stamp ||
      tests/fuzz/tflite_seeds.py -nt $stamp ]]; then
  tests/fuzz/make_seeds.sh "$build/bin/modelc" "$seeds"
  touch "$stamp"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
summary=()
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t       # grows across runs; seeds and regressions stay read-only
  findings=$build/findings/$t
  log=$build/logs/$t.log
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  dirs=("$corpus" "$seeds/$t")
  if [[ -d tests/fuzz/regressions/$t ]]; then dirs+=("tests/fuzz/regressions/$t"); fi
  dict=()
  if [[ -f tests/fuzz/$t.dict ]]; then dict=("-dict=tests/fuzz/$t.dict"); fi
  echo "== $t: ${seconds}s"
  rc=0
  "$build/bin/$t" "${dirs[@]}" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1 || rc=$?
  # The last status line ("#N DONE cov: .. ft: .. corp: n/size ..") and the final stats.
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")
  status=ok
  if ((rc != 0)); then
    status=FAILED
    failed+=("$t")
    echo "$t: libFuzzer exited with $rc; the report:"
    grep -E 'ERROR|SUMMARY|runtime error|^    #[0-9]+ .* in |Test unit written' "$log" | head -40 || true
    echo "(full log: $log)"
  fi
  summary+=("$(printf '%-20s %-7s execs %-9s exec/s %-6s cov %-6s ft %-7s corpus %s' \
    "$t" "$status" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")")
done

echo
echo "== fuzz summary (${seconds}s per target; corpus = inputs/bytes)"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in ${failed[*]}; inputs in $build/findings/<target>/, reproduce with $build/bin/<target> FILE"
  exit 1
fi
echo "fuzz: no findings"
