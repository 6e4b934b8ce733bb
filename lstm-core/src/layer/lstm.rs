//! The cell that runs: [`LstmLayer`], the weights repacked for streaming with the kernel
//! chosen for this CPU, and the verbs over it.
//!
//! [`LstmWeights`] keep the logical layout users build, load and inspect (`W_i`, `U_i`, ...).
//! [`LstmLayer`] holds the same numbers rearranged once ([`LstmWeights::pack`], or loading):
//! hidden units in tiles of [`TILE`], and within a tile, for each input element `k`, the
//! weights of the tile's units for the four gates side by side. A step then reads every weight
//! exactly once, in order, multiplying a whole tile's column by `x[k]` (a broadcast) into four
//! accumulators of `TILE` lanes: no horizontal sums, no gathers, and the loop bounds all
//! constants. The kernels themselves are in `kernel/` and `arch/`.
#![forbid(unsafe_code)]

mod range;

#[cfg(feature = "std")]
use crate::Compute;
use crate::kernel::{
    ALIGN, BLOCK, BatchInput, Call, Direction, Kernel, KernelUnavailable, Ops, StepInput, TILE,
};
use crate::{
    BatchLengthError, CellRef, F32Lanes, Float, Gate, GateBiases, Layer, LstmState, LstmWeights,
    Matrix, Role, SequenceLengthError, Storage, StreamingLayer, Vector,
};

/// The fastest kernel's entry points for these types (the portable ones are always there):
/// [`Kernel::best`], except where the AVX2 kernel, hand-written for `f32`, beats the AVX-512 one
/// (the generic code) on a machine that has both. Measured on an Intel Xeon with AVX-512 (ns
/// a step, AVX2 against AVX-512; `bench/src/bin/storageprobe.rs` and BENCHMARKS.md's sweep):
///
/// - bf16 and f16 weights, which AVX2 widens in vector registers (a shift, F16C) and the
///   generic code one at a time: input 100, hidden 256: bf16 9,411 against 10,364, f16 11,417
///   against 47,123; input 1, hidden 32: bf16 151 against 216, f16 174 against 620; input 1,
///   hidden 40: bf16 266 against 1,030, f16 328 against 1,127;
/// - one tile or less (hidden 16 or fewer): input = hidden = 8: 48 against 73; 16: 68 against
///   81 (at 32 AVX-512 wins, 178 against 216);
/// - weights beyond L2 (over 4 MiB as stored), where AVX2's prefetches and its walk back and
///   forth over the tiles pay: input = hidden = 1024 (34 MB): 1.17 ms against 1.32 ms; input
///   512, hidden 1024: 882 us against 1.00 ms (at 2 MB, input = hidden = 256, they tie).
fn best_ops<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>()
-> Ops<T, S, I, H, R> {
    let lanes = S::as_f32_lanes(&[]);
    let half = matches!(lanes, Some(F32Lanes::Bf16(_) | F32Lanes::F16(_)));
    let stored_bytes = H.div_ceil(TILE) * (I + R + 1) * 4 * TILE * size_of::<S>();
    let avx2_wins = lanes.is_some() && (half || H <= TILE || stored_bytes > 4 << 20);
    let kernel = match Kernel::best() {
        Kernel::Avx512 if avx2_wins && Kernel::Avx2.is_available() => Kernel::Avx2,
        best => best,
    };
    kernel.ops().unwrap_or_else(crate::kernel::portable::ops)
}

