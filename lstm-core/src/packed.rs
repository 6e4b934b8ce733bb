//! The cell that runs: weights repacked for streaming, and kernels chosen for the CPU at run
//! time.
//!
//! [`LstmWeights`] keep the logical layout users build, load and inspect (`W_i`, `U_i`, ...).
//! [`LstmLayer`] holds the same numbers rearranged once ([`LstmWeights::pack`], or loading):
//! hidden units in tiles of [`TILE`], and within a tile, for each input element `k`, the
//! weights of the tile's units for the four gates side by side. A step then reads every weight
//! exactly once, in order, multiplying a whole tile's column by `x[k]` (a broadcast) into four
//! accumulators of `TILE` lanes: no horizontal sums, no gathers, and the loop bounds all
//! constants.
//!
//! The kernels are one function compiled three ways: portable (any target), AVX2 with FMA, and
//! AVX-512. [`Kernel::best`] picks the fastest the CPU has at run time, so a default `cargo
//! build` (no `-C target-cpu`) still runs the vector code. For `f32` (stored as `f32`,
//! [`Bf16`] or [`F16`]) the AVX2 kernel is written with intrinsics instead (`packed/avx2.rs`):
//! there the compiler's own vectorisation kept too few sums in AVX2's 16 registers (a batch ran
//! at 43% of the FMA peak on a Zen 3, 86-88% now).

use core::fmt;

#[cfg(target_arch = "x86_64")]
mod avx2;

use crate::{
    BatchLengthError, CellRef, Compute, Float, Gate, GateBiases, Layer, LstmState, LstmWeights,
    Matrix, Role, SequenceLengthError, StreamingLayer,
};

/// Hidden units per tile: one AVX-512 register of `f32`, two AVX2 registers.
pub const TILE: usize = 16;

/// How a packed weight is kept: as the computation's own type `T` (the default), or narrower.
/// The kernels widen each weight to `T` as they load it, so sums and activations stay in `T`.
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
    /// The nearest bf16 (ties to even); NaN stays NaN.
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
    /// The nearest f16 (ties to even), infinity past the largest finite one; NaN stays NaN.
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

/// Bytes to which the packed weights are aligned: a cache line, and an AVX-512 register.
const ALIGN: usize = 64;

/// Which compiled form of the step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Plain Rust, compiled for the build's target: runs everywhere.
    Portable,
    /// x86-64 with AVX2, FMA and F16C (every CPU with the first two has the third).
    Avx2,
    /// x86-64 with AVX-512F.
    Avx512,
}

impl Kernel {
    /// Every kernel, fastest last.
    pub const ALL: [Kernel; 3] = [Kernel::Portable, Kernel::Avx2, Kernel::Avx512];

    /// Whether this CPU can run the kernel.
    ///
    /// ```
    /// assert!(lstm_core::Kernel::Portable.is_available());
    /// ```
    #[must_use]
    pub fn is_available(self) -> bool {
        match self {
            Kernel::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("fma")
                    && std::is_x86_feature_detected!("f16c")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => false,
        }
    }

    /// The fastest kernel this CPU can run.
    #[must_use]
    pub fn best() -> Kernel {
        Kernel::ALL
            .into_iter()
            .rev()
            .find(|kernel| kernel.is_available())
            .unwrap_or(Kernel::Portable)
    }
}

/// A kernel was asked for that this CPU cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelUnavailable(pub Kernel);

impl fmt::Display for KernelUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "this CPU cannot run the {:?} kernel", self.0)
    }
}

impl std::error::Error for KernelUnavailable {}

/// An LSTM cell ready to run: its weights in the layout the fast step streams, and the kernel
/// chosen for this CPU. This is the type a spec's [`Weights`](crate::Weights) are, what
/// loading gives, and what [`LstmWeights::pack`] builds; it runs with the verbs of the
/// [`prelude`](crate::prelude): [`step`](StreamingLayer::step), [`run`](Layer::run) and
/// [`run_batch`](Layer::run_batch).
///
/// Generics, as in [`LstmWeights`]: `T` the element type the step computes in, `I` the input
/// size, `H` the hidden size, `B` the bias sets (kept for saving; the step adds their sum),
/// `R` the output size (`H` unless projected), and `S` the type the weights are stored as
/// (`T`, or [`Bf16`] / [`F16`] for `f32`; see [`Compute::to_storage`]).
///
/// Hidden units are grouped in tiles of [`TILE`]; within a tile, for each input element `k`, the
/// weights of the tile's units for the four gates sit side by side. A step reads every weight
/// once, in order, multiplying a tile's column by `x[k]` into four accumulators of `TILE` lanes:
/// no horizontal sums, no gathers. The [`Kernel`] is chosen for the CPU at run time
/// ([`Kernel::best`]); [`Compute::with_kernel`] forces another.
///
/// The step computes the same function as the reference step of [`CellRef`], to within float
/// rounding (the sums run in another order, and `f32` uses vectorised `sigmoid` and `tanh`
/// accurate to 2e-7). The logical tensors are still there for inspection and saving:
/// [`to_weights`](Self::to_weights) rebuilds them.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmState, LstmWeights};
/// let weights = LstmWeights::<f32, 100, 256>::from_fn(|_, _, row, col| {
///     ((row * 7 + col * 3) % 13) as f32 / 100.0 - 0.06
/// });
/// let cell = weights.pack();
/// let (mut reference_state, mut state) = (LstmState::zeros(), LstmState::zeros());
/// let expected = weights.as_cell().step(&[0.5; 100], &mut reference_state);
/// let h = cell.step(&[0.5; 100], &mut state);
/// assert!(expected.iter().zip(&h).all(|(a, b)| (a - b).abs() < 1e-5));
/// assert_eq!(cell.to_weights(), weights);
/// ```
#[derive(Clone, Debug)]
pub struct LstmLayer<
    T,
    const I: usize,
    const H: usize,
    const B: usize = 1,
    const R: usize = H,
    S = T,
> {
    /// The tiles, from `start`: per tile `(I + R)` rows of 4 gates x `TILE` lanes, then the
    /// 4 x `TILE` summed biases, each stored as an `S`. Allocated a little long so that `start`
    /// can be 64-byte aligned.
    storage: Box<[S]>,
    start: usize,
    /// The bias sets as given, for [`to_weights`](Self::to_weights): the tiles hold their sum.
    biases: [GateBiases<T, H>; B],
    projection: Option<Matrix<T, R, H>>,
    kernel: Kernel,
    /// Which way the AVX2 step walks the tiles next (see [`avx2::alternates`]).
    #[cfg(target_arch = "x86_64")]
    direction: Direction,
}

/// Which way the next step walks the tiles, for steps whose weights are a little larger than
/// L2: walking them back and forth, a step starts on the tiles the last one read last, which
/// are still in L2. A hint, shared by every caller of the layer (a relaxed atomic, so that
/// `LstmLayer` stays `Sync`); the tiles' results do not depend on their order.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Default)]
struct Direction(core::sync::atomic::AtomicBool);

#[cfg(target_arch = "x86_64")]
impl Clone for Direction {
    fn clone(&self) -> Self {
        Self(core::sync::atomic::AtomicBool::new(
            self.0.load(core::sync::atomic::Ordering::Relaxed),
        ))
    }
}

