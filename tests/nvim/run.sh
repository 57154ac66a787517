#!/bin/sh
# nvim-dap end-to-end test: headless Neovim 0.7.2 + the pinned nvim-dap drive gobp-dap as an
# `executable` (stdio) adapter and as a `server` adapter (gobp-dap --port ${port} --single-session, as
# in the README), for every Go of scripts/go-toolchains that is installed (unless GOBP_GO_VERSIONS
# restricts). Exits non-zero on failure, also when a gobp-dap it started is still running afterwards
# (found by the GOBP_NVIM_RUN mark in its environment, then killed).
# Env: GOBP_DAP (required; "dlv" checks the script against Delve, server mode only),
#      NVIM_DAP_DIR (default: <repo>/../shared/clients/nvim-dap), GOBP_GO_VERSIONS (e.g. "1.19,1.23").
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${GOBP_DAP:?set GOBP_DAP to the gobp-dap binary}"
NVIM_DAP_DIR=${NVIM_DAP_DIR:-$REPO/../shared/clients/nvim-dap}
[ -d "$NVIM_DAP_DIR" ] || NVIM_DAP_DIR=/work/shared/clients/nvim-dap
[ -f "$NVIM_DAP_DIR/lua/dap.lua" ] || { echo "nvim-dap not found at $NVIM_DAP_DIR" >&2; exit 1; }
command -v nvim >/dev/null || { echo "nvim is not installed" >&2; exit 1; }
T=$(mktemp -d /tmp/gobp-nvim.XXXXXX)
export GOBP_NVIM_RUN=$T   # inherited by nvim and every adapter it starts
# pids of live processes (not zombies) carrying this run's mark, other than this shell
marked() {
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ "$pid" = $$ ] && continue
    grep -qzxF "GOBP_NVIM_RUN=$T" "$d/environ" 2>/dev/null || continue
    case $(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "$d/stat" 2>/dev/null) in Z|'') continue ;; esac
    echo "$pid"
  done
}
# Waits up to 5 s for the adapters of one nvim run to end; kills and reports what is left.
leftovers() {
  i=0
  while [ $i -lt 50 ]; do
    left=$(marked | while read -r pid; do [ "$(cat /proc/$pid/comm 2>/dev/null)" = gobp-dap ] && echo "$pid"; done)
    [ -z "$left" ] && return 0
    sleep 0.1; i=$((i + 1))
  done
  for pid in $left; do echo "left behind: $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null) (pid $pid), killed" >&2; kill -9 "$pid" 2>/dev/null || true; done
  return 1
}
trap 'for pid in $(marked); do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/c XDG_STATE_HOME=$T/s XDG_DATA_HOME=$T/d XDG_CONFIG_HOME=$T/cfg
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
case "$GOBP_DAP" in dlv|*/dlv) ADAPTER=dlv; MODES=${NVIM_MODES:-server}; DEF_VERSIONS=1.19 ;;
  *) ADAPTER=$GOBP_DAP; MODES=${NVIM_MODES:-executable server}; DEF_VERSIONS= ;; esac
VERSIONS=${GOBP_GO_VERSIONS:-$DEF_VERSIONS}

fail=0; ran=0
for gobin in $("$REPO/scripts/go-toolchain.sh"); do
  v=$("$gobin" env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')
  if [ -n "$VERSIONS" ]; then case ",$VERSIONS," in *",$v,"*) ;; *) continue ;; esac; fi
  bin=$T/values-go$v
  (cd "$REPO/tests/programs/values" && "$gobin" build -gcflags='all=-N -l' -o "$bin" .)
  for mode in $MODES; do
    ran=$((ran + 1))
    result=$T/result-$v-$mode.txt
    echo "== nvim-dap $mode adapter, go$v"
    if GOBP_ADAPTER=$ADAPTER GOBP_MODE=$mode GOBP_PROGRAM=$bin GOBP_SRC=$REPO/tests/programs/values/main.go \
       GOBP_RESULT=$result GOBP_LOG=$T/dap-$v-$mode.log \
       timeout 120 nvim --headless -u NONE -i NONE -n --cmd "set rtp^=$NVIM_DAP_DIR" -S "$HERE/test.lua" >"$T/nvim.out" 2>&1 \
       && grep -qx PASS "$result" 2>/dev/null && leftovers; then
      echo "ok   go$v $mode: $(sed -n 2p "$result")"
    else
      fail=1
      echo "FAIL go$v $mode"
      cat "$result" 2>/dev/null || echo "(no result file)"
      tail -n 20 "$T/nvim.out" || true
      echo "--- nvim-dap log (tail) ---"; tail -n 30 "$XDG_CACHE_HOME/nvim/dap.log" 2>/dev/null || true
    fi
  done
done
[ "$ran" -gt 0 ] || { echo "no Go toolchain matched GOBP_GO_VERSIONS=$VERSIONS" >&2; exit 1; }
exit $fail