/// An LSTM cell ready to run: its weights in the layout the fast step streams, and the kernel
/// chosen for this CPU. This is the type a spec's [`Weights`](crate::Weights) are, what
/// loading gives, and what [`LstmWeights::pack`] builds; it runs with the verbs of the
/// [`prelude`](crate::prelude): [`step`](StreamingLayer::step), [`run`](Layer::run) and
/// [`run_batch`](Layer::run_batch).
///
/// Generics, as in [`LstmWeights`]: `T` the element type the step computes in, `I` the input
/// size, `H` the hidden size, `B` the bias sets (kept for saving; the step adds their sum),
/// `R` the output size (`H` unless projected), and `S` the type the weights are stored as
/// (`T`, or [`Bf16`](crate::Bf16) / [`F16`](crate::F16) for `f32`; see [`Compute::to_storage`]).
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
/// # NaN, infinities and extreme values
///
/// One rule for every path (the reference step, and this type with every kernel and storage,
/// by `step`, `run` and `run_batch`, hoisted or not): each gives the reference step's result,
/// NaN exactly where it gives NaN, the same infinities, and finite values equal to float
/// precision. The reference step computes PyTorch's formula in IEEE arithmetic, so where no sum
/// overflows, that result is PyTorch's (where one does, PyTorch's own result depends on the
/// order its BLAS adds in, and on whether the CPU fuses multiply and add).
///
/// How: a call first checks its inputs and state against a bound the weights set when packed:
/// every input and `h` small enough that no sum can come within a factor 8 of overflow, every
/// `c` below 2^100, nothing NaN or infinite. That holds for any real data, and the kernels run.
/// Where it does not (NaN or infinity in the data, values near `f32::MAX`, weights that are not
/// finite), the call runs the reference step's own arithmetic over the packed weights, step by
/// step: slow, allocation-free, exact. The check costs the audio-sized step (input 1, hidden
/// 32) about 1% of its time and a sequence or batch one pass over its inputs. A projection
/// multiplies the activations' rounding (2e-7) by its weights: with projection weights near
/// `f32::MAX`, "equal to float precision" holds for no two implementations, PyTorch's included.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Gate, Kernel, LstmState, LstmWeights, Role};
/// // A forget gate of -inf (so f = 0) meeting c = +inf: 0 * inf is NaN, on every kernel.
/// let weights = LstmWeights::<f32, 1, 1>::from_fn(|gate, role, _, _| match (gate, role) {
///     (Gate::Forget, Role::Bias(_)) => f32::NEG_INFINITY,
///     _ => 0.0,
/// });
/// let mut state = LstmState::zeros();
/// state.c = [f32::INFINITY];
/// for kernel in Kernel::ALL.into_iter().filter(|kernel| kernel.is_available()) {
///     let cell = weights.pack().with_kernel(kernel)?;
///     assert!(cell.step(&[0.0], &mut state.clone())[0].is_nan());
/// }
/// # Ok::<(), lstm_core::KernelUnavailable>(())
/// ```
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
    T: 'static,
    const I: usize,
    const H: usize,
    const B: usize = 1,
    const R: usize = H,
    S: 'static = T,
> {
    /// The tiles: per tile `(I + R)` rows of 4 gates x `TILE` lanes, then the 4 x `TILE`
    /// summed biases, each stored as an `S`; on the heap, or static data compiled in.
    tiles: Tiles<S>,
    /// The bias sets as given, for [`to_weights`](Self::to_weights): the tiles hold their sum.
    biases: [GateBiases<T, H>; B],
    projection: Option<Matrix<T, R, H>>,
    /// The kernel's entry points, chosen once (see `kernel/mod.rs`).
    ops: Ops<T, S, I, H, R>,
    /// Whether the kernel was chosen by hand ([`Compute::with_kernel`]): `to_storage` keeps it
    /// then, and otherwise makes the default choice again for the new storage.
    kernel_chosen: bool,
    /// Which way the AVX2 `f32` step walks the tiles next.
    direction: Direction,
    /// The weights' part of the bound on every sum, which decides whether a call runs on the
    /// kernels or (for extreme values) in the reference step's arithmetic (`lstm/range.rs`).
    pub(crate) magnitudes: range::Magnitudes<T>,
}

