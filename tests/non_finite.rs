//! One rule for non-finite and extreme values, on every path (issue 15, item 3).
//!
//! The rule (documented on `LstmLayer`): every path (the reference step `CellRef`, and the
//! packed layer with every kernel, stream, sequence and batch, hoisted or not) gives the
//! reference step's result: NaN exactly where it gives NaN, the same infinities, and finite
//! values equal to float precision. The reference step computes PyTorch's formula in IEEE
//! arithmetic, so where PyTorch's result does not depend on the order of its sums (no sum
//! overflows) it is PyTorch's; `tests/fixtures/adversarial_f32.safetensors`, written by PyTorch,
//! checks that part.
//!
//! The adversarial set is generated here from a fixed seed and a table of extreme values
//! (infinities, NaN, `f32::MAX`, values whose products overflow, values where the sigmoid
//! underflows to 0), placed in weights, biases, inputs and both halves of the state.

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

mod common;

use lstm::prelude::*;
use lstm::{
    Bf16, CellRef, F16, Gate, Kernel, LoadOptions, LstmLayer, LstmState, LstmWeights, Role, Storage,
};

/// Values that break careless arithmetic, and ordinary ones between them.
const EXTREMES: [f32; 22] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    1e-30,
    -1e-30,
    1e-45,
    88.8,
    -88.8,
    -88.7,
    100.0,
    -100.0,
    1e30,
    -1e30,
    3e38,
    -3e38,
    f32::MAX,
    -f32::MAX,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
];

impl Rng {
    /// An ordinary value in [-1, 1], or with probability `extreme` one of [`EXTREMES`].
    fn value(&mut self, extreme: f64) -> f32 {
        let draw = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        if draw < extreme {
            EXTREMES[(self.next() % EXTREMES.len() as u64) as usize]
        } else {
            (self.next() % 2001) as f32 / 1000.0 - 1.0
        }
    }
}

/// Whether `ours` is the reference's value under the rule.
fn agrees(ours: f32, reference: f32) -> bool {
    if reference.is_nan() || ours.is_nan() {
        return reference.is_nan() && ours.is_nan();
    }
    if reference.is_infinite() || ours.is_infinite() {
        return ours == reference;
    }
    (ours - reference).abs() <= 1e-5 * (1.0 + reference.abs())
}

/// One case: weights and a sequence with its initial state.
struct Case<const I: usize, const H: usize, const B: usize, const R: usize> {
    weights: LstmWeights<f32, I, H, B, R>,
    inputs: Vec<[f32; I]>,
    state: LstmState<f32, H, R>,
}

fn case<const I: usize, const H: usize, const B: usize, const R: usize>(
    rng: &mut Rng,
    steps: usize,
) -> Case<I, H, B, R> {
    // Some cases are extreme only in the weights, some only in the data, some in both.
    let (in_weights, in_data) = match rng.next() % 3 {
        0 => (0.05, 0.0),
        1 => (0.0, 0.1),
        _ => (0.03, 0.05),
    };
    // The projection stays ordinary: it multiplies the kernels' activation error (about 1e-7)
    // by its weights, so near `f32::MAX` even rounding differences would not be "the same
    // result" (PyTorch's own, with its approximate `exp`, would differ from either).
    let weights = LstmWeights::from_fn(|_, role, _, _| match role {
        Role::Projection => rng.value(0.0),
        _ => rng.value(in_weights),
    });
    let inputs = (0..steps)
        .map(|_| std::array::from_fn(|_| rng.value(in_data)))
        .collect();
    let mut state = LstmState::zeros();
    state.h = std::array::from_fn(|_| rng.value(in_data));
    state.c = std::array::from_fn(|_| rng.value(in_data));
    Case {
        weights,
        inputs,
        state,
    }
}

/// The reference: the plain step, one step at a time.
fn reference<const I: usize, const H: usize, const B: usize, const R: usize>(
    cell: &CellRef<'_, f32, I, H, B, R>,
    inputs: &[[f32; I]],
    mut state: LstmState<f32, H, R>,
) -> (Vec<[f32; R]>, LstmState<f32, H, R>) {
    let outputs = inputs.iter().map(|x| cell.step(x, &mut state)).collect();
    (outputs, state)
}

