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
    /// The type's name, for messages and tables (`"f32"`).
    const NAME: &'static str;
    /// The type's width in bits: 32 or 64.
    const BITS: u32;

    /// `e^self`.
    fn exp(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Whether the value is neither NaN nor infinite.
    fn is_finite(self) -> bool;
    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(value: f64) -> Self;
    /// Converts to `f64` exactly.
    fn to_f64(self) -> f64;

    /// The logistic function `1 / (1 + e^-x)`, as PyTorch's `torch.sigmoid` and Keras' `sigmoid`.
    ///
    /// For very negative inputs `e^-x` overflows to infinity and the result is exactly `0`, not NaN.
    #[inline]
    fn sigmoid(self) -> Self {
        Self::ONE / (Self::ONE + (-self).exp())
    }
}

macro_rules! impl_float {
    ($t:ident) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAME: &'static str = stringify!($t);
            #[allow(clippy::cast_possible_truncation, reason = "4 or 8 bytes")]
            const BITS: u32 = (size_of::<$t>() * 8) as u32;

            #[inline]
            fn exp(self) -> Self {
                $t::exp(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                $t::tanh(self)
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
        }
    };
}

impl_float!(f32);
impl_float!(f64);

#[cfg(test)]
mod tests {
    use super::Float;

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!((-1.0e4f32).sigmoid(), 0.0);
        assert_eq!(1.0e4f32.sigmoid(), 1.0);
        assert!((0.5f64.sigmoid() - 0.622_459_331_201_854_6).abs() < 1e-15);
    }

    #[test]
    fn conversions_round_trip() {
        assert_eq!(f32::from_f64(0.1).to_f64(), f64::from(0.1f32));
        assert_eq!(f64::from_f64(0.1), 0.1);
        assert_eq!(f32::NAME, "f32");
    }
}
