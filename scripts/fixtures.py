"""Reference data from the real libraries, for lstm's parity and count tests.

    python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements.txt
    .venv/bin/python scripts/fixtures.py            # writes tests/fixtures/

Runs PyTorch nn.LSTM / nn.LSTMCell and Keras LSTM (JAX backend) on seeded random weights and
inputs and writes what they compute. Nothing here uses lstm's own formulas: the counts are
PyTorch's sum(p.numel()) and Keras' count_params(), the outputs are the libraries' outputs.

Each parity case is one safetensors file holding
  - the weights under the library's own names, behind a prefix ("lstm." for PyTorch; Keras'
    variable paths such as "lstm/lstm_cell/kernel"), as a user's file would;
  - "input" (B, T, I), "h0" and "c0" (B, H), "output" (B, T, H), "h_n" and "c_n" (B, H);
and its metadata says which library produced it and how.
CI never runs this script; the outputs are committed. Rerunning it rewrites every file with the
same tensors; only the order of the metadata in each header may change (safetensors keeps it in
a hash map), so compare tensors, not bytes, before committing regenerated fixtures.
"""

import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
VERSIONS = {"torch": torch.__version__, "keras": keras.__version__, "numpy": np.__version__}


def save(name, tensors, metadata):
    path = OUT / f"{name}.safetensors"
    metadata = {key: str(value) for key, value in {**metadata, **VERSIONS}.items()}
    save_file({key: value.contiguous() for key, value in tensors.items()}, str(path), metadata)
    print(f"wrote {path.relative_to(OUT.parent.parent)} ({path.stat().st_size} bytes)")


def pytorch_case(name, input_size, hidden_size, *, dtype=torch.float32, seq_len=10, batch=1,
                 bias=True, initial_state=False, input_scale=1.0, seed=0, half_weights=False):
    """nn.LSTM over a batch-first sequence, weights saved as `lstm.*`."""
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(input_size, hidden_size, bias=bias, batch_first=True)
    if half_weights:
        # Weights stored in f16: the reference output is computed from the rounded weights.
        lstm = lstm.half().float()
    lstm = lstm.to(dtype)
    x = (torch.randn(batch, seq_len, input_size) * input_scale).to(dtype)
    if initial_state:
        h0 = torch.randn(batch, hidden_size).to(dtype) * 0.5
        c0 = torch.randn(batch, hidden_size).to(dtype) * 0.5
    else:
        h0 = torch.zeros(batch, hidden_size, dtype=dtype)
        c0 = torch.zeros(batch, hidden_size, dtype=dtype)
    with torch.no_grad():
        output, (h_n, c_n) = lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    weights = {f"lstm.{key}": value.detach() for key, value in lstm.state_dict().items()}
    if half_weights:
        weights = {key: value.half() for key, value in weights.items()}
    save(name, {**weights, "input": x, "h0": h0, "c0": c0, "output": output,
                "h_n": h_n[0], "c_n": c_n[0]},
         {"library": "torch.nn.LSTM", "input_size": input_size, "hidden_size": hidden_size,
          "bias": bias, "dtype": str(dtype), "input_scale": input_scale, "seed": seed,
          "param_count": sum(p.numel() for p in lstm.parameters())})


