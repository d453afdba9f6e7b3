#!/usr/bin/env bash
# Cross-compiles runtime `fiber`'s aarch64 context switch and its unit test
# (tests/test_fiber_switch.c: ping-pong, callee-saved registers, FP control,
# alignment) with gcc-aarch64-linux-gnu and runs it under qemu-user. Exit 77
# (skip) when the cross compiler or qemu is missing; .ci/setup installs them
# with SB_WITH_AARCH64=1. Usage: tests/fiber_aarch64.sh [OUT_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cc=${SB_AARCH64_CC:-aarch64-linux-gnu-gcc}
qemu=${SB_QEMU_AARCH64:-qemu-aarch64}
sysroot=${SB_AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
for tool in "$cc" "$qemu"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fiber_aarch64: skipped: $tool not found (apt-get install" \
      "gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)"
    exit 77
  fi
done
out=${1:-$(mktemp -d)}
mkdir -p "$out"
bin=$out/test_fiber_switch.aarch64
"$cc" -std=c11 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes -Werror \
  -D_GNU_SOURCE -I"$root" -I"$root/tests" \
  "$root/tests/test_fiber_switch.c" "$root/tests/fiber_regs_aarch64.S" \
  "$root/runtimes/fiber/switch_aarch64.S" -lm -o "$bin"
"$qemu" -L "$sysroot" "$bin"
