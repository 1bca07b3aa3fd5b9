#!/usr/bin/env bash
# Fuzzing with libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer
# (tests/fuzz): builds the `fuzz` preset (Debian's clang), makes the seed
# corpora from the repository's models (and ../shared's when present) and runs
# each fuzz target, printing per target the executions, coverage (cov: edges,
# ft: features) and corpus size. Exits non-zero if any target found a crash,
# a sanitizer report, a timeout (10 s per input) or an out-of-memory (2 GiB);
# the input is kept in build/fuzz/findings/.
#
#   scripts/fuzz.sh --ci [TARGET...]      # what CI runs: reproducible, see below
#   scripts/fuzz.sh SECONDS [TARGET...]   # a random campaign of SECONDS per target
#   scripts/fuzz.sh 1800                  # half an hour each
#   scripts/fuzz.sh 600 fuzz_mote_load    # one target
#
# --ci runs every target for a fixed number of executions (CI_RUNS below)
# with a fixed seed, starting from a fresh corpus holding exactly the seeds
# (made from the commit's own files, the Debian packages and ../shared) and
# the committed regressions, with address-space randomization off: the same
# commit gives the same executions, coverage and verdict on every run. The
# inputs are copied, in sorted order, into a folder on tmpfs, whose directory
# order is the creation order (on ext4 it is a hash with a per-disk seed, and
# libFuzzer's start-up order, hence every later mutation, follows it).
# A campaign instead draws a random seed and grows build/fuzz/corpus/<target>
# across runs, so longer or repeated campaigns build on earlier ones.
set -euo pipefail
cd "$(dirname "$0")/.."
ci=0
seconds=45
if [[ ${1:-} == --ci ]]; then
  ci=1
  shift
elif [[ $# -gt 0 ]]; then
  seconds=$1
  shift
fi
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(fuzz_mote_load fuzz_onnx_import fuzz_tflite_import fuzz_npy)
fi
# Executions per target in --ci mode: about a minute each on one core of the
# CI machine (the importers compile every graph they import, in two precisions).
declare -A CI_RUNS=([fuzz_mote_load]=25000 [fuzz_onnx_import]=12000 [fuzz_tflite_import]=30000 [fuzz_npy]=80000)
CI_SEED=1
build=build/fuzz

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

# Seeds are remade when modelc or the scripts that make them change; a lock
# keeps two fuzz.sh runs from making them at once.
seeds=$build/seeds
stamp=$seeds/.made
exec 9>"$build/.seeds.lock"
flock 9
if [[ ! -f $stamp || $build/bin/modelc -nt $stamp || tests/fuzz/make_seeds.sh -nt $stamp ||
      tests/fuzz/tflite_seeds.py -nt $stamp || tests/fuzz/signal_seeds.py -nt $stamp ||
      tests/fuzz/graph_seeds.py -nt $stamp ]]; then
  tests/fuzz/make_seeds.sh "$build/bin/modelc" "$seeds"
  touch "$stamp"
fi
flock -u 9

# A folder on tmpfs for --ci's corpus (see above), else one under build/.
ci_tmp() {
  if [[ -d /dev/shm && -w /dev/shm ]]; then echo /dev/shm; else mkdir -p "$build/tmp"; echo "$build/tmp"; fi
}
# Runs a command with address-space randomization off where setarch can.
norandom() {
  if setarch "$(uname -m)" -R true 2>/dev/null; then setarch "$(uname -m)" -R "$@"; else "$@"; fi
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
summary=()
for t in "${targets[@]}"; do
  findings=$build/findings/$t
  log=$build/logs/$t.log
  mkdir -p "$findings" "$(dirname "$log")"
  inputs=("$seeds/$t")
  if [[ -d tests/fuzz/regressions/$t ]]; then inputs+=("tests/fuzz/regressions/$t"); fi
  dict=()
  if [[ -f tests/fuzz/$t.dict ]]; then dict=("-dict=tests/fuzz/$t.dict"); fi
  common=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" "${dict[@]}")
  rc=0
  if ((ci)); then
    runs=${MOTE_FUZZ_RUNS:-${CI_RUNS[$t]}}  # MOTE_FUZZ_RUNS overrides the table (for trials)
    echo "== $t: $runs executions, seed $CI_SEED"
    corpus=$(mktemp -d "$(ci_tmp)/mote-fuzz-$t.XXXXXX")
    start=$corpus/start
    mkdir "$start"
    # Sorted copies, numbered so that equal files from two folders both stay.
    k=0
    while IFS= read -r f; do
      k=$((k + 1))
      cp "$f" "$start/$(printf '%05d' "$k")_${f##*/}"
    done < <(find "${inputs[@]}" -type f | LC_ALL=C sort)
    mkdir "$corpus/new"
    norandom "$build/bin/$t" "$corpus/new" "$start" "${common[@]}" -runs="$runs" -seed="$CI_SEED" -reload=0 \
      >"$log" 2>&1 || rc=$?
    rm -rf "$corpus"
  else
    echo "== $t: ${seconds}s"
    corpus=$build/corpus/$t  # grows across runs; seeds and regressions stay read-only
    mkdir -p "$corpus"
    "$build/bin/$t" "$corpus" "${inputs[@]}" "${common[@]}" -max_total_time="$seconds" >"$log" 2>&1 || rc=$?
  fi
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
if ((ci)); then
  echo "== fuzz summary (--ci: fixed executions, seed $CI_SEED; corpus = inputs/bytes)"
else
  echo "== fuzz summary (${seconds}s per target; corpus = inputs/bytes)"
fi
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in ${failed[*]}; inputs in $build/findings/<target>/, reproduce with $build/bin/<target> FILE"
  exit 1
fi
echo "fuzz: no findings"
