//! Weights compiled into the program: the bytes the derive's `weights = ".."` emits, viewed as
//! the arrays the layers run on, with no copy.
//!
//! The macro reads the weight file when the crate is compiled, packs it into the kernels'
//! layout (`io/compile.rs`, on the build machine) and emits each array as a byte string in a
//! 64-byte-aligned `static` ([`Aligned`]). [`cast`] views such a static as the array of weights
//! it holds: the weights stay in the program's read-only data, the way `include_bytes!` data
//! does, and a layer borrows them for `'static`.
//!
//! Why `unsafe`: the alternative without it, decoding the bytes into a `static [f32; N]` in a
//! `const fn`, is refused by the compiler for any real model (the `long_running_const_eval`
//! lint stopped a 366k-parameter model after 4 s); a byte string of a 3.1M-parameter model
//! compiles in 0.6 s. The one `unsafe` block is a pointer cast whose conditions are checked at
//! compile time; its test runs under Miri.
#![allow(
    unsafe_code,
    reason = "views aligned static bytes as the float arrays they encode (see the module docs)"
)]

use crate::{Bf16, F16};

/// Bytes aligned to 64 (a cache line, an AVX-512 register): the static that holds compiled
/// weights, so that a view of it is aligned for every element type and the kernels' loads do
/// not straddle cache lines.
///
/// ```
/// static BYTES: lstm_core::Aligned<[u8; 4]> = lstm_core::Aligned(*b"\x00\x00\x80\x3f");
/// assert_eq!(core::ptr::from_ref(&BYTES).addr() % 64, 0);
/// ```
#[repr(C, align(64))]
#[derive(Debug)]
pub struct Aligned<B: ?Sized>(pub B);

mod sealed {
    pub trait Sealed {}
}

/// An element type every bit pattern of which is a value, with no padding, that compiled
/// weights are made of: `f32`, `f64`, [`Bf16`], [`F16`] and arrays of them. Sealed.
///
/// # Safety
/// Every sequence of `size_of::<Self>()` bytes is a valid `Self`, and `align_of::<Self>()`
/// is at most 64.
pub unsafe trait Plain: sealed::Sealed + Copy + 'static {
    /// Appends the value's little-endian bytes (what [`cast`] reads back).
    #[cfg(feature = "std")]
    fn write_le(&self, bytes: &mut Vec<u8>);
}

macro_rules! plain_scalars {
    ($($ty:ty => |$value:ident| $bytes:expr;)*) => {$(
        impl sealed::Sealed for $ty {}
        // SAFETY: a float (or a 16-bit float's bits) has a value for every bit pattern, no
        // padding, and an alignment of at most 8.
        unsafe impl Plain for $ty {
            #[cfg(feature = "std")]
            fn write_le(&self, bytes: &mut Vec<u8>) {
                let $value = *self;
                bytes.extend_from_slice(&$bytes);
            }
        }
    )*};
}

plain_scalars! {
    f32 => |value| value.to_le_bytes();
    f64 => |value| value.to_le_bytes();
    Bf16 => |value| value.to_bits().to_le_bytes();
    F16 => |value| value.to_bits().to_le_bytes();
}

impl<E: Plain, const C: usize> sealed::Sealed for [E; C] {}
// SAFETY: an array of `Plain` elements has no padding between them, every bit pattern of each,
// and its element's alignment.
unsafe impl<E: Plain, const C: usize> Plain for [E; C] {
    #[cfg(feature = "std")]
    fn write_le(&self, bytes: &mut Vec<u8>) {
        self.iter().for_each(|element| element.write_le(bytes));
    }
}

