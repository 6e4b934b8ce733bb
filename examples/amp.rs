//! A guitar-amp model as the amp-modelling tools save it: a JSON file holding a PyTorch
//! `state_dict` (`rec.*`, the LSTM; `lin.*`, the linear head) for `lin(rec(x)) + x`, compiled
//! into the program: `weights = ".."` has the derive read, check and pack the file when this
//! example compiles, so the model is static data, built with no file, no heap and no `Result`
//! (`Amp::compiled()`). Checked bit for bit against the same file loaded at run time and
//! against PyTorch's output, run sample by sample as a plug-in would, and timed: the real-time
//! factor is the time a sample takes over the time it lasts at 48 kHz.
//!
//!     cargo run --release --example amp

use std::time::Instant;

use lstm::prelude::*;
use lstm::{Linear, LoadOptions, LstmLayer, Model};

/// The whole model, as the tools' PyTorch module: `rec`, PyTorch's `nn.LSTM(1, 40)` (two bias
/// sets); `lin`, a linear head back to one sample; and the input added to the output. Its
/// weights are the file's, compiled in; a file that did not fit would not compile.
#[derive(Model, Debug, PartialEq)]
#[model(residual, weights = "tests/fixtures/amp_lstm40.json")]
struct Amp {
    rec: LstmLayer<f32, 1, 40, 2>,
    lin: Linear<f32, 40, 1>,
}

/// Nanoseconds a sample, streaming `samples` samples through `model`.
fn time_per_sample(model: &Amp, input: &[f32], samples: usize) -> f64 {
    let mut state = model.zero_state();
    let mut sink = 0.0f32;
    let start = Instant::now();
    for n in 0..samples {
        let [out] = model.step(&[input[n % input.len()]], &mut state);
        sink += out;
    }
    std::hint::black_box(sink);
    start.elapsed().as_secs_f64() * 1e9 / samples as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let amp = Amp::compiled();
    print!("{}", Amp::summary());

    // The same file loaded at run time: the same packed weights, bit for bit.
    let loaded = Amp::load(format!("{fixtures}/amp_lstm40.json"), &LoadOptions::new())?;
    assert_eq!(
        amp, loaded,
        "compiled-in weights differ from the loaded ones"
    );
    println!("compiled-in weights equal the loaded file's, bit for bit");

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

    let (mut state, mut loaded_state) = (amp.zero_state(), loaded.zero_state());
    let mut largest = 0.0f32;
    for (&x, &y) in input.iter().zip(&expected) {
        let [out] = amp.step(&[x], &mut state);
        let [same] = loaded.step(&[x], &mut loaded_state);
        assert_eq!(
            out.to_bits(),
            same.to_bits(),
            "compiled and loaded outputs differ"
        );
        largest = largest.max((out - y).abs());
    }
    println!("amp model LSTM(1, 40) + Linear(40, 1) + skip, compiled in from a JSON state_dict");
    println!(
        "{} samples, largest difference from PyTorch: {largest:.2e}",
        input.len()
    );

    // Streamed one sample at a time, as an audio callback runs it, compiled-in and loaded
    // weights side by side (the same kernels). Ten seconds at 48 kHz each (a tenth of a second
    // in a debug build, which times nothing real).
    let samples: usize = if cfg!(debug_assertions) {
        4_800
    } else {
        480_000
    };
    let compiled_ns = time_per_sample(&amp, &input, samples);
    let loaded_ns = time_per_sample(&loaded, &input, samples);
    println!(
        "{compiled_ns:.0} ns a sample compiled in ({loaded_ns:.0} ns loaded); real-time factor \
         at 48 kHz: {:.4} (1 is the whole budget)",
        compiled_ns * 48_000.0 * 1e-9
    );
    if cfg!(debug_assertions) {
        println!("(a debug build: run with --release for the figure a plug-in would see)");
    }
    Ok(())
}
