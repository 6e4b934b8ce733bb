//! Weights of any size are built on the heap without passing through the stack: a 1024 x 1024
//! cell constructs and steps in a debug build, on a default test thread (2 MiB of stack).
//! It has 8,392,704 parameters, 33.6 MB of `f32` (the "about 16.8 MB" is that count at
//! two bytes each); building any one of its 4 MiB matrices on the stack would overflow.

use lstm::prelude::*;
use lstm::{Lstm, LstmSpec, LstmState, Role, Weights};

#[derive(Lstm)]
#[lstm(input = 1024, hidden = 1024)]
struct Large;

#[test]
fn large_cell_builds_and_steps_on_a_default_thread() {
    assert_eq!(Large::PARAM_COUNT, 4 * 1024 * (1024 + 1024 + 1));
    assert_eq!(Large::PARAM_COUNT * size_of::<f32>(), 33_570_816);

    // Diagonal `W` and `U`, zero biases.
    let weights = Weights::<Large>::from_fn(|_, role, row, col| {
        if !matches!(role, Role::Bias(_)) && row == col {
            0.01
        } else {
            0.0
        }
    });
    let mut state = LstmState::zeros();
    let x = [1.0f32; Large::INPUT];
    let h = weights.step(&x, &mut state);
    // Each unit sees only its own input through the diagonal: all units agree, and the value
    // follows from the equations with pre-activation 0.01 for every gate.
    let (gate, candidate) = (1.0 / (1.0 + (-0.01f32).exp()), 0.01f32.tanh());
    let expected = gate * (gate * candidate).tanh();
    assert!(
        h.iter().all(|&v| (v - expected).abs() < 1e-7),
        "{} vs {expected}",
        h[0]
    );

    let zeros = Weights::<Large, f64>::zeros();
    assert_eq!(zeros.to_weights().w_i.as_flattened().len(), 1024 * 1024);
    let _: &<Large as LstmSpec>::Weights<f64> = &zeros;
}
