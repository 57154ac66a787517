#!/bin/sh
# Prints the absolute path of every Go toolchain in scripts/go-toolchains that is installed, one
# per line ("--fetch": fetch the module-proxy releases that are missing first).
# The module cache is the one of the first go found among /usr/local/go and Debian's newest.
set -e
here=$(cd "$(dirname "$0")" && pwd)
boot=""
for g in /usr/local/go/bin/go /usr/lib/go-1.23/bin/go /usr/lib/go-1.22/bin/go /usr/lib/go-1.21/bin/go; do
  [ -x "$g" ] && { boot=$g; break; }
done
modcache=""
[ -n "$boot" ] && modcache=$(GOFLAGS= "$boot" env GOMODCACHE)
grep -v '^#' "$here/go-toolchains" | while read -r t; do
  [ -n "$t" ] || continue
  case "$t" in
    /*) [ -x "$t" ] && echo "$t" ;;
    go*)
      bin="$modcache/golang.org/toolchain@v0.0.1-$t.linux-amd64/bin/go"
      if [ ! -x "$bin" ] && [ "$1" = "--fetch" ] && [ -n "$boot" ]; then
        (cd / && GOFLAGS= GOTOOLCHAIN=$t "$boot" version >/dev/null 2>&1) ||
          echo "setup: could not fetch $t through the Go module proxy" >&2
      fi
      [ -x "$bin" ] && echo "$bin" ;;
  esac
done
