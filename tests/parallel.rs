//! `run_batch_parallel` (the `rayon` feature): a batch spread over threads gives exactly what
//! `run_batch` gives, for every kind of layer and however the sequences are shared out.
//!
//!     cargo test --features rayon --test parallel
#![cfg(feature = "rayon")]

use lstm::prelude::*;
use lstm::{Bidirectional, Linear, LstmLayer, Model};

#[derive(Model)]
#[model(residual)]
struct Amp {
    rec: LstmLayer<f32, 1, 20, 2>,
    lin: Linear<f32, 20, 1>,
}

fn check<L>(layer: &L, sequences: usize, steps: usize, input: impl Fn(usize) -> L::Input)
where
    L: Layer<f32> + Sync,
    L::Input: Sync,
    L::Output: Send + PartialEq + std::fmt::Debug,
    L::State: Send,
{
    let inputs: Vec<L::Input> = (0..sequences * steps).map(input).collect();
    let mut serial = vec![L::zero_output(); inputs.len()];
    let mut serial_states = vec![layer.zero_state(); sequences];
    layer
        .run_batch(&inputs, &mut serial, &mut serial_states)
        .unwrap();
    for threads in [1, 2, 3, 8] {
        let pool = lstm::rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut parallel = vec![L::zero_output(); inputs.len()];
        let mut states = vec![layer.zero_state(); sequences];
        pool.install(|| layer.run_batch_parallel(&inputs, &mut parallel, &mut states))
            .unwrap();
        assert_eq!(parallel, serial, "{threads} threads, {sequences} sequences");
    }
}

#[test]
fn a_parallel_batch_equals_the_serial_one_bit_for_bit() {
    let cell = LstmLayer::<f32, 100, 64>::from_fn(|gate, _, row, col| {
        ((gate.index() * 13 + row * 7 + col * 3) % 17) as f32 * 0.01 - 0.08
    });
    let x = |n: usize| core::array::from_fn(|k| ((n * 31 + k) as f32 * 0.1).sin());
    for sequences in [1, 3, 4, 9, 32] {
        check(&cell, sequences, 5, x);
    }
    let pair = Bidirectional::<_, 128>::new(cell.clone(), cell.clone());
    check(&pair, 7, 6, x);
    let amp = Amp {
        rec: LstmLayer::from_fn(|_, _, row, col| (row + col) as f32 * 0.02 - 0.2),
        lin: Linear::zeros(),
    };
    check(&amp, 10, 50, |n| [(n as f32 * 0.05).sin()]);
    // Lengths that do not fit are the same error as `run_batch`'s.
    let mut outputs = vec![[0.0f32; 64]; 9];
    assert!(
        cell.run_batch_parallel(&[[0.0; 100]; 10], &mut outputs, &mut [cell.zero_state(); 2])
            .is_err()
    );
}
