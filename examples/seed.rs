//! The forum question this project started from:
//!
//! > input x_t is 100, h_t is 256: how many parameters do W, U and b have?
//!
//! The compiler answers it. Run with `cargo run --example seed`.

use lstm::prelude::*;
use lstm::{Lstm, LstmSpec, LstmState, Summary, Weights, group_digits};

/// The LSTM of the question: 100 inputs, 256 hidden units, one bias per gate (W, U, b).
#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

/// The same LSTM as PyTorch's `nn.LSTM(100, 256)` counts it: two bias vectors per gate.
#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, bias = "double")]
struct EncoderPyTorch;

/// SplitMix64: a few lines of deterministic pseudo-randomness, so the example needs no crate and
/// prints the same numbers on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits as a float in [0, 1).
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [-bound, bound), PyTorch's initialisation with bound = 1 / sqrt(H).
    fn uniform(&mut self, bound: f64) -> f32 {
        ((self.next_unit() * 2.0 - 1.0) * bound) as f32
    }
}

fn main() {
    println!("Q: input x_t is 100, h_t is 256: how many parameters do W, U and b have?\n");
    print!("{}", Encoder::summary());
    println!(
        "\nA: {} parameters: 4 gates x (W 256x100 + U 256x256 + b 256) = 4 x {}",
        group_digits(Encoder::PARAM_COUNT as u128),
        group_digits((Encoder::PARAM_COUNT / 4) as u128),
    );
    println!("   W is 256 x 100 (hidden x input), so that each gate computes W x_t.\n");

    let pytorch = Summary::new(
        "The same layer in PyTorch nn.LSTM(100, 256) (two biases per gate)",
        Encoder::PYTORCH_TENSORS,
    );
    print!("{pytorch}");
    println!(
        "PyTorch's sum(p.numel()) is {}: it keeps bias_ih and bias_hh apart, and the seed's b is \
         their sum.\n#[lstm(.., bias = \"double\")] declares PyTorch's convention: PARAM_COUNT = {}.\n",
        group_digits(pytorch.total()),
        group_digits(EncoderPyTorch::PARAM_COUNT as u128),
    );
    print!(
        "{}",
        Summary::new(
            "The same layer in Keras LSTM(256) on 100 features",
            Encoder::KERAS_TENSORS
        )
    );

    let mut rng = SplitMix64(2024);
    let bound = 1.0 / (Encoder::HIDDEN as f64).sqrt();
    let weights = Weights::<Encoder>::from_fn(|_, _, _, _| rng.uniform(bound));
    let mut state = LstmState::zeros();
    println!("\nA few forward steps with seeded random weights (first 4 of 256 units of h_t):");
    for t in 0..5 {
        let x: [f32; Encoder::INPUT] = core::array::from_fn(|k| ((t * 7 + k) as f32 * 0.1).sin());
        let h = weights.step(&x, &mut state);
        println!(
            "t = {t}: h = [{:+.6}, {:+.6}, {:+.6}, {:+.6}, ..]",
            h[0], h[1], h[2], h[3]
        );
    }
}
