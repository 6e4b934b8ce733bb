//! The x86-64 instruction sets: AVX2 and AVX-512, each an [`Entry`](super::Entry), and what
//! they share (the `f32` views their `f32` kernels take).

mod avx2;
mod avx2_f32;
mod avx512;

pub(super) use avx2::Avx2;
pub(super) use avx512::Avx512;

use crate::Float;

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
