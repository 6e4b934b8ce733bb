#!/usr/bin/env bash
# Runs the firmware example (`examples/firmware`: an amp model with compiled-in weights, no_std,
# for a Cortex-M4F) under QEMU's MPS2-AN386 board, and checks that it prints exactly what the
# host computes for the same model and signal with the same (portable) kernel:
# `cargo test --test compiled the_firmware_model_on_the_host -- --nocapture`.
#
#     scripts/firmware-qemu.sh        (needs `qemu-system-arm`: apt-get install qemu-system-arm)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v qemu-system-arm > /dev/null; then
    echo "skipped: firmware under QEMU (qemu-system-arm is not installed)"
    exit 0
fi
rustup target add thumbv7em-none-eabihf > /dev/null
elf="$repo/examples/firmware/target/thumbv7em-none-eabihf/release/lstm-firmware"
(cd "$repo/examples/firmware" && cargo build --release --locked --features semihosting)
timeout 120 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
    -semihosting-config enable=on,target=native -kernel "$elf" > /tmp/lstm-firmware-qemu-full.txt
grep -E '^(y\[|checksum)' /tmp/lstm-firmware-qemu-full.txt > /tmp/lstm-firmware-qemu.txt
(cd "$repo" && cargo test --test compiled the_firmware_model_on_the_host -- --nocapture) \
    | grep -E '^(y\[|checksum)' > /tmp/lstm-firmware-host.txt
if diff /tmp/lstm-firmware-host.txt /tmp/lstm-firmware-qemu.txt; then
    echo "firmware under QEMU (Cortex-M4F) printed what the host computes, bit for bit:"
    cat /tmp/lstm-firmware-qemu-full.txt
else
    echo "firmware under QEMU and the host differ (above)" >&2
    exit 1
fi
