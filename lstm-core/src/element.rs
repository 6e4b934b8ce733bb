//! The scalar types a network computes in.

use core::fmt::{Debug, Display};
use core::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point element type: `f32` or `f64`.
///
/// Sealed: the forward step relies on IEEE semantics (a sigmoid of a huge negative input is
/// exactly 0, never NaN), which only these two types are known to give.
///
/// ```
/// use lstm_core::Float;
/// assert_eq!(f32::ZERO.sigmoid(), 0.5);
/// assert_eq!((-1000.0f64).sigmoid(), 0.0);
/// ```
pub trait Float:
    sealed::Sealed
    + Copy
    + PartialEq
    + PartialOrd
    + Debug
    + Display
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + Send
    + Sync
    + 'static
{
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;
    /// The largest finite value.
    const MAX: Self;
    /// The type's name, for messages and tables (`"f32"`).
    const NAME: &'static str;
    /// The type's width in bits: 32 or 64.
    const BITS: u32;

    /// `e^self`.
    fn exp(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// The absolute value.
    fn abs(self) -> Self;
    /// Whether the value is NaN.
    fn is_nan(self) -> bool;
    /// Whether the value is neither NaN nor infinite.
    fn is_finite(self) -> bool;
    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(value: f64) -> Self;
    /// Converts to `f64` exactly.
    fn to_f64(self) -> f64;

    /// `self * a + b`, fused (one rounding). Only fast where the CPU has FMA and the code is
    /// compiled for it: the packed kernels call it inside `#[target_feature(enable = "fma")]`.
    fn mul_add(self, a: Self, b: Self) -> Self;

    /// The logistic function as the packed kernels compute it: for `f32` a branch-free
    /// approximation that vectorises (absolute error below 1e-7 over the whole line), for `f64`
    /// exactly [`sigmoid`](Self::sigmoid). `FUSED` evaluates the polynomial with FMAs, for the
    /// kernels compiled with FMA (elsewhere each would be a library call).
    fn fast_sigmoid<const FUSED: bool>(self) -> Self;

    /// `tanh` as the packed kernels compute it: for `f32` a branch-free approximation that
    /// vectorises (absolute error below 2e-7), for `f64` exactly [`tanh`](Self::tanh).
    /// `FUSED` as in [`fast_sigmoid`](Self::fast_sigmoid).
    fn fast_tanh<const FUSED: bool>(self) -> Self;

    /// The values as `f32`s if `Self` is `f32`: how the packed step hands `f32` data to its
    /// hand-written `f32` kernels without a cast.
    #[doc(hidden)]
    fn as_f32s(values: &[Self]) -> Option<&[f32]>;

    /// [`as_f32s`](Self::as_f32s), mutably.
    #[doc(hidden)]
    fn as_f32s_mut(values: &mut [Self]) -> Option<&mut [f32]>;

    /// The logistic function `1 / (1 + e^-x)`, as PyTorch's `torch.sigmoid` and Keras' `sigmoid`.
    ///
    /// For very negative inputs `e^-x` overflows to infinity and the result is exactly `0`, not NaN.
    #[inline]
    fn sigmoid(self) -> Self {
        Self::ONE / (Self::ONE + (-self).exp())
    }
}

/// The functions of `f32` and `f64` that live in `std` (they call the platform's math
/// library), and `libm`'s pure-Rust ones without it.
mod math {
    #[cfg(feature = "std")]
    macro_rules! from_std {
        ($($name:ident: $t:ident :: $method:ident ($($arg:ident),*);)*) => {$(
            #[inline(always)]
            pub(super) fn $name(x: $t $(, $arg: $t)*) -> $t {
                $t::$method(x $(, $arg)*)
            }
        )*};
    }
    #[cfg(feature = "std")]
    from_std! {
        exp_f32: f32::exp();
        exp_f64: f64::exp();
        tanh_f32: f32::tanh();
        tanh_f64: f64::tanh();
        mul_add_f32: f32::mul_add(a, b);
        mul_add_f64: f64::mul_add(a, b);
    }
    #[cfg(not(feature = "std"))]
    pub(super) use libm::{
        exp as exp_f64, expf as exp_f32, fma as mul_add_f64, fmaf as mul_add_f32, tanh as tanh_f64,
        tanhf as tanh_f32,
    };
}

macro_rules! impl_float {
    ($t:ident, $fast_sigmoid:ident, $fast_tanh:ident, $as_f32s:expr, $as_f32s_mut:expr,
     $exp:ident, $tanh:ident, $mul_add:ident) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const MAX: Self = $t::MAX;
            const NAME: &'static str = stringify!($t);
            #[allow(clippy::cast_possible_truncation, reason = "4 or 8 bytes")]
            const BITS: u32 = (size_of::<$t>() * 8) as u32;

            #[inline]
            fn exp(self) -> Self {
                math::$exp(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                math::$tanh(self)
            }
            #[inline]
            fn abs(self) -> Self {
                $t::abs(self)
            }
            #[inline]
            fn is_nan(self) -> bool {
                $t::is_nan(self)
            }
            #[inline]
            fn is_finite(self) -> bool {
                $t::is_finite(self)
            }
            #[inline]
            #[allow(
                clippy::cast_possible_truncation,
                reason = "rounding f64 to f32 is the documented intent"
            )]
            fn from_f64(value: f64) -> Self {
                value as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            // `always`: inlined into the kernels' `target_feature` functions, where it becomes
            // one FMA instruction; an out-of-line copy would be a library call.
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                math::$mul_add(self, a, b)
            }
            #[inline(always)]
            fn fast_sigmoid<const FUSED: bool>(self) -> Self {
                $fast_sigmoid::<FUSED>(self)
            }
            #[inline(always)]
            fn fast_tanh<const FUSED: bool>(self) -> Self {
                $fast_tanh::<FUSED>(self)
            }
            #[inline(always)]
            fn as_f32s(values: &[Self]) -> Option<&[f32]> {
                $as_f32s(values)
            }
            #[inline(always)]
            fn as_f32s_mut(values: &mut [Self]) -> Option<&mut [f32]> {
                $as_f32s_mut(values)
            }
        }
    };
}

