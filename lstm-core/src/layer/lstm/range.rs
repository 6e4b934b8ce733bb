//! Extreme values: how every path of [`LstmLayer`] keeps the one rule for non-finite and
//! overflowing values (see the type's documentation).
//!
//! The kernels reorder and fuse their sums (several accumulators, FMA, hoisted projections)
//! and approximate the activations, clamping their argument. On finite values of moderate
//! size that changes a result only by rounding. On NaN, infinities and sums that overflow it
//! can change whether a result is NaN: `inf - inf` in one order is `inf` in another, an FMA
//! does not overflow where a multiply and an add do, and a clamped sigmoid of `-inf` is a tiny
//! number where the exact one is 0, which then meets `c = inf`.
//!
//! So each call first bounds its sums from the inputs and the state (a sum of absolute values,
//! read once) and the weights' magnitudes (measured once, when packing). Where every sum stays
//! far inside the type's range and the state is finite and moderate, the kernels run: no NaN
//! or infinity can arise, and the result is the reference step's to rounding. Elsewhere (only
//! hostile or broken data gets there) the call runs the reference step's own arithmetic over
//! the packed weights, step by step, and so agrees with it exactly.

use super::LstmLayer;
use crate::cell::{dot, unit_update};
use crate::kernel::TILE;
use crate::{Float, LstmState, Storage};

/// What the weights allow the inputs and the state to be, for every sum a step computes to stay
/// far inside the type's range.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Magnitudes<T> {
    /// The largest `|x|` and `|h|` element the fast path takes: with every weight at most `w`
    /// and every summed bias at most `b` in magnitude, a pre-activation is at most
    /// `b + w (I + R) limit`, which this keeps under [`sum_limit`]. Negative (nothing passes)
    /// when a weight, bias or projection element is not finite, or the biases alone are too
    /// large.
    input_limit: T,
    /// A bound on each `|h|` a step outputs: 1 (`o * tanh(c)`), or with a projection the
    /// largest `|W_hr|` times `H`.
    output: T,
}

/// The bound every sum of the fast path stays under: an eighth of the type's range.
fn sum_limit<T: Float>() -> T {
    T::MAX * T::from_f64(0.125)
}

/// The fast path's limit on each `|c|`: 2^100. The activations' absolute error (about 1e-7)
/// is multiplied by `|c|`, and `|c|` grows by at most 1 a step, so a real state never comes
/// near it.
fn state_limit<T: Float>() -> T {
    T::from_f64(1_267_650_600_228_229_401_496_703_205_376.0)
}

/// Whether every `|v|` is at most `limit` (NaN: no). For `f32` by the bits: with the sign
/// cleared they order the floats as integers, NaN above infinity, so a signed 32-bit compare
/// and an `or` per vector does it even with SSE2 only, which is what the code outside the
/// kernels is compiled for. (A fold of float compares, or an unsigned `max`, which SSE2 lacks,
/// cost the audio-sized step, S2, 10-15% of its time.)
#[inline]
fn all_within<T: Float>(values: &[T], limit: T) -> bool {
    if let (Some(values), Some(&[limit])) = (T::as_f32s(values), T::as_f32s(&[limit])) {
        if limit < 0.0 {
            return false;
        }
        #[allow(
            clippy::cast_possible_wrap,
            reason = "bits of a non-negative float, below 2^31"
        )]
        let (limit, over) = (limit.to_bits() as i32, |value: &f32| {
            (value.to_bits() & 0x7fff_ffff) as i32
        });
        return !values
            .iter()
            .fold(false, |any_over, value| any_over | (over(value) > limit));
    }
    values
        .iter()
        .fold(true, |within, value| within & (value.abs() <= limit))
}

impl<T: Float> Magnitudes<T> {
    /// The bounds [`measure`](Self::measure) found, as [`limits`](Self::limits) gives them:
    /// what compile-time weights carry instead of measuring at start-up.
    pub(super) fn from_limits([input_limit, output]: [f64; 2]) -> Self {
        Magnitudes {
            input_limit: T::from_f64(input_limit),
            output: T::from_f64(output),
        }
    }

    /// The bounds as `f64` (exactly: every `T` converts without rounding).
    pub(crate) fn limits(&self) -> [f64; 2] {
        [self.input_limit.to_f64(), self.output.to_f64()]
    }