#[cfg(target_arch = "x86_64")]
impl Direction {
    /// Whether this step walks the tiles backwards; the next one goes the other way.
    fn next(&self) -> bool {
        use core::sync::atomic::Ordering::Relaxed;
        let reverse = self.0.load(Relaxed);
        self.0.store(!reverse, Relaxed);
        reverse
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>
    LstmWeights<T, I, H, B, R>
{
    /// The weights as an [`LstmLayer`], ready to run with the best kernel this CPU has. Built
    /// once: the step itself never repacks or allocates.
    #[must_use]
    pub fn pack(&self) -> LstmLayer<T, I, H, B, R> {
        self.as_cell().pack_as::<T>()
    }

    /// [`pack`](Self::pack), the weights stored as `S`: [`Bf16`] and [`F16`] halve the bytes
    /// a step reads (the values rounded to 8 or 11 significant bits, the sums still in `T`).
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{Bf16, F16, LstmState, LstmWeights};
    /// let weights = LstmWeights::<f32, 4, 8>::from_fn(|_, _, r, c| 0.1 * (r + c) as f32 - 0.3);
    /// let full = weights.pack();
    /// let (bf16, f16) = (weights.pack_as::<Bf16>(), weights.pack_as::<F16>());
    /// let mut states = [LstmState::zeros(); 3];
    /// let x = full.step(&[1.0; 4], &mut states[0]);
    /// let (y, z) = (bf16.step(&[1.0; 4], &mut states[1]), f16.step(&[1.0; 4], &mut states[2]));
    /// assert!(x.iter().zip(&y).all(|(x, y)| (x - y).abs() < 1e-2));
    /// assert!(x.iter().zip(&z).all(|(x, z)| (x - z).abs() < 1e-3));
    /// ```
    #[must_use]
    pub fn pack_as<S: Storage<T>>(&self) -> LstmLayer<T, I, H, B, R, S> {
        self.as_cell().pack_as::<S>()
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>
    From<LstmWeights<T, I, H, B, R>> for LstmLayer<T, I, H, B, R>
{
    fn from(weights: LstmWeights<T, I, H, B, R>) -> Self {
        weights.pack()
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>
    CellRef<'_, T, I, H, B, R>
{
    /// The borrowed weights packed into an [`LstmLayer`] (a copy, in the kernels' layout), for
    /// example a `#[derive(Lstm)]` weight struct's.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LstmState, LstmWeights};
    /// let weights = LstmWeights::<f64, 2, 3>::from_fn(|_, _, r, c| 0.1 * (r + c) as f64);
    /// let cell = weights.as_cell().pack();
    /// let mut state = LstmState::zeros();
    /// let h = cell.step(&[1.0, -1.0], &mut state);
    /// let expected = weights.as_cell().step(&[1.0, -1.0], &mut LstmState::zeros());
    /// assert!(h.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-12));
    /// ```
    #[must_use]
    pub fn pack(&self) -> LstmLayer<T, I, H, B, R> {
        self.pack_as::<T>()
    }

    /// [`pack`](Self::pack), the weights stored as `S`; see [`LstmWeights::pack_as`].
    #[must_use]
    pub fn pack_as<S: Storage<T>>(&self) -> LstmLayer<T, I, H, B, R, S> {
        let tiles = H.div_ceil(TILE);
        let tile_len = LstmLayer::<T, I, H, B, R, S>::TILE_LEN;
        let extra = ALIGN / size_of::<S>();
        let mut storage = vec![S::ZERO; tiles * tile_len + extra].into_boxed_slice();
        // Reading an address is safe; the offset keeps every element in the allocation.
        let misalignment = storage.as_ptr().addr() % ALIGN;
        let start = if misalignment == 0 {
            0
        } else {
            (ALIGN - misalignment) / size_of::<S>()
        };
        let gate_weights = |gate: Gate| match gate {
            Gate::Input => (self.w_i, self.u_i),
            Gate::Forget => (self.w_f, self.u_f),
            Gate::Candidate => (self.w_c, self.u_c),
            Gate::Output => (self.w_o, self.u_o),
        };
        for (tile, data) in storage[start..].chunks_exact_mut(tile_len).enumerate() {
            let (rows, bias) = data.split_at_mut((I + R) * 4 * TILE);
            let (x_rows, h_rows) = rows.split_at_mut(I * 4 * TILE);
            for (gate_index, gate) in Gate::ALL.into_iter().enumerate() {
                let (w, u) = gate_weights(gate);
                for lane in 0..TILE {
                    let unit = tile * TILE + lane;
                    if unit >= H {
                        continue; // padding lanes keep zero weights
                    }
                    let at = gate_index * TILE + lane;
                    for (k, &value) in w[unit].iter().enumerate() {
                        x_rows[k * 4 * TILE + at] = S::narrow(value);
                    }
                    for (k, &value) in u[unit].iter().enumerate() {
                        h_rows[k * 4 * TILE + at] = S::narrow(value);
                    }
                    bias[at] = S::narrow(
                        self.biases
                            .iter()
                            .fold(T::ZERO, |sum, set| sum + set.gate(gate)[unit]),
                    );
                }
            }
        }
        LstmLayer {
            storage,
            start,
            biases: self
                .biases
                .map(|set| GateBiases::from_fn(|gate, row| set.gate(gate)[row])),
            projection: self.projection.matrix().cloned(),
            kernel: Kernel::best(),
            #[cfg(target_arch = "x86_64")]
            direction: Direction::default(),
        }
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    LstmLayer<T, I, H, B, R, S>
{
    /// Elements per tile: `I + R` rows and the biases, each 4 gates x `TILE` lanes.
    const TILE_LEN: usize = (I + R + 1) * 4 * TILE;

    /// Bytes of weights a step reads: what decides whether hoisting the input projection pays.
    const WEIGHT_BYTES: usize = H.div_ceil(TILE) * Self::TILE_LEN * size_of::<S>();

    /// Whether [`Layer::run_with`] (`sequences` = 1) and [`Layer::run_batch_with`] hoist the
    /// input projection out of the recurrence: computing `b + W x_t` for every step first,
    /// each weight load shared by a block of steps, so that each step then streams only `U`.
    /// The results are the same bit for bit either way; this is only about time.
    ///
    /// The rule: `W` must be a fair part of the weights (`8 I >= H`), and the weights must not
    /// sit in L1 (over 48 KiB as stored) for a few sequences (8 or fewer), or must be beyond L2
    /// (over 4 MiB) for more, since a large batch already shares each weight load among its
    /// sequences. Measured with `bench/src/bin/hoistprobe.rs` on an Intel Xeon (AVX-512, 48 KiB
    /// L1d, 2 MiB L2), hoisted time over streamed time in two runs (below 1: hoisting wins):
    ///
    /// | input, hidden (sequences) | weights | hoisted / streamed | hoists |
    /// |---|---:|---|---|
    /// | 1, 32 | 17 KiB | 1.29, 1.03 | no |
    /// | 16, 16 | 8 KiB | 1.13, 1.07 | no |
    /// | 32, 32 | 33 KiB | 1.14, 0.85 | no |
    /// | 1, 64 | 66 KiB | 0.99, 1.02 | no (`8 I < H`) |
    /// | 16, 64 | 81 KiB | 0.87, 0.92 | yes |
    /// | 64, 64 | 129 KiB | 0.75, 0.74 | yes |
    /// | 20, 256 | 1.1 MiB | 1.01, 1.00 | no (`8 I < H`) |
    /// | 100, 256 | 1.4 MiB | 0.88, 0.67 | yes |
    /// | 256, 256 | 2.0 MiB | 0.37, 0.37 | yes |
    /// | 100, 256 (4) | 1.4 MiB | 0.90, 0.97 | yes |
    /// | 100, 256 (32) | 1.4 MiB | 1.00, 1.00 | no |
    /// | 64, 128 (32) | 386 KiB | 1.00, 1.03 | no |
    /// | 128, 512 (8) | 5.0 MiB | 0.92, 0.91 | yes |
    /// | 256, 512 (32) | 6.0 MiB | 0.96, 0.99 | yes |
    /// | 512, 1024 (32) | 24 MiB | 0.93, 1.05 | yes |
    ///
    /// On a Zen 3 (AVX2, 32 KiB L1d) input and hidden 32 hoisted won (250 against 290 ns) and
    /// 100, 256 with 32 sequences lost (302 against 270 us): where the weights are near L1's
    /// size, or a batch shares each weight load, the choice is within the machines' noise.
    ///
    /// ```
    /// use lstm_core::LstmLayer;
    /// assert!(LstmLayer::<f32, 100, 256>::hoists(1));
    /// assert!(!LstmLayer::<f32, 100, 256>::hoists(32)); // the batch shares each weight load
    /// assert!(!LstmLayer::<f32, 1, 32>::hoists(1)); // the audio case: weights in L1
    /// assert!(LstmLayer::<f32, 512, 1024>::hoists(32));
    /// ```
    #[must_use]
    pub const fn hoists(sequences: usize) -> bool {
        8 * I >= H
            && (Self::WEIGHT_BYTES > 4 << 20 || (Self::WEIGHT_BYTES > 48 << 10 && sequences <= 8))
    }

    /// All-zero weights, ready to run.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::LstmLayer;
    /// let cell = LstmLayer::<f32, 2, 3>::zeros();
    /// assert_eq!(cell.step(&[1.0, 2.0], &mut cell.zero_state()), [0.0; 3]);
    /// ```
    #[must_use]
    pub fn zeros() -> Self {
        LstmWeights::<T, I, H, B, R>::zeros()
            .as_cell()
            .pack_as::<S>()
    }

    /// Weights whose every element is `element(gate, role, row, col)`, in the order of
    /// [`LstmWeights::from_fn`], ready to run.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{Gate, LstmLayer, Role};
    /// let cell = LstmLayer::<f32, 1, 2>::from_fn(|gate, role, _, _| match (gate, role) {
    ///     (Gate::Forget, Role::Bias(_)) => 1.0,
    ///     _ => 0.0,
    /// });
    /// assert_eq!(*cell.to_weights().biases[0].b_f, [1.0; 2]);
    /// ```
    #[must_use]
    pub fn from_fn(element: impl FnMut(Gate, Role, usize, usize) -> T) -> Self {
        LstmWeights::<T, I, H, B, R>::from_fn(element)
            .as_cell()
            .pack_as::<S>()
    }

    /// The logical tensors back, for inspection or saving: exactly the packed weights when
    /// they are stored as `T`, their rounded values when stored narrower.
    ///
    /// ```
    /// use lstm_core::{Bf16, LstmWeights};
    /// let weights = LstmWeights::<f32, 3, 20, 2>::from_fn(|_, _, r, c| 0.1 * (r + c) as f32);
    /// assert_eq!(weights.pack().to_weights(), weights);
    /// let rounded = weights.pack_as::<Bf16>().to_weights();
    /// assert_eq!(rounded.w_i[0][1], Bf16::from_f32(0.1).to_f32());
    /// ```
    #[must_use]
    pub fn to_weights(&self) -> LstmWeights<T, I, H, B, R> {
        let tiles = self.tiles();
        let element = |tile_row: usize, gate: Gate, unit: usize| {
            let (tile, lane) = (unit / TILE, unit % TILE);
            tiles[tile * Self::TILE_LEN + tile_row * 4 * TILE + gate.index() * TILE + lane].widen()
        };
        let mut weights = LstmWeights::from_fn(|gate, role, row, col| match role {
            Role::Input => element(col, gate, row),
            Role::Recurrent => element(I + col, gate, row),
            Role::Bias(set) => self.biases[set].gate(gate)[row],
            Role::Projection => T::ZERO,
        });
        if let (Some(target), Some(source)) = (weights.projection_mut(), &self.projection) {
            target.clone_from(source);
        }
        weights
    }

    /// The bias sets as given (the step adds their sum), without unpacking anything.
    ///
    /// ```
    /// use lstm_core::LstmLayer;
    /// let cell = LstmLayer::<f32, 2, 3, 2>::zeros(); // PyTorch's bias_ih and bias_hh
    /// assert_eq!(cell.biases().len(), 2);
    /// ```
    #[must_use]
    pub fn biases(&self) -> &[GateBiases<T, H>; B] {
        &self.biases
    }

    /// The projection `W_hr` (`R x H`), present exactly when `R != H`.
    ///
    /// ```
    /// use lstm_core::LstmLayer;
    /// assert!(LstmLayer::<f32, 2, 4, 1, 2>::zeros().projection().is_some());
    /// assert!(LstmLayer::<f32, 2, 4>::zeros().projection().is_none());
    /// ```
    #[must_use]
    pub fn projection(&self) -> Option<&Matrix<T, R, H>> {
        self.projection.as_ref()
    }

    /// Exactly the tiles: the storage after the alignment offset, without the slack allocated
    /// for it.
    fn tiles(&self) -> &[S] {
        let len = H.div_ceil(TILE) * Self::TILE_LEN;
        &self.storage[self.start..self.start + len]
    }

    /// The kernel the step runs; [`Compute::with_kernel`] chooses another.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{Kernel, LstmLayer};
    /// let cell = LstmLayer::<f32, 2, 3>::zeros().with_kernel(Kernel::Portable)?;
    /// assert_eq!(cell.kernel(), Kernel::Portable);
    /// # Ok::<(), lstm_core::KernelUnavailable>(())
    /// ```
    #[must_use]
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// One time step into `state`. Allocates nothing.
    fn step_state(&self, x: &[T; I], state: &mut LstmState<T, H, R>) {
        let mut unprojected = [T::ZERO; H];
        self.cells(x, &state.h, &mut state.c, &mut unprojected);
        self.finish_step(&unprojected, state);
    }

    /// A whole sequence, step by step, streaming every weight each step.
    fn run_streamed(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        state: &mut LstmState<T, H, R>,
    ) {
        for (x, out) in inputs.iter().zip(outputs.iter_mut()) {
            self.step_state(x, state);
            *out = state.h;
        }
    }

    /// A batch of sequences of equal length, streaming the weights each step: each tile of
    /// weights serves every sequence while it is in cache, and each weight is read once for a
    /// block of sequences (4 with AVX-512; up to 6 with AVX2 in `f32`, 2 in `f64`; the portable
    /// kernel has too few registers to share). With a projection, the AVX2 `f32` kernel runs
    /// the sequences one by one. The results are those of separate sequences, bit for bit.
    fn run_batch_streamed(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        states: &mut [LstmState<T, H, R>],
        steps: usize,
    ) {
        let blocked = states.len() / BLOCK * BLOCK;
        for t in 0..steps {
            if self.projection.is_none() {
                // Tile by tile, every block of sequences: a tile's weights stay in cache while
                // all sequences use them. Each unit's output is its `h` (`R == H`), written to
                // `outputs` while `state.h` still holds the previous step for the other tiles.
                self.batch_cells(inputs, steps, t, states, outputs);
                for (sequence, state) in states.iter_mut().enumerate() {
                    state.h = outputs[sequence * steps + t];
                }
                continue;
            }
            for (block, block_states) in states.chunks_exact_mut(BLOCK).enumerate() {
                let Ok(block_states) = <&mut [LstmState<T, H, R>; BLOCK]>::try_from(block_states)
                else {
                    continue; // `chunks_exact_mut` gives exactly `BLOCK`
                };
                let first = block * BLOCK;
                let xs = core::array::from_fn(|b| &inputs[(first + b) * steps + t]);
                let mut unprojected = [[T::ZERO; H]; BLOCK];
                self.cells_block(xs, block_states, &mut unprojected);
                for (b, (state, values)) in block_states.iter_mut().zip(&unprojected).enumerate() {
                    self.finish_step(values, state);
                    outputs[(first + b) * steps + t] = state.h;
                }
            }
            for (sequence, state) in states.iter_mut().enumerate().skip(blocked) {
                let at = sequence * steps + t;
                self.step_state(&inputs[at], state);
                outputs[at] = state.h;
            }
        }
    }

    /// The new `h` from the units' outputs `o * tanh(c)`: projected, or as it is.
    fn finish_step(&self, unprojected: &[T; H], state: &mut LstmState<T, H, R>) {
        match &self.projection {
            Some(w_hr) => {
                for (h, row) in state.h.iter_mut().zip(w_hr.iter()) {
                    *h = crate::cell::dot(row, unprojected);
                }
            }
            // No projection: `R == H`.
            None => {
                for (h, &value) in state.h.iter_mut().zip(unprojected) {
                    *h = value;
                }
            }
        }
    }

    /// [`Layer::run_batch_with`] by the path `hoisted` says rather than by [`hoists`](Self::hoists):
    /// for the benchmark's probe of where hoisting pays (`bench/src/bin/hoistprobe.rs`). Not part
    /// of the API.
    ///
    /// # Errors
    /// As [`Layer::run_batch_with`].
    #[doc(hidden)]
    pub fn run_batch_by_path(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        states: &mut [LstmState<T, H, R>],
        workspace: &mut Vec<T>,
        hoisted: bool,
    ) -> Result<(), BatchLengthError> {
        let steps = BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        if hoisted {
            self.run_batch_hoisted(inputs, outputs, states, steps, workspace);
        } else {
            self.run_batch_streamed(inputs, outputs, states, steps);
        }
        Ok(())
    }

    /// A whole sequence with the input projection hoisted out of the recurrence, as PyTorch's
    /// `nn.LSTM` does for a sequence: first `b + W x_t` for every step (the time steps share
    /// each weight load, in blocks), then the recurrence, which streams only `U`. The results
    /// are exactly those of [`run_streamed`](Self::run_streamed), bit for bit (each sum runs in
    /// the same order). `scratch` holds the projections, `T x 4H` values. Where this pays:
    /// [`hoists`](Self::hoists).
    fn run_hoisted(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        state: &mut LstmState<T, H, R>,
        scratch: &mut Vec<T>,
    ) {
        let tiles = H.div_ceil(TILE);
        scratch.resize(inputs.len() * tiles * 4 * TILE, T::ZERO);
        self.project_inputs(inputs, scratch);
        for (projected, out) in scratch
            .chunks_exact(tiles * 4 * TILE)
            .zip(outputs.iter_mut())
        {
            let mut unprojected = [T::ZERO; H];
            self.recur(projected, &state.h, &mut state.c, &mut unprojected);
            self.finish_step(&unprojected, state);
            *out = state.h;
        }
    }

    /// A batch of sequences of equal length with the input projection hoisted for all of them
    /// at once, then the recurrence in lockstep, each `U` row read once for a block of
    /// sequences: exactly the results of separate sequences, bit for bit. Where this pays:
    /// [`hoists`](Self::hoists).
    fn run_batch_hoisted(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        states: &mut [LstmState<T, H, R>],
        steps: usize,
        scratch: &mut Vec<T>,
    ) {
        if self.projection.is_some() {
            // The projection needs each sequence's units whole: one hoisted call per sequence.
            if steps > 0 {
                for ((sequence_inputs, sequence_outputs), state) in inputs
                    .chunks_exact(steps)
                    .zip(outputs.chunks_exact_mut(steps))
                    .zip(states.iter_mut())
                {
                    self.run_hoisted(sequence_inputs, sequence_outputs, state, scratch);
                }
            }
            return;
        }
        let step_len = H.div_ceil(TILE) * 4 * TILE;
        scratch.resize(inputs.len() * step_len, T::ZERO);
        self.project_inputs(inputs, scratch);
        for t in 0..steps {
            self.recur_batch(scratch, steps, t, states, outputs);
            for (sequence, state) in states.iter_mut().enumerate() {
                state.h = outputs[sequence * steps + t];
            }
        }
    }

    /// Step `t` of a hoisted batch without projection, by the chosen kernel.
    #[allow(
        unsafe_code,
        reason = "calls the target_feature kernels after runtime detection"
    )]
    fn recur_batch(
        &self,
        projected: &[T],
        steps: usize,
        t: usize,
        states: &mut [LstmState<T, H, R>],
        outputs: &mut [[T; R]],
    ) {
        let tiles = self.tiles();
        match self.kernel {
            Kernel::Portable => {
                recur_batch_tiles::<T, I, H, R, false, 8, PORTABLE_BLOCK, S>(
                    tiles, projected, steps, t, states, outputs,
                );
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                if let (Some(lanes), Some(projected)) =
                    (S::as_f32_lanes(tiles), T::as_f32s(projected))
                {
                    let inputs = avx2::BatchInputs::<T, I> {
                        inputs: &[],
                        projected: Some(projected),
                        steps,
                        t,
                    };
                    // SAFETY: as in `project_inputs`: AVX2, FMA and F16C were detected.
                    unsafe { avx2_batch(lanes, &inputs, states, outputs) };
                    return;
                }
                // SAFETY: as in `project_inputs`: AVX2, FMA and F16C were detected.
                unsafe {
                    recur_batch_avx2::<T, I, H, R, S>(tiles, projected, steps, t, states, outputs)
                }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                // SAFETY: as in `project_inputs`: AVX-512F, AVX2 and FMA were detected.
                unsafe {
                    recur_batch_avx512::<T, I, H, R, S>(tiles, projected, steps, t, states, outputs)
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => {
                recur_batch_tiles::<T, I, H, R, false, 8, PORTABLE_BLOCK, S>(
                    tiles, projected, steps, t, states, outputs,
                );
            }
        }
    }

    /// `b + W x_t` for every step into `projected` (per step, per tile, 4 gates x `TILE`).
    #[allow(
        unsafe_code,
        reason = "calls the target_feature kernels after runtime detection"
    )]
    fn project_inputs(&self, inputs: &[[T; I]], projected: &mut [T]) {
        let tiles = self.tiles();
        match self.kernel {
            Kernel::Portable => project_tiles::<T, I, H, R, false, 8, S>(tiles, inputs, projected),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                if let (Some(lanes), Some(out)) =
                    (S::as_f32_lanes(tiles), T::as_f32s_mut(projected))
                {
                    // SAFETY: `kernel` is `Avx2` only if AVX2, FMA and F16C were detected on this CPU
                    // (`Kernel::is_available`), which is all `project` needs.
                    unsafe {
                        match lanes {
                            F32Lanes::F32(t) => avx2::project::<T, f32, I, R>(t, inputs, out),
                            F32Lanes::Bf16(t) => avx2::project::<T, Bf16, I, R>(t, inputs, out),
                            F32Lanes::F16(t) => avx2::project::<T, F16, I, R>(t, inputs, out),
                        }
                    }
                    return;
                }
                // SAFETY: `kernel` is `Avx2` only if AVX2, FMA and F16C were detected on this CPU
                // (`Kernel::is_available`), which is all `project_avx2` needs.
                unsafe { project_avx2::<T, I, H, R, S>(tiles, inputs, projected) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                // SAFETY: `kernel` is `Avx512` only if AVX-512F, AVX2 and FMA were detected on
                // this CPU (`Kernel::is_available`), the features `project_avx512` is compiled for.
                unsafe { project_avx512::<T, I, H, R, S>(tiles, inputs, projected) }
            }
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => {
                project_tiles::<T, I, H, R, false, 8, S>(tiles, inputs, projected);
            }
        }
    }

    /// One step of the recurrence from a step's projected inputs, by the chosen kernel.
    #[allow(
        unsafe_code,
        reason = "calls the target_feature kernels after runtime detection"
    )]
    fn recur(&self, projected: &[T], h: &[T; R], c: &mut [T; H], out: &mut [T; H]) {
        let tiles = self.tiles();
        match self.kernel {
            Kernel::Portable => recur_tiles::<T, I, H, R, false, 8, S>(tiles, projected, h, c, out),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                if let (Some(lanes), Some(projected), Some(h), Some(c), Some(out)) = (
                    S::as_f32_lanes(tiles),
                    T::as_f32s(projected),
                    f32_array(h),
                    f32_array_mut(c),
                    f32_array_mut(out),
                ) {
                    let input = avx2::StepInput::<I>::Projected(projected);
                    // SAFETY: as in `project_inputs`: AVX2, FMA and F16C were detected.
                    unsafe { avx2_step(lanes, &input, h, c, out, &self.direction) };
                    return;
                }
                // SAFETY: as in `project_inputs`: AVX2, FMA and F16C were detected.
                unsafe { recur_avx2::<T, I, H, R, S>(tiles, projected, h, c, out) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                // SAFETY: as in `project_inputs`: AVX-512F, AVX2 and FMA were detected.
                unsafe { recur_avx512::<T, I, H, R, S>(tiles, projected, h, c, out) }
            }
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => {
                recur_tiles::<T, I, H, R, false, 8, S>(tiles, projected, h, c, out);
            }
        }
    }

    /// One time step of a whole batch without projection, tile by tile, by the chosen kernel.
    #[allow(
        unsafe_code,
        reason = "calls the target_feature kernels after runtime detection"
    )]
    fn batch_cells(
        &self,
        inputs: &[[T; I]],
        steps: usize,
        t: usize,
        states: &mut [LstmState<T, H, R>],
        outputs: &mut [[T; R]],
    ) {
        let tiles = self.tiles();
        match self.kernel {
            Kernel::Portable => {
                batch_tiles::<T, I, H, R, false, 8, PORTABLE_BLOCK, S>(
                    tiles, inputs, steps, t, states, outputs,
                );
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                if let Some(lanes) = S::as_f32_lanes(tiles) {
                    let inputs = avx2::BatchInputs {
                        inputs,
                        projected: None,
                        steps,
                        t,
                    };
                    // SAFETY: `kernel` is `Avx2` only if AVX2, FMA and F16C were detected on this CPU
                    // (`Kernel::is_available`), which is all `batch` needs.
                    unsafe { avx2_batch(lanes, &inputs, states, outputs) };
                    return;
                }
                // SAFETY: `kernel` is `Avx2` only if AVX2, FMA and F16C were detected on this CPU
                // (`Kernel::is_available`), which is all `batch_avx2` needs.
                unsafe { batch_avx2::<T, I, H, R, S>(tiles, inputs, steps, t, states, outputs) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                // SAFETY: `kernel` is `Avx512` only if AVX-512F, AVX2 and FMA were detected on
                // this CPU (`Kernel::is_available`), the features `batch_avx512` is compiled for.
                unsafe { batch_avx512::<T, I, H, R, S>(tiles, inputs, steps, t, states, outputs) }
            }
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => {
                batch_tiles::<T, I, H, R, false, 8, PORTABLE_BLOCK, S>(
                    tiles, inputs, steps, t, states, outputs,
                );
            }
        }
    }

    /// [`cells`](Self::cells) for a block of `BLOCK` sequences, by the chosen kernel.
    #[allow(
        unsafe_code,
        reason = "calls the target_feature kernels after runtime detection"
    )]
    fn cells_block(
        &self,
        xs: [&[T; I]; BLOCK],
        states: &mut [LstmState<T, H, R>; BLOCK],
        out: &mut [[T; H]; BLOCK],
    ) {
        let tiles = self.tiles();
        match self.kernel {
            Kernel::Portable => block_step::<T, I, H, R, false, 8, S>(tiles, xs, states, out),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                if S::as_f32_lanes(tiles).is_some() {
                    // The hand-written `f32` kernel, one sequence at a time: a batch must give
                    // the bits of separate calls, and those run its activations. (Projected
                    // batches do not share weight loads on AVX2.)
                    for ((x, state), out) in xs.into_iter().zip(states).zip(out) {
                        self.cells(x, &state.h, &mut state.c, out);
                    }
                    return;
                }
                // SAFETY: `kernel` is `Avx2` only if AVX2, FMA and F16C were detected on this CPU
                // (`Kernel::is_available`), which is all `block_avx2` needs.
                unsafe { block_avx2::<T, I, H, R, S>(tiles, xs, states, out) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                // SAFETY: `kernel` is `Avx512` only if AVX-512F, AVX2 and FMA were detected on
                // this CPU (`Kernel::is_available`), the features `block_avx512` is compiled for.
                unsafe {
                    if T::BITS == 32 {
                        block_avx512::<T, I, H, R, 16, S>(tiles, xs, states, out);
                    } else {
                        block_avx512::<T, I, H, R, 8, S>(tiles, xs, states, out);
                    }
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => {
                block_step::<T, I, H, R, false, 8, S>(tiles, xs, states, out)
            }
        }
    }

    /// The gates and cell update of every unit, by the chosen kernel.
    #[allow(
        unsafe_code,
        reason = "calls the target_feature kernels after runtime detection"
    )]
    fn cells(&self, x: &[T; I], h: &[T; R], c: &mut [T; H], out: &mut [T; H]) {
        let tiles = self.tiles();
        match self.kernel {
            Kernel::Portable => tiles_step::<T, I, H, R, false, 8, false, S>(tiles, x, h, c, out),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                if let (Some(lanes), Some(x), Some(h), Some(c), Some(out)) = (
                    S::as_f32_lanes(tiles),
                    f32_array(x),
                    f32_array(h),
                    f32_array_mut(c),
                    f32_array_mut(out),
                ) {
                    let input = avx2::StepInput::X(x);
                    // SAFETY: `kernel` is `Avx2` only if `with_kernel` or `Kernel::best` found
                    // AVX2, FMA and F16C on this CPU (`Kernel::is_available`), all `step` needs.
                    unsafe { avx2_step(lanes, &input, h, c, out, &self.direction) };
                    return;
                }
                // SAFETY: `kernel` is `Avx2` only if `with_kernel` or `Kernel::best` found AVX2
                // and FMA on this CPU (`Kernel::is_available`), which is all `tiles_avx2` needs.
                unsafe {
                    // 16 ymm registers: 4 gates x 16 f32 lanes fit; f64 lanes are twice as wide.
                    if T::BITS == 32 {
                        tiles_avx2::<T, I, H, R, 16, S>(tiles, x, h, c, out);
                    } else {
                        tiles_avx2::<T, I, H, R, 8, S>(tiles, x, h, c, out);
                    }
                }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                // SAFETY: `kernel` is `Avx512` only if AVX-512F, AVX2 and FMA were detected on
                // this CPU (`Kernel::is_available`), the features `tiles_avx512` is compiled for.
                unsafe {
                    tiles_avx512::<T, I, H, R, S>(tiles, x, h, c, out);
                }
            }
            // Never chosen off x86-64 (`is_available` is false there); the portable step is
            // always correct.
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => {
                tiles_step::<T, I, H, R, false, 8, false, S>(tiles, x, h, c, out)
            }
        }
    }
}

