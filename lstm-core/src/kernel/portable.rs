//! The portable kernel: the generic kernels compiled for the build's target, assuming no CPU
//! feature beyond it (SSE2 on x86-64, NEON on aarch64), with separate multiplies and adds
//! (`mul_add` without FMA would be a slow library call).
#![forbid(unsafe_code)]

use super::{Kernel, Ops, generic};
use crate::{Float, Storage};

/// Lanes summed per pass: 8 keeps the sums in registers (16 spilled and ran 3.5x slower).
const PASS: usize = 8;

/// Sequences per block of a batch: 1. Measured at input 100, hidden 256, batch 32 (us per
/// step, blocks of 4 / 3 / 2 / 1): SSE2 `f32` 2980 / 808 / 746 / 614 and `f64` 3054 / 1479 /
/// 1525 / 1346; there are too few registers to share a weight load.
const BATCH_BLOCK: usize = 1;

generic::instantiate_kernels! {
    fused: false,
    step: (PASS, PASS),
    group: (1, 1),
    block: (PASS, PASS),
    batch: ((PASS, BATCH_BLOCK), (PASS, BATCH_BLOCK)),
    project: (PASS, PASS),
    recur: (PASS, PASS),
}

/// The portable entry point; every CPU can run it.
pub(crate) fn ops<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>()
-> Ops<T, S, I, H, R> {
    Ops {
        kernel: Kernel::Portable,
        run: generic_run::<T, S, I, H, R>,
    }
}
