//! The verbs every layer shares, and the layers that compose: a bidirectional pair of cells and
//! a stack of layers.
//!
//! Every layer type (a cell, a bidirectional pair, a stack, a [`Linear`](crate::Linear) head)
//! runs with the same three verbs, from the [`prelude`](crate::prelude):
//!
//! | verb | what it runs | workspace variant |
//! |---|---|---|
//! | [`StreamingLayer::step`] | one time step, the state carried between calls | none needed: it never allocates |
//! | [`Layer::run`] | a whole sequence | [`Layer::run_with`] |
//! | [`Layer::run_batch`] | a batch of sequences in lockstep | [`Layer::run_batch_with`] |
//!
//! `step` returns its output by value (a fixed-size array); the sequence calls write into
//! caller-owned slices. Shapes still live in the types: a stack's upper layer must take the
//! lower layer's output type as its input type, so a 2H-wide bidirectional output cannot feed
//! an H-input layer.

use crate::{
    BatchLengthError, Float, Kernel, KernelUnavailable, LstmLayer, LstmState, SequenceLengthError,
    Storage,
};

/// A layer that runs over whole sequences: an LSTM cell, a bidirectional pair, a stack, a head.
///
/// `Input` and `Output` are fixed-size arrays (`[T; I]`, `[T; O]`). `Workspace` holds what a
/// layer needs between calls (a stack keeps the lower layer's outputs there, a cell the input
/// projections of a hoisted sequence): [`run_with`](Self::run_with) and
/// [`run_batch_with`](Self::run_batch_with) with a reused workspace allocate nothing once it
/// has grown to the longest sequence; [`run`](Self::run) and [`run_batch`](Self::run_batch)
/// take a fresh one each call.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::LstmWeights;
///
/// let cell = LstmWeights::<f32, 2, 3>::from_fn(|_, _, r, c| 0.1 * (r + c) as f32).pack();
/// let inputs = [[1.0, -1.0]; 5];
/// let mut outputs = [[0.0; 3]; 5];
/// let mut state = cell.zero_state();
/// let mut workspace = Default::default();
/// cell.run_with(&inputs, &mut outputs, &mut state, &mut workspace)?;
/// assert_eq!(outputs[4], state.h);
/// # Ok::<(), lstm_core::SequenceLengthError>(())
/// ```
pub trait Layer<T: Float> {
    /// One step's input, `[T; I]`.
    type Input: Copy;
    /// One step's output, `[T; O]`.
    type Output: Copy;
    /// The recurrent state of one sequence.
    type State: Copy;
    /// Buffers reused across sequence calls.
    type Workspace: Default;

    /// An output of zeros, to size buffers.
    fn zero_output() -> Self::Output;

    /// The all-zero initial state PyTorch and Keras start from.
    fn zero_state(&self) -> Self::State;

    /// Runs `inputs` from `state`: `outputs[t]` receives step `t`'s output, and `state` holds the
    /// final state, so a long sequence can be fed in pieces. Allocates only when `workspace`
    /// must grow.
    ///
    /// # Errors
    /// [`SequenceLengthError`] if `outputs` is not as long as `inputs`; nothing is computed then.
    fn run_with(
        &self,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
        state: &mut Self::State,
        workspace: &mut Self::Workspace,
    ) -> Result<(), SequenceLengthError>;

    /// [`run_with`](Self::run_with) with a fresh workspace (which a stack, or a cell that
    /// hoists its input projection, allocates).
    ///
    /// # Errors
    /// [`SequenceLengthError`] if `outputs` is not as long as `inputs`; nothing is computed then.
    fn run(
        &self,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
        state: &mut Self::State,
    ) -> Result<(), SequenceLengthError> {
        self.run_with(inputs, outputs, state, &mut Self::Workspace::default())
    }

    /// Runs a batch of sequences of equal length in one call: `inputs` and `outputs` hold them
    /// one after another (sequence `b` at `b * T .. (b + 1) * T`), `states` one state per
    /// sequence. The results are exactly those of one [`run_with`](Self::run_with) per
    /// sequence, bit for bit; the cells step all sequences in lockstep, reading each weight once
    /// per step for a block of sequences.
    ///
    /// # Errors
    /// [`BatchLengthError`] if `outputs` is not as long as `inputs`, or their length is not a
    /// multiple of the number of states; nothing is computed then.
    fn run_batch_with(
        &self,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
        states: &mut [Self::State],
        workspace: &mut Self::Workspace,
    ) -> Result<(), BatchLengthError>;