/// The verbs: a step streams every weight; a sequence or batch hoists the input projection
/// where that pays ([`LstmLayer::hoists`]), with the same results bit for bit either way. The
/// workspace holds the hoisted projections.
impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    Layer<T> for LstmLayer<T, I, H, B, R, S>
{
    type Input = [T; I];
    type Output = [T; R];
    type State = LstmState<T, H, R>;
    type Workspace = Vec<T>;

    fn zero_output() -> [T; R] {
        [T::ZERO; R]
    }

    fn zero_state(&self) -> LstmState<T, H, R> {
        LstmState::zeros()
    }

    fn run_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        state: &mut LstmState<T, H, R>,
        workspace: &mut Vec<T>,
    ) -> Result<(), SequenceLengthError> {
        SequenceLengthError::check(inputs.len(), outputs.len())?;
        if Self::hoists(1) {
            self.run_hoisted(inputs, outputs, state, workspace);
        } else {
            self.run_streamed(inputs, outputs, state);
        }
        Ok(())
    }

    fn run_batch_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        states: &mut [LstmState<T, H, R>],
        workspace: &mut Vec<T>,
    ) -> Result<(), BatchLengthError> {
        let steps = BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        if Self::hoists(states.len()) {
            self.run_batch_hoisted(inputs, outputs, states, steps, workspace);
        } else {
            self.run_batch_streamed(inputs, outputs, states, steps);
        }
        Ok(())
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    StreamingLayer<T> for LstmLayer<T, I, H, B, R, S>
{
    fn step(&self, x: &[T; I], state: &mut LstmState<T, H, R>) -> [T; R] {
        self.step_state(x, state);
        state.h
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    Compute<T> for LstmLayer<T, I, H, B, R, S>
{
    type Stored<S2: Storage<T>> = LstmLayer<T, I, H, B, R, S2>;

    fn with_kernel(mut self, kernel: Kernel) -> Result<Self, KernelUnavailable> {
        if !kernel.is_available() {
            return Err(KernelUnavailable(kernel));
        }
        self.kernel = kernel;
        Ok(self)
    }

    fn to_storage<S2: Storage<T>>(&self) -> LstmLayer<T, I, H, B, R, S2> {
        let mut stored = self.to_weights().pack_as::<S2>();
        stored.kernel = self.kernel;
        stored
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    crate::Zeros for LstmLayer<T, I, H, B, R, S>
{
    fn zeros() -> Self {
        LstmLayer::zeros()
    }
}

/// Equal weights: the same stored values, bias sets and projection (whatever the kernel).
impl<T, const I: usize, const H: usize, const B: usize, const R: usize, S> PartialEq
    for LstmLayer<T, I, H, B, R, S>
where
    T: Float,
    S: Storage<T> + PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.tiles() == other.tiles()
            && self.biases == other.biases
            && self.projection == other.projection
    }
}

/// The `f32` view of an array of `T`, for the `f32` kernels (`None` unless `T` is `f32`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn f32_array<T: Float, const N: usize>(values: &[T; N]) -> Option<&[f32; N]> {
    T::as_f32s(values)?.try_into().ok()
}

/// [`f32_array`], mutably.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn f32_array_mut<T: Float, const N: usize>(values: &mut [T; N]) -> Option<&mut [f32; N]> {
    T::as_f32s_mut(values)?.try_into().ok()
}

/// One step by the hand-written AVX2 kernel, for `f32`, [`Bf16`] or [`F16`] storage, prefetching far
/// ahead where the weights are beyond L2, and walking the tiles back and forth where that
/// keeps some of them in L2 ([`avx2::alternates`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn avx2_step<const I: usize, const H: usize, const R: usize>(
    lanes: F32Lanes<'_>,
    input: &avx2::StepInput<'_, I>,
    h: &[f32; R],
    c: &mut [f32; H],
    out: &mut [f32; H],
    direction: &Direction,
) {
    let reverse = || direction.next();
    match lanes {
        F32Lanes::F32(t) => avx2::step_any::<f32, I, H, R>(t, input, h, c, out, reverse),
        F32Lanes::Bf16(t) => avx2::step_any::<Bf16, I, H, R>(t, input, h, c, out, reverse),
        F32Lanes::F16(t) => avx2::step_any::<F16, I, H, R>(t, input, h, c, out, reverse),
    }
}

