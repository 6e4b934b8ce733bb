#!/usr/bin/env bash
# The whole test suite on 64-bit Arm under user-mode QEMU: the NEON kernel and the portable one
# (the x86 kernels are compiled out there), against the same PyTorch fixtures; the kernel suite
# runs each kernel the emulated CPU has (`LSTM_REQUIRE_KERNELS=neon` makes a missing NEON fail). Not part of `.ci/run` (it needs the target's standard library and a cross linker,
# which a fresh machine with only a Rust toolchain does not have); run it by hand after
# changing code behind `cfg(target_arch)`. On Debian:
#   rustup target add aarch64-unknown-linux-gnu
#   apt-get install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
# Under emulation the run takes a few minutes; doc tests are not run for a foreign target.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"

export LSTM_REQUIRE_KERNELS=neon

cargo clippy --workspace --all-targets --target aarch64-unknown-linux-gnu -- -D warnings
# The command-line tool's own tests start its binary, which the kernel cannot run without
# QEMU registered for Arm binaries (binfmt_misc): its unit tests only.
cargo test --workspace --exclude lstm-cli --target aarch64-unknown-linux-gnu
cargo test -p lstm-cli --bins --target aarch64-unknown-linux-gnu
