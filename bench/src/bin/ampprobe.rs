//! Where an amp model's streamed sample goes: LSTM(1, H) + Linear(H, 1) + skip, one sample at a
//! time, on every kernel this CPU has, and the LSTM layer's step alone; best of 15 runs of
//! 20,000 samples. `--batch` times a batch step of S4's shape instead. With `--spin K H` it steps hidden H (20 or 40) on kernel K for a while (for `perf`).
//!
//!     cargo run --release --manifest-path bench/Cargo.toml --bin ampprobe
use std::hint::black_box;
use std::time::Instant;

use lstm::prelude::*;
use lstm::{Kernel, LstmLayer, LstmWeights};

#[derive(lstm::Model)]
#[model(residual)]
struct Amp<const H: usize> {
    rec: LstmLayer<f32, 1, H, 2>,
    lin: lstm::Linear<f32, H, 1>,
}

fn best_ns(mut f: impl FnMut()) -> f64 {
    (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..20_000 {
                f();
            }
            start.elapsed().as_secs_f64() / 20_000.0 * 1e9
        })
        .fold(f64::INFINITY, f64::min)
}

fn amp<const H: usize>(kernel: Kernel) -> Amp<H> {
    let rec = LstmWeights::<f32, 1, H, 2>::from_fn(|gate, _, row, col| {
        ((gate.index() * 13 + row * 7 + col * 3) % 17) as f32 * 0.02 - 0.16
    });
    Amp {
        rec: rec.pack().with_kernel(kernel).expect("available"),
        lin: lstm::Linear::new(
            lstm::Matrix::from_fn(|_, col| (col % 5) as f32 * 0.1 - 0.2),
            lstm::Vector::from_fn(|_| 0.01),
        ),
    }
}

fn probe<const H: usize>()
where
    Amp<H>: StreamingLayer<f32, Input = [f32; 1], Output = [f32; 1]>,
{
    let samples: Vec<f32> = (0..4096).map(|t| (t as f32 * 0.01).sin() * 0.5).collect();
    for kernel in Kernel::ALL.into_iter().filter(|k| k.is_available()) {
        let model = amp::<H>(kernel);
        let mut state = model.zero_state();
        let mut at = 0;
        let whole = best_ns(|| {
            at = (at + 1) % samples.len();
            black_box(model.step(black_box(&[samples[at]]), &mut state));
        });
        let mut layer_state = model.rec.zero_state();
        let layer = best_ns(|| {
            at = (at + 1) % samples.len();
            black_box(model.rec.step(black_box(&[samples[at]]), &mut layer_state));
        });
        println!("hidden {H}, {kernel:?}: model {whole:.1} ns, LSTM layer alone {layer:.1} ns");
    }
}

fn spin<const H: usize>(kernel: Kernel)
where
    Amp<H>: StreamingLayer<f32, Input = [f32; 1], Output = [f32; 1]>,
{
    let model = amp::<H>(kernel);
    let mut state = model.zero_state();
    for t in 0..50_000_000u32 {
        black_box(model.step(black_box(&[(t as f32 * 0.01).sin()]), &mut state));
    }
}

/// us per batch step of 32 sequences of input `I`, hidden `H`, one step each (S4's shape is
/// 100, 256), on the best kernel, and the share of the FMA peak `peak` (GFLOP/s) the sums
/// reach: with `--batch`, for a build with a part of the step taken out.
fn batch_probe<const I: usize, const H: usize>(peak: f64) {
    let layer = LstmWeights::<f32, I, H>::from_fn(|gate, _, row, col| {
        ((gate.index() * 13 + row * 7 + col * 3) % 17) as f32 * 0.002 - 0.016
    })
    .pack();
    let inputs = [[0.25f32; I]; 32];
    let mut outputs = [[0.0f32; H]; 32];
    let mut states = [lstm::LstmState::zeros(); 32];
    let mut workspace = lstm::LstmWorkspace::default();
    let us = (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..200 {
                layer
                    .run_batch_with(
                        black_box(&inputs),
                        &mut outputs,
                        &mut states,
                        &mut workspace,
                    )
                    .expect("lengths");
            }
            start.elapsed().as_secs_f64() / 200.0 * 1e6
        })
        .fold(f64::INFINITY, f64::min);
    let gflops = 32.0 * 4.0 * H as f64 * (I + H) as f64 * 2.0 / us / 1e3;
    println!(
        "batch of 32, input {I}, hidden {H}, {:?}: {us:.1} us a step, {:.1}% of the FMA peak",
        layer.kernel(),
        gflops / peak * 100.0
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--batch") {
        // The FMA peak in GFLOP/s, as the benchmark measured it on this machine.
        let peak = args.get(at + 1).and_then(|p| p.parse().ok()).unwrap_or(240.9);
        batch_probe::<100, 256>(peak);
        batch_probe::<20, 128>(peak);
        batch_probe::<64, 64>(peak);
        return;
    }
    if args.iter().any(|a| a == "--spin-bf16") {
        let layer = amp::<40>(Kernel::best())
            .rec
            .to_storage::<lstm::Bf16>()
            .with_kernel(Kernel::best())
            .expect("available");
        let mut state = layer.zero_state();
        for t in 0..5_000_000u32 {
            black_box(layer.step(black_box(&[(t as f32 * 0.01).sin()]), &mut state));
        }
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--spin") {
        let kernel = match args.get(at + 1).map(String::as_str) {
            Some("avx2") => Kernel::Avx2,
            Some("portable") => Kernel::Portable,
            _ => Kernel::best(),
        };
        match args.get(at + 2).map(String::as_str) {
            Some("20") => spin::<20>(kernel),
            _ => spin::<40>(kernel),
        }
        return;
    }
    probe::<20>();
    probe::<32>();
    probe::<40>();
    probe::<64>();
}
