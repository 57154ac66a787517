#!/bin/sh
# What `make bench` needs beyond scripts/setup.sh: the newest Delve release, built with
# `go install` through the Go module proxy into $(go env GOPATH)/bin (about 5 minutes the first
# time), beside Debian's dlv 1.20.2 (/usr/bin/dlv, reads Go <= 1.20 only).
set -e
DLV_VERSION=${DLV_VERSION:-v1.27.2}
go=/usr/local/go/bin/go
[ -x "$go" ] || go=$(command -v go)
bin=$(GOFLAGS= "$go" env GOPATH)/bin/dlv
if [ ! -x "$bin" ] || ! "$bin" version 2>/dev/null | grep -q "Version: ${DLV_VERSION#v}$"; then
  echo "setup-bench: go install github.com/go-delve/delve/cmd/dlv@$DLV_VERSION" >&2
  (cd / && GOFLAGS= "$go" install "github.com/go-delve/delve/cmd/dlv@$DLV_VERSION")
fi
command -v python3 >/dev/null || { echo "setup-bench: python3 is required" >&2; exit 1; }