/// What an [`LstmLayer`]'s sequence and batch calls keep between calls (its
/// [`Layer::Workspace`]): the hoisted input projections, with `std`; nothing without it, where
/// nothing is hoisted. Reusing one (`run_with`, `run_batch_with`) saves its allocation.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmLayer, LstmWorkspace};
/// let cell = LstmLayer::<f32, 100, 256>::zeros();
/// let mut workspace = LstmWorkspace::default();
/// let mut outputs = [[0.0; 256]; 4];
/// for _ in 0..3 {
///     cell.run_with(&[[0.5; 100]; 4], &mut outputs, &mut cell.zero_state(), &mut workspace)?;
/// }
/// # Ok::<(), lstm_core::SequenceLengthError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LstmWorkspace<T> {
    #[cfg(feature = "std")]
    projected: Vec<T>,
    #[cfg(not(feature = "std"))]
    element: core::marker::PhantomData<T>,
}

// By hand: a derive would require `T: Default`.
impl<T> Default for LstmWorkspace<T> {
    fn default() -> Self {
        LstmWorkspace {
            #[cfg(feature = "std")]
            projected: Vec::new(),
            #[cfg(not(feature = "std"))]
            element: core::marker::PhantomData,
        }
    }
}

/// Where a layer's packed tiles live.
#[derive(Clone, Debug)]
enum Tiles<S: 'static> {
    /// Packed at run time, allocated a little long so that `start` is 64-byte aligned.
    #[cfg(feature = "std")]
    Heap { storage: Box<[S]>, start: usize },
    /// Compiled into the program, exactly the tiles (aligned by the static that holds them).
    Static(&'static [S]),
}

#[cfg(feature = "std")]
impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>
    LstmWeights<T, I, H, B, R>
{
    /// The weights as an [`LstmLayer`], ready to run with the fastest kernel this CPU has for
    /// its shape and storage (`Kernel::best()`, or AVX2 where measured faster). Built
    /// once: the step itself never repacks or allocates.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{Kernel, LstmState, LstmWeights};
    /// let cell = LstmWeights::<f32, 2, 32>::zeros().pack();
    /// assert!(cell.kernel() == Kernel::best()); // (AVX2 for some shapes where it is faster)
    /// assert_eq!(cell.step(&[1.0, 2.0], &mut LstmState::zeros()), [0.0; 32]);
    /// ```
    #[must_use]
    pub fn pack(&self) -> LstmLayer<T, I, H, B, R> {
        self.as_cell().pack_as::<T>()
    }

    /// [`pack`](Self::pack), the weights stored as `S`: [`Bf16`](crate::Bf16) and [`F16`](crate::F16) halve the bytes
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

#[cfg(feature = "std")]
impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>
    From<LstmWeights<T, I, H, B, R>> for LstmLayer<T, I, H, B, R>
{
    fn from(weights: LstmWeights<T, I, H, B, R>) -> Self {
        weights.pack()
    }
}

#[cfg(feature = "std")]
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
    ///
    /// ```
    /// use lstm_core::{Bf16, LstmWeights};
    /// let weights = LstmWeights::<f32, 2, 3>::from_fn(|_, _, _, _| 0.1);
    /// let narrow = weights.as_cell().pack_as::<Bf16>();
    /// assert_eq!(narrow.to_weights().w_i[0][0], Bf16::from_f32(0.1).to_f32());
    /// ```
    #[must_use]
    pub fn pack_as<S: Storage<T>>(&self) -> LstmLayer<T, I, H, B, R, S> {
        // A view built by hand can name an output wider than the hidden state; it does not pack.
        let () = LstmWeights::<T, I, H, B, R>::OUTPUT_FITS;
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
        let weights = Gate::ALL.map(|gate| {
            let (w, u) = gate_weights(gate);
            (w.as_flattened(), u.as_flattened())
        });
        let sets: Vec<[&[T]; 4]> = self
            .biases
            .iter()
            .map(|set| Gate::ALL.map(|gate| &set.gate(gate)[..]))
            .collect();
        let biases = summed_biases(&sets, H);
        let biases = biases.each_ref().map(|sums| &sums[..]);
        fill_tiles(
            &mut storage[start..start + tiles * tile_len],
            &weights,
            &biases,
            [I, H, R],
        );
        let magnitudes = range::Magnitudes::measure(
            &storage[start..start + tiles * tile_len],
            I + R,
            self.projection.matrix().map(|matrix| matrix.as_flattened()),
            H,
        );
        LstmLayer {
            magnitudes,
            tiles: Tiles::Heap { storage, start },
            biases: self.biases.map(|set| GateBiases {
                b_i: set.b_i.clone(),
                b_f: set.b_f.clone(),
                b_c: set.b_c.clone(),
                b_o: set.b_o.clone(),
            }),
            projection: self.projection.matrix().cloned(),
            ops: best_ops(),
            kernel_chosen: false,
            direction: Direction::default(),
        }
    }
}

