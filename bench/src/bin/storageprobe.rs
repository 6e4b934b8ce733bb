//! Which kernel runs half-precision weights fastest: a step of S1 (input 100, hidden 256) and
//! S2 (input 1, hidden 32) with f32, bf16 and f16 storage on every kernel this CPU has, best
//! of 15 runs of 2,000 steps. What `LstmLayer`'s choice of kernel for a storage is measured by.
//!
//!     cargo run --release --manifest-path bench/Cargo.toml --bin storageprobe
use std::hint::black_box;
use std::time::Instant;

use lstm::prelude::*;
use lstm::{Bf16, F16, Kernel, LstmLayer, LstmState, LstmWeights, Storage};

fn per_step<S: Storage<f32>, const I: usize, const H: usize>(
    layer: &LstmLayer<f32, I, H, 1, H, S>,
) -> f64 {
    let x = [0.25f32; I];
    let mut state = LstmState::zeros();
    (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..2_000 {
                black_box(layer.step(black_box(&x), &mut state));
            }
            start.elapsed().as_secs_f64() / 2_000.0
        })
        .fold(f64::INFINITY, f64::min)
}

fn probe<const I: usize, const H: usize>() {
    let weights = LstmWeights::<f32, I, H>::from_fn(|gate, _, row, col| {
        ((gate.index() * 13 + row * 7 + col * 3) % 17) as f32 * 0.01 - 0.08
    });
    for kernel in Kernel::ALL
        .into_iter()
        .filter(|kernel| kernel.is_available())
    {
        let f32_ns = per_step(&weights.pack().with_kernel(kernel).expect("available")) * 1e9;
        let bf16 = weights
            .pack_as::<Bf16>()
            .with_kernel(kernel)
            .expect("available");
        let f16 = weights
            .pack_as::<F16>()
            .with_kernel(kernel)
            .expect("available");
        let (bf16_ns, f16_ns) = (per_step(&bf16) * 1e9, per_step(&f16) * 1e9);
        println!(
            "input {I}, hidden {H}, {kernel:?}: f32 {f32_ns:.0} ns, bf16 {bf16_ns:.0} ns \
             ({:.2}x), f16 {f16_ns:.0} ns ({:.2}x); chosen for bf16: {:?}, f16: {:?}",
            bf16_ns / f32_ns,
            f16_ns / f32_ns,
            weights.pack_as::<Bf16>().kernel(),
            weights.pack_as::<F16>().kernel(),
        );
    }
}

fn main() {
    probe::<100, 256>();
    probe::<1, 32>();
    probe::<1, 40>();
}
