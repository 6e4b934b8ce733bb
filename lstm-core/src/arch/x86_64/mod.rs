//! What the x86-64 instruction sets share: detection that yields a proof value, the safe entry
//! points written once over [`Entry`], and the generic kernels compiled for a set's features
//! ([`target_feature_kernels!`]).
//!
//! The soundness argument, in one place: an [`Entry`] value exists only if its `detect` found
//! the set's features on this CPU (each set's type has a private field, so only `detect` makes
//! one). [`ops`] takes such a value and returns the table of this module's private safe
//! functions, each of which calls the set's `#[target_feature]` code. Nothing else can reach
//! those functions, so every call through the table runs on a CPU that has the features.
#![allow(
    unsafe_code,
    reason = "calls into `#[target_feature]` code after detection, and the AVX2 `f32` kernel's \
              vector loads and stores, and one empty assembly block that keeps shuffles from being \
              folded into loads"
)]

mod avx2;
mod avx2_f32;
mod avx512;

pub(crate) use avx2::Avx2;
pub(crate) use avx512::Avx512;

use crate::kernel::{BLOCK, Direction, Kernel, Ops};
use crate::{Float, LstmState, Storage};

/// An x86-64 instruction set's entry points into the kernels, with the signatures of [`Ops`].
///
/// # Safety
/// `detect` returns `Some` only on a CPU that has every feature the methods are compiled for.
pub(crate) unsafe trait Entry: Sized {
    /// Which kernel this set is.
    const KERNEL: Kernel;

    /// The proof that this CPU has the set's features, or `None`.
    fn detect() -> Option<Self>;

    /// [`Ops::step`].
    ///
    /// # Safety
    /// Only on a CPU where [`detect`](Self::detect) returned `Some`.
    unsafe fn step<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        x: &[T; I],
        h: &[T; R],
        c: &mut [T; H],
        out: &mut [T; H],
        direction: &Direction,
    );

    /// [`Ops::step_block`].
    ///
    /// # Safety
    /// As [`step`](Self::step).
    unsafe fn step_block<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        xs: [&[T; I]; BLOCK],
        states: &mut [LstmState<T, H, R>; BLOCK],
        out: &mut [[T; H]; BLOCK],
    );

    /// [`Ops::batch`].
    ///
    /// # Safety
    /// As [`step`](Self::step).
    unsafe fn batch<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        inputs: &[[T; I]],
        steps: usize,
        t: usize,
        states: &mut [LstmState<T, H, R>],
        outputs: &mut [[T; R]],
    );

    /// [`Ops::project`].
    ///
    /// # Safety
    /// As [`step`](Self::step).
    unsafe fn project<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        inputs: &[[T; I]],
        projected: &mut [T],
    );

    /// [`Ops::recur`].
    ///
    /// # Safety
    /// As [`step`](Self::step).
    unsafe fn recur<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        projected: &[T],
        h: &[T; R],
        c: &mut [T; H],
        out: &mut [T; H],
        direction: &Direction,
    );

    /// [`Ops::recur_batch`].
    ///
    /// # Safety
    /// As [`step`](Self::step).
    unsafe fn recur_batch<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        projected: &[T],
        steps: usize,
        t: usize,
        states: &mut [LstmState<T, H, R>],
        outputs: &mut [[T; R]],
    );
}

/// `E`'s entry points, if this CPU has its features.
pub(crate) fn detected<
    E: Entry,
    T: Float,
    S: Storage<T>,
    const I: usize,
    const H: usize,
    const R: usize,
>() -> Option<Ops<T, S, I, H, R>> {
    E::detect().map(ops)
}

/// The table of `E`'s entry points; `_proof` is what makes them safe to call.
fn ops<E: Entry, T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    _proof: E,
) -> Ops<T, S, I, H, R> {
    Ops {
        kernel: E::KERNEL,
        step: step::<E, T, S, I, H, R>,
        step_block: step_block::<E, T, S, I, H, R>,
        batch: batch::<E, T, S, I, H, R>,
        project: project::<E, T, S, I, H, R>,
        recur: recur::<E, T, S, I, H, R>,
        recur_batch: recur_batch::<E, T, S, I, H, R>,
    }
}

