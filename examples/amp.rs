//! A guitar-amp model as the amp-modelling tools save it: a JSON file holding a PyTorch
//! `state_dict` (`rec.*`, the LSTM; `lin.*`, the linear head) for `lin(rec(x)) + x`. Loaded into
//! one declared type, run sample by sample as a plug-in would, checked against PyTorch's output,
//! and timed: the real-time factor is the time a sample takes over the time it lasts at 48 kHz.
//!
//!     cargo run --release --example amp

use std::time::Instant;

use lstm::prelude::*;
use lstm::{Linear, LoadOptions, Lstm, Model, Weights};

/// The recurrent part: PyTorch's `nn.LSTM(1, 40)`, two bias sets.
#[derive(Lstm)]
#[lstm(input = 1, hidden = 40, bias = "double")]
struct AmpLstm;

/// The whole model, as the tools' PyTorch module: `rec`, the LSTM; `lin`, a linear head back
/// to one sample; and the input added to the output.
#[derive(Model)]
#[model(residual)]
struct Amp {
    rec: Weights<AmpLstm>,
    lin: Linear<f32, 40, 1>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let amp = Amp::load(format!("{fixtures}/amp_lstm40.json"), &LoadOptions::new())?;
    print!("{}", Amp::summary());

    // PyTorch's input and output for the same model (scripts/fixtures.py).
    let io = std::fs::read(format!("{fixtures}/amp_lstm40_io.safetensors"))?;
    let io = safetensors::SafeTensors::deserialize(&io)?;
    let floats = |name: &str| -> Result<Vec<f32>, Box<dyn std::error::Error>> {
        let view = io.tensor(name)?;
        Ok(view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    };
    let (input, expected) = (floats("input")?, floats("output")?);

    let mut state = amp.zero_state();
    let mut largest = 0.0f32;
    for (&x, &y) in input.iter().zip(&expected) {
        let [out] = amp.step(&[x], &mut state);
        largest = largest.max((out - y).abs());
    }
    println!("amp model LSTM(1, 40) + Linear(40, 1) + skip, from a JSON state_dict");
    println!(
        "{} samples, largest difference from PyTorch: {largest:.2e}",
        input.len()
    );

    // Streamed one sample at a time, as an audio callback runs it.
    // Ten seconds at 48 kHz (a tenth of a second in a debug build, which times nothing real).
    let samples: usize = if cfg!(debug_assertions) {
        4_800
    } else {
        480_000
    };
    let mut state = amp.zero_state();
    let mut sink = 0.0f32;
    let start = Instant::now();
    for n in 0..samples {
        let [out] = amp.step(&[input[n % input.len()]], &mut state);
        sink += out;
    }
    let per_sample = start.elapsed().as_secs_f64() / samples as f64;
    std::hint::black_box(sink);
    println!(
        "{:.0} ns a sample; real-time factor at 48 kHz: {:.4} (1 is the whole budget)",
        per_sample * 1e9,
        per_sample * 48_000.0
    );
    if cfg!(debug_assertions) {
        println!("(a debug build: run with --release for the figure a plug-in would see)");
    }
    Ok(())
}