    /// [`run_batch_with`](Self::run_batch_with) with a fresh workspace.
    ///
    /// # Errors
    /// [`BatchLengthError`] if the buffers do not describe the same sequences.
    fn run_batch(
        &self,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
        states: &mut [Self::State],
    ) -> Result<(), BatchLengthError> {
        self.run_batch_with(inputs, outputs, states, &mut Self::Workspace::default())
    }
}

/// A layer that can also run one step at a time, keeping its state between calls: every
/// unidirectional layer and stack. A bidirectional layer reads the whole sequence first, so it is
/// not one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot run one step at a time",
    label = "contains a bidirectional layer",
    note = "a bidirectional layer reads the whole sequence before its first output; use `run` \
            or `run_with` with the whole sequence"
)]
pub trait StreamingLayer<T: Float>: Layer<T> {
    /// Runs one step: reads `x` and the state, updates the state, returns the output.
    /// Allocates nothing.
    fn step(&self, x: &Self::Input, state: &mut Self::State) -> Self::Output;
}

/// A whole model's compute, chosen as a whole: the kernel every cell runs and the type its
/// weights are stored as. Implemented by [`LstmLayer`], [`Bidirectional`], [`Stacked`] and
/// [`Linear`](crate::Linear) (whose weights stay in `T`).
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Bf16, Kernel, LstmLayer, Stacked};
///
/// let model = Stacked::new(LstmLayer::<f32, 3, 8>::zeros(), LstmLayer::<f32, 8, 4>::zeros());
/// let portable = model.clone().with_kernel(Kernel::Portable)?;
/// let half = model.to_storage::<Bf16>(); // every cell's weights as bfloat16
/// let mut state = half.zero_state();
/// assert_eq!(half.step(&[1.0, 2.0, 3.0], &mut state), [0.0; 4]);
/// # let _ = portable;
/// # Ok::<(), lstm_core::KernelUnavailable>(())
/// ```
pub trait Compute<T: Float>: Sized {
    /// The same model with its weights stored as `S`.
    type Stored<S: Storage<T>>;

    /// The same weights run by `kernel` in every cell, to compare kernels or force the
    /// portable one.
    ///
    /// # Errors
    /// [`KernelUnavailable`] if this CPU cannot run `kernel`.
    fn with_kernel(self, kernel: Kernel) -> Result<Self, KernelUnavailable>;

    /// The model with every cell's weights stored as `S` ([`Bf16`](crate::Bf16) or
    /// [`F16`](crate::F16) halve the bytes a step reads), computed in `T`. Converting from a
    /// narrower storage does not bring back the bits it rounded away.
    #[must_use]
    fn to_storage<S: Storage<T>>(&self) -> Self::Stored<S>;
}

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
    #[must_use]
    pub fn new(forward: C, reverse: C) -> Self {
        Bidirectional { forward, reverse }
    }
}

impl<C: Zeros, const O: usize> Bidirectional<C, O> {
    /// All-zero weights in both directions.
    #[must_use]
    pub fn zeros() -> Self {
        <Self as Zeros>::zeros()
    }
}

/// The buffers of a bidirectional layer: one direction's outputs, the sequence reversed, and a
/// batch's states of one direction.
pub struct BidirectionalWorkspace<T: Float, C: Layer<T>> {
    cell: C::Workspace,
    halves: Vec<C::Output>,
    reversed: Vec<C::Input>,
    states: Vec<C::State>,
}

impl<T: Float, C: Layer<T>> Default for BidirectionalWorkspace<T, C> {
    fn default() -> Self {
        BidirectionalWorkspace {
            cell: Default::default(),
            halves: Vec::new(),
            reversed: Vec::new(),
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

    fn zero_state(&self) -> [LstmState<T, H, R>; 2] {
        [LstmState::zeros(); 2]
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
        Ok(())
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
        Ok(())
    }
}

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

/// Two layers, the upper reading the lower's output: nest it for deeper stacks
/// (`Stacked<L0, Stacked<L1, L2>>`), as `#[derive(Lstm)]` does for `layers = 3`.
///
/// The upper layer's input type must be the lower layer's output type; anything else does not
/// compile.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmLayer, Stacked};
/// let stack = Stacked::new(LstmLayer::<f32, 3, 4>::zeros(), LstmLayer::<f32, 4, 2>::zeros());
/// let mut state = stack.zero_state();
/// let out: [f32; 2] = stack.step(&[1.0, 2.0, 3.0], &mut state);
/// assert_eq!(out, [0.0, 0.0]);
/// ```
///
/// ```compile_fail
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmLayer, Stacked};
/// // 4 outputs into a 5-input layer.
/// let stack = Stacked::new(LstmLayer::<f32, 3, 4>::zeros(), LstmLayer::<f32, 5, 2>::zeros());
/// stack.step(&[1.0, 2.0, 3.0], &mut Default::default());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Stacked<Lower, Upper> {
    /// The first layer, reading the stack's input.
    pub lower: Lower,
    /// The layers above it.
    pub upper: Upper,
}