/// Counts the elements of `ours` that break the rule against `reference`.
fn disagreements<const H: usize, const R: usize>(
    ours: (&[[f32; R]], &LstmState<f32, H, R>),
    reference: (&[[f32; R]], &LstmState<f32, H, R>),
) -> usize {
    let outputs = ours.0.iter().flatten().zip(reference.0.iter().flatten());
    let h = ours.1.h.iter().zip(&reference.1.h);
    let c = ours.1.c.iter().zip(&reference.1.c);
    outputs
        .chain(h)
        .chain(c)
        .filter(|&(&a, &b)| !agrees(a, b))
        .count()
}

/// Every path of `layer` (each kernel this CPU has; step, sequence, batch streamed and hoisted)
/// against the reference step of `expected`, over `cases` generated cases. Returns the number
/// of elements that break the rule, per path.
fn check_paths<const I: usize, const H: usize, const B: usize, const R: usize, S>(
    seed: u64,
    cases: usize,
    layer_of: impl Fn(&LstmWeights<f32, I, H, B, R>) -> LstmLayer<f32, I, H, B, R, S>,
    expected_of: impl Fn(&LstmLayer<f32, I, H, B, R, S>) -> LstmWeights<f32, I, H, B, R>,
) -> Vec<(String, usize)>
where
    S: Storage<f32>,
{
    const STEPS: usize = 3;
    let mut rng = Rng(seed);
    let mut failures: Vec<(String, usize)> = Vec::new();
    let mut count = |path: String, n: usize| match failures.iter_mut().find(|(p, _)| *p == path) {
        Some((_, total)) => *total += n,
        None => failures.push((path, n)),
    };
    for _ in 0..cases {
        let cases: [Case<I, H, B, R>; 3] = std::array::from_fn(|_| case(&mut rng, STEPS));
        let layer = layer_of(&cases[0].weights);
        let expected_weights = expected_of(&layer);
        let cell = expected_weights.as_cell();
        let references: Vec<_> = cases
            .iter()
            .map(|case| reference(&cell, &case.inputs, case.state))
            .collect();
        for kernel in Kernel::ALL.into_iter().filter(|k| k.is_available()) {
            let layer = layer.clone().with_kernel(kernel).unwrap();
            let reference = (&references[0].0[..], &references[0].1);
            // Streamed, one step at a time.
            let mut state = cases[0].state;
            let outputs: Vec<_> = cases[0]
                .inputs
                .iter()
                .map(|x| layer.step(x, &mut state))
                .collect();
            count(
                format!("{kernel:?} step"),
                disagreements((&outputs, &state), reference),
            );
            // A whole sequence (hoisted where the layer's rule says so).
            let mut state = cases[0].state;
            let mut outputs = vec![[0.0; R]; STEPS];
            layer
                .run(&cases[0].inputs, &mut outputs, &mut state)
                .unwrap();
            count(
                format!("{kernel:?} run"),
                disagreements((&outputs, &state), reference),
            );
            // A batch of the three cases' sequences (same weights), by both paths.
            let inputs: Vec<[f32; I]> = cases.iter().flat_map(|c| c.inputs.clone()).collect();
            for hoisted in [false, true] {
                let mut states: Vec<_> = cases.iter().map(|c| c.state).collect();
                let mut outputs = vec![[0.0; R]; 3 * STEPS];
                layer
                    .run_batch_by_path(&inputs, &mut outputs, &mut states, &mut Vec::new(), hoisted)
                    .unwrap();
                for (sequence, (reference, state)) in references.iter().enumerate() {
                    let ours = &outputs[sequence * STEPS..(sequence + 1) * STEPS];
                    count(
                        format!("{kernel:?} batch (hoisted: {hoisted})"),
                        disagreements((ours, &states[sequence]), (reference, state)),
                    );
                }
            }
        }
    }
    failures
}

