//! Runs a 2-layer bidirectional LSTM loaded from PyTorch and prints the largest difference from
//! PyTorch's own output. Run with `cargo run --example bidirectional`.
//!
//! The file is a committed fixture (`tests/fixtures/bidir2_state_f32.safetensors`, written by
//! `scripts/fixtures.py`): `nn.LSTM(4, 6, num_layers=2, bidirectional=True)` run on 3 sequences
//! from a random initial state, with its weights under `lstm.`.

use lstm::prelude::*;
use lstm::{LoadOptions, Lstm, LstmSpec, Summary, Weights};

#[path = "../tests/common/mod.rs"]
mod common;

/// The model as PyTorch declares it.
#[derive(Lstm)]
#[lstm(input = 4, hidden = 6, layers = 2, bidirectional, bias = "double")]
struct Model;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    print!(
        "{}",
        Summary::new("Model in PyTorch's layout", Model::PYTORCH_TENSORS)
    );
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/bidir2_state_f32.safetensors"
    );
    let model = Weights::<Model>::load(path, &LoadOptions::new())?;

    let bytes = std::fs::read(path)?;
    let (shape, input) = common::data::<f32>(&bytes, "input");
    let (_, expected) = common::data::<f32>(&bytes, "output");
    let (_, h0) = common::data::<f32>(&bytes, "h0");
    let (_, c0) = common::data::<f32>(&bytes, "c0");
    let (batch, steps) = (shape[0], shape[1]);
    let (input_size, output_size) = (Model::INPUT, Model::OUTPUT);

    let mut largest = 0.0f32;
    let mut workspace = Default::default();
    for sequence in 0..batch {
        let inputs: Vec<[f32; Model::INPUT]> = input[sequence * steps * input_size..]
            .chunks_exact(input_size)
            .take(steps)
            .map(|step| step.try_into().expect("4 values"))
            .collect();
        // PyTorch's h0 and c0 are (layers * directions, batch, size): one row per cell.
        let mut state = model.zero_state();
        let mut cell = 0;
        state.for_each_cell_mut(&mut |h, c| {
            let at = (cell * batch + sequence) * Model::HIDDEN;
            h.copy_from_slice(&h0[at..at + h.len()]);
            c.copy_from_slice(&c0[at..at + c.len()]);
            cell += 1;
        });
        let mut outputs = vec![[0.0f32; Model::OUTPUT]; steps];
        model.run_with(&inputs, &mut outputs, &mut state, &mut workspace)?;
        let reference = &expected[sequence * steps * output_size..][..steps * output_size];
        for (ours, theirs) in outputs.iter().flatten().zip(reference) {
            largest = largest.max((ours - theirs).abs());
        }
    }
    println!(
        "ran {batch} sequences of {steps} steps; each output is [forward; reverse], {} wide",
        Model::OUTPUT
    );
    println!("largest difference from PyTorch's output: {largest:.3e}");
    if largest > 1e-5 {
        return Err(format!("difference {largest:e} exceeds 1e-5").into());
    }
    Ok(())
}