impl<Lower, Upper> Stacked<Lower, Upper> {
    /// A stack of `lower` then `upper`.
    #[must_use]
    pub fn new(lower: Lower, upper: Upper) -> Self {
        Stacked { lower, upper }
    }
}

/// Weights that can be made all zero: a cell, a bidirectional layer, a stack. Mostly for tests
/// and for shapes that are filled in afterwards; see also [`LstmWeights::from_fn`](crate::LstmWeights::from_fn).
///
/// ```
/// use lstm_core::{LstmLayer, Stacked, Zeros};
/// fn blank<M: Zeros>() -> M { M::zeros() }
/// let _: Stacked<LstmLayer<f32, 3, 4>, LstmLayer<f32, 4, 2>> = blank();
/// ```
pub trait Zeros {
    /// All-zero weights.
    fn zeros() -> Self;
}

impl<C: Zeros, const O: usize> Zeros for Bidirectional<C, O> {
    fn zeros() -> Self {
        Bidirectional::new(C::zeros(), C::zeros())
    }
}

impl<Lower: Zeros, Upper: Zeros> Zeros for Stacked<Lower, Upper> {
    fn zeros() -> Self {
        Stacked::new(Lower::zeros(), Upper::zeros())
    }
}

impl<Lower: Zeros, Upper: Zeros> Stacked<Lower, Upper> {
    /// All-zero weights in every layer.
    #[must_use]
    pub fn zeros() -> Self {
        <Self as Zeros>::zeros()
    }
}

/// The buffers of a stack: the lower layer's outputs for one sequence, and each layer's own.
pub struct StackWorkspace<T: Float, Lower: Layer<T>, Upper: Layer<T>> {
    between: Vec<Lower::Output>,
    lower: Lower::Workspace,
    upper: Upper::Workspace,
    /// Per-layer states of a batch, gathered from the stack's `(lower, upper)` pairs.
    lower_states: Vec<Lower::State>,
    upper_states: Vec<Upper::State>,
}

impl<T: Float, Lower: Layer<T>, Upper: Layer<T>> Default for StackWorkspace<T, Lower, Upper> {
    fn default() -> Self {
        StackWorkspace {
            between: Vec::new(),
            lower: Default::default(),
            upper: Default::default(),
            lower_states: Vec::new(),
            upper_states: Vec::new(),
        }
    }
}

impl<T, Lower, Upper> Layer<T> for Stacked<Lower, Upper>
where
    T: Float,
    Lower: Layer<T>,
    Upper: Layer<T, Input = Lower::Output>,
{
    type Input = Lower::Input;
    type Output = Upper::Output;
    /// The lower layer's state, then the upper's.
    type State = (Lower::State, Upper::State);
    type Workspace = StackWorkspace<T, Lower, Upper>;

    fn zero_output() -> Upper::Output {
        Upper::zero_output()
    }

    fn zero_state(&self) -> Self::State {
        (self.lower.zero_state(), self.upper.zero_state())
    }

    /// Layer by layer over the whole sequence, so that each layer chooses its fastest path
    /// (a cell hoists its input projection where that pays).
    fn run_with(
        &self,
        inputs: &[Lower::Input],
        outputs: &mut [Upper::Output],
        state: &mut Self::State,
        workspace: &mut Self::Workspace,
    ) -> Result<(), SequenceLengthError> {
        SequenceLengthError::check(inputs.len(), outputs.len())?;
        // Grows only when a longer sequence than any before arrives.
        workspace.between.resize(inputs.len(), Lower::zero_output());
        let between = &mut workspace.between[..inputs.len()];
        self.lower
            .run_with(inputs, between, &mut state.0, &mut workspace.lower)?;
        self.upper
            .run_with(between, outputs, &mut state.1, &mut workspace.upper)
    }

    fn run_batch_with(
        &self,
        inputs: &[Lower::Input],
        outputs: &mut [Upper::Output],
        states: &mut [Self::State],
        workspace: &mut Self::Workspace,
    ) -> Result<(), BatchLengthError> {
        BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        // States are small `Copy` values: gather each layer's into a contiguous batch, run the
        // layers one after the other, and scatter the states back.
        workspace.lower_states.clear();
        workspace
            .lower_states
            .extend(states.iter().map(|state| state.0));
        workspace.upper_states.clear();
        workspace
            .upper_states
            .extend(states.iter().map(|state| state.1));
        workspace.between.resize(inputs.len(), Lower::zero_output());
        let between = &mut workspace.between[..inputs.len()];
        let lower_states = &mut workspace.lower_states[..];
        self.lower
            .run_batch_with(inputs, between, lower_states, &mut workspace.lower)?;
        let upper_states = &mut workspace.upper_states[..];
        self.upper
            .run_batch_with(between, outputs, upper_states, &mut workspace.upper)?;
        for ((state, lower), upper) in states
            .iter_mut()
            .zip(&workspace.lower_states)
            .zip(&workspace.upper_states)
        {
            *state = (*lower, *upper);
        }
        Ok(())
    }
}