fn assert_none(shape: &str, failures: &[(String, usize)]) {
    let broken: Vec<_> = failures.iter().filter(|(_, n)| *n > 0).collect();
    assert!(
        broken.is_empty(),
        "{shape}: elements that break the rule, per path: {broken:?}"
    );
    // Every path was checked (the portable kernel at least: step, run, two batches).
    assert!(failures.len() >= 4, "{failures:?}");
}

#[test]
fn every_f32_path_agrees_with_the_reference_step() {
    // A hidden size under a tile, one over it, PyTorch's two biases, and a projection.
    assert_none(
        "2 -> 3, double bias",
        &check_paths::<2, 3, 2, 3, f32>(1, 300, |w| w.pack(), |l| l.to_weights()),
    );
    assert_none(
        "3 -> 20",
        &check_paths::<3, 20, 1, 20, f32>(2, 150, |w| w.pack(), |l| l.to_weights()),
    );
    assert_none(
        "2 -> 4, projected to 2",
        &check_paths::<2, 4, 1, 2, f32>(3, 300, |w| w.pack(), |l| l.to_weights()),
    );
}

/// A narrow storage computes with its stored (rounded) weights and summed bias: the reference
/// is the reference step of exactly those.
fn stored_weights<const I: usize, const H: usize, S: Storage<f32>>(
    layer: &LstmLayer<f32, I, H, 1, H, S>,
) -> LstmWeights<f32, I, H, 1, H> {
    let weights = layer.to_weights();
    let gate_weights = |gate| match gate {
        Gate::Input => (&weights.w_i, &weights.u_i),
        Gate::Forget => (&weights.w_f, &weights.u_f),
        Gate::Candidate => (&weights.w_c, &weights.u_c),
        Gate::Output => (&weights.w_o, &weights.u_o),
    };
    LstmWeights::from_fn(|gate, role, row, col| match role {
        Role::Input => gate_weights(gate).0[row][col],
        Role::Recurrent => gate_weights(gate).1[row][col],
        Role::Bias(_) => S::narrow(weights.biases[0].gate(gate)[row]).widen(),
        Role::Projection => 0.0,
    })
}

#[test]
fn half_precision_storage_agrees_with_the_reference_step_of_its_weights() {
    assert_none(
        "bf16 3 -> 20",
        &check_paths::<3, 20, 1, 20, Bf16>(4, 100, |w| w.pack_as(), stored_weights),
    );
    assert_none(
        "f16 3 -> 20",
        &check_paths::<3, 20, 1, 20, F16>(5, 100, |w| w.pack_as(), stored_weights),
    );
}

/// The two reproductions of the issue, by name.
#[test]
fn the_reported_cases() {
    // A forget-gate bias of -inf and c = +inf: the reference gives 0 * inf = NaN.
    let weights = LstmWeights::<f32, 1, 1>::from_fn(|gate, role, _, _| match (gate, role) {
        (Gate::Forget, Role::Bias(_)) => f32::NEG_INFINITY,
        _ => 0.0,
    });
    let mut state = LstmState::zeros();
    state.c = [f32::INFINITY];
    let expected = weights.as_cell().step(&[0.0], &mut state.clone());
    assert!(expected[0].is_nan());
    for kernel in Kernel::ALL.into_iter().filter(|k| k.is_available()) {
        let layer = weights.pack().with_kernel(kernel).unwrap();
        let h = layer.step(&[0.0], &mut state.clone());
        assert!(h[0].is_nan(), "{kernel:?}: {h:?}");
    }
    // W = [1e30, -1e30], x = [1e30, 1e30]: the products overflow to +inf and -inf.
    let weights = LstmWeights::<f32, 2, 1>::from_fn(|_, role, _, col| match role {
        Role::Input => [1e30, -1e30][col],
        _ => 0.0,
    });
    let expected = weights.as_cell().step(&[1e30; 2], &mut LstmState::zeros());
    for kernel in Kernel::ALL.into_iter().filter(|k| k.is_available()) {
        let layer = weights.pack().with_kernel(kernel).unwrap();
        let h = layer.step(&[1e30; 2], &mut LstmState::zeros());
        assert!(
            agrees(h[0], expected[0]),
            "{kernel:?}: {h:?}, reference {expected:?}"
        );
    }
}

