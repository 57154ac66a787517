#!/bin/sh
# make bench: gobp-dap vs Delve's `dlv dap`, in two rounds printed one after the other:
#   newest:    the newest Go of scripts/go-toolchains and the newest Delve (scripts/setup-bench.sh)
#   reference: Debian's Go 1.19 and Debian's dlv 1.20.2 (the figures of earlier issues)
#   GOBP_DAP=path/to/gobp-dap bench/run.sh
# Env: BENCH_ROUNDS ("newest reference"), BENCH_REPS (3), BENCH_GOROUTINES (10000),
#      GO and DLV (one round with that pair instead of the rounds),
#      BENCH_PARTS ("dap handlers trace cond": which parts run), for the handler part (hitbench.py):
#      BENCH_HITS (200000), BENCH_DLV_HITS (2000), BENCH_DLV_PINNED (1), BENCH_PROFILE (auto|1|0),
#      BENCH_PROFILE_HITS (20000); for the trace part (tracebench.py): BENCH_TRACE_CALLS (100000),
#      BENCH_DLV_TRACE_CALLS (2000), BENCH_FAST_TRACE_CALLS (1000000, the trace without stops),
#      BENCH_PROFILE_CALLS (20000), and BENCH_DLV_PINNED, BENCH_PROFILE;
#      BENCH_FAST_CALLS (20000000, the never-true handler condition that runs in the program);
#      for the conditional-breakpoint part (condbench.py, DAP over stdio and TCP): BENCH_COND_HITS (2000000).
# Installs nothing: scripts/setup.sh and scripts/setup-bench.sh (run by `make bench`) do.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
: "${GOBP_DAP:=$root/build/gobp-dap}"
[ -x "$GOBP_DAP" ] || { echo "bench: GOBP_DAP=$GOBP_DAP is not executable (make first)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 is required" >&2; exit 1; }
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

# one round: GO and DLV set, targets built by GO into $cache
round() {
cache=${XDG_CACHE_HOME:-$HOME/.cache}/gobp-bench/$("$GO" env GOVERSION)
mkdir -p "$cache"
gover=$("$GO" env GOVERSION)
[ -x "$DLV" ] || command -v "$DLV" >/dev/null || { echo "bench: $DLV not found (scripts/setup-bench.sh installs it)" >&2; exit 1; }
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
parts=${BENCH_PARTS:-dap handlers trace cond}
case " $parts " in *" dap "*)
  python3 "$here/dapbench.py" "$GOBP_DAP" "$DLV" "$cache/cmdgo" "$cache/goroutines" \
    "$root/tests/programs/goroutines/main.go" ;;
esac

# (3) per-hit cost of handler breakpoints (bench/hitbench.py): bench/hotloop, the raw ptrace
# floor (bench/ptrace_floor.c on bench/floor_target.c) and the bench plugins, built into $cache
# (4) per-call cost of call tracing (bench/tracebench.py): the same hotloop and floor, plus
# `gobp-dap trace` and `dlv trace`
case " $parts " in *" handlers "*|*" trace "*|*" cond "*)
  command -v taskset >/dev/null || { echo "bench: taskset (util-linux) is required" >&2; exit 1; }
  CC=${CC:-cc}
  (cd "$here/hotloop" && "$GO" build -gcflags=all='-N -l' -o "$cache/hotloop" .)
  "$CC" -O2 -no-pie -o "$cache/floor_target" "$here/floor_target.c"
  "$CC" -O2 -Wall -Wextra -o "$cache/ptrace_floor" "$here/ptrace_floor.c"
  addr=$(nm "$cache/floor_target" | awk '$3 == "hot" { print $1 }')
  [ -n "$addr" ] || { echo "bench: no symbol hot in $cache/floor_target" >&2; exit 1; } ;;
esac
case " $parts " in *" handlers "*)
  for p in readarg forceret; do
    "$CC" -O2 -Wall -Wextra -Werror -shared -fPIC -I"$root/core/include" -o "$cache/$p.so" "$here/plugins/$p.c"
  done
  python3 "$here/hitbench.py" "$GOBP_DAP" "$DLV" "$cache/hotloop" "$cache/floor_target" "$addr" \
    "$cache/ptrace_floor" "$cache/readarg.so" "$cache/forceret.so" ;;
esac
case " $parts " in *" trace "*)
  python3 "$here/tracebench.py" "$GOBP_DAP" "$DLV" "$cache/hotloop" "$cache/floor_target" "$addr" \
    "$cache/ptrace_floor" ;;
esac
case " $parts " in *" cond "*)
  python3 "$here/condbench.py" "$GOBP_DAP" "$cache/hotloop" ;;
esac
}

if [ -n "${GO:-}" ] || [ -n "${DLV:-}" ]; then
  GO=${GO:-go} DLV=${DLV:-dlv}
  round
  exit 0
fi
gopath=$(GOFLAGS= /usr/local/go/bin/go env GOPATH 2>/dev/null || echo "$HOME/go")
for r in ${BENCH_ROUNDS:-newest reference}; do
  case $r in
    newest) GO=$("$root/scripts/go-toolchain.sh" | tail -1); DLV=$gopath/bin/dlv ;;
    reference) GO=/usr/lib/go-1.19/bin/go; DLV=/usr/bin/dlv ;;
    *) echo "bench: unknown round $r" >&2; exit 1 ;;
  esac
  echo "=== round $r: $($GO env GOVERSION), $($DLV version 2>/dev/null | sed -n 2p)"
  round
  echo
done