// The safe entry points. Each is reachable only through `ops`, which takes an `E`: the SAFETY
// comments below all rest on that (see the module's documentation).

fn step<E: Entry, T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    tiles: &[S],
    x: &[T; I],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
    direction: &Direction,
) {
    // SAFETY: only `ops` hands this function out, given an `E` that `E::detect` made.
    unsafe { E::step(tiles, x, h, c, out, direction) }
}

fn step_block<E: Entry, T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    tiles: &[S],
    xs: [&[T; I]; BLOCK],
    states: &mut [LstmState<T, H, R>; BLOCK],
    out: &mut [[T; H]; BLOCK],
) {
    // SAFETY: only `ops` hands this function out, given an `E` that `E::detect` made.
    unsafe { E::step_block(tiles, xs, states, out) }
}

fn batch<E: Entry, T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    tiles: &[S],
    inputs: &[[T; I]],
    steps: usize,
    t: usize,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    // SAFETY: only `ops` hands this function out, given an `E` that `E::detect` made.
    unsafe { E::batch(tiles, inputs, steps, t, states, outputs) }
}

fn project<E: Entry, T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    tiles: &[S],
    inputs: &[[T; I]],
    projected: &mut [T],
) {
    // SAFETY: only `ops` hands this function out, given an `E` that `E::detect` made.
    unsafe { E::project::<T, S, I, H, R>(tiles, inputs, projected) }
}

fn recur<E: Entry, T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    tiles: &[S],
    projected: &[T],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
    direction: &Direction,
) {
    // SAFETY: only `ops` hands this function out, given an `E` that `E::detect` made.
    unsafe { E::recur::<T, S, I, H, R>(tiles, projected, h, c, out, direction) }
}

fn recur_batch<
    E: Entry,
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
    // SAFETY: only `ops` hands this function out, given an `E` that `E::detect` made.
    unsafe { E::recur_batch::<T, S, I, H, R>(tiles, projected, steps, t, states, outputs) }
}

/// The `f32` view of an array of `T`, for the `f32` kernels (`None` unless `T` is `f32`).
#[inline(always)]
fn f32_array<T: Float, const N: usize>(values: &[T; N]) -> Option<&[f32; N]> {
    T::as_f32s(values)?.try_into().ok()
}

/// [`f32_array`], mutably.
#[inline(always)]
fn f32_array_mut<T: Float, const N: usize>(values: &mut [T; N]) -> Option<&mut [f32; N]> {
    T::as_f32s_mut(values)?.try_into().ok()
}

