//! The AVX2 kernel: `f32` weights (stored as `f32`, [`Bf16`] or [`F16`]) run the kernel written
//! with intrinsics (`avx2_f32.rs`), every other type the generic kernels compiled with AVX2,
//! FMA and F16C (16 registers of 8 `f32` lanes).

use super::super::Entry;
use super::avx2_f32::{self, BatchInputs};
use super::{f32_array, f32_array_mut};
use crate::kernel::generic::instantiate_kernels;
use crate::kernel::{BLOCK, BatchInput, Call, Direction, Kernel, StepInput};
use crate::{Bf16, F16, F32Lanes, Float, LstmState, Storage};

/// The proof that this CPU has AVX2, FMA and F16C: only [`Entry::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

/// Sequences per block of the generic batch kernels for `f32` (storage other than `f32`, bf16
/// and f16, which the intrinsics kernel takes): blocks of 4 spill their accumulators in 16
/// registers. Measured at input 100, hidden 256, batch 32 (us per step, blocks of 4 / 3 / 2 /
/// 1): 500 / 396 / 281 / 505. `f64` keeps [`BLOCK`]: its figures varied from 750 to 1650
/// between identical runs, too much to choose a size by.
const F32_BATCH_BLOCK: usize = 2;

instantiate_kernels! {
    #[target_feature(enable = "avx2,fma,f16c")]
    fused: true,
    step: (16, 8),
    group: (1, 1),
    block: (8, 4),
    batch: ((8, F32_BATCH_BLOCK), (4, BLOCK)),
    project: (8, 4),
    recur: (16, 8),
}

/// One step by the intrinsics kernel, for whichever of its storage types `lanes` holds,
/// walking the tiles the way `direction` says where that keeps some of them in L2. The units go
/// to `out`, or with `None` to `h` (through a buffer: the tiles run one after another, and
/// each reads the whole old `h`).
#[target_feature(enable = "avx2,fma,f16c")]
fn f32_step<const I: usize, const H: usize, const R: usize>(
    lanes: F32Lanes<'_>,
    input: &StepInput<'_, f32, I>,
    h: &mut [f32; R],
    c: &mut [f32; H],
    out: Option<&mut [f32; H]>,
    direction: &Direction,
) {
    match out {
        Some(out) => f32_step_into(lanes, input, h, c, out, direction),
        None => {
            let mut out = [0.0; H];
            f32_step_into(lanes, input, h, c, &mut out, direction);
            for (h, &unit) in h.iter_mut().zip(&out) {
                *h = unit;
            }
        }
    }
}

/// [`f32_step`] into a buffer.
#[target_feature(enable = "avx2,fma,f16c")]
fn f32_step_into<const I: usize, const H: usize, const R: usize>(
    lanes: F32Lanes<'_>,
    input: &StepInput<'_, f32, I>,
    h: &[f32; R],
    c: &mut [f32; H],
    out: &mut [f32; H],
    direction: &Direction,
) {
    let reverse = || direction.next();
    match lanes {
        F32Lanes::F32(t) => avx2_f32::step_any::<f32, I, H, R>(t, input, h, c, out, reverse),
        F32Lanes::Bf16(t) => avx2_f32::step_any::<Bf16, I, H, R>(t, input, h, c, out, reverse),
        F32Lanes::F16(t) => avx2_f32::step_any::<F16, I, H, R>(t, input, h, c, out, reverse),
    }
}

/// A batch step by the intrinsics kernel, for whichever of its storage types `lanes` holds.
#[target_feature(enable = "avx2,fma,f16c")]
fn f32_batch<T: Float, const I: usize, const H: usize, const R: usize>(
    lanes: F32Lanes<'_>,
    inputs: &BatchInputs<'_, T, I>,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    match lanes {
        F32Lanes::F32(t) => avx2_f32::batch::<T, f32, I, H, R>(t, inputs, states, outputs),
        F32Lanes::Bf16(t) => avx2_f32::batch::<T, Bf16, I, H, R>(t, inputs, states, outputs),
        F32Lanes::F16(t) => avx2_f32::batch::<T, F16, I, H, R>(t, inputs, states, outputs),
    }
}

