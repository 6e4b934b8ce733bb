//! Two cells over one sequence, one reading it forward and one in reverse, their outputs side by
//! side: PyTorch's `bidirectional=True`, Keras' `Bidirectional(LSTM)`.

#[cfg(feature = "std")]
use super::Compute;
use super::{Layer, Zeros};
use crate::{
    BatchLengthError, Float, Kernel, KernelUnavailable, LstmLayer, LstmState, SequenceLengthError,
    Storage,
};

/// Two cells over the same sequence, one forward in time and one in reverse, their outputs side
/// by side: step `t`'s output is `[forward h_t; reverse h_t]`, `O = 2R` elements, as PyTorch's
/// `bidirectional=True` and Keras' `Bidirectional(LSTM)` (merge mode "concat") give it.
///
/// `C` is the cell type, an [`LstmLayer`]. `O` is a parameter of its own because stable Rust
/// cannot write `2 * R` in a type; `#[derive(Lstm)]` writes the number, and any `O` other than
/// `2 * R` fails to build.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Bidirectional, LstmLayer, LstmWeights};
/// let layer: Bidirectional<LstmLayer<f32, 3, 4>, 8> = Bidirectional::new(
///     LstmWeights::from_fn(|_, _, row, col| 0.1 * (row + col) as f32).pack(),
///     LstmWeights::from_fn(|_, _, row, col| -0.1 * (row + col) as f32).pack(),
/// );
/// let inputs = [[1.0, 0.0, -1.0]; 5];
/// let mut outputs = [[0.0; 8]; 5];
/// let mut state = layer.zero_state();
/// layer.run(&inputs, &mut outputs, &mut state)?;
/// // The reverse half of the first step has seen the whole sequence.
/// assert_eq!(outputs[0][4..], state[1].h[..]);
/// # Ok::<(), lstm_core::SequenceLengthError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Bidirectional<C, const O: usize> {
    /// The cell that reads the sequence from first to last step.
    pub forward: C,
    /// The cell that reads it from last to first.
    pub reverse: C,
}

impl<C, const O: usize> Bidirectional<C, O> {
    /// A layer from its two cells.
    ///
    /// ```
    /// use lstm_core::{Bidirectional, LstmLayer};
    /// let layer: Bidirectional<LstmLayer<f32, 3, 4>, 8> =
    ///     Bidirectional::new(LstmLayer::zeros(), LstmLayer::zeros());
    /// # let _ = layer;
    /// ```
    #[must_use]
    pub fn new(forward: C, reverse: C) -> Self {
        Bidirectional { forward, reverse }
    }
}

impl<C: Zeros, const O: usize> Bidirectional<C, O> {
    /// All-zero weights in both directions.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{Bidirectional, LstmLayer};
    /// let layer = Bidirectional::<LstmLayer<f32, 3, 4>, 8>::zeros();
    /// let mut outputs = [[1.0; 8]; 2];
    /// layer.run(&[[0.5; 3]; 2], &mut outputs, &mut layer.zero_state())?;
    /// assert_eq!(outputs, [[0.0; 8]; 2]);
    /// # Ok::<(), lstm_core::SequenceLengthError>(())
    /// ```
    #[must_use]
    pub fn zeros() -> Self {
        <Self as Zeros>::zeros()
    }
}

/// The buffers of a bidirectional layer: one direction's outputs, the sequence reversed, and a
/// batch's states of one direction.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Bidirectional, LstmLayer};
/// let layer = Bidirectional::<LstmLayer<f32, 3, 4>, 8>::zeros();
/// let mut workspace = Default::default(); // reused: repeated calls allocate nothing
/// for _ in 0..3 {
///     let mut outputs = [[0.0; 8]; 5];
///     layer.run_with(&[[0.5; 3]; 5], &mut outputs, &mut layer.zero_state(), &mut workspace)?;
/// }
/// # Ok::<(), lstm_core::SequenceLengthError>(())
/// ```
pub struct BidirectionalWorkspace<T: Float, C: Layer<T>> {
    cell: C::Workspace,
    #[cfg(feature = "std")]
    halves: Vec<C::Output>,
    #[cfg(feature = "std")]
    reversed: Vec<C::Input>,
    #[cfg(feature = "std")]
    states: Vec<C::State>,
}

impl<T: Float, C: Layer<T>> Default for BidirectionalWorkspace<T, C> {
    fn default() -> Self {
        BidirectionalWorkspace {
            cell: Default::default(),
            #[cfg(feature = "std")]
            halves: Vec::new(),
            #[cfg(feature = "std")]
            reversed: Vec::new(),
            #[cfg(feature = "std")]
            states: Vec::new(),
        }
    }
}

impl<T, const I: usize, const H: usize, const B: usize, const R: usize, S, const O: usize>
    Bidirectional<LstmLayer<T, I, H, B, R, S>, O>
where
    T: Float,
    S: Storage<T>,
{
    /// The output width agrees with the cells: checked when the type is used in a build.
    const OUTPUT_IS_TWO_CELLS: () = assert!(O == 2 * R, "a bidirectional layer's O must be 2 * R");
}

#[allow(
    clippy::needless_return,
    reason = "each call's body is one of two `cfg` blocks (with `std`, and without: no heap)"
)]
impl<T, const I: usize, const H: usize, const B: usize, const R: usize, S, const O: usize> Layer<T>
    for Bidirectional<LstmLayer<T, I, H, B, R, S>, O>