def adversarial_case(name, input_size, hidden_size, *, batch=64, seq_len=4, seed=0):
    """nn.LSTM on NaN, infinities and huge values in the inputs, state and biases (issue 15).

    The weights stay ordinary (PyTorch's own initialisation) and the finite extremes stay at or
    below 1e30, so that no sum overflows: then the result does not depend on the order in which
    PyTorch's BLAS adds (infinities of both signs give NaN in every order, NaN stays NaN), and
    it is the one every path of lstm must give.
    """
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(input_size, hidden_size, batch_first=True)
    extremes = torch.tensor([0.0, -0.0, 1e-30, 1e-45, 88.8, -88.8, 100.0, -100.0, 1e30, -1e30,
                             float("inf"), float("-inf"), float("nan")])

    def sprinkle(values, probability):
        mask = torch.rand(values.shape) < probability
        picks = extremes[torch.randint(len(extremes), values.shape)]
        return torch.where(mask, picks, values)

    with torch.no_grad():
        for key in ("bias_ih_l0", "bias_hh_l0"):
            getattr(lstm, key).copy_(sprinkle(getattr(lstm, key), 0.05))
        # The reported case, for certain: forget gates of -inf (f = 0) meeting c = +-inf.
        lstm.bias_hh_l0[hidden_size:hidden_size + 4] = float("-inf")
    x = sprinkle(torch.randn(batch, seq_len, input_size), 0.05)
    h0 = sprinkle(torch.randn(batch, hidden_size) * 0.5, 0.03)
    c0 = sprinkle(torch.randn(batch, hidden_size) * 0.5, 0.03)
    c0[:4] = float("inf")
    c0[4:8] = float("-inf")
    with torch.no_grad():
        output, (h_n, c_n) = lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    weights = {f"lstm.{key}": value.detach() for key, value in lstm.state_dict().items()}
    save(name, {**weights, "input": x, "h0": h0, "c0": c0, "output": output,
                "h_n": h_n[0], "c_n": c_n[0]},
         {"library": "torch.nn.LSTM", "input_size": input_size, "hidden_size": hidden_size,
          "case": "adversarial: NaN, infinities and values up to 1e30 in x, h0, c0 and biases",
          "seed": seed})


def amp_skip_case(name, hidden_size, *, seq_len=200, seed=0):
    """A guitar-amp model as the amp-modelling tools build it: `lin(rec(x)) + x`, an LSTM of one
    input, a Linear back to one sample and the input added (a skip connection), weights under
    their names `rec.*` and `lin.*`."""
    torch.manual_seed(seed)
    rec = torch.nn.LSTM(1, hidden_size, batch_first=True)
    lin = torch.nn.Linear(hidden_size, 1)
    x = torch.randn(1, seq_len, 1) * 0.3
    with torch.no_grad():
        output = lin(rec(x)[0]) + x
    tensors = {f"rec.{key}": value.detach() for key, value in rec.state_dict().items()}
    tensors.update({f"lin.{key}": value.detach() for key, value in lin.state_dict().items()})
    tensors.update({"input": x, "output": output})
    save(name, tensors,
         {"library": "torch (nn.LSTM, nn.Linear, skip)", "hidden_size": hidden_size,
          "seed": seed, "model": "lin(rec(x)) + x",
          "param_count": sum(p.numel() for m in (rec, lin) for p in m.parameters())})


def tagger_case(name, *, vocab=20, embed=6, hidden_size=5, tags=4, batch=2, seq_len=9, seed=0):
    """nn.Embedding -> bidirectional nn.LSTM -> nn.Linear -> softmax, a tagger; "tokens" holds the
    token indices (as float32), "output" the probabilities."""
    torch.manual_seed(seed)
    embedding = torch.nn.Embedding(vocab, embed)
    lstm = torch.nn.LSTM(embed, hidden_size, batch_first=True, bidirectional=True)
    head = torch.nn.Linear(2 * hidden_size, tags)
    tokens = torch.randint(vocab, (batch, seq_len))
    with torch.no_grad():
        output = torch.softmax(head(lstm(embedding(tokens))[0]), dim=-1)
    tensors = {"embedding.weight": embedding.weight.detach()}
    tensors.update({f"lstm.{key}": value.detach() for key, value in lstm.state_dict().items()})
    tensors.update({f"head.{key}": value.detach() for key, value in head.state_dict().items()})
    tensors.update({"tokens": tokens.float(), "output": output})
    save(name, tensors,
         {"library": "torch (nn.Embedding, nn.LSTM, nn.Linear, softmax)", "seed": seed,
          "param_count": sum(p.numel() for m in (embedding, lstm, head) for p in m.parameters())})


