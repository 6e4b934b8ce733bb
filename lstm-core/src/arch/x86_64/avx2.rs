//! The AVX2 kernel: `f32` weights (stored as `f32`, [`Bf16`] or [`F16`]) run the kernel written
//! with intrinsics (`avx2_f32.rs`), every other type the generic kernels compiled with AVX2,
//! FMA and F16C (16 registers of 8 `f32` lanes).

use super::avx2_f32::{self, BatchInputs, StepInput};
use super::{Entry, f32_array, f32_array_mut, target_feature_kernels};
use crate::kernel::{BLOCK, Direction, Kernel};
use crate::{Bf16, F16, F32Lanes, Float, LstmState, Storage};

/// The proof that this CPU has AVX2, FMA and F16C: only [`Entry::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

/// Sequences per block of the generic batch kernels for `f32` (other storage than `f32`, bf16
/// and f16, which the intrinsics kernel takes): blocks of 4 spill their accumulators in 16
/// registers. Measured at input 100, hidden 256, batch 32 (us per step, blocks of 4 / 3 / 2 /
/// 1): 500 / 396 / 281 / 505. `f64` keeps [`BLOCK`]: its figures varied from 750 to 1650
/// between identical runs, too much to choose a size by.
const F32_BATCH_BLOCK: usize = 2;

target_feature_kernels! {
    features: "avx2,fma,f16c",
    step: (16, 8),
    pairs: false,
    block: (8, 4),
    batch: ((8, F32_BATCH_BLOCK), (4, BLOCK)),
    project: (8, 4),
    recur: (16, 8),
}

/// One step by the intrinsics kernel, for whichever of its storage types `lanes` holds,
/// walking the tiles the way `direction` says where that keeps some of them in L2.
#[target_feature(enable = "avx2,fma,f16c")]
fn f32_step<const I: usize, const H: usize, const R: usize>(
    lanes: F32Lanes<'_>,
    input: &StepInput<'_, I>,
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

// SAFETY: `detect` returns `Some` only after finding AVX2, FMA and F16C, every feature the
// methods' code (`target_feature_kernels!` and `avx2_f32.rs`) is compiled for.
unsafe impl Entry for Avx2 {
    const KERNEL: Kernel = Kernel::Avx2;

    fn detect() -> Option<Self> {
        let found = std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma")
            && std::is_x86_feature_detected!("f16c");
        found.then_some(Avx2(()))
    }

    unsafe fn step<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        x: &[T; I],
        h: &[T; R],
        c: &mut [T; H],
        out: &mut [T; H],
        direction: &Direction,
    ) {
        if let (Some(lanes), Some(x), Some(h), Some(c), Some(out)) = (
            S::as_f32_lanes(tiles),
            f32_array(x),
            f32_array(h),
            f32_array_mut(c),
            f32_array_mut(out),
        ) {
            // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
            unsafe { f32_step(lanes, &StepInput::X(x), h, c, out, direction) };
            return;
        }
        // SAFETY: as above.
        unsafe { generic_step(tiles, x, h, c, out) }
    }

    unsafe fn step_block<
        T: Float,
        S: Storage<T>,
        const I: usize,
        const H: usize,
        const R: usize,
    >(
        tiles: &[S],
        xs: [&[T; I]; BLOCK],
        states: &mut [LstmState<T, H, R>; BLOCK],
        out: &mut [[T; H]; BLOCK],
    ) {
        if S::as_f32_lanes(tiles).is_some() {
            // The intrinsics kernel, one sequence at a time: a batch must give the bits of
            // separate sequences, and those run its activations. (Projected batches do not
            // share weight loads on AVX2.)
            for ((x, state), out) in xs.into_iter().zip(states).zip(out) {
                // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
                unsafe {
                    Self::step::<T, S, I, H, R>(
                        tiles,
                        x,
                        &state.h,
                        &mut state.c,
                        out,
                        &Direction::default(),
                    );
                }
            }
            return;
        }
        // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
        unsafe { generic_block(tiles, xs, states, out) }
    }

    unsafe fn batch<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        inputs: &[[T; I]],
        steps: usize,
        t: usize,
        states: &mut [LstmState<T, H, R>],
        outputs: &mut [[T; R]],
    ) {
        if let Some(lanes) = S::as_f32_lanes(tiles) {
            let inputs = BatchInputs {
                inputs,
                projected: None,
                steps,
                t,
            };
            // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
            unsafe { f32_batch(lanes, &inputs, states, outputs) };
            return;
        }
        // SAFETY: as above.
        unsafe { generic_batch(tiles, inputs, steps, t, states, outputs) }
    }

    unsafe fn project<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        inputs: &[[T; I]],
        projected: &mut [T],
    ) {
        if let (Some(lanes), Some(out)) = (S::as_f32_lanes(tiles), T::as_f32s_mut(projected)) {
            // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
            unsafe { f32_project::<T, I, R>(lanes, inputs, out) };
            return;
        }
        // SAFETY: as above.
        unsafe { generic_project::<T, S, I, H, R>(tiles, inputs, projected) }
    }

    unsafe fn recur<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        projected: &[T],
        h: &[T; R],
        c: &mut [T; H],
        out: &mut [T; H],
        direction: &Direction,
    ) {
        if let (Some(lanes), Some(projected), Some(h), Some(c), Some(out)) = (
            S::as_f32_lanes(tiles),
            T::as_f32s(projected),
            f32_array(h),
            f32_array_mut(c),
            f32_array_mut(out),
        ) {
            let input = StepInput::<I>::Projected(projected);
            // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
            unsafe { f32_step(lanes, &input, h, c, out, direction) };
            return;
        }
        // SAFETY: as above.
        unsafe { generic_recur::<T, S, I, H, R>(tiles, projected, h, c, out) }
    }

    unsafe fn recur_batch<
        T: Float,
        S: Storage<T>,
        const I: usize,
        const H: usize,
        const R: usize,
    >(
        tiles: &[S],
        projected: &[T],
        steps: usize,
        t: usize,
        states: &mut [LstmState<T, H, R>],
        outputs: &mut [[T; R]],
    ) {
        if let (Some(lanes), Some(f32_projected)) = (S::as_f32_lanes(tiles), T::as_f32s(projected))
        {
            let inputs = BatchInputs::<T, I> {
                inputs: &[],
                projected: Some(f32_projected),
                steps,
                t,
            };
            // SAFETY: the caller has AVX2, FMA and F16C (the method's contract).
            unsafe { f32_batch(lanes, &inputs, states, outputs) };
            return;
        }
        // SAFETY: as above.
        unsafe { generic_recur_batch::<T, S, I, H, R>(tiles, projected, steps, t, states, outputs) }
    }
}