impl_float!(
    f32,
    fast_sigmoid_f32,
    fast_tanh_f32,
    Some,
    Some,
    exp_f32,
    tanh_f32,
    mul_add_f32
);
impl_float!(
    f64,
    exact_sigmoid_f64,
    exact_tanh_f64,
    |_| None,
    |_| None,
    exp_f64,
    tanh_f64,
    mul_add_f64
);

/// `f64` keeps the exact functions (its kernels are checked against the logical step to 1e-12).
#[inline(always)]
fn exact_sigmoid_f64<const FUSED: bool>(x: f64) -> f64 {
    x.sigmoid()
}

/// See [`exact_sigmoid_f64`].
#[inline(always)]
fn exact_tanh_f64<const FUSED: bool>(x: f64) -> f64 {
    Float::tanh(x)
}

/// `a * b + c`: one FMA where the caller is compiled with FMA (`FUSED`), else a multiply and an
/// add (there `f32::mul_add` would be a library call).
#[inline(always)]
fn multiply_add<const FUSED: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FUSED {
        math::mul_add_f32(a, b, c)
    } else {
        a * b + c
    }
}

/// `e^x` for `f32` without branches or calls, so that a loop of it vectorises (Cephes' `expf`:
/// `x = n ln 2 + r`, `e^r` by a degree-5 polynomial, `2^n` built in the exponent bits), as the
/// pair `(e^r, 2^n)`, whose product is `e^x`: the activations fold the product into their
/// `1 + e^x` as one multiply-add. Relative error about 1e-7; arguments are clamped to where
/// the result is a normal float.
///
/// Written for a short chain, since a small step waits on its activations one after another
/// (at input 1, hidden 40, they were half of the step): `n` is rounded by adding
/// `1.5 * 2^23` (one multiply-add, where `round` took four operations and a 8-cycle rounding
/// instruction), and the polynomial is evaluated in Estrin's order (three dependent
/// multiply-adds instead of five).
#[inline(always)]
#[allow(
    clippy::excessive_precision,
    reason = "Cephes' coefficients as published"
)]
fn exp_parts_f32<const FUSED: bool>(x: f32) -> (f32, f32) {
    const LOG2_E: f32 = core::f32::consts::LOG2_E;
    // ln 2 split in two so that `n * LN2_HI` is exact.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding `1.5 * 2^23` to a float below 2^22 in magnitude rounds it to an integer (ties to
    // even) and leaves that integer in the low bits of the sum's representation; with the
    // exponent bias 127 added too, they hold `n + 127`.
    const SHIFT: f32 = 12_582_912.0 + 127.0;
    let fma = multiply_add::<FUSED>;
    let x = x.clamp(-87.3, 88.3);
    let shifted = fma(x, LOG2_E, SHIFT);
    let n = shifted - SHIFT;
    // `2^n` from bits: `n` is an integer in [-126, 127] after the clamp, so `n + 127` is in
    // [1, 254], and shifting it into the exponent field gives `2^n` (the bits of `1.5 * 2^23`
    // shift out). (`n as i32` would be exact too, but Rust's saturating, NaN-checking cast
    // compiles to scalar code in the middle of the vector loop: measured, it kept the whole
    // activation from vectorising.)
    let two_to_n = f32::from_bits(shifted.to_bits() << 23);
    // With FMAs this is 8 instructions instead of 16: measured, the activations were a fifth of
    // a batch step's time (S4) and most of a small one's (S2).
    let r = fma(-n, LN2_LO, fma(-n, LN2_HI, x));
    let r2 = r * r;
    let low = fma(1.666_666_5e-1, r, 5.000_000_1e-1);
    let middle = fma(8.333_452e-3, r, 4.166_579_6e-2);
    let high = fma(1.987_569_1e-4, r, 1.398_199_9e-3);
    let p = fma(high, r2 * r2, fma(middle, r2, low));
    let e_r = fma(p, r2, r) + 1.0;
    (e_r, two_to_n)
}