def keras_tagger_case(name, *, vocab=20, embed=6, hidden_size=5, tags=4, batch=2, seq_len=9,
                      seed=0):
    """Keras Embedding -> LSTM -> Dense(softmax) and a Dense(tanh) beside it on the same LSTM
    output, weights under Keras' variable paths (`embedding/embeddings`, `dense/kernel` (in,
    out), ...); "tokens" the indices (as float32), "output" the softmax head's probabilities,
    "tanh_output" the tanh head's values."""
    rng = np.random.default_rng(seed)
    embedding = keras.layers.Embedding(vocab, embed, name="embedding")
    lstm = keras.layers.LSTM(hidden_size, return_sequences=True, name="lstm")
    dense = keras.layers.Dense(tags, activation="softmax", name="dense")
    dense_tanh = keras.layers.Dense(tags, activation="tanh", name="dense_tanh")
    tokens = rng.integers(0, vocab, (batch, seq_len))
    sequence = lstm(embedding(tokens))
    for layer in (embedding, lstm, dense, dense_tanh):
        layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32")
                           for w in layer.get_weights()])
    sequence = lstm(embedding(tokens))
    output, tanh_output = dense(sequence), dense_tanh(sequence)
    layers = (embedding, lstm, dense, dense_tanh)
    tensors = {w.path: torch.from_numpy(np.asarray(w.numpy())) for layer in layers
               for w in layer.weights}
    tensors.update({"tokens": torch.from_numpy(tokens.astype("float32")),
                    "output": torch.from_numpy(np.asarray(output)),
                    "tanh_output": torch.from_numpy(np.asarray(tanh_output))})
    save(name, tensors,
         {"library": "keras (Embedding, LSTM, Dense)", "backend": keras.backend.backend(),
          "seed": seed, "param_count": sum(layer.count_params() for layer in layers),
          "weight_paths": ",".join(w.path for layer in layers for w in layer.weights)})


def keras_file_case(name, *, vocab=20, embed=6, hidden_size=5, tags=4, batch=2, seq_len=9,
                    seed=0):
    """A Keras model as Keras users have it: `Embedding -> Bidirectional(LSTM) ->
    Dense(softmax)`, saved with `model.save("{name}.keras")` and
    `model.save_weights("{name}.weights.h5")`; its tokens and Keras' output in
    `{name}_io.safetensors`."""
    rng = np.random.default_rng(seed)
    model = keras.Sequential([
        keras.Input((seq_len,), dtype="int32"),
        keras.layers.Embedding(vocab, embed, name="embedding"),
        keras.layers.Bidirectional(keras.layers.LSTM(hidden_size, return_sequences=True),
                                   name="bidirectional"),
        keras.layers.Dense(tags, activation="softmax", name="dense"),
    ])
    model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32")
                       for w in model.get_weights()])
    tokens = rng.integers(0, vocab, (batch, seq_len))
    output = model.predict(tokens, verbose=0)
    model.save(OUT / f"{name}.keras")
    model.save_weights(OUT / f"{name}.weights.h5")
    for suffix in (".keras", ".weights.h5"):
        path = OUT / f"{name}{suffix}"
        print(f"wrote {path.relative_to(OUT.parent.parent)} ({path.stat().st_size} bytes)")
    save(f"{name}_io", {"tokens": torch.from_numpy(tokens.astype("float32")),
                        "output": torch.from_numpy(np.asarray(output))},
         {"library": "keras (Embedding, Bidirectional(LSTM), Dense) in .keras and .weights.h5",
          "backend": keras.backend.backend(), "seed": seed,
          "param_count": model.count_params(),
          "weight_paths": ",".join(w.path for w in model.weights)})


class SimpleRNN(torch.nn.Module):
    """The amp model of Automated-GuitarAmpModelling (CoreAudioML/networks.py, which is not on
    PyPI): `lin(rec(x)) + x[..skip]`, rec an nn.LSTM over (time, batch, input)."""

    def __init__(self, input_size=1, output_size=1, hidden_size=40, skip=1):
        super().__init__()
        self.rec = torch.nn.LSTM(input_size, hidden_size, 1)
        self.lin = torch.nn.Linear(hidden_size, output_size)
        self.skip, self.input_size, self.hidden_size = skip, input_size, hidden_size

    def forward(self, x):
        return self.lin(self.rec(x)[0]) + x[:, :, 0:self.skip]

    def save_model(self, path):
        """The JSON file `SimpleRNN.save_model` writes: model_data, and each state_dict tensor
        as `tensor.tolist()`."""
        model_data = {"model_data": {"model": "SimpleRNN", "input_size": self.input_size,
                                     "skip": self.skip, "output_size": self.lin.out_features,
                                     "unit_type": "LSTM", "num_layers": 1,
                                     "hidden_size": self.hidden_size, "bias_fl": True}}
        model_data["state_dict"] = {key: value.tolist()
                                    for key, value in self.state_dict().items()}
        with open(path, "w") as file:
            json.dump(model_data, file)


