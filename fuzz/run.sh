#!/usr/bin/env bash
# Runs each fuzz target for N minutes (default 5), seeded with the committed fixtures, and
# prints libFuzzer's figures: executions, corpus, and any crash (saved under fuzz/artifacts/).
#
#   rustup toolchain install nightly && cargo install cargo-fuzz
#   fuzz/run.sh 10
#
# The same loaders run deterministically in `cargo test` (tests/hostile_files.rs).
set -euo pipefail
minutes="${1:-5}"
cd "$(dirname "$0")"
seconds=$((minutes * 60))
for target in load_bytes load_header; do
    corpus="corpus/$target"
    mkdir -p "$corpus"
    for fixture in ../tests/fixtures/*.safetensors; do
        size=$(stat -c %s "$fixture")
        [ "$size" -le 65536 ] || continue
        name=$(basename "$fixture" .safetensors)
        if [ "$target" = load_bytes ]; then
            cp "$fixture" "$corpus/$name"
        else
            # The header's JSON, a NUL, then the data: the target's input format.
            python3 - "$fixture" "$corpus/$name" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
(length,) = struct.unpack("<Q", data[:8])
open(sys.argv[2], "wb").write(data[8:8 + length] + b"\0" + data[8 + length:])
PY
        fi
    done
    if [ "$target" = load_bytes ]; then
        # JSON state_dicts (the amp-modelling tools' files) and PyTorch .pt files too.
        for fixture in ../tests/fixtures/*.json ../tests/fixtures/*.pt; do
            [ "$(stat -c %s "$fixture")" -le 65536 ] && cp "$fixture" "$corpus/$(basename "$fixture")"
        done
    fi
    echo "== $target: $minutes min"
    cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -max_len=70000 \
        -print_final_stats=1 2>&1 | grep -E "stat::|Done|SUMMARY|crash|panicked|ERROR" || true
done
