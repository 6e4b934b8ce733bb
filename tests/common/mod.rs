//! Reading the committed reference fixtures (written by `scripts/fixtures.py` from real PyTorch
//! and Keras runs) and comparing this crate's outputs with them.
#![allow(dead_code, reason = "each test binary uses a different part")]

use std::path::PathBuf;

use lstm::prelude::*;
use lstm::{Float, LoadOptions, LstmLayer, LstmState, LstmWeights};
use safetensors::SafeTensors;
use safetensors::tensor::Dtype;

/// Tolerance against the references for `f32` results.
pub(crate) const F32: f64 = 1e-5;
/// Tolerance against the references for `f64` results.
pub(crate) const F64: f64 = 1e-12;

/// Prints a case's differences (run with `--nocapture` to see them) and asserts they are finite
/// and within `tolerance`.
pub(crate) fn check(case: &str, result: &Parity, tolerance: f64) {
    println!(
        "{case:<30} max |ours - reference|: outputs {:.3e}, h_n {:.3e}, c_n {:.3e}",
        result.output, result.h_n, result.c_n
    );
    assert!(
        result.all_finite,
        "{case}: a NaN or infinity in the outputs"
    );
    assert!(
        result.max() <= tolerance,
        "{case}: {result:?} exceeds {tolerance:e}"
    );
}

/// Loading options that detect the naming and prefix.
pub(crate) fn auto() -> LoadOptions {
    LoadOptions::new()
}

/// The bytes of `tests/fixtures/{name}.safetensors`.
pub(crate) fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.safetensors"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A data tensor of a fixture (`input`, `output`, `h0`, ...) as `T`, with its shape.
pub(crate) fn data<T: Float>(bytes: &[u8], name: &str) -> (Vec<usize>, Vec<T>) {
    let file = SafeTensors::deserialize(bytes).expect("fixture is safetensors");
    let view = file
        .tensor(name)
        .unwrap_or_else(|_| panic!("fixture has `{name}`"));
    let values = match view.dtype() {
        Dtype::F32 => view
            .data()
            .chunks_exact(4)
            .map(|b| T::from_f64(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))))
            .collect(),
        Dtype::F64 => view
            .data()
            .chunks_exact(8)
            .map(|b| T::from_f64(f64::from_le_bytes(b.try_into().expect("8 bytes"))))
            .collect(),
        other => panic!("fixture data `{name}` is {other:?}"),
    };
    (view.shape().to_vec(), values)
}

/// The largest absolute differences between this crate and the reference on one fixture.
#[derive(Debug, Default)]
pub(crate) struct Parity {
    /// Over every time step of every sequence of `output`.
    pub(crate) output: f64,
    /// Over the final `h`.
    pub(crate) h_n: f64,
    /// Over the final `c`.
    pub(crate) c_n: f64,
    /// Whether every value computed was finite.
    pub(crate) all_finite: bool,
}

impl Parity {
    pub(crate) fn max(&self) -> f64 {
        self.output.max(self.h_n).max(self.c_n)
    }
}

pub(crate) fn max_abs_diff<T: Float>(ours: impl IntoIterator<Item = T>, theirs: &[T]) -> f64 {
    ours.into_iter()
        .zip(theirs)
        .map(|(a, &b)| (a.to_f64() - b.to_f64()).abs())
        .fold(0.0, f64::max)
}