def amp_json_case(name, hidden_size, *, seq_len=400, seed=0):
    """An amp model saved as the amp-modelling tools save it (`{name}.json`), and its input and
    PyTorch's output (`{name}_io.safetensors`)."""
    torch.manual_seed(seed)
    model = SimpleRNN(hidden_size=hidden_size)
    x = torch.randn(seq_len, 1, 1) * 0.3
    with torch.no_grad():
        output = model(x)
    path = OUT / f"{name}.json"
    model.save_model(path)
    print(f"wrote {path.relative_to(OUT.parent.parent)} ({path.stat().st_size} bytes)")
    save(f"{name}_io", {"input": x, "output": output},
         {"library": "torch (SimpleRNN of Automated-GuitarAmpModelling)",
          "hidden_size": hidden_size, "seed": seed,
          "param_count": sum(p.numel() for p in model.parameters())})


def torch_save_case(name, *, seq_len=12, seed=0):
    """`torch.save` files of a model (an nn.LSTM(3, 4) under `lstm.` and an nn.Linear(4, 2) head
    under `head.`): `{name}.pt` its state_dict, `{name}_checkpoint.pt` a training checkpoint
    holding it under `model_state_dict` beside an Adam optimizer's state, and `{name}_io` the
    input and PyTorch's output of `head(lstm(x))`."""
    torch.manual_seed(seed)
    model = torch.nn.Module()
    model.lstm = torch.nn.LSTM(3, 4, batch_first=True)
    model.head = torch.nn.Linear(4, 2)
    x = torch.randn(1, seq_len, 3)
    optimizer = torch.optim.Adam(model.parameters())
    loss = model.head(model.lstm(x)[0]).square().mean()
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        output = model.head(model.lstm(x)[0])
    for path, value in [(OUT / f"{name}.pt", model.state_dict()),
                        (OUT / f"{name}_checkpoint.pt",
                         {"epoch": 3, "model_state_dict": model.state_dict(),
                          "optimizer_state_dict": optimizer.state_dict(), "loss": loss.item()})]:
        torch.save(value, path)
        print(f"wrote {path.relative_to(OUT.parent.parent)} ({path.stat().st_size} bytes)")
    save(f"{name}_io", {"input": x, "output": output},
         {"library": "torch.save (nn.LSTM, nn.Linear)", "seed": seed})


def rtneural_case(name, hidden_size, *, seq_len=50, seed=0):
    """A Keras amp model (LSTM(H) then Dense(1)) saved in RTNeural's JSON model format, as
    RTNeural's python/model_utils.py `save_model_json` writes it (that script is not on PyPI; its
    format: in_shape, and per layer type, activation, shape and Keras' get_weights()), and the
    input and Keras' output (`{name}_io`)."""
    rng = np.random.default_rng(seed)
    lstm = keras.layers.LSTM(hidden_size, return_sequences=True, name="lstm")
    dense = keras.layers.Dense(1, name="dense")
    x = (rng.standard_normal((1, seq_len, 1)) * 0.3).astype("float32")
    output = dense(lstm(x))
    for layer in (lstm, dense):
        layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32")
                           for w in layer.get_weights()])
    output = np.asarray(dense(lstm(x)))
    model = {"in_shape": [None, None, 1], "layers": [
        {"type": "lstm", "activation": "", "shape": [None, None, hidden_size],
         "weights": [w.tolist() for w in lstm.get_weights()]},
        {"type": "dense", "activation": "", "shape": [None, None, 1],
         "weights": [w.tolist() for w in dense.get_weights()]},
    ]}
    path = OUT / f"{name}.json"
    with open(path, "w") as file:
        json.dump(model, file)
    print(f"wrote {path.relative_to(OUT.parent.parent)} ({path.stat().st_size} bytes)")
    save(f"{name}_io", {"input": torch.from_numpy(x), "output": torch.from_numpy(output)},
         {"library": "keras (LSTM, Dense) in RTNeural's JSON", "backend": keras.backend.backend(),
          "seed": seed, "param_count": lstm.count_params() + dense.count_params()})


