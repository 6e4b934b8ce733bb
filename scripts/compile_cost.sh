#!/usr/bin/env bash
# What compile-time weights cost a debug build (issue 13's limits): for an LSTM of 100 -> 256
# (366k parameters) and one of 512 -> 1024 (3.1M), the time and peak memory of `cargo build` of
# a one-file crate whose spec has `weights = ".."`, against the same crate without the key
# (the file loaded at run time instead). Dependencies are built first, so each figure is the
# crate alone: what the macro, the byte strings and the compiler's handling of them add.
#
#     scripts/compile_cost.sh            (about two minutes; prints one line per model)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/lstm-compile-cost"
rm -rf "$work" && mkdir -p "$work"

# Random PyTorch nn.LSTM weights (bias_ih and bias_hh), written with the standard library.
python3 - "$work" <<'PY'
import array, json, random, struct, sys
def write(path, input_size, hidden):
    gates = 4 * hidden
    shapes = {"lstm.weight_ih_l0": [gates, input_size], "lstm.weight_hh_l0": [gates, hidden],
              "lstm.bias_ih_l0": [gates], "lstm.bias_hh_l0": [gates]}
    header, data, offset = {}, [], 0
    for name, shape in shapes.items():
        count = 1
        for n in shape:
            count *= n
        values = array.array("f", (random.uniform(-0.1, 0.1) for _ in range(count))).tobytes()
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(values)]}
        offset += len(values)
        data.append(values)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(data))
write(sys.argv[1] + "/small.safetensors", 100, 256)
write(sys.argv[1] + "/large.safetensors", 512, 1024)
PY

crate() { # name, spec attribute
    mkdir -p "$work/$1/src"
    cat > "$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
[dependencies]
lstm = { path = "$repo" }
[workspace]
TOML
    cat > "$work/$1/src/main.rs" <<RS
#[derive(lstm::Lstm)]
#[lstm($2)]
struct Spec;
fn main() { $3 }
RS
}

for model in "small 100 256" "large 512 1024"; do
    set -- $model
    crate "$1_loaded" "input = $2, hidden = $3, bias = \"double\"" \
        'let _ = <lstm::Weights<Spec> as lstm::WeightFile>::load("x", &lstm::LoadOptions::new());'
    crate "$1_compiled" "input = $2, hidden = $3, bias = \"double\", weights = \"../$1.safetensors\"" \
        'let _ = Spec::compiled();'
    for variant in loaded compiled; do
        dir="$work/$1_$variant"
        export CARGO_TARGET_DIR="$work/target"
        # Dependencies first, then the crate alone, timed.
        (cd "$dir" && cargo build -q 2>/dev/null || true)
        touch "$dir/src/main.rs"
        /usr/bin/time -f "%e %M" -o "$work/time" cargo build -q --manifest-path "$dir/Cargo.toml"
        read -r seconds kilobytes < "$work/time"
        eval "${variant}_s=$seconds ${variant}_kb=$kilobytes"
    done
    bytes=$(stat -c %s "$work/$1.safetensors")
    echo "$1 ($2 -> $3, $bytes bytes): debug build of the crate ${loaded_s} s loaded, ${compiled_s} s compiled in (+$(echo "$compiled_s - $loaded_s" | bc) s); peak memory ${loaded_kb} KB, ${compiled_kb} KB"
done
