#!/bin/sh
# Runs the libFuzzer harnesses (make fuzz, make fuzz-smoke):
#   fuzz/run.sh SECONDS [HARNESS ...]      (all of them when none is named)
# First every crash reproducer of fuzz/regressions/HARNESS/ is run once, then each harness
# fuzzes for SECONDS from its seeds (fuzz/corpus/HARNESS/, read only) into build-fuzz/corpus/,
# FUZZ_JOBS (default: the number of CPUs) harnesses at a time. A crash fails the run: its input
# is in build-fuzz/crashes/HARNESS/ and the log in build-fuzz/logs/. The executions of every
# run are appended to build-fuzz/stats.tsv (date, harness, executions, seconds, status).
set -u
secs=${1:?usage: fuzz/run.sh SECONDS [HARNESS ...]}
shift
cd "$(dirname "$0")/.."
B=build-fuzz
[ $# -gt 0 ] || set -- framing requests requests_stopped eval elf
mkdir -p "$B/logs" "$B/target"

# fuzz/target, as the newest Go builds it: DWARF compressed (the default) and not
go=$(scripts/go-toolchain.sh | tail -1)
[ -x "$go" ] || { echo "fuzz: no Go toolchain (scripts/go-toolchain.sh)" >&2; exit 1; }
(cd fuzz/target && GOFLAGS= GOTOOLCHAIN=local "$go" build -o "../../$B/target/fuzztarget" . &&
  GOFLAGS= GOTOOLCHAIN=local "$go" build -ldflags=-compressdwarf=false -o "../../$B/target/fuzztarget-raw" .) ||
  { echo "fuzz: cannot build fuzz/target with $go" >&2; exit 1; }
export GOBP_FUZZ_PROGRAM="$(pwd)/$B/target/fuzztarget" GOBP_FUZZ_PROGRAM_RAW="$(pwd)/$B/target/fuzztarget-raw"
# leaks are checked per input; UBSan findings abort (the harnesses are built so, this says why)
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$(pwd)/fuzz/lsan.supp:print_suppressions=0"

max_len() { case "$1" in elf) echo 512 ;; eval) echo 2048 ;; *) echo 8192 ;; esac; }
dict() { d=fuzz/dict/$1.dict; [ "$1" = requests_stopped ] && d=fuzz/dict/requests.dict; [ -f "$d" ] && echo "-dict=$d"; }

# one harness: its regressions, then SECONDS of fuzzing; the status file says how it went
run_one() {
  h=$1 bin="$B/fuzz/fuzz_$h" log="$B/logs/$h.log"
  mkdir -p "$B/corpus/$h" "$B/crashes/$h"
  if [ -d "fuzz/regressions/$h" ] && [ -n "$(ls "fuzz/regressions/$h")" ]; then
    if ! "$bin" -runs=1 fuzz/regressions/$h/* > "$B/logs/$h.regressions.log" 2>&1; then
      echo "fuzz: $h: a regression input crashes again (see $B/logs/$h.regressions.log)"
      tail -40 "$B/logs/$h.regressions.log"
      echo fail > "$B/logs/$h.status"
      return
    fi
  fi
  "$bin" -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 -max_len="$(max_len "$h")" \
    $(dict "$h") -artifact_prefix="$B/crashes/$h/" -print_final_stats=1 \
    "$B/corpus/$h" "fuzz/corpus/$h" > "$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$h" "${execs:-0}" "$secs" "$rc" >> "$B/stats.tsv"
  if [ $rc -ne 0 ]; then
    echo "fuzz: $h: FAILED (exit $rc) after ${execs:-?} executions; input in $B/crashes/$h/"
    grep -m1 -A30 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|deadly signal' "$log"
    echo fail > "$B/logs/$h.status"
  else
    echo "fuzz: $h: ${execs:-?} executions in $secs s, no crash"
    echo ok > "$B/logs/$h.status"
  fi
}

jobs=${FUZZ_JOBS:-$(nproc)}
running=0
for h in "$@"; do
  [ -x "$B/fuzz/fuzz_$h" ] || { echo "fuzz: $B/fuzz/fuzz_$h is not built (make fuzz-build)" >&2; exit 1; }
  rm -f "$B/logs/$h.status"
  run_one "$h" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait; running=0; fi
done
wait
failed=0
for h in "$@"; do
  [ "$(cat "$B/logs/$h.status" 2>/dev/null)" = ok ] || failed=1
done
exit $failed
