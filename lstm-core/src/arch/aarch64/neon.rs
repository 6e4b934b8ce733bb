//! The NEON kernel (64-bit Arm: Apple silicon, the Raspberry Pi 4 and 5, Arm servers): the
//! generic kernels compiled with NEON and fused multiply-adds, blocked for its 32 registers of
//! 4 `f32` (2 `f64`) lanes. Every AArch64 CPU has NEON; what this kernel adds over the portable
//! one (the same code, compiled for the target's baseline, which on AArch64 includes NEON) is
//! the blocking and `FMLA`, one rounding per multiply-add:
//!
//! - a step sums 16 lanes of a tile per pass: 4 gates x 4 registers = 16 accumulators, half
//!   the register file, leaving the other half for the weights in flight and the broadcast
//!   input (the portable kernel's 8 lanes leave the multiply-add units waiting on latency:
//!   with 4-cycle `FMLA` latency and 2 or more pipes, 16 independent chains keep them busy);
//! - a block or a batch step shares each weight load among [`BLOCK`] (4) sequences, 4 lanes a
//!   pass: 4 sequences x 4 gates = 16 accumulators again;
//! - the input projection and the projected recurrence as the step.
//!
//! These are register counts, not measurements: the machines this library is developed on are
//! x86, where the kernel runs only under emulation (`scripts/test-aarch64.sh`, which checks it
//! against PyTorch with the whole test suite); its speed on real Arm hardware is unmeasured.

use super::super::Entry;
use crate::kernel::generic::instantiate_kernels;
use crate::kernel::{BLOCK, Call, Kernel};
use crate::{Float, Storage};

/// The proof that this CPU has NEON: only [`Entry::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Neon(());

instantiate_kernels! {
    #[target_feature(enable = "neon")]
    fused: true,
    step: (16, 8),
    group: (1, 1),
    block: (4, 2),
    batch: ((4, BLOCK), (2, BLOCK)),
    project: (16, 8),
    recur: (16, 8),
}

// SAFETY: `detect` returns `Some` only after finding the feature `generic_run` is compiled for.
unsafe impl Entry for Neon {
    const KERNEL: Kernel = Kernel::Neon;

    fn detect() -> Option<Self> {
        // Without `std` there is no detection: the portable kernel runs.
        #[cfg(not(feature = "std"))]
        return None;
        #[cfg(feature = "std")]
        std::arch::is_aarch64_feature_detected!("neon").then_some(Neon(()))
    }

    unsafe fn run<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        call: Call<'_, T, I, H, R>,
    ) {
        // SAFETY: the caller has this set's features (the method's contract).
        unsafe { generic_run(tiles, call) }
    }
}