def pytorch_cell_case(name, input_size, hidden_size, *, seq_len=8, seed=0):
    """nn.LSTMCell stepped over a sequence, weights saved as `cell.*` (no `_l0` suffix)."""
    torch.manual_seed(seed)
    cell = torch.nn.LSTMCell(input_size, hidden_size)
    x = torch.randn(1, seq_len, input_size)
    h = torch.randn(1, hidden_size) * 0.5
    c = torch.randn(1, hidden_size) * 0.5
    h0, c0 = h.clone(), c.clone()
    outputs = []
    with torch.no_grad():
        for t in range(seq_len):
            h, c = cell(x[:, t], (h, c))
            outputs.append(h)
    weights = {f"cell.{key}": value.detach() for key, value in cell.state_dict().items()}
    save(name, {**weights, "input": x, "h0": h0, "c0": c0,
                "output": torch.stack(outputs, dim=1), "h_n": h, "c_n": c},
         {"library": "torch.nn.LSTMCell", "input_size": input_size, "hidden_size": hidden_size,
          "seed": seed})


def keras_layer(input_size, hidden_size, use_bias, seq_len=None, name=None):
    layer = keras.layers.LSTM(hidden_size, use_bias=use_bias, return_sequences=True,
                              return_state=True, name=name)
    layer.build((None, seq_len, input_size))
    return layer


