//! The instruction sets that need `#[target_feature]`, and the only `unsafe` code of the
//! library: each set's entry points into the kernels, handed out (as a [`Ops`] table) only after
//! its CPU features are detected, and the AVX2 `f32` kernel written with intrinsics.
//!
//! | file | kernel |
//! |---|---|
//! | `x86_64/mod.rs` | what the x86-64 sets share: detection as a proof, the safe entry points |
//! | `x86_64/avx2.rs` | [`Kernel::Avx2`](crate::Kernel::Avx2): the generic kernels with AVX2 and FMA, and `f32` routed to `avx2_f32.rs` |
//! | `x86_64/avx2_f32.rs` | the AVX2 `f32` kernel (`f32`, bf16 and f16 storage), written with intrinsics |
//! | `x86_64/avx512.rs` | [`Kernel::Avx512`](crate::Kernel::Avx512): the generic kernels with AVX-512F |
//!
//! Every `unsafe` block has a `SAFETY` comment; the safe paths beside them (the portable
//! kernel, the reference step) are what the kernel tests compare them with.

use crate::kernel::Ops;
use crate::{Float, Storage};

#[cfg(target_arch = "x86_64")]
mod x86_64;

/// The AVX2 entry points, if this CPU has AVX2, FMA and F16C.
pub(crate) fn avx2<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>()
-> Option<Ops<T, S, I, H, R>> {
    #[cfg(target_arch = "x86_64")]
    return x86_64::detected::<x86_64::Avx2, T, S, I, H, R>();
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// The AVX-512 entry points, if this CPU has AVX-512F, AVX2 and FMA.
pub(crate) fn avx512<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>()
-> Option<Ops<T, S, I, H, R>> {
    #[cfg(target_arch = "x86_64")]
    return x86_64::detected::<x86_64::Avx512, T, S, I, H, R>();
    #[cfg(not(target_arch = "x86_64"))]
    None
}