#[cfg(feature = "std")]
/// Each gate's biases summed over the sets, `0 + b_0 + b_1 + ..` as the reference step sums
/// (on the heap: `hidden` may be large).
fn summed_biases<T: Float>(sets: &[[&[T]; 4]], hidden: usize) -> [Vec<T>; 4] {
    core::array::from_fn(|gate| {
        let mut sums = vec![T::ZERO; hidden];
        for set in sets {
            for (sum, &value) in sums.iter_mut().zip(set[gate]) {
                *sum += value;
            }
        }
        sums
    })
}

#[cfg(feature = "std")]
/// Packs a cell whose sizes are values (`[input, hidden, output]`) into exactly its tiles, and
/// the bounds packing measures: what compile-time weights put into the program, by the same
/// code as [`LstmWeights::pack_as`]. `weights[gate]` is `(W, U)` flattened, `bias_sets` each
/// set's four gates, `projection` `R x H` flattened.
pub(crate) fn pack_values<T: Float, S: Storage<T>>(
    weights: &[(&[T], &[T]); 4],
    bias_sets: &[[&[T]; 4]],
    projection: Option<&[T]>,
    [input, hidden, output]: [usize; 3],
) -> (Vec<S>, [f64; 2]) {
    let tile_len = (input + output + 1) * 4 * TILE;
    let mut tiles = vec![S::ZERO; hidden.div_ceil(TILE) * tile_len];
    let biases = summed_biases(bias_sets, hidden);
    let biases = biases.each_ref().map(|sums| &sums[..]);
    fill_tiles(&mut tiles, weights, &biases, [input, hidden, output]);
    let magnitudes = range::Magnitudes::measure(&tiles, input + output, projection, hidden);
    (tiles, magnitudes.limits())
}