/// `1 / (1 + e^-x)` through [`exp_parts_f32`].
#[inline(always)]
fn fast_sigmoid_f32<const FUSED: bool>(x: f32) -> f32 {
    let (e_r, two_to_n) = exp_parts_f32::<FUSED>(-x);
    1.0 / multiply_add::<FUSED>(e_r, two_to_n, 1.0)
}

/// `tanh` for `f32` as `1 - 2 / (e^2x + 1)`, one exponential ([`exp_parts_f32`]) and one
/// division, no branch: its absolute error stays below 1.8e-7 over the line (the relative error
/// near 0 is larger, but an LSTM adds `tanh` values to others of order 1). A polynomial near 0
/// selected by a mask cost S2 (hidden 32) about a fifth of its time.
#[inline(always)]
fn fast_tanh_f32<const FUSED: bool>(x: f32) -> f32 {
    let (e_r, two_to_n) = exp_parts_f32::<FUSED>(2.0 * x);
    1.0 - 2.0 / multiply_add::<FUSED>(e_r, two_to_n, 1.0)
}

#[cfg(test)]
mod tests {
    use super::Float;

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!((-1.0e4f32).sigmoid(), 0.0);
        assert_eq!(1.0e4f32.sigmoid(), 1.0);
        assert!((0.5f64.sigmoid() - 0.622_459_331_201_854_6).abs() < 1e-15);
    }

    /// The f32 approximations, with and without FMAs, against `f64` libm over a dense sweep
    /// and the extremes.
    #[test]
    fn fast_activations_are_accurate() {
        fn check<const FUSED: bool>() {
            let (mut sigmoid_error, mut tanh_error) = (0.0f64, 0.0f64);
            for step in -200_000..=200_000 {
                let x = step as f32 * 1e-4; // -20 .. 20
                let exact_sigmoid = 1.0 / (1.0 + (-f64::from(x)).exp());
                let sigmoid = f64::from(x.fast_sigmoid::<FUSED>());
                let tanh = f64::from(x.fast_tanh::<FUSED>());
                sigmoid_error = sigmoid_error.max((sigmoid - exact_sigmoid).abs());
                tanh_error = tanh_error.max((tanh - f64::from(x).tanh()).abs());
            }
            assert!(
                sigmoid_error < 1e-7,
                "fused {FUSED}: sigmoid {sigmoid_error:e}"
            );
            assert!(tanh_error < 2e-7, "fused {FUSED}: tanh {tanh_error:e}");
            for x in [f32::MAX, 1e30, 100.0, -100.0, -1e30, f32::MIN] {
                let (s, t) = (x.fast_sigmoid::<FUSED>(), x.fast_tanh::<FUSED>());
                assert!(
                    (0.0..=1.0).contains(&s) && (-1.0..=1.0).contains(&t),
                    "fused {FUSED}, {x}: {s} {t}"
                );
            }
        }
        check::<false>();
        check::<true>();
        assert_eq!(0.5f64.fast_tanh::<true>(), 0.5f64.tanh());
    }

    #[test]
    fn conversions_round_trip() {
        assert_eq!(f32::from_f64(0.1).to_f64(), f64::from(0.1f32));
        assert_eq!(f64::from_f64(0.1), 0.1);
        assert_eq!(f32::NAME, "f32");
    }
}
