"""Writes the small weight files of tests/ui/weights/: the compile-time weights' error cases
(a file of another format, a truncated file, integer weights, a NaN weight) and one good
nn.LSTM(1, 4) file in PyTorch's names. Hostile inputs, not reference data: written by hand with
the standard library only (`python3 scripts/ui_weights.py`)."""
import json
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "ui", "weights")


def safetensors(tensors):
    header, data = {}, b""
    for name, (dtype, shape, values) in tensors.items():
        fmt = {"F32": "<f", "I32": "<i"}[dtype]
        raw = b"".join(struct.pack(fmt, v) for v in values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def lstm_1_4(nan=False, integer=False, hidden=4):
    gates = 4 * hidden
    w_ih = [0.01 * k for k in range(gates)]
    if nan:
        w_ih[5] = float("nan")
    return safetensors({
        "lstm.weight_ih_l0": ("I32", [gates, 1], list(range(gates))) if integer else ("F32", [gates, 1], w_ih),
        "lstm.weight_hh_l0": ("F32", [gates, hidden], [0.001 * k for k in range(gates * hidden)]),
        "lstm.bias_ih_l0": ("F32", [gates], [0.0] * gates),
        "lstm.bias_hh_l0": ("F32", [gates], [0.0] * gates),
    })


def main():
    files = {
        "lstm_1_4.safetensors": lstm_1_4(),
        "nan_weight.safetensors": lstm_1_4(nan=True),
        "int_weights.safetensors": lstm_1_4(integer=True),
        "truncated.safetensors": lstm_1_4()[:-37],
        "not_weights.txt": b"These are release notes, not weights.\n",
    }
    for name, content in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(content)


if __name__ == "__main__":
    main()
