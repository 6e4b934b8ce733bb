//! The AVX-512 kernel: the generic kernels compiled with AVX-512F (and the AVX2 and FMA it
//! implies), 32 registers of 16 `f32` lanes. A step sums two tiles at a time (eight
//! accumulator chains hide the multiply-adds' latency, each input loaded once for both); a
//! batch shares each weight load among 4 sequences (4 x 4 gates x 16 lanes fill half the
//! registers).

use super::{Entry, target_feature_kernels};
use crate::kernel::{BLOCK, Direction, Kernel, TILE};
use crate::{Float, LstmState, Storage};

/// The proof that this CPU has AVX-512F, AVX2 and FMA: only [`Entry::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx512(());

target_feature_kernels! {
    features: "avx512f,avx2,fma",
    step: (TILE, TILE),
    pairs: true,
    block: (16, 8),
    batch: ((16, BLOCK), (8, BLOCK)),
    project: (16, 8),
    recur: (TILE, TILE),
}

// SAFETY: `detect` returns `Some` only after finding every feature `target_feature_kernels!`
// compiled the methods' code for.
unsafe impl Entry for Avx512 {
    const KERNEL: Kernel = Kernel::Avx512;

    fn detect() -> Option<Self> {
        let found = std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma");
        found.then_some(Avx512(()))
    }

    unsafe fn step<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        x: &[T; I],
        h: &[T; R],
        c: &mut [T; H],
        out: &mut [T; H],
        _: &Direction,
    ) {
        // SAFETY: the caller has this set's features (the method's contract).
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
        // SAFETY: the caller has this set's features (the method's contract).
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
        // SAFETY: the caller has this set's features (the method's contract).
        unsafe { generic_batch(tiles, inputs, steps, t, states, outputs) }
    }

    unsafe fn project<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        inputs: &[[T; I]],
        projected: &mut [T],
    ) {
        // SAFETY: the caller has this set's features (the method's contract).
        unsafe { generic_project::<T, S, I, H, R>(tiles, inputs, projected) }
    }

    unsafe fn recur<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        projected: &[T],
        h: &[T; R],
        c: &mut [T; H],
        out: &mut [T; H],
        _: &Direction,
    ) {
        // SAFETY: the caller has this set's features (the method's contract).
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
        // SAFETY: the caller has this set's features (the method's contract).
        unsafe { generic_recur_batch::<T, S, I, H, R>(tiles, projected, steps, t, states, outputs) }
    }
}