impl<T, Lower, Upper> StreamingLayer<T> for Stacked<Lower, Upper>
where
    T: Float,
    Lower: StreamingLayer<T>,
    Upper: StreamingLayer<T, Input = Lower::Output>,
{
    fn step(&self, x: &Lower::Input, state: &mut Self::State) -> Upper::Output {
        let between = self.lower.step(x, &mut state.0);
        self.upper.step(&between, &mut state.1)
    }
}

impl<T: Float, Lower: Compute<T>, Upper: Compute<T>> Compute<T> for Stacked<Lower, Upper> {
    type Stored<S: Storage<T>> = Stacked<Lower::Stored<S>, Upper::Stored<S>>;

    fn with_kernel(self, kernel: Kernel) -> Result<Self, KernelUnavailable> {
        Ok(Stacked::new(
            self.lower.with_kernel(kernel)?,
            self.upper.with_kernel(kernel)?,
        ))
    }

    fn to_storage<S: Storage<T>>(&self) -> Self::Stored<S> {
        Stacked::new(self.lower.to_storage(), self.upper.to_storage())
    }
}

/// The state of a layer as its cells' `(h, c)` pairs, in PyTorch's order: layer by layer, and
/// within a bidirectional layer forward then reverse, as PyTorch lays out `h_0`/`h_n` and
/// `c_0`/`c_n` along their first dimension (`num_layers * num_directions`).
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Bidirectional, CellStates, LstmLayer, Stacked};
/// let stack = Stacked::new(
///     LstmLayer::<f32, 3, 4>::zeros(),
///     Bidirectional::<LstmLayer<f32, 4, 2>, 4>::zeros(),
/// );
/// let mut state = stack.zero_state();
/// let mut cells = 0;
/// state.for_each_cell_mut(&mut |h, c| {
///     h.fill(cells as f32);
///     c.fill(0.5);
///     cells += 1;
/// });
/// assert_eq!(cells, 3); // one forward cell, then a forward and a reverse cell
/// assert_eq!(state.1[1].h, [2.0; 2]);
/// ```
pub trait CellStates<T> {
    /// Number of cells (`num_layers * num_directions`).
    const CELLS: usize;

    /// Visits each cell's `h` and `c` in PyTorch's order.
    fn for_each_cell(&self, visit: &mut dyn FnMut(&[T], &[T]));

    /// Visits each cell's `h` and `c` mutably, in PyTorch's order.
    fn for_each_cell_mut(&mut self, visit: &mut dyn FnMut(&mut [T], &mut [T]));
}

impl<T, const H: usize, const R: usize> CellStates<T> for LstmState<T, H, R> {
    const CELLS: usize = 1;

    fn for_each_cell(&self, visit: &mut dyn FnMut(&[T], &[T])) {
        visit(&self.h, &self.c);
    }

    fn for_each_cell_mut(&mut self, visit: &mut dyn FnMut(&mut [T], &mut [T])) {
        visit(&mut self.h, &mut self.c);
    }
}

impl<T, const H: usize, const R: usize> CellStates<T> for [LstmState<T, H, R>; 2] {
    const CELLS: usize = 2;

    fn for_each_cell(&self, visit: &mut dyn FnMut(&[T], &[T])) {
        for state in self {
            state.for_each_cell(visit);
        }
    }

