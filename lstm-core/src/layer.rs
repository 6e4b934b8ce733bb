//! Layers that compose: a cell, a bidirectional pair of cells, and a stack of layers, each
//! running a whole sequence; the unidirectional ones also one step at a time.
//!
//! Shapes still live in the types: a stack's upper layer must take the lower layer's output type
//! as its input type, so a 2H-wide bidirectional output cannot feed an H-input layer.

use crate::{BatchLengthError, Float, LstmState, LstmWeights, SequenceLengthError};

/// A layer that runs over a whole sequence: an LSTM cell, a bidirectional pair, or a stack.
///
/// `Input` and `Output` are fixed-size arrays (`[T; I]`, `[T; O]`). `Workspace` holds what a
/// layer needs between its sublayers (a stack keeps the lower layer's outputs there); a reused
/// workspace makes repeated sequence calls allocation-free once it has grown to the longest
/// sequence.
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
    /// final state.
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

    /// Runs a batch of sequences of equal length in one call: `inputs` and `outputs` hold them
    /// one after another (sequence `b` at `b * T .. (b + 1) * T`), `states` one state per
    /// sequence. The results are exactly those of one [`run_with`](Self::run_with) per
    /// sequence, bit for bit; the cells step all sequences in lockstep, reading each unit's
    /// weights once per step for the whole batch.
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
    fn step(&self, x: &Self::Input, state: &mut Self::State) -> Self::Output;
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> Layer<T>
    for LstmWeights<T, I, H, B, R>
{
    type Input = [T; I];
    type Output = [T; R];
    type State = LstmState<T, H, R>;
    type Workspace = ();

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
        (): &mut (),
    ) -> Result<(), SequenceLengthError> {
        self.run(inputs, outputs, state)
    }

    fn run_batch_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        states: &mut [LstmState<T, H, R>],
        (): &mut (),
    ) -> Result<(), BatchLengthError> {
        self.run_batch(inputs, outputs, states)
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> StreamingLayer<T>
    for LstmWeights<T, I, H, B, R>
{
    fn step(&self, x: &[T; I], state: &mut LstmState<T, H, R>) -> [T; R] {
        *LstmWeights::step(self, x, state)
    }
}

/// Two cells over the same sequence, one forward in time and one in reverse, their outputs side
/// by side: step `t`'s output is `[forward h_t; reverse h_t]`, `O = 2R` elements, as PyTorch's
/// `bidirectional=True` and Keras' `Bidirectional(LSTM)` (merge mode "concat") give it.
///
/// `O` is a parameter of its own because stable Rust cannot write `2 * R` in a type;
/// `#[derive(Lstm)]` writes the number, and any `O` other than `2 * R` fails to build.
///
/// ```
/// use lstm_core::{Bidirectional, Layer, LstmWeights};
/// let layer = Bidirectional::<f32, 3, 4, 8>::new(
///     LstmWeights::from_fn(|_, _, row, col| 0.1 * (row + col) as f32),
///     LstmWeights::from_fn(|_, _, row, col| -0.1 * (row + col) as f32),
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
pub struct Bidirectional<
    T,
    const I: usize,
    const H: usize,
    const O: usize,
    const B: usize = 1,
    const R: usize = H,
> {
    /// The cell that reads the sequence from first to last step.
    pub forward: LstmWeights<T, I, H, B, R>,
    /// The cell that reads it from last to first.
    pub reverse: LstmWeights<T, I, H, B, R>,
}

impl<T: Float, const I: usize, const H: usize, const O: usize, const B: usize, const R: usize>
    Bidirectional<T, I, H, O, B, R>
{
    /// The output width agrees with the cells: checked when the type is used in a build.
    const OUTPUT_IS_TWO_CELLS: () = assert!(O == 2 * R, "a bidirectional layer's O must be 2 * R");

    /// A layer from its two cells.
    #[must_use]
    pub fn new(forward: LstmWeights<T, I, H, B, R>, reverse: LstmWeights<T, I, H, B, R>) -> Self {
        Bidirectional { forward, reverse }
    }

    /// All-zero weights in both directions.
    #[must_use]
    pub fn zeros() -> Self {
        Bidirectional {
            forward: LstmWeights::zeros(),
            reverse: LstmWeights::zeros(),
        }
    }

    /// Runs the sequence in both directions; see [`Layer::run_with`].
    ///
    /// # Errors
    /// [`SequenceLengthError`] if `outputs` is not as long as `inputs`.
    pub fn run(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        state: &mut [LstmState<T, H, R>; 2],
    ) -> Result<(), SequenceLengthError> {
        let () = Self::OUTPUT_IS_TWO_CELLS;
        SequenceLengthError::check(inputs.len(), outputs.len())?;
        let [forward_state, reverse_state] = state;
        for (x, out) in inputs.iter().zip(outputs.iter_mut()) {
            let h = self.forward.as_cell().step(x, forward_state);
            out[..R].copy_from_slice(h);
        }
        for (x, out) in inputs.iter().zip(outputs.iter_mut()).rev() {
            let h = self.reverse.as_cell().step(x, reverse_state);
            out[R..].copy_from_slice(h);
        }
        Ok(())
    }
}

impl<T: Float, const I: usize, const H: usize, const O: usize, const B: usize, const R: usize>
    Layer<T> for Bidirectional<T, I, H, O, B, R>
{
    type Input = [T; I];
    type Output = [T; O];
    /// Forward then reverse, PyTorch's order in `h_n` and `c_n`.
    type State = [LstmState<T, H, R>; 2];
    type Workspace = ();

    fn zero_output() -> [T; O] {
        [T::ZERO; O]
    }

    fn zero_state(&self) -> [LstmState<T, H, R>; 2] {
        [LstmState::zeros(); 2]
    }

    fn run_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        state: &mut [LstmState<T, H, R>; 2],
        (): &mut (),
    ) -> Result<(), SequenceLengthError> {
        self.run(inputs, outputs, state)
    }

    fn run_batch_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        states: &mut [[LstmState<T, H, R>; 2]],
        (): &mut (),
    ) -> Result<(), BatchLengthError> {
        let () = Self::OUTPUT_IS_TWO_CELLS;
        let steps = BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        // Each direction in lockstep over the batch, writing its half of every output.
        let forward = self.forward.as_cell();
        forward.lockstep(
            inputs,
            steps,
            false,
            states,
            |s| &mut s[0],
            outputs,
            |o| &mut o[..R],
        );
        let reverse = self.reverse.as_cell();
        reverse.lockstep(
            inputs,
            steps,
            true,
            states,
            |s| &mut s[1],
            outputs,
            |o| &mut o[R..],
        );
        Ok(())
    }
}

