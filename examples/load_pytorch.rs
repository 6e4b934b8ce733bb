//! Loads an LSTM trained in PyTorch into a type declared with the derive, runs it, and prints the
//! largest difference from PyTorch's own output. Run with `cargo run --example load_pytorch`.
//!
//! The file is a committed fixture (`tests/fixtures/seed_f32.safetensors`, written by
//! `scripts/fixtures.py`): PyTorch's `nn.LSTM(100, 256)` state_dict under the prefix `lstm.`,
//! beside the input it was given and the output it computed.

use lstm::prelude::*;
use lstm::{LoadOptions, Lstm, LstmSpec, LstmState, Weights};

#[path = "../tests/common/mod.rs"]
mod common;

/// The LSTM as PyTorch declares it: input 100, hidden 256, its two bias vectors kept apart.
#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, bias = "double")]
struct Encoder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed_f32.safetensors"
    );
    // Finds the LSTM by its tensor names (here `lstm.weight_ih_l0`, ...) and checks every tensor
    // against the type: a file for another shape would be an error naming the tensor.
    let weights = Weights::<Encoder>::load(path, &LoadOptions::new())?;
    println!("loaded {path}");
    println!(
        "into `Encoder`: input {}, hidden {}, {} parameters (PyTorch's sum(p.numel()))",
        Encoder::INPUT,
        Encoder::HIDDEN,
        lstm::group_digits(Encoder::PARAM_COUNT as u128)
    );
    for tensor in Encoder::PYTORCH_TENSORS {
        println!("  {:<14} {:?}", tensor.name, tensor.shape);
    }

    let bytes = std::fs::read(path)?;
    let (input_shape, input) = common::data::<f32>(&bytes, "input");
    let (_, expected) = common::data::<f32>(&bytes, "output");
    let steps = input_shape[1];
    let inputs: Vec<[f32; Encoder::INPUT]> = input
        .chunks_exact(Encoder::INPUT)
        .map(|step| step.try_into().expect("100 values per step"))
        .collect();
    let mut outputs = vec![[0.0f32; Encoder::HIDDEN]; steps];
    let mut state = LstmState::zeros();
    weights.run(&inputs, &mut outputs, &mut state)?;

    let largest = outputs
        .iter()
        .flatten()
        .zip(&expected)
        .map(|(ours, theirs)| (ours - theirs).abs())
        .fold(0.0f32, f32::max);
    println!(
        "ran {steps} steps; h_{} starts {:?}",
        steps - 1,
        &outputs[steps - 1][..4]
    );
    println!("largest difference from PyTorch's output over all steps: {largest:.3e}");
    if largest > 1e-5 {
        return Err(format!("difference {largest:e} exceeds 1e-5").into());
    }
    Ok(())
}
