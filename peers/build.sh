#!/usr/bin/env bash
# Builds the peer binaries, offline: Rust from Debian's packaged crates
# (peers/rust/.cargo/config.toml), Go with no modules to fetch. A missing
# toolchain skips that peer with a one-line reason; it is never a failure.
set -uo pipefail
cd "$(dirname "$0")"
status=0

if command -v cargo >/dev/null 2>&1; then
  if (cd rust && cargo build --release --quiet); then
    echo "peers: built rust/target/release/sb-peer-rust"
  else
    echo "peers: rust peer failed to build (see above)"
    status=1
  fi
else
  echo "peers: rust skipped: cargo not installed (apt-get install cargo librust-tokio-dev ...)"
fi

if command -v go >/dev/null 2>&1; then
  if (cd go && GOFLAGS=-mod=mod GOPROXY=off go build -o sb-peer-go .); then
    echo "peers: built go/sb-peer-go"
  else
    echo "peers: go peer failed to build (see above)"
    status=1
  fi
else
  echo "peers: go skipped: go not installed (apt-get install golang-go)"
fi
exit $status
