#!/bin/sh
# make soak: long sessions keep the adapter's memory flat (bench/soak.py). Builds the two
# programs with the newest Go of scripts/go-toolchains and tests/plugins/count.c, then runs
# SOAK_HITS (10 000 000) handler calls and SOAK_TRACE_SECONDS (600) of tracing.
#   GOBP_DAP=path/to/gobp-dap bench/soak.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
: "${GOBP_DAP:=$root/build/gobp-dap}"
[ -x "$GOBP_DAP" ] || { echo "soak: GOBP_DAP=$GOBP_DAP is not executable (make first)" >&2; exit 1; }
go=$("$root/scripts/go-toolchain.sh" | tail -1)
out=$(mktemp -d /tmp/gobp-soak-XXXXXX)
trap 'rm -rf "$out"' EXIT
for p in handlers faults; do
  (cd "$root/tests/programs/$p" && GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" build -gcflags=all='-N -l' -o "$out/$p" .)
done
${CC:-cc} -O2 -shared -fPIC -I"$root/core/include" -o "$out/count.so" "$root/tests/plugins/count.c" -lpthread
echo "soak: $GOBP_DAP, programs built by $("$go" env GOVERSION)"
python3 "$here/soak.py" "$GOBP_DAP" "$out/handlers" "$out/faults" "$out/count.so"