    /// Measures packed tiles (`rows` weights, then a bias row of `4 * TILE`, per tile) and the
    /// projection (`R x hidden`, flattened).
    ///
    /// Sizes are run-time values and the function is never inlined: specialised to constant
    /// sizes, LLVM unrolled the projection's loop and its `LoopIdiomRecognize` pass then took
    /// minutes (107 s for hidden 32 under ThinLTO, in the release build of any program that
    /// loaded or packed a layer).
    #[inline(never)]
    pub(super) fn measure<S: Storage<T>>(
        tiles: &[S],
        rows: usize,
        projection: Option<&[T]>,
        hidden: usize,
    ) -> Self {
        let mut finite = true;
        let mut note = |value: T, largest: &mut T| {
            finite &= value.is_finite();
            if value.abs() > *largest {
                *largest = value.abs();
            }
        };
        let (mut weight, mut bias, mut projected) = (T::ZERO, T::ZERO, T::ZERO);
        for tile in tiles.chunks_exact((rows + 1) * 4 * TILE) {
            let (weights, biases) = tile.split_at(rows * 4 * TILE);
            weights.iter().for_each(|w| note(w.widen(), &mut weight));
            biases.iter().for_each(|b| note(b.widen(), &mut bias));
        }
        let output = match projection {
            Some(projection) => {
                projection.iter().for_each(|&w| note(w, &mut projected));
                projected * T::from_f64(hidden as f64)
            }
            None => T::ONE,
        };
        let half = sum_limit::<T>() * T::from_f64(0.5);
        // A zero weight takes any finite input (the quotient is infinite; `MAX` caps it).
        let quotient = half / (weight * T::from_f64(rows as f64));
        let input_limit = if finite && bias <= half && output.is_finite() {
            if quotient < T::MAX { quotient } else { T::MAX }
        } else {
            -T::ONE
        };
        Magnitudes {
            input_limit,
            output,
        }
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    LstmLayer<T, I, H, B, R, S>
{
    /// Whether one step from `x` and `state` may run on the kernels: every input and `h` within
    /// the weights' limit, every `c` within [`state_limit`], nothing NaN or infinite.
    #[inline]
    pub(super) fn admits_step(&self, x: &[T; I], state: &LstmState<T, H, R>) -> bool {
        let limit = self.magnitudes.input_limit;
        all_within(x, limit) & all_within(&state.h, limit) & all_within(&state.c, state_limit())
    }

    /// Whether a call over `inputs` from `states` may run on the kernels: the step's limits
    /// halved, applied to the inputs, the initial states and what a step can make of them
    /// (`|h|` at most the weights' output bound; `|c|` grows by at most 1 a step, and no call
    /// has 2^99 steps). So each of its steps would also pass
    /// [`admits_step`](Self::admits_step): a call never decides otherwise than its steps.
    pub(super) fn admits_call(&self, inputs: &[[T; I]], states: &[LstmState<T, H, R>]) -> bool {
        let half = T::from_f64(0.5);
        let limit = self.magnitudes.input_limit * half;
        let c_limit = state_limit::<T>() * half;
        self.magnitudes.output <= limit
            && inputs.iter().all(|x| all_within(x, limit))
            && states
                .iter()
                .all(|state| all_within(&state.h, limit) & all_within(&state.c, c_limit))
    }

    /// One step in the reference step's own arithmetic ([`CellRef`](crate::CellRef)'s sums,
    /// in its order, and its exact activations) over the packed weights: the path for values
    /// the kernels are not given. Allocates nothing; slow, and only for hostile data.
    #[cold]
    #[inline(never)]
    pub(super) fn reference_step(&self, x: &[T; I], state: &mut LstmState<T, H, R>) {
        let tiles = self.tiles();
        let h_prev = state.h;
        let mut unprojected = [T::ZERO; H];
        for (unit, output) in unprojected.iter_mut().enumerate() {
            let (tile, lane) = (unit / TILE, unit % TILE);
            let tile = &tiles[tile * Self::TILE_LEN..(tile + 1) * Self::TILE_LEN];
            let pre_activations = core::array::from_fn(|gate| {
                let at = |row: usize| tile[row * 4 * TILE + gate * TILE + lane].widen();
                let w: [T; I] = core::array::from_fn(at);
                let u: [T; R] = core::array::from_fn(|col| at(I + col));
                at(I + R) + dot(&w, x) + dot(&u, &h_prev)
            });
            *output = unit_update(pre_activations, &mut state.c[unit]);
        }
        self.finish_step(&unprojected, state);
    }
}

#[cfg(test)]
mod tests {
    use super::all_within;

    #[test]
    fn limits_refuse_nan_and_infinity_anywhere() {
        let mut values = [1.0f32; 19];
        values[3] = -2.0;
        assert!(all_within(&values, 2.0));
        assert!(!all_within(&values, 1.5));
        values[17] = f32::NAN; // past the vector width
        assert!(!all_within(&values, f32::MAX));
        values[17] = f32::NEG_INFINITY;
        assert!(!all_within(&values, f32::MAX));
        assert!(!all_within(&[0.0f32], -1.0)); // a negative limit takes nothing
    }
}