/// A batch step by the hand-written AVX2 kernel, for `f32`, [`Bf16`] or [`F16`] storage.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn avx2_batch<T: Float, const I: usize, const H: usize, const R: usize>(
    lanes: F32Lanes<'_>,
    inputs: &avx2::BatchInputs<'_, T, I>,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    match lanes {
        F32Lanes::F32(tiles) => avx2::batch::<T, f32, I, H, R>(tiles, inputs, states, outputs),
        F32Lanes::Bf16(tiles) => avx2::batch::<T, Bf16, I, H, R>(tiles, inputs, states, outputs),
        F32Lanes::F16(tiles) => avx2::batch::<T, F16, I, H, R>(tiles, inputs, states, outputs),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn tiles_avx2<
    T: Float,
    const I: usize,
    const H: usize,
    const R: usize,
    const PASS: usize,
    S: Storage<T>,
>(
    tiles: &[S],
    x: &[T; I],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
) {
    tiles_step::<T, I, H, R, true, PASS, false, S>(tiles, x, h, c, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn tiles_avx512<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    x: &[T; I],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
) {
    tiles_step::<T, I, H, R, true, TILE, true, S>(tiles, x, h, c, out);
}

/// Sequences per block in the packed batch kernel: 4 x 4 gates x 16 lanes of `f32` fill 16 of
/// AVX-512's 32 registers, each weight loaded once for all four.
const BLOCK: usize = 4;

/// Sequences per block of the generic batch kernels with 16 vector registers. Blocks of 4 spill
/// their accumulators there; measured at input 100, hidden 256, batch 32 (us per step, blocks
/// of 4 / 3 / 2 / 1): AVX2 `f32` 500 / 396 / 281 / 505, portable (SSE2) `f32` 2980 / 808 / 746 /
/// 614 and `f64` 3054 / 1479 / 1525 / 1346. AVX2 `f64` keeps [`BLOCK`]: its figures varied
/// from 750 to 1650 between identical runs, too much to choose a size by. (AVX2 `f32` with
/// `f32`, [`Bf16`] or [`F16`] storage runs the hand-written kernel of `packed/avx2.rs`
/// instead, which blocks its registers itself; this size serves other storage types.)
#[cfg(target_arch = "x86_64")]
const AVX2_F32_BLOCK: usize = 2;
/// Sequences per block of the portable batch kernel: 1, from the measurements under
/// `AVX2_F32_BLOCK` (which exists on x86-64 only).
const PORTABLE_BLOCK: usize = 1;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn block_avx2<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    xs: [&[T; I]; BLOCK],
    states: &mut [LstmState<T, H, R>; BLOCK],
    out: &mut [[T; H]; BLOCK],
) {
    // 16 ymm registers: 4 sequences x 4 gates x 8 lanes of f32 use them all; fewer lanes per
    // pass would be needed for f64, where 8 lanes already take two registers.
    if T::BITS == 32 {
        block_step::<T, I, H, R, true, 8, S>(tiles, xs, states, out);
    } else {
        block_step::<T, I, H, R, true, 4, S>(tiles, xs, states, out);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn block_avx512<
    T: Float,
    const I: usize,
    const H: usize,
    const R: usize,
    const PASS: usize,
    S: Storage<T>,
>(
    tiles: &[S],
    xs: [&[T; I]; BLOCK],
    states: &mut [LstmState<T, H, R>; BLOCK],
    out: &mut [[T; H]; BLOCK],
) {
    block_step::<T, I, H, R, true, PASS, S>(tiles, xs, states, out);
}

/// Writes `PASS` lanes of `NB` sums back into their whole tiles, from lane `first`. (The
/// matching start, biases or projected inputs into the lanes, stays written out in each
/// caller: a shared helper taking the starts as `[&[S]; NB]` measured S4 102 -> 110 us and S2
/// 79 -> 140 ns.)
#[inline(always)]
fn store_lanes<T: Copy, const PASS: usize, const NB: usize>(
    acc: &mut [[[T; TILE]; 4]; NB],
    part: &[[[T; PASS]; 4]; NB],
    first: usize,
) {
    for (whole, sequence) in acc.iter_mut().zip(part) {
        for (gates, lanes) in whole.iter_mut().zip(sequence) {
            gates[first..first + PASS].copy_from_slice(lanes);
        }
    }
}

/// The gate sums of one tile for `NB` sequences: every weight is loaded once and multiplied by
/// each sequence's input. Each sequence's sums run in the same order as in `tiles_step`, so the
/// results are the same bit for bit.
#[inline(always)]
fn block_acc<
    T: Float,
    const FUSED: bool,
    const PASS: usize,
    const NB: usize,
    const I: usize,
    const R: usize,
    S: Storage<T>,
>(
    tile: &[S],
    xs: [&[T; I]; NB],
    hs: [&[T; R]; NB],
) -> [[[T; TILE]; 4]; NB] {
    let (rows, bias) = tile.split_at((I + R) * 4 * TILE);
    let (x_rows, h_rows) = rows.split_at(I * 4 * TILE);
    let mut acc = [[[T::ZERO; TILE]; 4]; NB];
    for first in (0..TILE).step_by(PASS) {
        let mut part = [[[T::ZERO; PASS]; 4]; NB];
        for sequence in &mut part {
            for (gate, lanes) in sequence.iter_mut().enumerate() {
                for (lane, &value) in lanes.iter_mut().zip(&bias[gate * TILE + first..][..PASS]) {
                    *lane = value.widen();
                }
            }
        }
        accumulate_block::<T, FUSED, PASS, NB, I, S>(&mut part, x_rows, xs, first);
        accumulate_block::<T, FUSED, PASS, NB, R, S>(&mut part, h_rows, hs, first);
        store_lanes(&mut acc, &part, first);
    }
    acc
}

/// [`tiles_step`] for a block of `BLOCK` sequences, all tiles in turn (the order used with a
/// projection, where each sequence's unprojected outputs are needed whole).
#[inline(always)]
fn block_step<
    T: Float,
    const I: usize,
    const H: usize,
    const R: usize,
    const FUSED: bool,
    const PASS: usize,
    S: Storage<T>,
>(
    tiles: &[S],
    xs: [&[T; I]; BLOCK],
    states: &mut [LstmState<T, H, R>; BLOCK],
    out: &mut [[T; H]; BLOCK],
) {
    let tile_len = (I + R + 1) * 4 * TILE;
    for (tile, data) in tiles.chunks_exact(tile_len).enumerate() {
        let acc =
            block_acc::<T, FUSED, PASS, BLOCK, I, R, S>(data, xs, states.each_ref().map(|s| &s.h));
        for ((sequence, state), values) in acc.iter().zip(states.iter_mut()).zip(out.iter_mut()) {
            finish_tile::<T, FUSED, H>(sequence, tile, &mut state.c, &mut values[..]);
        }
    }
}

/// `b + W x_t` for every step: tile by tile, steps in blocks of `BLOCK` sharing each weight
/// load (the remainder one by one). Written per step and tile as 4 gates x `TILE`.
#[inline(always)]
fn project_tiles<
    T: Float,
    const I: usize,
    const H: usize,
    const R: usize,
    const FUSED: bool,
    const PASS: usize,
    S: Storage<T>,
>(
    tiles: &[S],
    inputs: &[[T; I]],
    projected: &mut [T],
) {
    let tile_len = (I + R + 1) * 4 * TILE;
    let tile_count = tiles.len() / tile_len;
    let step_len = tile_count * 4 * TILE;
    let mut store = |step: usize, tile: usize, acc: &[[T; TILE]; 4]| {
        let at = step * step_len + tile * 4 * TILE;
        for (chunk, gate) in projected[at..at + 4 * TILE].chunks_exact_mut(TILE).zip(acc) {
            chunk.copy_from_slice(gate);
        }
    };
    for (tile, data) in tiles.chunks_exact(tile_len).enumerate() {
        let blocks = inputs.len() / BLOCK;
        for block in 0..blocks {
            let xs = core::array::from_fn(|b| &inputs[block * BLOCK + b]);
            let acc = input_acc::<T, FUSED, PASS, BLOCK, I, R, S>(data, xs);
            for (b, gates) in acc.iter().enumerate() {
                store(block * BLOCK + b, tile, gates);
            }
        }
        for (step, x) in inputs.iter().enumerate().skip(blocks * BLOCK) {
            let [gates] = input_acc::<T, FUSED, PASS, 1, I, R, S>(data, [x]);
            store(step, tile, &gates);
        }
    }
}

/// `b + W x` of one tile for `NB` inputs: the first half of [`block_acc`], in the same order.
#[inline(always)]
fn input_acc<
    T: Float,
    const FUSED: bool,
    const PASS: usize,
    const NB: usize,
    const I: usize,
    const R: usize,
    S: Storage<T>,
>(
    tile: &[S],
    xs: [&[T; I]; NB],
) -> [[[T; TILE]; 4]; NB] {
    let (rows, bias) = tile.split_at((I + R) * 4 * TILE);
    let x_rows = &rows[..I * 4 * TILE];
    let mut acc = [[[T::ZERO; TILE]; 4]; NB];
    for first in (0..TILE).step_by(PASS) {
        let mut part = [[[T::ZERO; PASS]; 4]; NB];
        for sequence in &mut part {
            for (gate, lanes) in sequence.iter_mut().enumerate() {
                for (lane, &value) in lanes.iter_mut().zip(&bias[gate * TILE + first..][..PASS]) {
                    *lane = value.widen();
                }
            }
        }
        accumulate_block::<T, FUSED, PASS, NB, I, S>(&mut part, x_rows, xs, first);
        store_lanes(&mut acc, &part, first);
    }
    acc
}

/// Step `t` of a hoisted batch: tile by tile, blocks of `BLOCK` sequences share each `U` row
/// (the remainder one by one), starting from each sequence's projected inputs for step `t`.
#[inline(always)]
fn recur_batch_tiles<
    T: Float,
    const I: usize,
    const H: usize,
    const R: usize,
    const FUSED: bool,
    const PASS: usize,
    const NB: usize,
    S: Storage<T>,
>(
    tiles: &[S],
    projected: &[T],
    steps: usize,
    t: usize,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    let tile_len = (I + R + 1) * 4 * TILE;
    let step_len = tiles.len() / tile_len * 4 * TILE;
    for (tile, data) in tiles.chunks_exact(tile_len).enumerate() {
        let h_rows = &data[I * 4 * TILE..(I + R) * 4 * TILE];
        let start = |sequence: usize| {
            let at = (sequence * steps + t) * step_len + tile * 4 * TILE;
            &projected[at..at + 4 * TILE]
        };
        finish_blocks::<T, H, R, FUSED, NB>(
            tile,
            steps,
            t,
            states,
            outputs,
            |first, hs| {
                let starts = core::array::from_fn(|b| start(first + b));
                recurrent_acc::<T, FUSED, PASS, NB, R, S>(h_rows, starts, hs)
            },
            |sequence, h| {
                let [acc] =
                    recurrent_acc::<T, FUSED, PASS, 1, R, S>(h_rows, [start(sequence)], [h]);
                acc
            },
        );
    }
}

/// The per-tile part of a batch step shared by [`batch_tiles`] and [`recur_batch_tiles`]:
/// gate sums by `block` for each full block of `BLOCK` sequences (given the first sequence's
/// index and their `h`) and by `single` for the rest, then each sequence's cell update, its
/// `h` written into its output slot for step `t`.
#[inline(always)]
#[allow(
    clippy::too_many_arguments,
    reason = "the batch buffers plus the two ways to sum a tile"
)]
fn finish_blocks<T: Float, const H: usize, const R: usize, const FUSED: bool, const NB: usize>(
    tile: usize,
    steps: usize,
    t: usize,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
    mut block: impl FnMut(usize, [&[T; R]; NB]) -> [[[T; TILE]; 4]; NB],
    mut single: impl FnMut(usize, &[T; R]) -> [[T; TILE]; 4],
) {
    for (index, block_states) in states.chunks_mut(NB).enumerate() {
        let first = index * NB;
        if let Ok(full) = <&mut [LstmState<T, H, R>; NB]>::try_from(&mut *block_states) {
            let acc = block(first, full.each_ref().map(|s| &s.h));
            let slots = core::array::from_fn::<_, NB, _>(|b| (first + b) * steps + t);
            let Ok(outs) = outputs.get_disjoint_mut(slots) else {
                continue; // distinct in-range slots: sequences differ, `t < steps`
            };
            for ((sequence, state), out) in acc.iter().zip(full.iter_mut()).zip(outs) {
                finish_tile::<T, FUSED, H>(sequence, tile, &mut state.c, &mut out[..]);
            }
        } else {
            for (b, state) in block_states.iter_mut().enumerate() {
                let acc = single(first + b, &state.h);
                let at = (first + b) * steps + t;
                finish_tile::<T, FUSED, H>(&acc, tile, &mut state.c, &mut outputs[at][..]);
            }
        }
    }
}

