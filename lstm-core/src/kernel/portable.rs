//! The portable kernel: the generic kernels compiled for the build's target, assuming no CPU
//! feature beyond it (SSE2 on x86-64, NEON on aarch64), with separate multiplies and adds
//! (`mul_add` without FMA would be a slow library call).
#![forbid(unsafe_code)]

use super::generic::{
    batch_tiles, block_step, project_tiles, recur_batch_tiles, recur_tiles, tiles_step,
};
use super::{Direction, Kernel, Ops};
use crate::{Float, Storage};

/// Lanes summed per pass: 8 keeps the sums in registers (16 spilled and ran 3.5x slower).
const PASS: usize = 8;

/// Sequences per block of a batch: 1. Measured at input 100, hidden 256, batch 32 (us per
/// step, blocks of 4 / 3 / 2 / 1): SSE2 `f32` 2980 / 808 / 746 / 614 and `f64` 3054 / 1479 /
/// 1525 / 1346; there are too few registers to share a weight load.
const BATCH_BLOCK: usize = 1;

/// The portable entry points; every CPU can run them.
pub(crate) fn ops<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>()
-> Ops<T, S, I, H, R> {
    Ops {
        kernel: Kernel::Portable,
        step: step::<T, S, I, H, R>,
        step_block: block_step::<T, I, H, R, false, PASS, S>,
        batch: batch_tiles::<T, I, H, R, false, PASS, BATCH_BLOCK, S>,
        project: project_tiles::<T, I, H, R, false, PASS, S>,
        recur: recur::<T, S, I, H, R>,
        recur_batch: recur_batch_tiles::<T, I, H, R, false, PASS, BATCH_BLOCK, S>,
    }
}

fn step<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    tiles: &[S],
    x: &[T; I],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
    _: &Direction,
) {
    tiles_step::<T, I, H, R, false, PASS, false, S>(tiles, x, h, c, out);
}

fn recur<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    tiles: &[S],
    projected: &[T],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
    _: &Direction,
) {
    recur_tiles::<T, I, H, R, false, PASS, S>(tiles, projected, h, c, out);
}
