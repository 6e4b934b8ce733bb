//! Where hoisting the input projection pays: ns per step of one sequence and of batches, each
//! run streamed and hoisted, and what `LstmLayer::hoists` chooses. The figures behind that
//! rule's documentation.
//!
//! ```text
//! cargo run --release --manifest-path bench/Cargo.toml --bin hoistprobe
//! ```

use std::hint::black_box;
use std::time::Instant;

use lstm::{LstmLayer, LstmState};

/// Median seconds per call of `f` over 9 samples of 50 ms each.
fn seconds_per_call(mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut samples = Vec::new();
    for _ in 0..9 {
        let (mut reps, start) = (0, Instant::now());
        while start.elapsed().as_secs_f64() < 0.05 {
            f();
            reps += 1;
        }
        samples.push(start.elapsed().as_secs_f64() / f64::from(reps));
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Streamed and hoisted time per step for `B` sequences of 100 steps (20 for batches).
fn probe<const I: usize, const H: usize, const B: usize>() {
    let cell = LstmLayer::<f32, I, H>::from_fn(|_, _, row, col| {
        (((row * 7 + col * 3) % 13) as f32 - 6.0) / 100.0
    });
    let steps = if B == 1 { 100 } else { 20 };
    let inputs = vec![[0.3f32; I]; B * steps];
    let mut outputs = vec![[0.0f32; H]; B * steps];
    let mut states = vec![LstmState::zeros(); B];
    let mut workspace = Vec::new();
    let mut time = |hoisted| {
        seconds_per_call(|| {
            cell.run_batch_by_path(
                black_box(&inputs),
                &mut outputs,
                &mut states,
                &mut workspace,
                hoisted,
            )
            .expect("lengths");
        }) / steps as f64
    };
    let (streamed, hoisted) = (time(false), time(true));
    let kib = 4 * H * (I + H + 1) * size_of::<f32>() / 1024;
    println!(
        "| {I}, {H} ({B}) | {kib} KiB | {:.1} | {:.1} | {:.2} | {} |",
        streamed * 1e9,
        hoisted * 1e9,
        hoisted / streamed,
        if LstmLayer::<f32, I, H>::hoists(B) {
            "yes"
        } else {
            "no"
        }
    );
}

fn main() {
    println!("| input, hidden (sequences) | weights | streamed ns | hoisted ns | ratio | hoists |");
    println!("|---|---:|---:|---:|---:|---|");
    probe::<1, 32, 1>();
    probe::<16, 16, 1>();
    probe::<32, 32, 1>();
    probe::<1, 64, 1>();
    probe::<16, 64, 1>();
    probe::<64, 64, 1>();
    probe::<8, 128, 1>();
    probe::<32, 128, 1>();
    probe::<20, 256, 1>();
    probe::<100, 256, 1>();
    probe::<256, 256, 1>();
    probe::<512, 1024, 1>();
    probe::<100, 256, 4>();
    probe::<100, 256, 32>();
    probe::<64, 128, 32>();
    probe::<128, 512, 8>();
    probe::<256, 512, 4>();
    probe::<256, 512, 32>();
    probe::<512, 1024, 4>();
    probe::<512, 1024, 32>();
}