/// The generic kernels compiled with a set's `features`, as `generic_step`, `generic_block`,
/// `generic_batch`, `generic_project`, `generic_recur` and `generic_recur_batch`: written once,
/// each set giving only its register blocking, per operation, for `f32` and for `f64` (lanes
/// summed per pass; for batches also sequences per weight load), and whether a step sums two
/// tiles at a time.
macro_rules! target_feature_kernels {
    (
        features: $features:literal,
        step: ($step32:expr, $step64:expr),
        pairs: $pairs:literal,
        block: ($block32:expr, $block64:expr),
        batch: (($batch32:expr, $batch_nb32:expr), ($batch64:expr, $batch_nb64:expr)),
        project: ($project32:expr, $project64:expr),
        recur: ($recur32:expr, $recur64:expr) $(,)?
    ) => {
        /// The generic step, compiled with this set's features.
        #[target_feature(enable = $features)]
        fn generic_step<
            T: crate::Float,
            S: crate::Storage<T>,
            const I: usize,
            const H: usize,
            const R: usize,
        >(
            tiles: &[S],
            x: &[T; I],
            h: &[T; R],
            c: &mut [T; H],
            out: &mut [T; H],
        ) {
            use crate::kernel::generic::tiles_step;
            if T::BITS == 32 {
                tiles_step::<T, I, H, R, true, { $step32 }, $pairs, S>(tiles, x, h, c, out);
            } else {
                tiles_step::<T, I, H, R, true, { $step64 }, $pairs, S>(tiles, x, h, c, out);
            }
        }

        /// The generic block of sequences, compiled with this set's features.
        #[target_feature(enable = $features)]
        fn generic_block<
            T: crate::Float,
            S: crate::Storage<T>,
            const I: usize,
            const H: usize,
            const R: usize,
        >(
            tiles: &[S],
            xs: [&[T; I]; crate::kernel::BLOCK],
            states: &mut [crate::LstmState<T, H, R>; crate::kernel::BLOCK],
            out: &mut [[T; H]; crate::kernel::BLOCK],
        ) {
            use crate::kernel::generic::block_step;
            if T::BITS == 32 {
                block_step::<T, I, H, R, true, { $block32 }, S>(tiles, xs, states, out);
            } else {
                block_step::<T, I, H, R, true, { $block64 }, S>(tiles, xs, states, out);
            }
        }

        /// The generic batch step, compiled with this set's features.
        #[target_feature(enable = $features)]
        fn generic_batch<
            T: crate::Float,
            S: crate::Storage<T>,
            const I: usize,
            const H: usize,
            const R: usize,
        >(
            tiles: &[S],
            inputs: &[[T; I]],
            steps: usize,
            t: usize,
            states: &mut [crate::LstmState<T, H, R>],
            outputs: &mut [[T; R]],
        ) {
            use crate::kernel::generic::batch_tiles;
            let (i, o) = (inputs, outputs);
            if T::BITS == 32 {
                batch_tiles::<T, I, H, R, true, { $batch32 }, { $batch_nb32 }, S>(
                    tiles, i, steps, t, states, o,
                );
            } else {
                batch_tiles::<T, I, H, R, true, { $batch64 }, { $batch_nb64 }, S>(
                    tiles, i, steps, t, states, o,
                );
            }
        }

        /// The generic input projection, compiled with this set's features.
        #[target_feature(enable = $features)]
        fn generic_project<
            T: crate::Float,
            S: crate::Storage<T>,
            const I: usize,
            const H: usize,
            const R: usize,
        >(
            tiles: &[S],
            inputs: &[[T; I]],
            projected: &mut [T],
        ) {
            use crate::kernel::generic::project_tiles;
            if T::BITS == 32 {
                project_tiles::<T, I, H, R, true, { $project32 }, S>(tiles, inputs, projected);
            } else {
                project_tiles::<T, I, H, R, true, { $project64 }, S>(tiles, inputs, projected);
            }
        }

        /// The generic recurrence step, compiled with this set's features.
        #[target_feature(enable = $features)]
        fn generic_recur<
            T: crate::Float,
            S: crate::Storage<T>,
            const I: usize,
            const H: usize,
            const R: usize,
        >(
            tiles: &[S],
            projected: &[T],
            h: &[T; R],
            c: &mut [T; H],
            out: &mut [T; H],
        ) {
            use crate::kernel::generic::recur_tiles;
            let p = projected;
            if T::BITS == 32 {
                recur_tiles::<T, I, H, R, true, { $recur32 }, S>(tiles, p, h, c, out);
            } else {
                recur_tiles::<T, I, H, R, true, { $recur64 }, S>(tiles, p, h, c, out);
            }
        }

        /// The generic recurrence of a batch, compiled with this set's features.
        #[target_feature(enable = $features)]
        fn generic_recur_batch<
            T: crate::Float,
            S: crate::Storage<T>,
            const I: usize,
            const H: usize,
            const R: usize,
        >(
            tiles: &[S],
            projected: &[T],
            steps: usize,
            t: usize,
            states: &mut [crate::LstmState<T, H, R>],
            outputs: &mut [[T; R]],
        ) {
            use crate::kernel::generic::recur_batch_tiles;
            let (p, o) = (projected, outputs);
            if T::BITS == 32 {
                recur_batch_tiles::<T, I, H, R, true, { $batch32 }, { $batch_nb32 }, S>(
                    tiles, p, steps, t, states, o,
                );
            } else {
                recur_batch_tiles::<T, I, H, R, true, { $batch64 }, { $batch_nb64 }, S>(
                    tiles, p, steps, t, states, o,
                );
            }
        }
    };
}

use target_feature_kernels;
