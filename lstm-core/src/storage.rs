//! How packed weights are stored: as the computation's own type, or as half-precision
//! [`Bf16`] or [`F16`], widened as the kernels load them.

use core::fmt;

use crate::Float;

/// How a packed weight is kept: as the computation's own type `T` (the default), or narrower.
/// The kernels widen each weight to `T` as they load it, so sums and activations stay in `T`.
///
/// ```
/// use lstm_core::{Bf16, Storage};
/// let stored = <Bf16 as Storage<f32>>::narrow(0.1);
/// assert_eq!(stored.widen(), 0.10009765625); // the nearest bfloat16
/// assert_eq!(<f32 as Storage<f32>>::narrow(0.1).widen(), 0.1); // f32 as itself
/// ```
pub trait Storage<T>: Copy + fmt::Debug + Send + Sync + 'static {
    /// Zero, for padding lanes.
    const ZERO: Self;
    /// Stores `value` (rounding it if the storage is narrower).
    fn narrow(value: T) -> Self;
    /// The stored value as `T`.
    fn widen(self) -> T;

    /// The stored values as one of the layouts the hand-written `f32` kernels read, if they
    /// are one (`f32`, [`Bf16`] or [`F16`] storage of `f32` weights); `None` runs the generic
    /// kernels.
    #[doc(hidden)]
    #[inline(always)]
    fn as_f32_lanes(values: &[Self]) -> Option<F32Lanes<'_>> {
        let _ = values;
        None
    }
}

/// Packed `f32` weights as the hand-written kernels read them: see [`Storage::as_f32_lanes`].
///
/// ```
/// use lstm_core::{Bf16, F32Lanes, Storage};
/// let stored = [Bf16::from_f32(1.0); 16];
/// assert!(matches!(<Bf16 as Storage<f32>>::as_f32_lanes(&stored), Some(F32Lanes::Bf16(_))));
/// ```
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum F32Lanes<'a> {
    /// Stored as `f32`.
    F32(&'a [f32]),
    /// Stored as bfloat16, widened as loaded.
    Bf16(&'a [Bf16]),
    /// Stored as IEEE half precision, widened as loaded.
    F16(&'a [F16]),
}

impl<T: Float> Storage<T> for T {
    const ZERO: Self = T::ZERO;
    #[inline(always)]
    fn as_f32_lanes(values: &[Self]) -> Option<F32Lanes<'_>> {
        T::as_f32s(values).map(F32Lanes::F32)
    }
    #[inline(always)]
    fn narrow(value: T) -> T {
        value
    }
    #[inline(always)]
    fn widen(self) -> T {
        self
    }
}

/// A bfloat16: the top 16 bits of an `f32` (8 exponent bits, 8 significant bits). As packed
/// storage for `f32` weights it halves the bytes a step reads; widening is a shift, so the
/// kernels stay vectorised.
///
/// ```
/// use lstm_core::Bf16;
/// assert_eq!(Bf16::from_f32(1.0).to_f32(), 1.0);
/// assert_eq!(Bf16::from_f32(0.1).to_f32(), 0.10009765625); // nearest bf16
/// assert!(Bf16::from_f32(f32::NAN).to_f32().is_nan());
/// ```
// `transparent`: the AVX2 kernel loads eight of them as one 128-bit vector of `u16`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(transparent)]
pub struct Bf16(u16);

impl Bf16 {
    /// The bf16 with these bits (sign, 8 exponent bits, 7 fraction bits), as a file stores it.
    ///
    /// ```
    /// assert_eq!(lstm_core::Bf16::from_bits(0x3F80).to_f32(), 1.0);
    /// ```
    #[must_use]
    pub const fn from_bits(bits: u16) -> Bf16 {
        Bf16(bits)
    }

    /// The value's bits.
    ///
    /// ```
    /// assert_eq!(lstm_core::Bf16::from_f32(-2.0).to_bits(), 0xC000);
    /// ```
    #[must_use]
    pub const fn to_bits(self) -> u16 {
        self.0
    }

    /// The nearest bf16 (ties to even); NaN stays NaN.
    ///
    /// ```
    /// use lstm_core::Bf16;
    /// assert_eq!(Bf16::from_f32(1.0 + 1.0 / 512.0).to_f32(), 1.0); // a tie, to even
    /// ```
    #[must_use]
    pub fn from_f32(value: f32) -> Bf16 {
        let bits = value.to_bits();
        if value.is_nan() {
            return Bf16(((bits >> 16) | 0x0040) as u16);
        }
        let rounding = 0x7FFF + ((bits >> 16) & 1);
        #[allow(
            clippy::cast_possible_truncation,
            reason = "the top 16 bits, after the shift"
        )]
        Bf16((bits.wrapping_add(rounding) >> 16) as u16)
    }

    /// The value as an `f32`, exactly.
    ///
    /// ```
    /// assert_eq!(lstm_core::Bf16::from_f32(-3.5).to_f32(), -3.5);
    /// ```
    #[must_use]
    #[inline(always)]
    pub fn to_f32(self) -> f32 {
        f32::from_bits(u32::from(self.0) << 16)
    }
}