/// Loads fixture `name` with `options` twice, as the logical weights and as the cell that runs
/// (`LstmLayer`, with the best kernel this CPU has), and runs every sequence of its `input` from
/// its `h0`/`c0` through both the reference step and the cell's `run` (which hoists where that
/// pays): the largest differences of either from the reference, over all steps and the final
/// state.
pub(crate) fn parity<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>(
    name: &str,
    options: &LoadOptions,
) -> Parity {
    let bytes = fixture_bytes(name);
    let weights = LstmWeights::<T, I, H, B, R>::from_safetensors(&bytes, options)
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    let layer = LstmLayer::<T, I, H, B, R>::from_safetensors(&bytes, options)
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    assert_eq!(layer.to_weights(), weights, "{name}: loaded as a layer");
    let (input_shape, input) = data::<T>(&bytes, "input");
    let (_, output) = data::<T>(&bytes, "output");
    let (_, h0) = data::<T>(&bytes, "h0");
    let (_, c0) = data::<T>(&bytes, "c0");
    let (_, h_n) = data::<T>(&bytes, "h_n");
    let (_, c_n) = data::<T>(&bytes, "c_n");
    let [batch, steps, input_size] = input_shape[..] else {
        panic!("input is (B, T, I)")
    };
    assert_eq!(input_size, I, "{name}: input size");

    let mut parity = Parity {
        all_finite: true,
        ..Parity::default()
    };
    for sequence in 0..batch {
        let inputs: Vec<[T; I]> = (0..steps)
            .map(|t| {
                let at = (sequence * steps + t) * I;
                core::array::from_fn(|k| input[at + k])
            })
            .collect();
        let initial = LstmState::new(
            core::array::from_fn(|k| h0[sequence * R + k]),
            core::array::from_fn(|k| c0[sequence * H + k]),
        );
        let (mut reference_state, mut state) = (initial, initial);
        let mut reference_outputs = vec![[T::ZERO; R]; steps];
        let mut outputs = vec![[T::ZERO; R]; steps];
        weights
            .as_cell()
            .run(&inputs, &mut reference_outputs, &mut reference_state)
            .expect("lengths match");
        layer
            .run(&inputs, &mut outputs, &mut state)
            .expect("lengths match");
        for (outputs, state) in [(&reference_outputs, reference_state), (&outputs, state)] {
            parity.all_finite &= outputs.iter().flatten().all(|v| v.is_finite());
            let reference = &output[sequence * steps * R..(sequence + 1) * steps * R];
            parity.output = parity
                .output
                .max(max_abs_diff(outputs.iter().flatten().copied(), reference));
            parity.h_n = parity.h_n.max(max_abs_diff(
                state.h,
                &h_n[sequence * R..(sequence + 1) * R],
            ));
            parity.c_n = parity.c_n.max(max_abs_diff(
                state.c,
                &c_n[sequence * H..(sequence + 1) * H],
            ));
        }
    }
    parity
}

/// Like [`parity`] for any layer (a stack, a bidirectional layer) loaded from a PyTorch fixture
/// whose states are laid out as PyTorch's `(layers * directions, batch, size)`.
pub(crate) fn layer_parity<T, L, const I: usize, const O: usize>(
    name: &str,
    options: &LoadOptions,
) -> (Parity, L)
where
    T: Float,
    L: Layer<T, Input = [T; I], Output = [T; O]> + WeightFile,
    L::State: CellStates<T>,
{
    let bytes = fixture_bytes(name);
    let weights = <L as WeightFile>::from_safetensors(&bytes, options)
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    let (input_shape, input) = data::<T>(&bytes, "input");
    let (_, output) = data::<T>(&bytes, "output");
    let (h0_shape, h0) = data::<T>(&bytes, "h0");
    let (c0_shape, c0) = data::<T>(&bytes, "c0");
    let (_, h_n) = data::<T>(&bytes, "h_n");
    let (_, c_n) = data::<T>(&bytes, "c_n");
    let [batch, steps, input_size] = input_shape[..] else {
        panic!("input is (B, T, I)")
    };
    assert_eq!(input_size, I, "{name}: input size");
    let (cells, h_size, c_size) = (h0_shape[0], h0_shape[2], c0_shape[2]);
    assert_eq!(cells, L::State::CELLS, "{name}: layers * directions");
    // Element (cell, sequence, k) of a (cells, batch, size) tensor.
    let at = |cell: usize, sequence: usize, size: usize| (cell * batch + sequence) * size;

    let mut parity = Parity {
        all_finite: true,
        ..Parity::default()
    };
    let mut workspace = L::Workspace::default();
    for sequence in 0..batch {
        let inputs: Vec<[T; I]> = (0..steps)
            .map(|t| core::array::from_fn(|k| input[(sequence * steps + t) * I + k]))
            .collect();
        let mut state = weights.zero_state();
        let mut cell = 0;
        state.for_each_cell_mut(&mut |h, c| {
            h.copy_from_slice(&h0[at(cell, sequence, h_size)..][..h_size]);
            c.copy_from_slice(&c0[at(cell, sequence, c_size)..][..c_size]);
            cell += 1;
        });
        let mut outputs = vec![[T::ZERO; O]; steps];
        weights
            .run_with(&inputs, &mut outputs, &mut state, &mut workspace)
            .expect("lengths match");
        parity.all_finite &= outputs.iter().flatten().all(|v| v.is_finite());
        let reference = &output[sequence * steps * O..(sequence + 1) * steps * O];
        parity.output = parity
            .output
            .max(max_abs_diff(outputs.iter().flatten().copied(), reference));
        let mut cell = 0;
        state.for_each_cell(&mut |h, c| {
            let expected_h = &h_n[at(cell, sequence, h_size)..][..h_size];
            let expected_c = &c_n[at(cell, sequence, c_size)..][..c_size];
            parity.h_n = parity.h_n.max(max_abs_diff(h.iter().copied(), expected_h));
            parity.c_n = parity.c_n.max(max_abs_diff(c.iter().copied(), expected_c));
            cell += 1;
        });
    }
    (parity, weights)
}