/// The `M` elements that `bytes` encodes (little-endian, as [`Plain::write_le`] writes them),
/// borrowed for `'static`: no copy. A size that does not fit, or a big-endian target, is an
/// error when the call is compiled, not when it runs.
///
/// ```
/// use lstm_core::{Aligned, cast};
/// static BYTES: Aligned<[u8; 8]> = Aligned(*b"\x00\x00\x80\x3f\x00\x00\x00\xc0");
/// let values: &'static [f32; 2] = cast(&BYTES);
/// assert_eq!(values, &[1.0, -2.0]);
/// let rows: &'static [[f32; 1]; 2] = cast(&BYTES);
/// assert_eq!(rows, &[[1.0], [-2.0]]);
/// ```
///
/// ```compile_fail,E0080
/// use lstm_core::{Aligned, cast};
/// static BYTES: Aligned<[u8; 6]> = Aligned([0; 6]);
/// let values: &'static [f32; 2] = cast(&BYTES); // 6 bytes are not two f32
/// ```
#[must_use]
pub const fn cast<E: Plain, const N: usize, const M: usize>(
    bytes: &'static Aligned<[u8; N]>,
) -> &'static [E; M] {
    const {
        assert!(
            N == M * size_of::<E>(),
            "compiled weights: the bytes do not fit the array"
        );
        assert!(align_of::<E>() <= 64);
        assert!(
            cfg!(target_endian = "little"),
            "compiled weights are stored little-endian: this target is big-endian"
        );
    }
    // SAFETY: the checks above, at compile time: `bytes` is exactly `M` elements long, and
    // aligned to 64 (`Aligned`), at least `E`'s alignment; `E: Plain` makes every byte pattern
    // a valid `E`, in the target's (little-endian) byte order that `write_le` wrote. The
    // borrow is of a shared `'static`, so the view lives as long and nothing can write to it.
    unsafe { &*bytes.0.as_ptr().cast::<[E; M]>() }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Run under Miri too: `cargo +nightly miri test -p lstm-core embed`.
    #[cfg(feature = "std")]
    #[test]
    fn cast_reads_back_what_write_le_wrote() {
        static F32S: Aligned<[u8; 12]> =
            Aligned(*b"\x00\x00\x80\x3f\x00\x00\x00\xc0\x00\x00\xc0\x7f");
        let values: &[f32; 3] = cast(&F32S);
        assert_eq!(values[..2], [1.0, -2.0]);
        assert!(values[2].is_nan());
        let mut written = Vec::new();
        [[1.0f32, -2.0]].write_le(&mut written);
        assert_eq!(written, F32S.0[..8]);

        static HALVES: Aligned<[u8; 4]> = Aligned(*b"\x80\x3f\x00\x3c");
        let bf16: &[[Bf16; 2]; 1] = cast(&HALVES);
        assert_eq!(bf16[0][0].to_f32(), 1.0);
        let f16: &[F16; 2] = cast(&HALVES);
        assert_eq!(f16[1].to_f32(), 1.0);

        static F64S: Aligned<[u8; 8]> = Aligned(*b"\x00\x00\x00\x00\x00\x00\xf0\x3f");
        assert_eq!(cast::<f64, 8, 1>(&F64S), &[1.0]);
    }

    /// A layer over static tiles (what `compiled()` builds) equals the packed one and steps
    /// as it does, bit for bit, on the portable kernel (the one Miri runs).
    #[cfg(feature = "std")]
    #[test]
    fn a_layer_over_static_tiles_runs_as_the_packed_one() {
        use crate::prelude::*;
        use crate::{Gate, Kernel, LstmLayer, LstmWeights};
        let weights = LstmWeights::<f32, 3, 5, 2>::from_fn(|gate, _, row, col| {
            (gate.index() * 7 + row * 3 + col) as f32 * 0.03 - 0.2
        });
        let packed = weights.pack().with_kernel(Kernel::Portable).unwrap();
        // What the macro emits, here in statics filled once at run time.
        static TILES: std::sync::OnceLock<[f32; 576]> = std::sync::OnceLock::new();
        static BIASES: std::sync::OnceLock<[[[f32; 5]; 4]; 2]> = std::sync::OnceLock::new();
        let tiles = TILES.get_or_init(|| <[f32; 576]>::try_from(packed.tiles()).unwrap());
        let biases = BIASES.get_or_init(|| {
            core::array::from_fn(|set| {
                Gate::ALL.map(|gate| *weights.biases[set].gate(gate).as_array())
            })
        });
        let compiled = LstmLayer::<f32, 3, 5, 2>::from_compiled(
            tiles,
            biases,
            None,
            packed.magnitudes.limits(),
        )
        .with_kernel(Kernel::Portable)
        .unwrap();
        assert!(compiled.is_static());
        assert_eq!(compiled, packed);
        let (mut a, mut b) = (compiled.zero_state(), packed.zero_state());
        for t in 0..4 {
            let x = [t as f32 * 0.5, -1.0, 0.25];
            assert_eq!(compiled.step(&x, &mut a), packed.step(&x, &mut b));
        }
    }
}