/// The input projection by the intrinsics kernel.
#[target_feature(enable = "avx2,fma,f16c")]
fn f32_project<T: Float, const I: usize, const R: usize>(
    lanes: F32Lanes<'_>,
    inputs: &[[T; I]],
    projected: &mut [f32],
) {
    match lanes {
        F32Lanes::F32(t) => avx2_f32::project::<T, f32, I, R>(t, inputs, projected),
        F32Lanes::Bf16(t) => avx2_f32::project::<T, Bf16, I, R>(t, inputs, projected),
        F32Lanes::F16(t) => avx2_f32::project::<T, F16, I, R>(t, inputs, projected),
    }
}

// SAFETY: `detect` returns `Some` only after finding AVX2, FMA and F16C, every feature `run`'s
// code (`generic_run` and `avx2_f32.rs`) is compiled for.
unsafe impl Entry for Avx2 {
    const KERNEL: Kernel = Kernel::Avx2;

    fn detect() -> Option<Self> {
        // Without `std` there is no detection: the portable kernel runs.
        #[cfg(not(feature = "std"))]
        return None;
        #[cfg(feature = "std")]
        let found = std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma")
            && std::is_x86_feature_detected!("f16c");
        #[cfg(feature = "std")]
        found.then_some(Avx2(()))
    }

    /// `f32` weights in `f32`, bf16 or f16 storage go to the intrinsics kernel; the rest, and a
    /// block of sequences in other storage, to the generic kernels.
    unsafe fn run<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        call: Call<'_, T, I, H, R>,
    ) {
        let Some(lanes) = S::as_f32_lanes(tiles) else {
            // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
            return unsafe { generic_run(tiles, call) };
        };
        match call {
            Call::Step {
                input,
                state,
                mut out,
                direction,
            } => {
                let f32_input = match input {
                    StepInput::X(x) => f32_array(x).map(StepInput::X),
                    StepInput::Projected(p) => T::as_f32s(p).map(StepInput::Projected),
                };
                let f32_out = match out.as_deref_mut() {
                    Some(out) => f32_array_mut(out).map(Some),
                    None => Some(None),
                };
                let LstmState { h, c } = &mut *state;
                if let (Some(f32_input), Some(h), Some(c), Some(f32_out)) =
                    (f32_input, f32_array_mut(h), f32_array_mut(c), f32_out)
                {
                    // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
                    unsafe { f32_step(lanes, &f32_input, h, c, f32_out, direction) };
                    return;
                }
                let call = Call::Step {
                    input,
                    state,
                    out,
                    direction,
                };
                // SAFETY: as above.
                unsafe { generic_run(tiles, call) }
            }
            // One sequence at a time through the intrinsics step: a batch must give the bits
            // of separate sequences, and those run its activations. (Projected batches do not
            // share weight loads on AVX2.)
            Call::Block { xs, states, out } => {
                for ((x, state), out) in xs.into_iter().zip(states).zip(out) {
                    let step = Call::Step {
                        input: StepInput::X(x),
                        state,
                        out: Some(out),
                        direction: &Direction::default(),
                    };
                    // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
                    unsafe { Self::run(tiles, step) };
                }
            }
            Call::Batch {
                input,
                steps,
                t,
                states,
                outputs,
            } => {
                let f32_input = match input {
                    BatchInput::X(inputs) => Some(BatchInputs {
                        inputs,
                        projected: None,
                        steps,
                        t,
                    }),
                    BatchInput::Projected(p) => T::as_f32s(p).map(|projected| BatchInputs {
                        inputs: &[],
                        projected: Some(projected),
                        steps,
                        t,
                    }),
                };
                match f32_input {
                    // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
                    Some(f32_input) => unsafe { f32_batch(lanes, &f32_input, states, outputs) },
                    None => {
                        let call = Call::Batch {
                            input,
                            steps,
                            t,
                            states,
                            outputs,
                        };
                        // SAFETY: as above.
                        unsafe { generic_run(tiles, call) }
                    }
                }
            }
            Call::Project { inputs, projected } => {
                if let Some(out) = T::as_f32s_mut(projected) {
                    // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
                    unsafe { f32_project::<T, I, R>(lanes, inputs, out) };
                    return;
                }
                // SAFETY: as above.
                unsafe { generic_run::<T, S, I, H, R>(tiles, Call::Project { inputs, projected }) }
            }
        }
    }
}