def keras_case(name, input_size, hidden_size, *, seq_len=12, batch=2, use_bias=True, seed=0):
    """Keras LSTM in float32 (Keras 3 on JAX computes float64 layers partly in float32), with
    random weights and initial state; weights saved under Keras' variable paths."""
    rng = np.random.default_rng(seed)
    layer = keras_layer(input_size, hidden_size, use_bias, name="lstm")
    weights = [rng.uniform(-0.4, 0.4, w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    x = rng.standard_normal((batch, seq_len, input_size)).astype("float32")
    h0 = (rng.standard_normal((batch, hidden_size)) * 0.5).astype("float32")
    c0 = (rng.standard_normal((batch, hidden_size)) * 0.5).astype("float32")
    output, h_n, c_n = layer(x, initial_state=[h0, c0])
    tensors = {w.path: torch.from_numpy(np.asarray(w.numpy())) for w in layer.weights}
    data = {"input": x, "h0": h0, "c0": c0, "output": np.asarray(output),
            "h_n": np.asarray(h_n), "c_n": np.asarray(c_n)}
    tensors.update({key: torch.from_numpy(np.array(value)) for key, value in data.items()})
    save(name, tensors,
         {"library": "keras.layers.LSTM", "backend": keras.backend.backend(),
          "input_size": input_size, "hidden_size": hidden_size, "use_bias": use_bias,
          "seed": seed, "param_count": layer.count_params(),
          "weight_paths": ",".join(w.path for w in layer.weights)})


def model_case():
    """A whole small model's state_dict: an encoder LSTM beside a decoder LSTM and a head, to
    select one LSTM by prefix."""
    torch.manual_seed(7)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Module()
            self.encoder.lstm = torch.nn.LSTM(6, 8, batch_first=True)
            self.decoder = torch.nn.LSTM(8, 4, batch_first=True)
            self.head = torch.nn.Linear(4, 2)

    model = Model()
    x = torch.randn(1, 5, 6)
    with torch.no_grad():
        output, (h_n, c_n) = model.encoder.lstm(x)
    save("model_state_dict", {**{k: v.detach() for k, v in model.state_dict().items()},
                              "input": x, "h0": torch.zeros(1, 8), "c0": torch.zeros(1, 8),
                              "output": output, "h_n": h_n[0], "c_n": c_n[0]},
         {"library": "torch.nn.Module state_dict", "select": "encoder.lstm."})


def count_table():
    """Parameter counts over a grid, from the libraries themselves."""
    rows = []
    for input_size in [1, 2, 7, 37, 100, 512]:
        for hidden_size in [1, 3, 32, 61, 256, 1024]:
            row = {"input": input_size, "hidden": hidden_size}
            for bias in [True, False]:
                lstm = torch.nn.LSTM(input_size, hidden_size, bias=bias)
                row[f"pytorch_bias_{str(bias).lower()}"] = sum(p.numel() for p in lstm.parameters())
                layer = keras_layer(input_size, hidden_size, bias)
                row[f"keras_use_bias_{str(bias).lower()}"] = layer.count_params()
            rows.append(row)
    path = OUT / "counts.json"
    path.write_text(json.dumps({"versions": VERSIONS, "rows": rows}, indent=1) + "\n")
    print(f"wrote {path.relative_to(OUT.parent.parent)} ({len(rows)} configurations)")


def family_case(name, input_size, hidden_size, *, num_layers=1, bidirectional=False,
                proj_size=0, batch=1, seq_len=9, initial_state=False, bias=True, seed=0,
                head=None, dtype=torch.float32):
    """A stacked / bidirectional / projected nn.LSTM, weights saved as `lstm.*` (and a Linear head
    as `head.*`). States follow PyTorch's layout: h0, h_n (L * D, B, P or H); c0, c_n (L * D, B, H);
    output (B, T, D * (P or H)); with a head, "head_output" (B, T, head)."""
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(input_size, hidden_size, num_layers=num_layers, bias=bias,
                         batch_first=True, bidirectional=bidirectional, proj_size=proj_size)
    lstm = lstm.to(dtype)
    directions = 2 if bidirectional else 1
    out_size = proj_size or hidden_size
    x = torch.randn(batch, seq_len, input_size).to(dtype)
    if initial_state:
        h0 = (torch.randn(num_layers * directions, batch, out_size) * 0.5).to(dtype)
        c0 = (torch.randn(num_layers * directions, batch, hidden_size) * 0.5).to(dtype)
    else:
        h0 = torch.zeros(num_layers * directions, batch, out_size, dtype=dtype)
        c0 = torch.zeros(num_layers * directions, batch, hidden_size, dtype=dtype)
    with torch.no_grad():
        output, (h_n, c_n) = lstm(x, (h0, c0))
    tensors = {f"lstm.{key}": value.detach() for key, value in lstm.state_dict().items()}
    tensors.update({"input": x, "h0": h0, "c0": c0, "output": output, "h_n": h_n, "c_n": c_n})
    if head is not None:
        linear = torch.nn.Linear(directions * out_size, head).to(dtype)
        with torch.no_grad():
            tensors["head_output"] = linear(output)
        tensors.update({f"head.{key}": value.detach() for key, value in linear.state_dict().items()})
    save(name, tensors,
         {"library": "torch.nn.LSTM", "input_size": input_size, "hidden_size": hidden_size,
          "num_layers": num_layers, "bidirectional": bidirectional, "proj_size": proj_size,
          "bias": bias, "dtype": str(dtype), "seed": seed, "head": head,
          "param_count": sum(p.numel() for p in lstm.parameters())})


def family_count_table():
    """PyTorch counts of stacked, bidirectional and projected LSTMs, and Keras counts of stacked
    and Bidirectional(LSTM) models, which have the same structure with one bias per gate."""
    rows = []
    for input_size in [1, 7, 37, 100]:
        for hidden_size in [3, 32, 61, 256]:
            for num_layers in [1, 2, 3]:
                for bidirectional in [False, True]:
                    for proj_size in [0, max(1, hidden_size // 2)]:
                        for bias in [True, False]:
                            lstm = torch.nn.LSTM(input_size, hidden_size, num_layers=num_layers,
                                                 bias=bias, bidirectional=bidirectional,
                                                 proj_size=proj_size)
                            rows.append({
                                "input": input_size, "hidden": hidden_size, "layers": num_layers,
                                "bidirectional": bidirectional, "proj": proj_size, "bias": bias,
                                "pytorch": sum(p.numel() for p in lstm.parameters())})
    keras_rows = []
    for input_size in [1, 7, 100]:
        for hidden_size in [3, 32, 256]:
            for num_layers in [1, 2, 3]:
                for bidirectional in [False, True]:
                    for use_bias in [True, False]:
                        inputs = keras.Input((None, input_size))
                        x = inputs
                        for _ in range(num_layers):
                            layer = keras.layers.LSTM(hidden_size, use_bias=use_bias,
                                                      return_sequences=True)
                            x = keras.layers.Bidirectional(layer)(x) if bidirectional else layer(x)
                        model = keras.Model(inputs, x)
                        keras_rows.append({
                            "input": input_size, "hidden": hidden_size, "layers": num_layers,
                            "bidirectional": bidirectional, "use_bias": use_bias,
                            "keras": model.count_params()})
    path = OUT / "counts_family.json"
    path.write_text(json.dumps({"versions": VERSIONS, "pytorch": rows, "keras": keras_rows},
                               indent=1) + "\n")
    print(f"wrote {path.relative_to(OUT.parent.parent)} ({len(rows)} PyTorch and "
          f"{len(keras_rows)} Keras configurations)")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    count_table()
    pytorch_case("seed_f32", 100, 256, seq_len=20)
    pytorch_case("tiny_f32", 2, 3, seq_len=6)
    pytorch_case("tiny_f64", 2, 3, seq_len=6, dtype=torch.float64)
    pytorch_case("audio_f32", 1, 32, seq_len=200)
    pytorch_case("odd_f32", 37, 61, seq_len=15)
    pytorch_case("odd_f64", 37, 61, seq_len=15, dtype=torch.float64)
    pytorch_case("initial_state_f32", 5, 7, initial_state=True)
    pytorch_case("initial_state_f64", 5, 7, initial_state=True, dtype=torch.float64)
    pytorch_case("batch_f32", 4, 6, batch=5, initial_state=True)
    pytorch_case("batch_f64", 4, 6, batch=5, initial_state=True, dtype=torch.float64)
    pytorch_case("magnitude_50_f32", 8, 16, input_scale=50.0)
    pytorch_case("magnitude_1e4_f32", 8, 16, input_scale=1e4)
    pytorch_case("magnitude_1e4_f64", 8, 16, input_scale=1e4, dtype=torch.float64)
    pytorch_case("long_f32", 3, 8, seq_len=1000)
    pytorch_case("long_f64", 3, 8, seq_len=1000, dtype=torch.float64)
    pytorch_case("no_bias_f32", 5, 7, bias=False, initial_state=True)
    pytorch_case("no_bias_f64", 5, 7, bias=False, initial_state=True, dtype=torch.float64)
    pytorch_case("half_weights_f32", 6, 10, half_weights=True)
    adversarial_case("adversarial_f32", 3, 20)
    amp_skip_case("amp_skip_f32", 12)
    tagger_case("tagger_embedding_f32")
    keras_tagger_case("keras_tagger_f32")
    keras_file_case("keras_bilstm_tagger")
    amp_json_case("amp_lstm40", 40)
    amp_json_case("amp_lstm20", 20)
    amp_json_case("amp_lstm4", 4, seq_len=20)
    torch_save_case("torch_model")
    rtneural_case("rtneural_lstm8", 8)
    pytorch_cell_case("cell_f32", 4, 5)
    keras_case("keras_f32", 6, 10)
    keras_case("keras_no_bias_f32", 6, 10, use_bias=False, seed=1)
    model_case()
    family_count_table()
    family_case("layers2_f32", 5, 7, num_layers=2)
    family_case("layers2_f64", 5, 7, num_layers=2, dtype=torch.float64)
    family_case("layers3_state_f32", 4, 6, num_layers=3, initial_state=True, batch=3)
    family_case("bidir_f32", 5, 7, bidirectional=True)
    family_case("bidir_f64", 5, 7, bidirectional=True, dtype=torch.float64)
    family_case("bidir2_state_f32", 4, 6, num_layers=2, bidirectional=True, initial_state=True,
                batch=3)
    family_case("proj_f32", 6, 8, proj_size=3, initial_state=True)
    family_case("proj_f64", 6, 8, proj_size=3, initial_state=True, dtype=torch.float64)
    family_case("proj_bidir2_f32", 5, 8, num_layers=2, bidirectional=True, proj_size=3,
                initial_state=True, batch=2)
    family_case("proj_bidir2_no_bias_f64", 5, 8, num_layers=2, bidirectional=True, proj_size=3,
                bias=False, dtype=torch.float64)
    family_case("batch8_layers2_f32", 3, 5, num_layers=2, batch=8, initial_state=True)
    family_case("audio_model_f32", 1, 32, num_layers=2, seq_len=64, head=1)
    family_case("tagger_model_f32", 10, 16, bidirectional=True, batch=2, head=5)


if __name__ == "__main__":
    main()
