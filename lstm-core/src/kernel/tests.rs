//! One test suite for every kernel: each test runs on each kernel this CPU has, and
//! [`kernels`] prints the kernels it skips. Set `LSTM_REQUIRE_KERNELS` to a comma-separated
//! list (`avx2,avx512`, or `all`) on a machine where those must run: a missing one then fails
//! the tests instead of being skipped.

use super::Kernel;
use crate::StreamingLayer;
use crate::{Bf16, Compute, F16, Float, Layer, LstmLayer, LstmState, LstmWeights, Role, Storage};

/// The kernels this CPU runs, after printing those it cannot (and failing if one of them is
/// required by `LSTM_REQUIRE_KERNELS`).
pub(crate) fn kernels() -> Vec<Kernel> {
    let required = std::env::var("LSTM_REQUIRE_KERNELS").unwrap_or_default();
    let required: Vec<String> = required
        .split(',')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    let mut available = Vec::new();
    for kernel in Kernel::ALL {
        let name = format!("{kernel:?}").to_ascii_lowercase();
        if kernel.is_available() {
            available.push(kernel);
        } else if required.iter().any(|r| *r == name || r == "all") {
            panic!(
                "the {kernel:?} kernel is required (LSTM_REQUIRE_KERNELS) but this CPU lacks it"
            );
        } else {
            println!("skipped: the {kernel:?} kernel (this CPU lacks its features)");
        }
    }
    for name in &required {
        let known = name == "all"
            || Kernel::ALL
                .iter()
                .any(|kernel| format!("{kernel:?}").eq_ignore_ascii_case(name));
        assert!(known, "LSTM_REQUIRE_KERNELS names no kernel `{name}`");
    }
    available
}

/// Test weights, each exactly a bf16 (so that bf16 storage holds them unchanged).
fn weights<T: Float, const I: usize, const H: usize, const R: usize>() -> LstmWeights<T, I, H, 2, R>
{
    LstmWeights::from_fn(|gate, role, row, col| {
        let role = match role {
            Role::Input => 0,
            Role::Recurrent => 1,
            Role::Bias(set) => 2 + set,
            Role::Projection => 4,
        };
        let n = (gate.index() * 5 + role) * 131 + row * 17 + col * 3;
        T::from_f64(((n % 61) as f64 - 30.0) / 64.0)
    })
}

/// An input value that differs by step, element and sequence.
fn wave<T: Float>(at: usize) -> T {
    T::from_f64((at as f64 * 0.37).sin())
}

/// A distinct initial state per sequence.
fn initial<T: Float, const H: usize, const R: usize>(sequence: usize) -> LstmState<T, H, R> {
    LstmState::new(
        [T::from_f64(0.05 * sequence as f64); R],
        [T::from_f64(-0.1 * sequence as f64); H],
    )
}

/// Everything the packed calls promise, for one packing: the step agrees with the logical
/// step within `tolerance`; a batch (every count of sequences from 1 to 13, so every block
/// size and remainder) equals separate calls bit for bit; the hoisted calls equal `run` bit
/// for bit, for sequences of 1 to 13 steps.
fn check<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    logical: &LstmWeights<T, I, H, 2, R>,
    packed: &LstmLayer<T, I, H, 2, R, S>,
    tolerance: f64,
) {
    let what = format!("{:?} {} I={I} H={H} R={R}", packed.kernel(), T::NAME);
    let (mut slow, mut fast) = (initial(1), initial(1));
    for t in 0..5 {
        let x: [T; I] = core::array::from_fn(|k| wave(t * I + k));
        let (a, b) = (
            logical.as_cell().step(&x, &mut slow),
            packed.step(&x, &mut fast),
        );
        for (s, f) in a.iter().zip(&b).chain(slow.c.iter().zip(&fast.c)) {
            let error = (s.to_f64() - f.to_f64()).abs();
            assert!(error < tolerance, "{what}: {s} vs {f}");
        }
    }
    for batch in 1..=13 {
        let steps = 2;
        let inputs: Vec<[T; I]> = (0..batch * steps)
            .map(|t| core::array::from_fn(|k| wave(t * I + k + 1000)))
            .collect();
        let mut states: Vec<_> = (0..batch).map(initial).collect();
        let mut outputs = vec![[T::ZERO; R]; batch * steps];
        packed
            .run_batch(&inputs, &mut outputs, &mut states)
            .unwrap();
        let mut hoisted_states: Vec<_> = (0..batch).map(initial).collect();
        let mut hoisted = vec![[T::ZERO; R]; batch * steps];
        let mut scratch = Vec::new();
        packed.run_batch_hoisted(
            &inputs,
            &mut hoisted,
            &mut hoisted_states,
            steps,
            &mut scratch,
        );
        for sequence in 0..batch {
            let range = sequence * steps..(sequence + 1) * steps;
            let mut alone = vec![[T::ZERO; R]; steps];
            let mut state = initial(sequence);
            packed.run_streamed(&inputs[range.clone()], &mut alone, &mut state);
            assert_eq!(alone, outputs[range.clone()], "{what}: batch of {batch}");
            assert_eq!(state, states[sequence], "{what}: batch of {batch}");
            assert_eq!(alone, hoisted[range], "{what}: hoisted batch of {batch}");
            assert_eq!(state, hoisted_states[sequence], "{what}: hoisted {batch}");
        }
    }
    for steps in 1..=13 {
        let inputs: Vec<[T; I]> = (0..steps)
            .map(|t| core::array::from_fn(|k| wave(t * I + k + 2000)))
            .collect();
        let (mut a, mut b) = (initial(2), initial(2));
        let mut streamed = vec![[T::ZERO; R]; steps];
        let mut hoisted = vec![[T::ZERO; R]; steps];
        packed.run_streamed(&inputs, &mut streamed, &mut a);
        let mut scratch = Vec::new();
        packed.run_hoisted(&inputs, &mut hoisted, &mut b, &mut scratch);
        let mut chosen = vec![[T::ZERO; R]; steps];
        let mut c = initial(2);
        packed.run(&inputs, &mut chosen, &mut c).unwrap();
        assert_eq!(streamed, chosen, "{what}: run, {steps} steps");
        assert_eq!(streamed, hoisted, "{what}: hoisted, {steps} steps");
        assert_eq!(a, b, "{what}: hoisted, {steps} steps");
    }
}