/// Two layers, the upper reading the lower's output: nest it for deeper stacks
/// (`Stacked<L0, Stacked<L1, L2>>`), as `#[derive(Lstm)]` does for `layers = 3`.
///
/// The upper layer's input type must be the lower layer's output type; anything else does not
/// compile.
///
/// ```
/// use lstm_core::{Layer, LstmWeights, Stacked, StreamingLayer};
/// let stack = Stacked::new(LstmWeights::<f32, 3, 4>::zeros(), LstmWeights::<f32, 4, 2>::zeros());
/// let mut state = stack.zero_state();
/// let out: [f32; 2] = stack.step(&[1.0, 2.0, 3.0], &mut state);
/// assert_eq!(out, [0.0, 0.0]);
/// ```
///
/// ```compile_fail
/// use lstm_core::{LstmWeights, Stacked, StreamingLayer};
/// // 4 outputs into a 5-input layer.
/// let stack = Stacked::new(LstmWeights::<f32, 3, 4>::zeros(), LstmWeights::<f32, 5, 2>::zeros());
/// stack.step(&[1.0, 2.0, 3.0], &mut Default::default());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Stacked<Lower, Upper> {
    /// The layer that reads the input.
    pub lower: Lower,
    /// The layer (or stack) that reads the lower layer's output.
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
/// and for shapes that are filled in afterwards; see also each type's `from_fn`.
pub trait Zeros {
    /// All-zero weights.
    fn zeros() -> Self;
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> Zeros
    for LstmWeights<T, I, H, B, R>
{
    fn zeros() -> Self {
        LstmWeights::from_fn(|_, _, _, _| T::ZERO)
    }
}

impl<T: Float, const I: usize, const H: usize, const O: usize, const B: usize, const R: usize> Zeros
    for Bidirectional<T, I, H, O, B, R>
{
    fn zeros() -> Self {
        Bidirectional::new(Zeros::zeros(), Zeros::zeros())
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

/// The state of a layer as its cells' `(h, c)` pairs, in PyTorch's order: layer by layer, and
/// within a bidirectional layer forward then reverse, as PyTorch lays out `h_0`/`h_n` and
/// `c_0`/`c_n` along their first dimension (`num_layers * num_directions`).
///
/// ```
/// use lstm_core::{Bidirectional, CellStates, Layer, LstmWeights, Stacked};
/// let stack = Stacked::new(LstmWeights::<f32, 3, 4>::zeros(), Bidirectional::<f32, 4, 2, 4>::zeros());
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

/// Runs a layer over a sequence with a fresh workspace: the convenient form of
/// [`Layer::run_with`], which allocates for stacks; reuse a workspace with `run_with` to avoid it.
pub trait RunSequence<T: Float>: Layer<T> {
    /// See [`Layer::run_with`].
    ///
    /// # Errors
    /// [`SequenceLengthError`] if `outputs` is not as long as `inputs`.
    fn run_sequence(
        &self,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
        state: &mut Self::State,
    ) -> Result<(), SequenceLengthError> {
        self.run_with(inputs, outputs, state, &mut Self::Workspace::default())
    }
}

impl<T: Float, L: Layer<T>> RunSequence<T> for L {}

/// Runs a batch with a fresh workspace: the convenient form of [`Layer::run_batch_with`].
pub trait RunBatch<T: Float>: Layer<T> {
    /// See [`Layer::run_batch_with`].
    ///
    /// # Errors
    /// [`BatchLengthError`] if the buffers do not describe the same sequences.
    fn run_batch_sequences(
        &self,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
        states: &mut [Self::State],
    ) -> Result<(), BatchLengthError> {
        self.run_batch_with(inputs, outputs, states, &mut Self::Workspace::default())
    }
}

impl<T: Float, L: Layer<T>> RunBatch<T> for L {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

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

    fn sequence<const I: usize>(steps: usize) -> Vec<[f64; I]> {
        (0..steps)
            .map(|t| core::array::from_fn(|k| ((t * I + k) as f64 * 0.7).sin()))
            .collect()
    }

    /// A stack steps exactly as its layers run one after the other, and streams as it runs.
    #[test]
    fn stack_equals_its_layers_in_sequence() {
        let stack = Stacked::new(
            weights::<3, 4>(1),
            Stacked::new(weights::<4, 5>(2), weights::<5, 2>(3)),
        );
        let inputs = sequence::<3>(7);
        let mut outputs = vec![[0.0; 2]; 7];
        let mut state = stack.zero_state();
        stack
            .run_sequence(&inputs, &mut outputs, &mut state)
            .unwrap();

        let (mut s0, mut s1, mut s2) = (LstmState::zeros(), LstmState::zeros(), LstmState::zeros());
        let mut streamed_state = stack.zero_state();
        for (x, out) in inputs.iter().zip(&outputs) {
            let h0 = *stack.lower.step(x, &mut s0);
            let h1 = *stack.upper.lower.step(&h0, &mut s1);
            let h2 = *stack.upper.upper.step(&h1, &mut s2);
            assert_eq!(&h2, out);
            assert_eq!(&StreamingLayer::step(&stack, x, &mut streamed_state), out);
        }
        assert_eq!(state, (s0, (s1, s2)));
    }

    /// The reverse direction equals a forward cell run over the reversed sequence.
    #[test]
    fn bidirectional_halves() {
        let layer = Bidirectional::<f64, 3, 4, 8>::new(weights(4), weights(5));
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
    }

    /// A batch gives exactly, bit for bit, what each sequence gives alone: for a cell, a
    /// projected cell, a bidirectional layer and stacks of them, from non-zero states.
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
        let cell_state = |s: usize| LstmState::new([0.1 * s as f64; 4], [-0.05 * s as f64; 4]);
        check(&weights::<3, 4>(1), cell_state);
        let projected = LstmWeights::<f64, 3, 4, 1, 2>::from_fn(|_, _, row, col| {
            ((row * 5 + col * 3) % 7) as f64 / 10.0 - 0.3
        });
        check(&projected, |s| {
            LstmState::new([0.2 * s as f64; 2], [0.1; 4])
        });
        let bidirectional = Bidirectional::<f64, 3, 4, 8>::new(weights(6), weights(7));
        check(&bidirectional, |s| [cell_state(s), cell_state(s + 1)]);
        let stack = Stacked::new(
            bidirectional.clone(),
            Stacked::new(weights::<8, 4>(8), weights::<4, 4>(9)),
        );
        check(&stack, |s| {
            (
                [cell_state(s), cell_state(2)],
                (cell_state(3), cell_state(s)),
            )
        });
    }

    #[test]
    fn batch_lengths_are_checked() {
        let cell = weights::<3, 4>(1);
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
        let stack = Stacked::new(weights::<3, 4>(1), Bidirectional::<f64, 4, 2, 4>::zeros());
        let mut state = stack.zero_state();
        let err = stack.run_sequence(&sequence::<3>(3), &mut [[0.0; 4]; 2], &mut state);
        assert_eq!(
            err,
            Err(SequenceLengthError {
                inputs: 3,
                outputs: 2
            })
        );
    }
}
