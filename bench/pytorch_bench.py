"""PyTorch's timings for the benchmark's scenarios, on one thread, written to bench/pytorch.json.

    .venv/bin/python bench/pytorch_bench.py      # with scripts/requirements.txt installed

Run it just before `cargo run --release --manifest-path bench/Cargo.toml -- --write`, on the
same machine: the Rust benchmark adds these rows to its tables (labelled as coming from this
script). For each scenario it times nn.LSTM two ways, per time step:
  - "step": one call per time step, as a streaming application would call it;
  - "sequence": one call for a whole sequence, PyTorch's fast path (it computes W x for all
    steps at once before the recurrence).
"""

import json
import pathlib
import time

import torch

SCENARIOS = {  # name: (input, hidden, batch, sequence length)
    "S1": (100, 256, 1, 200),
    "S2": (1, 32, 1, 2000),
    "S3": (512, 1024, 1, 50),
    "S4": (100, 256, 32, 100),
}


def median_seconds(function, repeats):
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return samples[len(samples) // 2]


def cpu_model():
    """The CPU's model name as /proc/cpuinfo gives it (the Rust benchmark compares it)."""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    # The machine, so that the Rust benchmark can refuse timings taken on another one: the
    # model name alone does not tell two EPYC generations apart, the vector width PyTorch
    # chose does.
    results = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": cpu_model(),
        "capability": torch.backends.cpu.get_cpu_capability(),
    }
    with torch.inference_mode():
        for name, (input_size, hidden, batch, steps) in SCENARIOS.items():
            lstm = torch.nn.LSTM(input_size, hidden).eval()
            x = torch.randn(steps, batch, input_size)
            state = (torch.zeros(1, batch, hidden), torch.zeros(1, batch, hidden))

            def per_step():
                h = state
                for t in range(steps):
                    _, h = lstm(x[t : t + 1], h)

            def whole():
                lstm(x, state)

            per_step()
            whole()
            results[name] = {
                "step_ns": median_seconds(per_step, 5) / steps * 1e9,
                "sequence_ns": median_seconds(whole, 7) / steps * 1e9,
            }
            print(name, results[name])
    path = pathlib.Path(__file__).resolve().parent / "pytorch.json"
    path.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
