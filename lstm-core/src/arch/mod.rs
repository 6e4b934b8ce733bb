//! The instruction sets that need `#[target_feature]`, and the only `unsafe` code of the
//! library: each set's entry points into the kernels, handed out (as a [`Ops`] table) only after
//! its CPU features are detected, and the AVX2 `f32` kernel written with intrinsics.
//!
//! | file | kernel |
//! |---|---|
//! | `mod.rs` | what every set shares: [`Entry`], detection as a proof, and the one safe entry point |
//! | `x86_64/mod.rs` | the x86-64 sets, and the `f32` views their `f32` kernels take |
//! | `x86_64/avx2.rs` | [`Kernel::Avx2`](crate::Kernel::Avx2): the generic kernels with AVX2 and FMA, and `f32` routed to `avx2_f32.rs` |
//! | `x86_64/avx2_f32.rs` | the AVX2 `f32` kernel (`f32`, bf16 and f16 storage), written with intrinsics |
//! | `x86_64/avx512.rs` | [`Kernel::Avx512`](crate::Kernel::Avx512): the generic kernels with AVX-512F |
//! | `aarch64/neon.rs` | [`Kernel::Neon`](crate::Kernel::Neon): the generic kernels with NEON and FMA, blocked for 32 registers |
//!
//! The soundness argument, in one place: an [`Entry`] value exists only if its `detect` found
//! the set's features on this CPU (each set's type has a private field, so only `detect` makes
//! one). [`detected`] hands out this module's private safe [`run`] for a set only when `detect`
//! made such a value, and `run` calls the set's `#[target_feature]` code. Nothing else can
//! reach `run`, so every call through an [`Ops`] runs on a CPU that has the features. Adding a
//! set is a file that implements [`Entry`] and a function like [`avx2`] here.
//!
//! Every `unsafe` block has a `SAFETY` comment; the safe paths beside them (the portable
//! kernel, the reference step) are what the kernel tests compare them with.
#![allow(
    unsafe_code,
    reason = "calls into `#[target_feature]` code after detection, and the AVX2 `f32` kernel's \
              vector loads and stores, and one empty assembly block that keeps shuffles from being \
              folded into loads"
)]
#![cfg_attr(
    not(any(target_arch = "x86_64", target_arch = "aarch64")),
    expect(
        dead_code,
        reason = "no instruction set of this target needs `#[target_feature]`"
    )
)]

use crate::kernel::{Call, Kernel, Ops};
use crate::{Float, Storage};

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(target_arch = "x86_64")]
mod x86_64;

/// An instruction set's entry point into the kernels, with the signature of
/// [`Ops::run`].
///
/// # Safety
/// `detect` returns `Some` only on a CPU that has every feature `run` is compiled for.
pub(crate) unsafe trait Entry: Sized {
    /// Which kernel this set is.
    const KERNEL: Kernel;

    /// The proof that this CPU has the set's features, or `None`.
    fn detect() -> Option<Self>;

    /// Runs `call` over `tiles`.
    ///
    /// # Safety
    /// Only on a CPU where [`detect`](Self::detect) returned `Some`.
    unsafe fn run<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        tiles: &[S],
        call: Call<'_, T, I, H, R>,
    );
}

/// `E`'s entry point, if this CPU has its features.
pub(crate) fn detected<
    E: Entry,
    T: Float,
    S: Storage<T>,
    const I: usize,
    const H: usize,
    const R: usize,
>() -> Option<Ops<T, S, I, H, R>> {
    E::detect().map(|_proof: E| Ops {
        kernel: E::KERNEL,
        run: run::<E, T, S, I, H, R>,
    })
}

/// The safe entry point, reachable only through [`detected`], which hands it out only with an
/// `E` that `E::detect` made (see the module's documentation).
fn run<E: Entry, T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
    tiles: &[S],
    call: Call<'_, T, I, H, R>,
) {
    // SAFETY: only `detected` hands this function out, after `E::detect` found the features.
    unsafe { E::run(tiles, call) }
}

/// The AVX2 entry points, if this CPU has AVX2, FMA and F16C.
pub(crate) fn avx2<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>()
-> Option<Ops<T, S, I, H, R>> {
    #[cfg(target_arch = "x86_64")]
    return detected::<x86_64::Avx2, T, S, I, H, R>();
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// The AVX-512 entry points, if this CPU has AVX-512F, AVX2 and FMA.
pub(crate) fn avx512<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>()
-> Option<Ops<T, S, I, H, R>> {
    #[cfg(target_arch = "x86_64")]
    return detected::<x86_64::Avx512, T, S, I, H, R>();
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// The NEON entry points, if this CPU has NEON (every AArch64 CPU does).
pub(crate) fn neon<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>()
-> Option<Ops<T, S, I, H, R>> {
    #[cfg(target_arch = "aarch64")]
    return detected::<aarch64::Neon, T, S, I, H, R>();
    #[cfg(not(target_arch = "aarch64"))]
    None
}
