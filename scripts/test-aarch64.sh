#!/usr/bin/env bash
# The whole test suite on 64-bit Arm under user-mode QEMU: the portable kernel alone, as on any
# target without x86 SIMD (the x86 kernels are compiled out there), against the same PyTorch
# fixtures. Not part of `.ci/run` (it needs the target's standard library and a cross linker,
# which a fresh machine with only a Rust toolchain does not have); run it by hand after
# changing code behind `cfg(target_arch)`. On Debian:
#   rustup target add aarch64-unknown-linux-gnu
#   apt-get install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
# Under emulation the run takes a few minutes; doc tests are not run for a foreign target.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"

cargo clippy --workspace --all-targets --target aarch64-unknown-linux-gnu -- -D warnings
cargo test --workspace --target aarch64-unknown-linux-gnu