impl Storage<f32> for Bf16 {
    const ZERO: Self = Bf16(0);
    #[inline(always)]
    fn as_f32_lanes(values: &[Self]) -> Option<F32Lanes<'_>> {
        Some(F32Lanes::Bf16(values))
    }
    #[inline(always)]
    fn narrow(value: f32) -> Self {
        Bf16::from_f32(value)
    }
    #[inline(always)]
    fn widen(self) -> f32 {
        self.to_f32()
    }
}

/// An IEEE 754 half-precision float (5 exponent bits, 11 significant bits: PyTorch's
/// `torch.float16`). As packed storage for `f32` weights it halves the bytes a step reads, like
/// [`Bf16`], with three more bits of precision (relative rounding error 2^-11 against 2^-8)
/// and a narrower range: magnitudes above 65504 round to infinity, below 6e-8 to zero. AVX2
/// machines widen it with one instruction per eight weights (F16C).
///
/// ```
/// use lstm_core::F16;
/// assert_eq!(F16::from_f32(1.0).to_f32(), 1.0);
/// assert_eq!(F16::from_f32(0.1).to_f32(), 0.0999755859375); // nearest f16
/// assert_eq!(F16::from_f32(65520.0).to_f32(), f32::INFINITY); // past the largest, 65504
/// assert!(F16::from_f32(f32::NAN).to_f32().is_nan());
/// ```
// `transparent`: the AVX2 kernel loads eight of them as one 128-bit vector of `u16`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(transparent)]
pub struct F16(u16);

impl F16 {
    /// The f16 with these bits (sign, 5 exponent bits, 10 fraction bits), as a file stores it.
    ///
    /// ```
    /// assert_eq!(lstm_core::F16::from_bits(0x3C00).to_f32(), 1.0);
    /// assert_eq!(lstm_core::F16::from_bits(0x0001).to_f32(), 2f32.powi(-24)); // subnormal
    /// ```
    #[must_use]
    pub const fn from_bits(bits: u16) -> F16 {
        F16(bits)
    }

    /// The value's bits.
    ///
    /// ```
    /// assert_eq!(lstm_core::F16::from_f32(-2.0).to_bits(), 0xC000);
    /// ```
    #[must_use]
    pub const fn to_bits(self) -> u16 {
        self.0
    }

    /// The nearest f16 (ties to even), infinity past the largest finite one; NaN stays NaN.
    ///
    /// ```
    /// use lstm_core::F16;
    /// assert_eq!(F16::from_f32(1e-8).to_f32(), 0.0); // below half the smallest f16
    /// ```
    #[must_use]
    pub fn from_f32(value: f32) -> F16 {
        let bits = value.to_bits();
        let sign = (bits >> 16) & 0x8000;
        let magnitude = bits & 0x7FFF_FFFF;
        let half = if magnitude > 0x7F80_0000 {
            // NaN: quiet, with the top of the payload.
            0x7E00 | ((magnitude >> 13) & 0x01FF)
        } else if magnitude >= 0x4780_0000 {
            // 2^16 or more (or infinity): past the largest f16 however it rounds.
            0x7C00
        } else if magnitude >= 0x3880_0000 {
            // A normal f16 (2^-14 or more): rebias the exponent (127 - 15 = 112), keep the
            // top 10 of the 23 fraction bits, round on the other 13. A carry out of the
            // fraction moves to the next exponent, 65520 and up to infinity, as it should.
            let truncated = (magnitude >> 13) - (112 << 10);
            round_half_even(truncated, magnitude & 0x1FFF, 0x1000)
        } else {
            // A subnormal f16 (or zero): the significand, with its leading 1, in units of
            // 2^-24, the smallest f16.
            let exponent = magnitude >> 23;
            let shift = 126 - exponent;
            if shift > 24 {
                0 // below half the smallest f16
            } else {
                let significand = (magnitude & 0x007F_FFFF) | 0x0080_0000;
                let dropped = significand & ((1 << shift) - 1);
                round_half_even(significand >> shift, dropped, 1 << (shift - 1))
            }
        };
        #[allow(
            clippy::cast_possible_truncation,
            reason = "16 bits: the sign, and a half below 0x8000"
        )]
        F16((sign | half) as u16)
    }

    /// The value as an `f32`, exactly. Branch-free, so that the generic kernels vectorise it,
    /// and without subnormal `f32` operands, so that it holds where denormals are treated as
    /// zero (as audio code often sets).
    ///
    /// ```
    /// assert_eq!(lstm_core::F16::from_f32(65504.0).to_f32(), 65504.0); // the largest f16
    /// ```
    #[must_use]
    #[inline(always)]
    pub fn to_f32(self) -> f32 {
        let bits = u32::from(self.0);
        let sign = (bits & 0x8000) << 16;
        let (exponent, fraction) = ((bits >> 10) & 0x1F, bits & 0x03FF);
        // A normal f16 is a normal f32 with the exponent rebiased from 15 to 127.
        let normal = f32::from_bits(((bits & 0x7FFF) << 13) + (112 << 23));
        // A subnormal one (or zero) is its fraction in units of 2^-24; `fraction` < 2^10
        // converts exactly.
        #[allow(clippy::cast_precision_loss, reason = "below 2^10, exact")]
        let subnormal = fraction as f32 * f32::from_bits(0x3380_0000);
        // Infinity and NaN keep an exponent of all ones, and the fraction.
        let special = f32::from_bits(0x7F80_0000 | (fraction << 13));
        let value = match exponent {
            0 => subnormal,
            0x1F => special,
            _ => normal,
        };
        f32::from_bits(value.to_bits() | sign)
    }
}