/// PyTorch's own `nn.LSTM` on NaN, infinities and values up to 1e30 in the inputs, the state
/// and the biases (`adversarial_f32`, written by `scripts/fixtures.py`; no sum overflows, so
/// PyTorch's result does not depend on its order of summation): the reference step and every
/// kernel's step, run and batch give it, NaN for NaN.
#[test]
fn every_path_gives_pytorchs_result_on_the_adversarial_fixture() {
    let bytes = common::fixture_bytes("adversarial_f32");
    let options = LoadOptions::new().allow_non_finite(true);
    let weights = LstmWeights::<f32, 3, 20, 2>::from_safetensors(&bytes, &options).unwrap();
    let (shape, input) = common::data::<f32>(&bytes, "input");
    let [batch, steps, 3] = shape[..] else {
        panic!("input is (B, T, 3)")
    };
    let (_, output) = common::data::<f32>(&bytes, "output");
    let (_, h0) = common::data::<f32>(&bytes, "h0");
    let (_, c0) = common::data::<f32>(&bytes, "c0");
    let (_, h_n) = common::data::<f32>(&bytes, "h_n");
    let (_, c_n) = common::data::<f32>(&bytes, "c_n");
    let inputs: Vec<[f32; 3]> = input
        .chunks_exact(3)
        .map(|x| x.try_into().unwrap())
        .collect();
    let initial: Vec<LstmState<f32, 20>> = (0..batch)
        .map(|b| {
            LstmState::new(
                h0[b * 20..][..20].try_into().unwrap(),
                c0[b * 20..][..20].try_into().unwrap(),
            )
        })
        .collect();
    let expected_states: Vec<f32> = (0..batch)
        .flat_map(|b| h_n[b * 20..][..20].iter().chain(&c_n[b * 20..][..20]))
        .copied()
        .collect();
    let nan_count = output.iter().filter(|v| v.is_nan()).count();
    assert!(nan_count > 100, "the fixture exercises NaN ({nan_count})");

    let check = |path: &str, outputs: &[[f32; 20]], states: &[LstmState<f32, 20>]| {
        let ours_states = states.iter().flat_map(|s| s.h.iter().chain(&s.c)).copied();
        let broken = outputs
            .iter()
            .flatten()
            .copied()
            .zip(output.iter().copied())
            .chain(ours_states.zip(expected_states.iter().copied()))
            .filter(|&(ours, pytorch)| !agrees(ours, pytorch))
            .count();
        assert_eq!(broken, 0, "{path}: elements that differ from PyTorch");
    };
    // The reference step.
    let cell = weights.as_cell();
    let mut states = initial.clone();
    let mut outputs = vec![[0.0; 20]; batch * steps];
    cell.run_batch(&inputs, &mut outputs, &mut states).unwrap();
    check("reference step", &outputs, &states);
    for kernel in Kernel::ALL.into_iter().filter(|k| k.is_available()) {
        let layer = weights.pack().with_kernel(kernel).unwrap();
        for hoisted in [false, true] {
            let mut states = initial.clone();
            let mut outputs = vec![[0.0; 20]; batch * steps];
            layer
                .run_batch_by_path(&inputs, &mut outputs, &mut states, &mut Vec::new(), hoisted)
                .unwrap();
            check(
                &format!("{kernel:?} batch (hoisted: {hoisted})"),
                &outputs,
                &states,
            );
        }
        let mut states = initial.clone();
        let mut outputs = vec![[0.0; 20]; batch * steps];
        for (b, state) in states.iter_mut().enumerate() {
            for t in 0..steps {
                outputs[b * steps + t] = layer.step(&inputs[b * steps + t], state);
            }
        }
        check(&format!("{kernel:?} step"), &outputs, &states);
    }
}
