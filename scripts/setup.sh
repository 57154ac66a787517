#!/bin/sh
# Installs what gobp-dap needs to build and test on Debian 12: C libraries, Go toolchains
# (Debian's 1.19, 1.21-1.23 from bookworm-backports, the newer releases of scripts/go-toolchains
# through the Go module proxy), Delve, Neovim, the npm test deps,
# clang and libFuzzer for the fuzz harnesses (fuzz/), and for the VS Code test a headless browser (code-server itself is installed by
# tests/vscode/run.sh into ~/.cache/gobp-vscode on its first run).
set -e
need=""
for p in build-essential pkg-config libdwarf-dev libelf-dev zlib1g-dev libjson-c-dev libev-dev \
         libcriterion-dev libcapstone-dev golang-go golang-1.21-go golang-1.22-go golang-1.23-go valgrind \
         delve neovim libkrb5-dev ripgrep chromium-headless-shell clang libfuzzer-14-dev libclang-rt-14-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
fi
# Go 1.24 and newer: released toolchains from the Go module proxy (scripts/go-toolchains)
"$(dirname "$0")/go-toolchain.sh" --fetch >/dev/null
command -v node >/dev/null 2>&1 || { echo "setup: node (>= 18) is required" >&2; exit 1; }
if [ ! -d tests/e2e/node_modules/@vscode/debugadapter-testsupport ]; then
  (cd tests/e2e && npm install --no-audit --no-fund --silent)
fi