#[cfg(feature = "std")]
/// Writes weights into tiles of `TILE` units, in the kernels' layout: per tile, `I + R` rows of
/// 4 gates x `TILE` lanes (the input weights, then the recurrent ones), then the summed biases;
/// lanes past the last unit stay zero. `weights[gate]` is `(W, U)` flattened (`H x I`, `H x R`).
///
/// Sizes are run-time values and the function is never inlined: with the sizes as constants,
/// LLVM unrolled the loops into thousands of stores and spent minutes on them (`LoopIdiomRecognize`,
/// 107 s for hidden 32 under ThinLTO, the release build of any program that loaded a layer).
#[inline(never)]
fn fill_tiles<T: Float, S: Storage<T>>(
    storage: &mut [S],
    weights: &[(&[T], &[T]); 4],
    biases: &[&[T]; 4],
    [input, hidden, output]: [usize; 3],
) {
    let tile_len = (input + output + 1) * 4 * TILE;
    for (tile, data) in storage.chunks_exact_mut(tile_len).enumerate() {
        let (rows, bias) = data.split_at_mut((input + output) * 4 * TILE);
        let (x_rows, h_rows) = rows.split_at_mut(input * 4 * TILE);
        for (gate_index, ((w, u), gate_biases)) in weights.iter().zip(biases).enumerate() {
            for lane in 0..TILE {
                let unit = tile * TILE + lane;
                if unit >= hidden {
                    break; // padding lanes keep zero weights
                }
                let at = gate_index * TILE + lane;
                let w_row = &w[unit * input..(unit + 1) * input];
                for (k, &value) in w_row.iter().enumerate() {
                    x_rows[k * 4 * TILE + at] = S::narrow(value);
                }
                let u_row = &u[unit * output..(unit + 1) * output];
                for (k, &value) in u_row.iter().enumerate() {
                    h_rows[k * 4 * TILE + at] = S::narrow(value);
                }
                bias[at] = S::narrow(gate_biases[unit]);
            }
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

    #[cfg(feature = "std")]
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

    #[cfg(feature = "std")]
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

    #[cfg(feature = "std")]
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
    pub(crate) fn tiles(&self) -> &[S] {
        match &self.tiles {
            #[cfg(feature = "std")]
            Tiles::Heap { storage, start } => {
                &storage[*start..*start + H.div_ceil(TILE) * Self::TILE_LEN]
            }
            Tiles::Static(tiles) => tiles,
        }
    }

    /// A layer whose tiles, bias sets and projection are static data in the kernels' layout,
    /// as compile-time weights generate them (`weights = ".."` in `#[lstm(..)]` or
    /// `#[model(..)]`): nothing is copied or measured; the kernel is [`Kernel::best`]. `N` is
    /// the tiles' length, checked when the call is compiled; `biases` holds each set's four
    /// gates (input, forget, candidate, output); `limits` are the extreme-value bounds packing
    /// measures (`lstm/range.rs`), computed by the macro with the same code. Not an API to call
    /// by hand: the macro is what guarantees that the limits fit the tiles (if they did not,
    /// only calls with extreme values would run differently).
    #[doc(hidden)]
    #[must_use]
    pub fn from_compiled<const N: usize>(
        tiles: &'static [S; N],
        biases: &'static [[[T; H]; 4]; B],
        projection: Option<&'static [[T; H]; R]>,
        limits: [f64; 2],
    ) -> Self {
        const {
            assert!(
                N == H.div_ceil(TILE) * Self::TILE_LEN,
                "compiled tiles do not fit the layer's type"
            );
        }
        LstmLayer {
            tiles: Tiles::Static(tiles),
            biases: biases.each_ref().map(|[b_i, b_f, b_c, b_o]| GateBiases {
                b_i: Vector::from_static(b_i),
                b_f: Vector::from_static(b_f),
                b_c: Vector::from_static(b_c),
                b_o: Vector::from_static(b_o),
            }),
            projection: projection.map(Matrix::from_static),
            ops: best_ops(),
            kernel_chosen: false,
            direction: Direction::default(),
            magnitudes: range::Magnitudes::from_limits(limits),
        }
    }

    /// Whether the weights are static data compiled into the program
    /// ([`from_compiled`](Self::from_compiled)) rather than on the heap.
    ///
    /// ```
    /// assert!(!lstm_core::LstmLayer::<f32, 1, 4>::zeros().is_static());
    /// ```
    #[must_use]
    pub fn is_static(&self) -> bool {
        matches!(self.tiles, Tiles::Static(_))
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
        self.ops.kernel
    }

    /// Runs `call` over the tiles by the chosen kernel.
    #[inline]
    fn call(&self, call: Call<'_, T, I, H, R>) {
        (self.ops.run)(self.tiles(), call);
    }

    /// One time step into `state`, on the kernels unless its values are extreme (then in the
    /// reference step's arithmetic). Allocates nothing.
    fn step_state(&self, x: &[T; I], state: &mut LstmState<T, H, R>) {
        if self.admits_step(x, state) {
            self.kernel_step(x, state);
        } else {
            self.reference_step(x, state);
        }
    }

    /// One time step on the kernels, for values [`admits_step`](Self::admits_step) or
    /// [`admits_call`](Self::admits_call) let through.
    fn kernel_step(&self, x: &[T; I], state: &mut LstmState<T, H, R>) {
        self.step_on_kernel(StepInput::X(x), state);
    }

    /// One time step from `input` on the kernels: without a projection they write `h`
    /// themselves, with one they write the unprojected units, which
    /// [`finish_step`](Self::finish_step) projects.
    #[inline]
    fn step_on_kernel(&self, input: StepInput<'_, T, I>, state: &mut LstmState<T, H, R>) {
        let direction = &self.direction;
        if self.projection.is_none() {
            let out = None;
            self.call(Call::Step {
                input,
                state,
                out,
                direction,
            });
            return;
        }
        let mut unprojected = [T::ZERO; H];
        let out = Some(&mut unprojected);
        self.call(Call::Step {
            input,
            state,
            out,
            direction,
        });
        self.finish_step(&unprojected, state);
    }

    /// A whole sequence, step by step, streaming every weight each step.
    pub(crate) fn run_streamed(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        state: &mut LstmState<T, H, R>,
    ) {
        // Checked once for the whole sequence where it can be; otherwise step by step.
        let admitted = self.admits_call(inputs, core::slice::from_ref(state));
        for (x, out) in inputs.iter().zip(outputs.iter_mut()) {
            if admitted {
                self.kernel_step(x, state);
            } else {
                self.step_state(x, state);
            }
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
                self.call(Call::Batch {
                    input: BatchInput::X(inputs),
                    steps,
                    t,
                    states,
                    outputs,
                });
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
                self.call(Call::Block {
                    xs,
                    states: block_states,
                    out: &mut unprojected,
                });
                for (b, (state, values)) in block_states.iter_mut().zip(&unprojected).enumerate() {
                    self.finish_step(values, state);
                    outputs[(first + b) * steps + t] = state.h;
                }
            }
            for (sequence, state) in states.iter_mut().enumerate().skip(blocked) {
                let at = sequence * steps + t;
                self.kernel_step(&inputs[at], state);
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

    #[cfg(feature = "std")]
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
        let mut scratch = LstmWorkspace {
            projected: core::mem::take(workspace),
        };
        self.run_batch_on(inputs, outputs, states, steps, &mut scratch, hoisted);
        *workspace = scratch.projected;
        Ok(())
    }

    /// A sequence by the path [`hoists`](Self::hoists) chooses (streamed, without `std`).
    fn run_sequence(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        state: &mut LstmState<T, H, R>,
        workspace: &mut LstmWorkspace<T>,
    ) {
        #[cfg(feature = "std")]
        if Self::hoists(1) {
            self.run_hoisted(inputs, outputs, state, &mut workspace.projected);
            return;
        }
        let _ = workspace;
        self.run_streamed(inputs, outputs, state);
    }

    /// A batch by the given path, unless its values are extreme: then each sequence runs as a
    /// call of its own would, so that a batch always equals separate calls. Without `std`
    /// nothing is hoisted.
    fn run_batch_on(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        states: &mut [LstmState<T, H, R>],
        steps: usize,
        workspace: &mut LstmWorkspace<T>,
        hoisted: bool,
    ) {
        if steps == 0 {
            return;
        }
        if !self.admits_call(inputs, states) {
            for ((inputs, outputs), state) in inputs
                .chunks_exact(steps)
                .zip(outputs.chunks_exact_mut(steps))
                .zip(states.iter_mut())
            {
                self.run_sequence(inputs, outputs, state, workspace);
            }
            return;
        }
        #[cfg(feature = "std")]
        if hoisted {
            self.run_batch_hoisted(inputs, outputs, states, steps, &mut workspace.projected);
            return;
        }
        let _ = hoisted;
        self.run_batch_streamed(inputs, outputs, states, steps);
    }

    #[cfg(feature = "std")]
    /// A whole sequence with the input projection hoisted out of the recurrence, as PyTorch's
    /// `nn.LSTM` does for a sequence: first `b + W x_t` for every step (the time steps share
    /// each weight load, in blocks), then the recurrence, which streams only `U`. The results
    /// are exactly those of [`run_streamed`](Self::run_streamed), bit for bit (each sum runs in
    /// the same order). `scratch` holds the projections, `T x 4H` values. Where this pays:
    /// [`hoists`](Self::hoists).
    pub(crate) fn run_hoisted(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        state: &mut LstmState<T, H, R>,
        scratch: &mut Vec<T>,
    ) {
        if !self.admits_call(inputs, core::slice::from_ref(state)) {
            // Extreme values: step by step, each step on the path its values allow.
            self.run_streamed(inputs, outputs, state);
            return;
        }
        let tiles = H.div_ceil(TILE);
        scratch.resize(inputs.len() * tiles * 4 * TILE, T::ZERO);
        self.call(Call::Project {
            inputs,
            projected: scratch,
        });
        for (projected, out) in scratch
            .chunks_exact(tiles * 4 * TILE)
            .zip(outputs.iter_mut())
        {
            self.step_on_kernel(StepInput::Projected(projected), state);
            *out = state.h;
        }
    }

    #[cfg(feature = "std")]
    /// A batch of sequences of equal length with the input projection hoisted for all of them
    /// at once, then the recurrence in lockstep, each `U` row read once for a block of
    /// sequences: exactly the results of separate sequences, bit for bit. Where this pays:
    /// [`hoists`](Self::hoists).
    pub(crate) fn run_batch_hoisted(
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
        self.call(Call::Project {
            inputs,
            projected: scratch,
        });
        for t in 0..steps {
            self.call(Call::Batch {
                input: BatchInput::Projected(scratch),
                steps,
                t,
                states,
                outputs,
            });
            for (sequence, state) in states.iter_mut().enumerate() {
                state.h = outputs[sequence * steps + t];
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
    type Workspace = LstmWorkspace<T>;

    fn zero_output() -> [T; R] {
        [T::ZERO; R]
    }

    fn run_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        state: &mut LstmState<T, H, R>,
        workspace: &mut LstmWorkspace<T>,
    ) -> Result<(), SequenceLengthError> {
        SequenceLengthError::check(inputs.len(), outputs.len())?;
        self.run_sequence(inputs, outputs, state, workspace);
        Ok(())
    }

    fn run_batch_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        states: &mut [LstmState<T, H, R>],
        workspace: &mut LstmWorkspace<T>,
    ) -> Result<(), BatchLengthError> {
        let steps = BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        let hoisted = Self::hoists(states.len());
        self.run_batch_on(inputs, outputs, states, steps, workspace, hoisted);
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

#[cfg(feature = "std")]
impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    Compute<T> for LstmLayer<T, I, H, B, R, S>
{
    type Stored<S2: Storage<T>> = LstmLayer<T, I, H, B, R, S2>;

    fn with_kernel(mut self, kernel: Kernel) -> Result<Self, KernelUnavailable> {
        self.ops = kernel.ops().ok_or(KernelUnavailable(kernel))?;
        self.kernel_chosen = true;
        Ok(self)
    }

    fn to_storage<S2: Storage<T>>(&self) -> LstmLayer<T, I, H, B, R, S2> {
        let mut stored = self.to_weights().pack_as::<S2>();
        // A kernel chosen by hand stays; the default choice is made again for the storage.
        if self.kernel_chosen {
            stored.ops = self.kernel().ops().unwrap_or(stored.ops);
            stored.kernel_chosen = true;
        }
        stored
    }
}

#[cfg(feature = "std")]
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
