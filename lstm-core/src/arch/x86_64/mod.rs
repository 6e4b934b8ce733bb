//! What the x86-64 instruction sets share: detection that yields a proof value, the safe entry
//! point written once over [`Entry`]. Each set compiles the generic kernels with its features
//! through `kernel::generic::instantiate_kernels!`.
//!
//! The soundness argument, in one place: an [`Entry`] value exists only if its `detect` found
//! the set's features on this CPU (each set's type has a private field, so only `detect` makes
//! one). [`detected`] hands out this module's private safe [`run`] for a set only when
//! `detect` made such a value, and `run` calls the set's `#[target_feature]` code. Nothing
//! else can reach `run`, so every call through an [`Ops`] runs on a CPU that has the features.
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

use crate::kernel::{Call, Kernel, Ops};
use crate::{Float, Storage};

/// An x86-64 instruction set's entry point into the kernels, with the signature of
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