where
    T: Float,
    S: Storage<T>,
{
    type Input = [T; I];
    type Output = [T; O];
    /// Forward then reverse, PyTorch's order in `h_n` and `c_n`.
    type State = [LstmState<T, H, R>; 2];
    type Workspace = BidirectionalWorkspace<T, LstmLayer<T, I, H, B, R, S>>;

    fn zero_output() -> [T; O] {
        [T::ZERO; O]
    }

    /// Each direction runs the whole sequence as one cell call (so each chooses its fastest
    /// path, hoisting included), its outputs then copied into its half of every output.
    fn run_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        state: &mut [LstmState<T, H, R>; 2],
        workspace: &mut Self::Workspace,
    ) -> Result<(), SequenceLengthError> {
        let () = Self::OUTPUT_IS_TWO_CELLS;
        SequenceLengthError::check(inputs.len(), outputs.len())?;
        let [forward_state, reverse_state] = state;
        #[cfg(not(feature = "std"))]
        {
            // No heap: each direction a step at a time, the reverse one from the last input
            // (the same results: a cell's sequence equals its steps, bit for bit).
            let _ = workspace;
            for (x, out) in inputs.iter().zip(outputs.iter_mut()) {
                out[..R].copy_from_slice(&super::StreamingLayer::step(
                    &self.forward,
                    x,
                    forward_state,
                ));
            }
            for (x, out) in inputs.iter().zip(outputs.iter_mut()).rev() {
                out[R..].copy_from_slice(&super::StreamingLayer::step(
                    &self.reverse,
                    x,
                    reverse_state,
                ));
            }
            return Ok(());
        }
        #[cfg(feature = "std")]
        {
            let BidirectionalWorkspace {
                cell,
                halves,
                reversed,
                ..
            } = workspace;
            halves.resize(inputs.len(), [T::ZERO; R]);
            self.forward.run_with(inputs, halves, forward_state, cell)?;
            for (out, half) in outputs.iter_mut().zip(halves.iter()) {
                out[..R].copy_from_slice(half);
            }
            reversed.clear();
            reversed.extend(inputs.iter().rev());
            self.reverse
                .run_with(reversed, halves, reverse_state, cell)?;
            for (out, half) in outputs.iter_mut().zip(halves.iter().rev()) {
                out[R..].copy_from_slice(half);
            }
            return Ok(());
        }
    }

    /// Each direction runs the whole batch as one cell call, in lockstep.
    fn run_batch_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        states: &mut [[LstmState<T, H, R>; 2]],
        workspace: &mut Self::Workspace,
    ) -> Result<(), BatchLengthError> {
        let () = Self::OUTPUT_IS_TWO_CELLS;
        let steps = BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        #[cfg(not(feature = "std"))]
        return super::batch_as_sequences(self, inputs, outputs, states, steps, workspace);
        #[cfg(feature = "std")]
        {
            let BidirectionalWorkspace {
                cell,
                halves,
                reversed,
                states: direction_states,
            } = workspace;
            halves.resize(inputs.len(), [T::ZERO; R]);
            direction_states.clear();
            direction_states.extend(states.iter().map(|state| state[0]));
            self.forward
                .run_batch_with(inputs, halves, direction_states, cell)?;
            for (out, half) in outputs.iter_mut().zip(halves.iter()) {
                out[..R].copy_from_slice(half);
            }
            for (state, forward) in states.iter_mut().zip(direction_states.iter()) {
                state[0] = *forward;
            }
            // Each sequence reversed in place of itself, so sequence `b` stays at `b * T..`.
            reversed.clear();
            if steps > 0 {
                for sequence in inputs.chunks_exact(steps) {
                    reversed.extend(sequence.iter().rev());
                }
            }
            direction_states.clear();
            direction_states.extend(states.iter().map(|state| state[1]));
            self.reverse
                .run_batch_with(reversed, halves, direction_states, cell)?;
            if steps > 0 {
                for (sequence, reversed_halves) in outputs
                    .chunks_exact_mut(steps)
                    .zip(halves.chunks_exact(steps))
                {
                    for (out, half) in sequence.iter_mut().zip(reversed_halves.iter().rev()) {
                        out[R..].copy_from_slice(half);
                    }
                }
            }
            for (state, reverse) in states.iter_mut().zip(direction_states.iter()) {
                state[1] = *reverse;
            }
            return Ok(());
        }
    }
}

#[cfg(feature = "std")]
impl<T: Float, C: Compute<T>, const O: usize> Compute<T> for Bidirectional<C, O> {
    type Stored<S: Storage<T>> = Bidirectional<C::Stored<S>, O>;

    fn with_kernel(self, kernel: Kernel) -> Result<Self, KernelUnavailable> {
        Ok(Bidirectional::new(
            self.forward.with_kernel(kernel)?,
            self.reverse.with_kernel(kernel)?,
        ))
    }

    fn to_storage<S: Storage<T>>(&self) -> Self::Stored<S> {
        Bidirectional::new(self.forward.to_storage(), self.reverse.to_storage())
    }
}

impl<C: Zeros, const O: usize> Zeros for Bidirectional<C, O> {
    fn zeros() -> Self {
        Bidirectional::new(C::zeros(), C::zeros())
    }
}
