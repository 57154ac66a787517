#!/bin/sh
# make e2e-san: the whole e2e suite against the ASan+UBSan build on the newest installed Go.
#   scripts/e2e-san.sh /abs/path/build-san/gobp-dap [TEST.test.mjs ...]
# Every sanitizer report fails the run, whoever spawned the adapter and whatever the test
# checks of its exit status: each adapter process writes its ASan and LeakSanitizer reports to
# $logs/asan.PID (log_path); UBSan (GCC's) ignores log_path and prints to stderr, so every test
# process scans the stderr of each adapter it starts (tests/e2e/lib/sanitizer_watch.mjs, loaded
# with NODE_OPTIONS) into $logs/stderr.PID. Any file in $logs at the end fails the run and is
# printed. ASan and UBSan stop the adapter at the first report (halt_on_error); LeakSanitizer
# checks every adapter at exit (a TCP session's process too: server.c runs the check before
# its _exit).
set -u
dap=${1:?usage: scripts/e2e-san.sh BUILD-SAN/gobp-dap [TEST.test.mjs ...]}
shift
cd "$(dirname "$0")/.."
newest=$(for g in $(scripts/go-toolchain.sh); do GOTOOLCHAIN=local "$g" env GOVERSION 2>/dev/null; done |
         sed -n 's/^go\([0-9]*\.[0-9]*\).*/\1/p' | sort -V | tail -1)
[ -n "$newest" ] || { echo "e2e-san: no Go toolchain (scripts/go-toolchain.sh)" >&2; exit 1; }
logs=$(mktemp -d "${TMPDIR:-/tmp}/gobp-san-XXXXXX")
export ASAN_OPTIONS="quarantine_size_mb=16:halt_on_error=1:detect_leaks=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export GOBP_SAN_LOGS="$logs" NODE_OPTIONS="--import=$(pwd)/tests/e2e/lib/sanitizer_watch.mjs ${NODE_OPTIONS:-}"
# SANITIZE=1 for the make that plugin_install.test.mjs runs (make install B=build-san): a
# stale object would otherwise be rebuilt into build-san/ without the sanitizers
export GOBP_SANITIZED=1 SANITIZE=1 GOBP_GO_VERSIONS="$newest" GOBP_DAP="$dap"
echo "e2e-san: $dap on go$newest; sanitizer reports go to $logs"
start=$(date +%s)
(cd tests/e2e && { [ $# -gt 0 ] || set -- *.test.mjs; } && node --test --test-force-exit --test-concurrency=1 "$@")
rc=$?
echo "e2e-san: node --test exit status $rc after $(( $(date +%s) - start )) s"
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  for f in $reports; do echo "=== $f"; head -n 120 "$f"; done
  echo "e2e-san: FAILED: $(echo "$reports" | wc -l) adapter process(es) reported (above, and in $logs)" >&2
  exit 1
fi
rmdir "$logs"
[ $rc -eq 0 ] || { echo "e2e-san: FAILED: e2e tests failed" >&2; exit 1; }
echo "e2e-san: passed, no sanitizer report"