/// [`check`] for every kernel this CPU has ([`kernels`]), in `f64`, `f32` and `f32` with bf16 and f16
/// storage (the test weights are exact in both),
/// for sizes that fill tiles exactly, leave a partial tile (and a partial half of one:
/// the AVX2 kernel updates 8 units at a time), and project; and for tile counts that AVX-512
/// sums in groups of up to 4 (`f32`) or 2 (`f64`): 1, 2, 3 tiles alone, and 7 (hidden 100:
/// a group of 4, then 3; in `f64` three pairs, then 1).
#[test]
fn every_packing_keeps_the_promises() {
    fn sizes<const I: usize, const H: usize, const R: usize>() {
        let (wide, narrow) = (weights::<f64, I, H, R>(), weights::<f32, I, H, R>());
        for kernel in kernels() {
            check(&wide, &wide.pack().with_kernel(kernel).unwrap(), 1e-12);
            check(&narrow, &narrow.pack().with_kernel(kernel).unwrap(), 2e-6);
            let bf16 = narrow.pack_as::<Bf16>().with_kernel(kernel).unwrap();
            check(&narrow, &bf16, 2e-6);
            let f16 = narrow.pack_as::<F16>().with_kernel(kernel).unwrap();
            check(&narrow, &f16, 2e-6);
        }
    }
    sizes::<3, 16, 16>();
    sizes::<7, 37, 37>();
    sizes::<1, 5, 5>();
    sizes::<1, 32, 32>();
    sizes::<4, 20, 6>();
    sizes::<2, 12, 12>();
    sizes::<1, 100, 100>();
}

#[test]
fn the_portable_kernel_is_always_available() {
    let packed = weights::<f64, 2, 3, 3>().pack();
    assert!(packed.clone().with_kernel(Kernel::Portable).is_ok());
    assert!(Kernel::best().is_available());
    if !Kernel::Avx512.is_available() {
        let err = packed.with_kernel(Kernel::Avx512).unwrap_err();
        assert_eq!(err.to_string(), "this CPU cannot run the Avx512 kernel");
    }
}

/// Packing and unpacking keep the weights: exactly in the element type, rounded once in a
/// narrower storage, and the same whichever kernel runs them.
#[test]
fn weights_survive_packing_and_storage_changes() {
    let weights = weights::<f32, 7, 37, 37>();
    for kernel in kernels() {
        let cell = weights.pack().with_kernel(kernel).unwrap();
        assert_eq!(cell.to_weights(), weights, "{kernel:?}");
        let narrow = cell.to_storage::<Bf16>();
        assert_eq!(narrow.kernel(), kernel);
        // The test weights are exact in bf16, so the round trip is exact too.
        assert_eq!(narrow.to_weights(), weights, "{kernel:?} bf16");
        assert_eq!(narrow.to_storage::<f32>(), cell);
    }
}

/// Half-precision `f32` weights run on the kernel that widens them in vector registers: AVX2
/// where AVX-512 is the best kernel (measured 1.2-4.5x faster there, `best_ops`), as do cells
/// of one tile; other `f32` weights on the best kernel; `to_storage` makes the default choice
/// again for its storage.
#[test]
fn half_precision_weights_run_on_the_fastest_kernel_for_them() {
    let weights = LstmWeights::<f32, 4, 20>::from_fn(|_, _, row, col| (row + col) as f32 * 0.01);
    let half_kernel = match Kernel::best() {
        Kernel::Avx512 => Kernel::Avx2,
        best => best,
    };
    assert_eq!(weights.pack().kernel(), Kernel::best());
    assert_eq!(weights.pack_as::<Bf16>().kernel(), half_kernel);
    assert_eq!(weights.pack_as::<F16>().kernel(), half_kernel);
    assert_eq!(weights.pack().to_storage::<F16>().kernel(), half_kernel);
    assert_eq!(
        weights.pack_as::<F16>().to_storage::<f32>().kernel(),
        Kernel::best()
    );
    // A kernel chosen by hand is kept.
    let forced = weights.pack().with_kernel(Kernel::Portable).unwrap();
    assert_eq!(forced.to_storage::<Bf16>().kernel(), Kernel::Portable);
    let one_tile = LstmWeights::<f32, 4, 16>::zeros().pack();
    assert_eq!(one_tile.kernel(), half_kernel);
    // `f64` has no hand-written kernel: always the best.
    assert_eq!(
        LstmWeights::<f64, 4, 8>::zeros().pack().kernel(),
        Kernel::best()
    );
}