/// `truncated` plus one if the `dropped` bits are more than `half` (a half unit of the last
/// place kept), or exactly `half` and `truncated` is odd: rounding to nearest, ties to even.
fn round_half_even(truncated: u32, dropped: u32, half: u32) -> u32 {
    truncated + u32::from(dropped > half || (dropped == half && truncated & 1 == 1))
}

impl Storage<f32> for F16 {
    const ZERO: Self = F16(0);
    #[inline(always)]
    fn as_f32_lanes(values: &[Self]) -> Option<F32Lanes<'_>> {
        Some(F32Lanes::F16(values))
    }
    #[inline(always)]
    fn narrow(value: f32) -> Self {
        F16::from_f32(value)
    }
    #[inline(always)]
    fn widen(self) -> f32 {
        self.to_f32()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every f16 widens to its exact value and narrows back to itself; every value halfway
    /// between two neighbours rounds to the even one, and any value off the halfway point to
    /// the nearer one; past the largest f16 is infinity; NaN stays NaN.
    #[test]
    fn f16_converts_exactly_and_rounds_to_nearest_even() {
        /// The value of f16 bits, from the format's definition, in f64.
        fn exact(bits: u16) -> f64 {
            let sign = if bits & 0x8000 == 0 { 1.0 } else { -1.0 };
            let (exponent, fraction) = (i32::from((bits >> 10) & 0x1F), f64::from(bits & 0x3FF));
            match exponent {
                0 => sign * fraction * 2f64.powi(-24),
                31 if fraction == 0.0 => sign * f64::INFINITY,
                31 => f64::NAN,
                _ => sign * (1.0 + fraction / 1024.0) * 2f64.powi(exponent - 15),
            }
        }
        for bits in 0..=u16::MAX {
            let value = exact(bits);
            let widened = F16(bits).to_f32();
            if value.is_nan() {
                assert!(widened.is_nan() && F16::from_f32(widened).to_f32().is_nan());
                continue;
            }
            assert_eq!(f64::from(widened), value, "{bits:#06x} widens exactly");
            assert_eq!(F16::from_f32(widened), F16(bits), "{bits:#06x} round trip");
            // Halfway to the next magnitude up (f32 holds it exactly), and either side of it.
            let next = bits & 0x7FFF;
            if next >= 0x7BFF {
                continue; // the next is infinity, checked below
            }
            let (low, high) = (exact(next), exact(next + 1));
            let sign = if bits & 0x8000 == 0 { 1.0 } else { -1.0 };
            let halfway = (low + high) / 2.0;
            #[allow(clippy::cast_possible_truncation, reason = "f32 holds these exactly")]
            let round = |value: f64| F16::from_f32((sign * value) as f32).0 & 0x7FFF;
            let even = if next & 1 == 0 { next } else { next + 1 };
            assert_eq!(round(halfway), even, "{next:#06x}: tie to even");
            let nudge = (high - low) / 8.0;
            assert_eq!(round(halfway - nudge), next, "{next:#06x}: nearer below");
            assert_eq!(
                round(halfway + nudge),
                next + 1,
                "{next:#06x}: nearer above"
            );
        }
        assert_eq!(F16::from_f32(65504.0), F16(0x7BFF));
        assert_eq!(F16::from_f32(65519.0), F16(0x7BFF));
        assert_eq!(F16::from_f32(65520.0), F16(0x7C00)); // the tie past the largest
        assert_eq!(F16::from_f32(-1e9), F16(0xFC00));
        assert_eq!(F16::from_f32(f32::INFINITY), F16(0x7C00));
        assert_eq!(F16::from_f32(2.0f32.powi(-25)), F16(0)); // a tie, to even zero
        assert_eq!(F16::from_f32(2.0f32.powi(-25) * 1.001), F16(1));
        assert_eq!(F16::from_f32(-1e-30), F16(0x8000));
        assert_eq!(F16::from_f32(f32::MIN_POSITIVE / 4.0), F16(0));
    }
}
