//! The paths a build without `std` runs (no heap: a stack steps its layers a time step at a
//! time, a bidirectional layer steps each direction, a batch runs its sequences one by one),
//! against PyTorch and against each other. Built only without `std`:
//!
//!     cargo test -p lstm --no-default-features --test no_std_paths
//!
//! (CI runs it; with default features this file is empty.) The library is `no_std` there, the
//! test itself uses `std` as every test does.
#![cfg(not(feature = "std"))]

use lstm::prelude::*;
use lstm::{Linear, Lstm, LstmLayer, LstmState, Model};

/// PyTorch's bidirectional LSTM(5, 7), compiled in: without `std` it runs alone (a stack
/// steps its layers, which a bidirectional layer cannot).
#[derive(Lstm)]
#[lstm(
    input = 5,
    hidden = 7,
    bidirectional,
    bias = "double",
    weights = "tests/fixtures/bidir_f32.safetensors"
)]
struct Bidir;

/// PyTorch's two-layer LSTM(5, 7), compiled in: a stack, stepped a time step at a time.
#[derive(Lstm)]
#[lstm(
    input = 5,
    hidden = 7,
    layers = 2,
    bias = "double",
    weights = "tests/fixtures/layers2_f32.safetensors"
)]
struct TwoLayers;

#[derive(Model)]
#[model(residual, weights = "tests/fixtures/amp_lstm20.json")]
struct Amp20 {
    rec: LstmLayer<f32, 1, 20, 2>,
    lin: Linear<f32, 20, 1>,
}

fn tensor(bytes: &[u8], name: &str) -> Vec<f32> {
    let file = safetensors::SafeTensors::deserialize(bytes).unwrap();
    let view = file.tensor(name).unwrap();
    view.data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}.safetensors",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// PyTorch's h0 and c0 (`(cells, batch 1, 7)`) as cell `slot`'s state.
fn initial(bytes: &[u8], slot: usize) -> LstmState<f32, 7> {
    let (h0, c0) = (tensor(bytes, "h0"), tensor(bytes, "c0"));
    LstmState {
        h: core::array::from_fn(|k| h0[slot * 7 + k]),
        c: core::array::from_fn(|k| c0[slot * 7 + k]),
    }
}

fn largest_difference(ours: &[f32], theirs: &[f32]) -> f32 {
    assert_eq!(ours.len(), theirs.len());
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max)
}

#[test]
fn a_bidirectional_layer_and_a_stack_match_pytorch_without_std() {
    let bytes = fixture("bidir_f32");
    let inputs: Vec<[f32; 5]> = tensor(&bytes, "input")
        .chunks_exact(5)
        .map(|x| x.try_into().unwrap())
        .collect();
    let bidir = Bidir::compiled();
    let state = [initial(&bytes, 0), initial(&bytes, 1)];
    let mut outputs = vec![[0.0f32; 14]; inputs.len()];
    bidir
        .run(&inputs, &mut outputs, &mut state.clone())
        .unwrap();
    let largest = largest_difference(outputs.as_flattened(), &tensor(&bytes, "output"));
    assert!(largest < 1e-5, "bidirectional: {largest:e} from PyTorch");
    // A batch of the same sequence twice equals the separate call, bit for bit.
    let twice: Vec<[f32; 5]> = inputs.iter().chain(&inputs).copied().collect();
    let mut batch = vec![[0.0f32; 14]; twice.len()];
    bidir
        .run_batch(&twice, &mut batch, &mut [state, state])
        .unwrap();
    assert_eq!(batch[..inputs.len()], outputs[..]);
    assert_eq!(batch[inputs.len()..], outputs[..]);

    let bytes = fixture("layers2_f32");
    let inputs: Vec<[f32; 5]> = tensor(&bytes, "input")
        .chunks_exact(5)
        .map(|x| x.try_into().unwrap())
        .collect();
    let stack = TwoLayers::compiled();
    let mut state = (initial(&bytes, 0), initial(&bytes, 1));
    let mut outputs = vec![[0.0f32; 7]; inputs.len()];
    let mut streamed_state = (initial(&bytes, 0), initial(&bytes, 1));
    let streamed: Vec<[f32; 7]> = inputs
        .iter()
        .map(|x| stack.step(x, &mut streamed_state))
        .collect();
    stack.run(&inputs, &mut outputs, &mut state).unwrap();
    assert_eq!(
        outputs, streamed,
        "a sequence equals its steps, bit for bit"
    );
    let largest = largest_difference(outputs.as_flattened(), &tensor(&bytes, "output"));
    assert!(largest < 1e-5, "two layers: {largest:e} from PyTorch");
}

#[test]
fn a_model_runs_as_it_steps_without_std() {
    let amp = Amp20::compiled();
    let inputs: Vec<[f32; 1]> = (0..300).map(|t| [(t as f32 * 0.05).sin() * 0.7]).collect();
    let mut state = amp.zero_state();
    let stepped: Vec<[f32; 1]> = inputs.iter().map(|x| amp.step(x, &mut state)).collect();
    let mut outputs = vec![[0.0f32]; inputs.len()];
    amp.run(&inputs, &mut outputs, &mut amp.zero_state())
        .unwrap();
    assert_eq!(outputs, stepped);
    let mut batch_out = vec![[0.0f32]; 2 * inputs.len()];
    let twice: Vec<[f32; 1]> = inputs.iter().chain(&inputs).copied().collect();
    let mut states = [amp.zero_state(), amp.zero_state()];
    amp.run_batch(&twice, &mut batch_out, &mut states).unwrap();
    assert_eq!(batch_out[..inputs.len()], stepped[..]);
    assert_eq!(batch_out[inputs.len()..], stepped[..]);
}