    fn for_each_cell_mut(&mut self, visit: &mut dyn FnMut(&mut [T], &mut [T])) {
        for state in self {
            state.for_each_cell_mut(visit);
        }
    }
}

/// The state of a layer without one (a [`Linear`](crate::Linear) head): no cells.
impl<T> CellStates<T> for () {
    const CELLS: usize = 0;

    fn for_each_cell(&self, _: &mut dyn FnMut(&[T], &[T])) {}

    fn for_each_cell_mut(&mut self, _: &mut dyn FnMut(&mut [T], &mut [T])) {}
}

impl<T, Lower: CellStates<T>, Upper: CellStates<T>> CellStates<T> for (Lower, Upper) {
    const CELLS: usize = Lower::CELLS + Upper::CELLS;

    fn for_each_cell(&self, visit: &mut dyn FnMut(&[T], &[T])) {
        self.0.for_each_cell(visit);
        self.1.for_each_cell(visit);
    }

    fn for_each_cell_mut(&mut self, visit: &mut dyn FnMut(&mut [T], &mut [T])) {
        self.0.for_each_cell_mut(visit);
        self.1.for_each_cell_mut(visit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kernel, LstmWeights, Role};

    fn weights<const I: usize, const H: usize>(seed: usize) -> LstmWeights<f64, I, H> {
        LstmWeights::from_fn(|gate, role, row, col| {
            let role = match role {
                Role::Input => 0,
                Role::Recurrent => 1,
                Role::Bias(_) => 2,
                Role::Projection => 3,
            };
            let n = seed * 7919 + (gate.index() * 4 + role) * 131 + row * 17 + col * 3;
            ((n % 61) as f64 - 30.0) / 100.0
        })
    }

    fn cell<const I: usize, const H: usize>(seed: usize) -> LstmLayer<f64, I, H> {
        weights(seed).pack()
    }

    fn sequence<const I: usize>(steps: usize) -> Vec<[f64; I]> {
        (0..steps)
            .map(|t| core::array::from_fn(|k| ((t * I + k) as f64 * 0.7).sin()))
            .collect()
    }

    /// A stack steps exactly as its layers run one after the other, and streams as it runs.
    #[test]
    fn stack_equals_its_layers_in_sequence() {
        let stack = Stacked::new(
            cell::<3, 4>(1),
            Stacked::new(cell::<4, 5>(2), cell::<5, 2>(3)),
        );
        let inputs = sequence::<3>(7);
        let mut outputs = vec![[0.0; 2]; 7];
        let mut state = stack.zero_state();
        stack.run(&inputs, &mut outputs, &mut state).unwrap();

        let (mut s0, mut s1, mut s2) = (LstmState::zeros(), LstmState::zeros(), LstmState::zeros());
        let mut streamed_state = stack.zero_state();
        for (x, out) in inputs.iter().zip(&outputs) {
            let h0 = stack.lower.step(x, &mut s0);
            let h1 = stack.upper.lower.step(&h0, &mut s1);
            let h2 = stack.upper.upper.step(&h1, &mut s2);
            assert_eq!(&h2, out);
            assert_eq!(&stack.step(x, &mut streamed_state), out);
        }
        assert_eq!(state, (s0, (s1, s2)));
    }

    /// The reverse direction equals a forward cell run over the reversed sequence, the forward
    /// direction the cell alone; and the reference step agrees with both.
    #[test]
    fn bidirectional_halves() {
        let layer = Bidirectional::<_, 8>::new(cell::<3, 4>(4), cell::<3, 4>(5));
        let inputs = sequence::<3>(6);
        let mut outputs = vec![[0.0; 8]; 6];
        let mut state = [
            LstmState::new([0.1; 4], [-0.2; 4]),
            LstmState::new([0.3; 4], [0.0; 4]),
        ];
        let initial = state;
        layer.run(&inputs, &mut outputs, &mut state).unwrap();

        let mut forward_state = initial[0];
        let mut forward = vec![[0.0; 4]; 6];
        layer
            .forward
            .run(&inputs, &mut forward, &mut forward_state)
            .unwrap();
        let reversed: Vec<[f64; 3]> = inputs.iter().rev().copied().collect();
        let mut reverse_state = initial[1];
        let mut reverse = vec![[0.0; 4]; 6];
        layer
            .reverse
            .run(&reversed, &mut reverse, &mut reverse_state)
            .unwrap();
        for t in 0..6 {
            assert_eq!(outputs[t][..4], forward[t]);
            assert_eq!(outputs[t][4..], reverse[5 - t]);
        }
        assert_eq!(state, [forward_state, reverse_state]);

        let reference = weights::<3, 4>(5);
        let mut reference_state = initial[1];
        for (x, out) in reversed.iter().zip(&reverse) {
            let h = reference.as_cell().step(x, &mut reference_state);
            for (a, b) in h.iter().zip(out) {
                assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
        }
    }

    /// A batch gives exactly, bit for bit, what each sequence gives alone: for a cell, a
    /// projected cell, a bidirectional layer and stacks of them, from non-zero states, with
    /// every kernel this CPU has.
    #[test]
    fn batch_equals_separate_sequences() {
        fn check<L: Layer<f64, Input = [f64; 3]>>(layer: &L, initial: impl Fn(usize) -> L::State)
        where
            L::Output: PartialEq + core::fmt::Debug,
            L::State: PartialEq + core::fmt::Debug,
        {
            let (batch, steps) = (5, 4);
            let inputs = sequence::<3>(batch * steps);
            let mut outputs = vec![L::zero_output(); batch * steps];
            let mut states: Vec<L::State> = (0..batch).map(&initial).collect();
            let mut workspace = L::Workspace::default();
            layer
                .run_batch_with(&inputs, &mut outputs, &mut states, &mut workspace)
                .unwrap();
            for (sequence, batched) in states.iter().enumerate() {
                let range = sequence * steps..(sequence + 1) * steps;
                let mut alone = vec![L::zero_output(); steps];
                let mut state = initial(sequence);
                layer
                    .run_with(
                        &inputs[range.clone()],
                        &mut alone,
                        &mut state,
                        &mut workspace,
                    )
                    .unwrap();
                assert_eq!(alone, outputs[range], "sequence {sequence}");
                assert_eq!(&state, batched);
            }
        }
        for kernel in Kernel::ALL.into_iter().filter(|k| k.is_available()) {
            let cell_state = |s: usize| LstmState::new([0.1 * s as f64; 4], [-0.05 * s as f64; 4]);
            check(&cell::<3, 4>(1).with_kernel(kernel).unwrap(), cell_state);
            let projected = LstmWeights::<f64, 3, 4, 1, 2>::from_fn(|_, _, row, col| {
                ((row * 5 + col * 3) % 7) as f64 / 10.0 - 0.3
            })
            .pack()
            .with_kernel(kernel)
            .unwrap();
            check(&projected, |s| {
                LstmState::new([0.2 * s as f64; 2], [0.1; 4])
            });
            let bidirectional = Bidirectional::<_, 8>::new(cell::<3, 4>(6), cell::<3, 4>(7))
                .with_kernel(kernel)
                .unwrap();
            check(&bidirectional, |s| [cell_state(s), cell_state(s + 1)]);
            let stack = Stacked::new(
                bidirectional.clone(),
                Stacked::new(cell::<8, 4>(8), cell::<4, 4>(9)),
            )
            .with_kernel(kernel)
            .unwrap();
            check(&stack, |s| {
                (
                    [cell_state(s), cell_state(2)],
                    (cell_state(3), cell_state(s)),
                )
            });
        }
    }

    #[test]
    fn batch_lengths_are_checked() {
        let cell = cell::<3, 4>(1);
        let mut states = [LstmState::zeros(); 3];
        let err = cell
            .run_batch(&sequence::<3>(7), &mut [[0.0; 4]; 7], &mut states)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a batch of 3 sequences needs as many inputs as outputs, a multiple of 3; found 7 inputs and 7 outputs"
        );
        assert!(
            cell.run_batch(&sequence::<3>(6), &mut [[0.0; 4]; 5], &mut states)
                .is_err()
        );
        assert!(cell.run_batch(&[], &mut [], &mut []).is_ok());
        assert!(
            cell.run_batch(&sequence::<3>(1), &mut [[0.0; 4]; 1], &mut [])
                .is_err()
        );
    }

    #[test]
    fn mismatched_lengths_are_errors() {
        let stack = Stacked::new(
            cell::<3, 4>(1),
            Bidirectional::<LstmLayer<f64, 4, 2>, 4>::zeros(),
        );
        let mut state = stack.zero_state();
        let err = stack.run(&sequence::<3>(3), &mut [[0.0; 4]; 2], &mut state);
        assert_eq!(
            err,
            Err(SequenceLengthError {
                inputs: 3,
                outputs: 2
            })
        );
    }
}