/// Projected inputs plus `U h` for one tile and `NB` sequences, each `U` row loaded once.
#[inline(always)]
fn recurrent_acc<
    T: Float,
    const FUSED: bool,
    const PASS: usize,
    const NB: usize,
    const R: usize,
    S: Storage<T>,
>(
    h_rows: &[S],
    starts: [&[T]; NB],
    hs: [&[T; R]; NB],
) -> [[[T; TILE]; 4]; NB] {
    let mut acc = [[[T::ZERO; TILE]; 4]; NB];
    for first in (0..TILE).step_by(PASS) {
        let mut part = [[[T::ZERO; PASS]; 4]; NB];
        for (sequence, start) in part.iter_mut().zip(starts) {
            for (gate, lanes) in sequence.iter_mut().enumerate() {
                lanes.copy_from_slice(&start[gate * TILE + first..][..PASS]);
            }
        }
        accumulate_block::<T, FUSED, PASS, NB, R, S>(&mut part, h_rows, hs, first);
        store_lanes(&mut acc, &part, first);
    }
    acc
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn recur_batch_avx2<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    projected: &[T],
    steps: usize,
    t: usize,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    if T::BITS == 32 {
        recur_batch_tiles::<T, I, H, R, true, 8, AVX2_F32_BLOCK, S>(
            tiles, projected, steps, t, states, outputs,
        );
    } else {
        recur_batch_tiles::<T, I, H, R, true, 4, BLOCK, S>(
            tiles, projected, steps, t, states, outputs,
        );
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn recur_batch_avx512<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    projected: &[T],
    steps: usize,
    t: usize,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    if T::BITS == 32 {
        recur_batch_tiles::<T, I, H, R, true, 16, BLOCK, S>(
            tiles, projected, steps, t, states, outputs,
        );
    } else {
        recur_batch_tiles::<T, I, H, R, true, 8, BLOCK, S>(
            tiles, projected, steps, t, states, outputs,
        );
    }
}

/// One step of the recurrence: each tile's projected inputs plus `U h`, then the cell update.
#[inline(always)]
fn recur_tiles<
    T: Float,
    const I: usize,
    const H: usize,
    const R: usize,
    const FUSED: bool,
    const PASS: usize,
    S: Storage<T>,
>(
    tiles: &[S],
    projected: &[T],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
) {
    let tile_len = (I + R + 1) * 4 * TILE;
    for ((tile, data), start) in tiles
        .chunks_exact(tile_len)
        .enumerate()
        .zip(projected.chunks_exact(4 * TILE))
    {
        let h_rows = &data[I * 4 * TILE..(I + R) * 4 * TILE];
        let [acc] = recurrent_acc::<T, FUSED, PASS, 1, R, S>(h_rows, [start], [h]);
        finish_tile::<T, FUSED, H>(&acc, tile, c, &mut out[..]);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn project_avx2<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    inputs: &[[T; I]],
    projected: &mut [T],
) {
    if T::BITS == 32 {
        project_tiles::<T, I, H, R, true, 8, S>(tiles, inputs, projected);
    } else {
        project_tiles::<T, I, H, R, true, 4, S>(tiles, inputs, projected);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn project_avx512<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    inputs: &[[T; I]],
    projected: &mut [T],
) {
    if T::BITS == 32 {
        project_tiles::<T, I, H, R, true, 16, S>(tiles, inputs, projected);
    } else {
        project_tiles::<T, I, H, R, true, 8, S>(tiles, inputs, projected);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn recur_avx2<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    projected: &[T],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
) {
    if T::BITS == 32 {
        recur_tiles::<T, I, H, R, true, 16, S>(tiles, projected, h, c, out);
    } else {
        recur_tiles::<T, I, H, R, true, 8, S>(tiles, projected, h, c, out);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn recur_avx512<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    projected: &[T],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
) {
    recur_tiles::<T, I, H, R, true, TILE, S>(tiles, projected, h, c, out);
}

/// One time step of a batch without projection, tile by tile: each tile's weights are used by
/// every block of `BLOCK` sequences (and then the remainder, one by one) while in cache. Writes
/// each unit's `h` into the sequence's output slot for step `t`.
#[inline(always)]
fn batch_tiles<
    T: Float,
    const I: usize,
    const H: usize,
    const R: usize,
    const FUSED: bool,
    const PASS: usize,
    const NB: usize,
    S: Storage<T>,
>(
    tiles: &[S],
    inputs: &[[T; I]],
    steps: usize,
    t: usize,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    let tile_len = (I + R + 1) * 4 * TILE;
    for (tile, data) in tiles.chunks_exact(tile_len).enumerate() {
        finish_blocks::<T, H, R, FUSED, NB>(
            tile,
            steps,
            t,
            states,
            outputs,
            |first, hs| {
                let xs = core::array::from_fn(|b| &inputs[(first + b) * steps + t]);
                block_acc::<T, FUSED, PASS, NB, I, R, S>(data, xs, hs)
            },
            |sequence, h| {
                let [acc] = block_acc::<T, FUSED, PASS, 1, I, R, S>(
                    data,
                    [&inputs[sequence * steps + t]],
                    [h],
                );
                acc
            },
        );
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn batch_avx2<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    inputs: &[[T; I]],
    steps: usize,
    t: usize,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    if T::BITS == 32 {
        batch_tiles::<T, I, H, R, true, 8, AVX2_F32_BLOCK, S>(
            tiles, inputs, steps, t, states, outputs,
        );
    } else {
        batch_tiles::<T, I, H, R, true, 4, BLOCK, S>(tiles, inputs, steps, t, states, outputs);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn batch_avx512<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
    tiles: &[S],
    inputs: &[[T; I]],
    steps: usize,
    t: usize,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    if T::BITS == 32 {
        batch_tiles::<T, I, H, R, true, 16, BLOCK, S>(tiles, inputs, steps, t, states, outputs);
    } else {
        batch_tiles::<T, I, H, R, true, 8, BLOCK, S>(tiles, inputs, steps, t, states, outputs);
    }
}

/// [`accumulate_pair`] for `NB` sequences of one tile: each row element is loaded once for all
/// of them.
#[inline(always)]
fn accumulate_block<
    T: Float,
    const FUSED: bool,
    const PASS: usize,
    const NB: usize,
    const N: usize,
    S: Storage<T>,
>(
    acc: &mut [[[T; PASS]; 4]; NB],
    rows: &[S],
    inputs: [&[T; N]; NB],
    first: usize,
) {
    for (row, k) in rows.as_chunks::<{ 4 * TILE }>().0.iter().zip(0..N) {
        for (sequence, input) in acc.iter_mut().zip(inputs) {
            let input = input[k];
            for (gate, lanes) in sequence.iter_mut().enumerate() {
                let weights = &row[gate * TILE + first..][..PASS];
                for (sum, &weight) in lanes.iter_mut().zip(weights) {
                    *sum = multiply_add::<T, FUSED>(weight.widen(), input, *sum);
                }
            }
        }
    }
}

/// The activations and cell update of one tile from its gate sums, written for the tile's real
/// units into `c` and `out`.
#[inline(always)]
fn finish_tile<T: Float, const FUSED: bool, const H: usize>(
    acc: &[[T; TILE]; 4],
    tile: usize,
    c: &mut [T; H],
    out: &mut [T],
) {
    let first = tile * TILE;
    let units = first..(first + TILE).min(H);
    // `out` holds `H` units (an unprojected buffer, or an output of `R == H`).
    let Some(out) = out.get_mut(units.clone()) else {
        return;
    };
    let mut c_tile = [T::ZERO; TILE];
    for (lane, &value) in c_tile.iter_mut().zip(&c[units.clone()]) {
        *lane = value;
    }
    let mut h_tile = [T::ZERO; TILE];
    for lane in 0..TILE {
        let input_gate = acc[0][lane].fast_sigmoid::<FUSED>();
        let forget_gate = acc[1][lane].fast_sigmoid::<FUSED>();
        let candidate = acc[2][lane].fast_tanh::<FUSED>();
        let output_gate = acc[3][lane].fast_sigmoid::<FUSED>();
        let c_next = forget_gate * c_tile[lane] + input_gate * candidate;
        c_tile[lane] = c_next;
        h_tile[lane] = output_gate * c_next.fast_tanh::<FUSED>();
    }
    for ((c_unit, out_unit), (&c_value, &h_value)) in c[units]
        .iter_mut()
        .zip(out.iter_mut())
        .zip(c_tile.iter().zip(&h_tile))
    {
        *c_unit = c_value;
        *out_unit = h_value;
    }
}

/// `a * b + c`, fused where the kernel is compiled with FMA (elsewhere `mul_add` would be a
/// slow library call).
#[inline(always)]
fn multiply_add<T: Float, const FUSED: bool>(a: T, b: T, c: T) -> T {
    if FUSED { a.mul_add(b, c) } else { a * b + c }
}

/// The kernel, written once: inlined into each `target_feature` wrapper so that the compiler
/// vectorises it for that wrapper's registers.
#[inline(always)]
fn tiles_step<
    T: Float,
    const I: usize,
    const H: usize,
    const R: usize,
    const FUSED: bool,
    const PASS: usize,
    const PAIRS: bool,
    S: Storage<T>,
>(
    tiles: &[S],
    x: &[T; I],
    h: &[T; R],
    c: &mut [T; H],
    out: &mut [T; H],
) {
    let tile_len = (I + R + 1) * 4 * TILE;
    if !PAIRS {
        for (tile, data) in tiles.chunks_exact(tile_len).enumerate() {
            let [acc] = block_acc::<T, FUSED, PASS, 1, I, R, S>(data, [x], [h]);
            finish_tile::<T, FUSED, H>(&acc, tile, c, &mut out[..]);
        }
        return;
    }
    // Two tiles at a time (AVX-512, which has the registers): eight accumulator chains instead
    // of four hide the latency of the fused multiply-adds (each chain is `I + R` long), and each
    // input element is loaded once for both. Each lane's sums keep their order, so results are
    // unchanged bit for bit. With fewer registers the lanes per pass would have to shrink, and
    // re-reading each tile's cache lines once per pass cost more than pairing saved (AVX2:
    // 13.9 -> 23 us at input 100, hidden 256).
    let mut pairs = tiles.chunks_exact(2 * tile_len);
    for (pair, data) in (&mut pairs).enumerate() {
        let (first_tile, second_tile) = data.split_at(tile_len);
        let [a, b] = pair_acc::<T, FUSED, PASS, I, R, S>([first_tile, second_tile], x, h);
        finish_tile::<T, FUSED, H>(&a, 2 * pair, c, &mut out[..]);
        finish_tile::<T, FUSED, H>(&b, 2 * pair + 1, c, &mut out[..]);
    }
    let last = pairs.remainder();
    if !last.is_empty() {
        let tile = tiles.len() / tile_len - 1;
        let [acc] = block_acc::<T, FUSED, PASS, 1, I, R, S>(last, [x], [h]);
        finish_tile::<T, FUSED, H>(&acc, tile, c, &mut out[..]);
    }
}

/// The gate sums of two tiles for one sequence, `PASS` lanes at a time, with the inputs loaded
/// once for both.
#[inline(always)]
fn pair_acc<
    T: Float,
    const FUSED: bool,
    const PASS: usize,
    const I: usize,
    const R: usize,
    S: Storage<T>,
>(
    tiles: [&[S]; 2],
    x: &[T; I],
    h: &[T; R],
) -> [[[T; TILE]; 4]; 2] {
    let split = tiles.map(|tile| {
        let (rows, bias) = tile.split_at((I + R) * 4 * TILE);
        let (x_rows, h_rows) = rows.split_at(I * 4 * TILE);
        (x_rows, h_rows, bias)
    });
    let mut acc = [[[T::ZERO; TILE]; 4]; 2];
    for first in (0..TILE).step_by(PASS) {
        let mut part = [[[T::ZERO; PASS]; 4]; 2];
        for (tile, (_, _, bias)) in part.iter_mut().zip(&split) {
            for (gate, lanes) in tile.iter_mut().enumerate() {
                for (lane, &value) in lanes.iter_mut().zip(&bias[gate * TILE + first..][..PASS]) {
                    *lane = value.widen();
                }
            }
        }
        accumulate_pair::<T, FUSED, PASS, S>(&mut part, [split[0].0, split[1].0], x, first);
        accumulate_pair::<T, FUSED, PASS, S>(&mut part, [split[0].1, split[1].1], h, first);
        store_lanes(&mut acc, &part, first);
    }
    acc
}

/// Adds two tiles' rows times their inputs: per input element `k`, both tiles' 4 x `TILE`
/// weights for it times `inputs[k]`. A function, not a closure, so that `#[inline(always)]`
/// puts it inside the `target_feature` wrapper: a closure compiled on its own would lack the
/// wrapper's features and turn every fused multiply-add into a library call (measured: 20x
/// slower).
///
/// `PASS` lanes are accumulated at a time, starting at lane `first`, so that the accumulators
/// stay in registers (16 lanes of 2 tiles x 4 gates with AVX-512; the single-tile kernels use
/// 16 with AVX2 and 8 in the portable build, where 16 spilled and ran 3.5x slower).
#[inline(always)]
fn accumulate_pair<T: Float, const FUSED: bool, const PASS: usize, S: Storage<T>>(
    acc: &mut [[[T; PASS]; 4]; 2],
    rows: [&[S]; 2],
    inputs: &[T],
    first: usize,
) {
    let (first_rows, _) = rows[0].as_chunks::<{ 4 * TILE }>();
    let (second_rows, _) = rows[1].as_chunks::<{ 4 * TILE }>();
    for ((row_a, row_b), &input) in first_rows.iter().zip(second_rows).zip(inputs) {
        let [tile_a, tile_b] = acc;
        for (gate, (lanes_a, lanes_b)) in tile_a.iter_mut().zip(tile_b.iter_mut()).enumerate() {
            let weights_a = &row_a[gate * TILE + first..][..PASS];
            let weights_b = &row_b[gate * TILE + first..][..PASS];
            for ((sum_a, sum_b), (&w_a, &w_b)) in lanes_a
                .iter_mut()
                .zip(lanes_b.iter_mut())
                .zip(weights_a.iter().zip(weights_b))
            {
                *sum_a = multiply_add::<T, FUSED>(w_a.widen(), input, *sum_a);
                *sum_b = multiply_add::<T, FUSED>(w_b.widen(), input, *sum_b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    /// Test weights, each exactly a bf16 (so that bf16 storage holds them unchanged).
    fn weights<T: Float, const I: usize, const H: usize, const R: usize>()
    -> LstmWeights<T, I, H, 2, R> {
        LstmWeights::from_fn(|gate, role, row, col| {
            let role = match role {
                Role::Input => 0,
                Role::Recurrent => 1,
                Role::Bias(set) => 2 + set,
                Role::Projection => 4,
            };
            let n = (gate.index() * 5 + role) * 131 + row * 17 + col * 3;
            T::from_f64(((n % 61) as f64 - 30.0) / 64.0)
        })
    }

    /// An input value that differs by step, element and sequence.
    fn wave<T: Float>(at: usize) -> T {
        T::from_f64((at as f64 * 0.37).sin())
    }

    /// A distinct initial state per sequence.
    fn initial<T: Float, const H: usize, const R: usize>(sequence: usize) -> LstmState<T, H, R> {
        LstmState::new(
            [T::from_f64(0.05 * sequence as f64); R],
            [T::from_f64(-0.1 * sequence as f64); H],
        )
    }

    /// Everything the packed calls promise, for one packing: the step agrees with the logical
    /// step within `tolerance`; a batch (every count of sequences from 1 to 13, so every block
    /// size and remainder) equals separate calls bit for bit; the hoisted calls equal `run` bit
    /// for bit, for sequences of 1 to 13 steps.
    fn check<T: Float, const I: usize, const H: usize, const R: usize, S: Storage<T>>(
        logical: &LstmWeights<T, I, H, 2, R>,
        packed: &LstmLayer<T, I, H, 2, R, S>,
        tolerance: f64,
    ) {
        let what = format!("{:?} {} I={I} H={H} R={R}", packed.kernel(), T::NAME);
        let (mut slow, mut fast) = (initial(1), initial(1));
        for t in 0..5 {
            let x: [T; I] = core::array::from_fn(|k| wave(t * I + k));
            let (a, b) = (
                logical.as_cell().step(&x, &mut slow),
                packed.step(&x, &mut fast),
            );
            for (s, f) in a.iter().zip(&b).chain(slow.c.iter().zip(&fast.c)) {
                let error = (s.to_f64() - f.to_f64()).abs();
                assert!(error < tolerance, "{what}: {s} vs {f}");
            }
        }
        for batch in 1..=13 {
            let steps = 2;
            let inputs: Vec<[T; I]> = (0..batch * steps)
                .map(|t| core::array::from_fn(|k| wave(t * I + k + 1000)))
                .collect();
            let mut states: Vec<_> = (0..batch).map(initial).collect();
            let mut outputs = vec![[T::ZERO; R]; batch * steps];
            packed
                .run_batch(&inputs, &mut outputs, &mut states)
                .unwrap();
            let mut hoisted_states: Vec<_> = (0..batch).map(initial).collect();
            let mut hoisted = vec![[T::ZERO; R]; batch * steps];
            let mut scratch = Vec::new();
            packed.run_batch_hoisted(
                &inputs,
                &mut hoisted,
                &mut hoisted_states,
                steps,
                &mut scratch,
            );
            for sequence in 0..batch {
                let range = sequence * steps..(sequence + 1) * steps;
                let mut alone = vec![[T::ZERO; R]; steps];
                let mut state = initial(sequence);
                packed.run_streamed(&inputs[range.clone()], &mut alone, &mut state);
                assert_eq!(alone, outputs[range.clone()], "{what}: batch of {batch}");
                assert_eq!(state, states[sequence], "{what}: batch of {batch}");
                assert_eq!(alone, hoisted[range], "{what}: hoisted batch of {batch}");
                assert_eq!(state, hoisted_states[sequence], "{what}: hoisted {batch}");
            }
        }
        for steps in 1..=13 {
            let inputs: Vec<[T; I]> = (0..steps)
                .map(|t| core::array::from_fn(|k| wave(t * I + k + 2000)))
                .collect();
            let (mut a, mut b) = (initial(2), initial(2));
            let mut streamed = vec![[T::ZERO; R]; steps];
            let mut hoisted = vec![[T::ZERO; R]; steps];
            packed.run_streamed(&inputs, &mut streamed, &mut a);
            let mut scratch = Vec::new();
            packed.run_hoisted(&inputs, &mut hoisted, &mut b, &mut scratch);
            let mut chosen = vec![[T::ZERO; R]; steps];
            let mut c = initial(2);
            packed.run(&inputs, &mut chosen, &mut c).unwrap();
            assert_eq!(streamed, chosen, "{what}: run, {steps} steps");
            assert_eq!(streamed, hoisted, "{what}: hoisted, {steps} steps");
            assert_eq!(a, b, "{what}: hoisted, {steps} steps");
        }
    }

    /// [`check`] for every kernel this CPU has, in `f64`, `f32` and `f32` with bf16 and f16
    /// storage (the test weights are exact in both),
    /// for sizes that fill tiles exactly, leave a partial tile (and a partial half of one:
    /// the AVX2 kernel updates 8 units at a time), and project.
    #[test]
    fn every_packing_keeps_the_promises() {
        fn sizes<const I: usize, const H: usize, const R: usize>() {
            let (wide, narrow) = (weights::<f64, I, H, R>(), weights::<f32, I, H, R>());
            for kernel in Kernel::ALL
                .into_iter()
                .filter(|kernel| kernel.is_available())
            {
                check(&wide, &wide.pack().with_kernel(kernel).unwrap(), 1e-12);
                check(&narrow, &narrow.pack().with_kernel(kernel).unwrap(), 2e-6);
                let bf16 = narrow.pack_as::<Bf16>().with_kernel(kernel).unwrap();
                check(&narrow, &bf16, 2e-6);
                let f16 = narrow.pack_as::<F16>().with_kernel(kernel).unwrap();
                check(&narrow, &f16, 2e-6);
            }
        }
        sizes::<3, 16, 16>();
        sizes::<7, 37, 37>();
        sizes::<1, 5, 5>();
        sizes::<1, 32, 32>();
        sizes::<4, 20, 6>();
        sizes::<2, 12, 12>();
    }

    /// Weights of a size where the AVX2 step walks the tiles forwards and backwards in turn
    /// (13 tiles: the odd one out comes last one way, first the other): the same step from
    /// the same state gives the same bits either way, in `f32` and with bf16 storage.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn walking_the_tiles_either_way_gives_the_same_step() {
        fn both_ways<S: Storage<f32>>(packed: &LstmLayer<f32, 40, 200, 2, 200, S>) {
            let Ok(packed) = packed.clone().with_kernel(Kernel::Avx2) else {
                return; // no AVX2 here: the walk is the AVX2 kernel's
            };
            let bytes = size_of_val(packed.tiles());
            assert!(avx2::alternates(bytes), "{bytes} bytes do not alternate");
            let x: [f32; 40] = core::array::from_fn(wave);
            let steps: Vec<LstmState<f32, 200>> = (0..3)
                .map(|_| {
                    let mut state = initial(3);
                    packed.step(&x, &mut state);
                    state
                })
                .collect();
            assert_eq!(steps[0], steps[1]);
            assert_eq!(steps[1], steps[2]);
        }
        let narrow = weights::<f32, 40, 200, 200>();
        both_ways(&narrow.pack());
        both_ways(&narrow.pack_as::<Bf16>());
        both_ways(&narrow.pack_as::<F16>());
    }

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

    #[test]
    fn the_portable_kernel_is_always_available() {
        let packed = weights::<f64, 2, 3, 3>().pack();
        assert!(packed.clone().with_kernel(Kernel::Portable).is_ok());
        assert!(Kernel::best().is_available());
        if !Kernel::Avx512.is_available() {
            let err = packed.with_kernel(Kernel::Avx512).unwrap_err();
            assert_eq!(err.to_string(), "this CPU cannot run the Avx512 kernel");
        }
    }
}
