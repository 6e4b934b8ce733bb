//! A PyTorch model from the file PyTorch users have: `torch.save(model.state_dict(),
//! "model.pt")` of an `nn.LSTM(3, 4)` called `lstm` and an `nn.Linear(4, 2)` called `head`.
//! The `.pt` file's pickle is read in Rust, none of it run; the model is one declared type,
//! loaded in one call and compared with PyTorch's output.
//!
//!     cargo run --example pytorch_pt

use lstm::prelude::*;
use lstm::{Linear, LoadOptions, Lstm, Model, Weights};

#[path = "../tests/common/mod.rs"]
mod common;

/// The LSTM as PyTorch declares it: two bias sets.
#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, bias = "double")]
struct Encoder;

/// The module's fields, named as in its `state_dict`.
#[derive(Model)]
struct Net {
    lstm: Weights<Encoder>,
    head: Linear<f32, 4, 2>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let net = Net::load(format!("{fixtures}/torch_model.pt"), &LoadOptions::new())?;
    print!("{}", Net::summary());

    let io = common::fixture_bytes("torch_model_io");
    let (_, input) = common::data::<f32>(&io, "input");
    let (_, expected) = common::data::<f32>(&io, "output");
    let inputs: Vec<[f32; 3]> = input.chunks_exact(3).map(|x| [x[0], x[1], x[2]]).collect();
    let mut outputs = vec![[0.0f32; 2]; inputs.len()];
    net.run(&inputs, &mut outputs, &mut net.zero_state())?;
    let largest = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
    println!(
        "{} steps; largest difference from PyTorch: {largest:.2e}",
        inputs.len()
    );
    Ok(())
}
