//! The AVX-512 kernel: the generic kernels compiled with AVX-512F (and the AVX2 and FMA it
//! implies), 32 registers of 16 `f32` lanes. A step sums up to four tiles at a time (sixteen
//! accumulator chains hide the multiply-adds' latency, each input loaded once for all four;
//! `f64`, two lanes' worth of registers per tile, takes two) and computes their activations
//! together; a batch shares each weight load among 4 sequences (4 x 4 gates x 16 lanes fill
//! half the registers).
use super::super::Entry;
use crate::kernel::generic::instantiate_kernels;
use crate::kernel::{BLOCK, Call, Kernel, TILE};
use crate::{Float, Storage};

/// The proof that this CPU has AVX-512F, AVX2 and FMA: only [`Entry::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx512(());

instantiate_kernels! {
    #[target_feature(enable = "avx512f,avx2,fma")]
    fused: true,
    step: (TILE, TILE),
    group: (4, 2),
    block: (16, 8),
    batch: ((16, BLOCK), (8, BLOCK)),
    project: (16, 8),
    recur: (TILE, TILE),
}

// SAFETY: `detect` returns `Some` only after finding every feature `generic_run` is compiled
// for.
unsafe impl Entry for Avx512 {
    const KERNEL: Kernel = Kernel::Avx512;

    fn detect() -> Option<Self> {
        // Without `std` there is no detection: the portable kernel runs.
        #[cfg(not(feature = "std"))]
        return None;
        #[cfg(feature = "std")]
        let found = std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma");
        #[cfg(feature = "std")]
        found.then_some(Avx512(()))
    }

    unsafe fn run<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        call: Call<'_, T, I, H, R>,
    ) {
        // SAFETY: the caller has this set's features (the method's contract).
        unsafe { generic_run(tiles, call) }
    }
}
