#!/bin/sh
# make bench: gobp-dap vs Delve's `dlv dap` (Debian's 1.20.2) on Go 1.19 binaries.
#   GOBP_DAP=path/to/gobp-dap bench/run.sh
# Env: BENCH_REPS (3), BENCH_GOROUTINES (10000), DLV (dlv), GO (go = 1.19; dlv reads <= 1.20).
# Installs nothing: scripts/setup.sh (run by `make bench`) provides go, delve and python3.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
: "${GOBP_DAP:=$root/build/gobp-dap}"
GO=${GO:-go}
DLV=${DLV:-dlv}
[ -x "$GOBP_DAP" ] || { echo "bench: GOBP_DAP=$GOBP_DAP is not executable (make first)" >&2; exit 1; }
command -v "$DLV" >/dev/null || { echo "bench: dlv not found (scripts/setup.sh installs delve)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 is required" >&2; exit 1; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/gobp-bench
mkdir -p "$cache"
gover=$("$GO" env GOVERSION)
case "$gover" in go1.19*|go1.20*) ;; *) echo "bench: $GO is $gover; dlv 1.20 needs Go <= 1.20" >&2; exit 1 ;; esac

# cmd/go of the toolchain itself, unoptimized (rebuilt when the toolchain version changes)
if [ ! -x "$cache/cmdgo" ] || [ "$(cat "$cache/cmdgo.version" 2>/dev/null)" != "$gover" ]; then
  echo "bench: building cmd/go with $gover -gcflags=all='-N -l' into $cache/cmdgo" >&2
  (cd "$("$GO" env GOROOT)/src/cmd/go" && "$GO" build -gcflags=all='-N -l' -o "$cache/cmdgo" .)
  echo "$gover" > "$cache/cmdgo.version"
fi
# tests/programs/goroutines, always rebuilt (cheap)
(cd "$root/tests/programs/goroutines" && "$GO" build -gcflags=all='-N -l' -o "$cache/goroutines" .)

echo "gobp-dap: $GOBP_DAP ($("$GOBP_DAP" --version 2>/dev/null | head -1))"
echo "dlv:      $(command -v "$DLV") ($("$DLV" version 2>/dev/null | sed -n 2p))"
echo "targets:  built by $gover with -gcflags=all='-N -l'"
exec python3 "$here/dapbench.py" "$GOBP_DAP" "$DLV" "$cache/cmdgo" "$cache/goroutines" \
  "$root/tests/programs/goroutines/main.go"
