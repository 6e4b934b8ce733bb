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

/// The verbs of a layer without state whose output at a step depends on that step's input
/// alone (a head, an activation, a table): `step`, `run` and `run_batch` apply `apply` to each
/// input, and [`Compute`] leaves the layer as it is (one way to compute it, weights kept in
/// `T`). Written once here for every such layer.
macro_rules! stateless_layer {
    (
        impl[$($generics:tt)*] $layer:ty {
            input: $input:ty,
            output: $output:ty,
            zero_output: $zero:expr,
            zeros: $zeros:expr,
            apply: |$this:ident, $x:ident| $apply:expr $(,)?
        }
    ) => {
        impl<$($generics)*> $crate::Layer<T> for $layer {
            type Input = $input;
            type Output = $output;
            type State = ();
            type Workspace = ();

            fn zero_output() -> $output {
                $zero
            }

            fn run_with(
                &self,
                inputs: &[$input],
                outputs: &mut [$output],
                (): &mut (),
                (): &mut (),
            ) -> Result<(), $crate::SequenceLengthError> {
                $crate::SequenceLengthError::check(inputs.len(), outputs.len())?;
                for ($x, y) in inputs.iter().zip(outputs) {
                    let $this = self;
                    *y = $apply;
                }
                Ok(())
            }

            fn run_batch_with(
                &self,
                inputs: &[$input],
                outputs: &mut [$output],
                states: &mut [()],
                (): &mut (),
            ) -> Result<(), $crate::BatchLengthError> {
                $crate::BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
                for ($x, y) in inputs.iter().zip(outputs) {
                    let $this = self;
                    *y = $apply;
                }
                Ok(())
            }
        }

        impl<$($generics)*> $crate::StreamingLayer<T> for $layer {
            fn step(&self, $x: &$input, (): &mut ()) -> $output {
                let $this = self;
                $apply
            }
        }

        #[cfg(feature = "std")]
        impl<$($generics)*> $crate::Compute<T> for $layer {
            type Stored<S: $crate::Storage<T>> = Self;

            fn with_kernel(
                self,
                kernel: $crate::Kernel,
            ) -> Result<Self, $crate::KernelUnavailable> {
                if kernel.is_available() {
                    Ok(self)
                } else {
                    Err($crate::KernelUnavailable(kernel))
                }
            }

            fn to_storage<S: $crate::Storage<T>>(&self) -> Self {
                self.clone()
            }
        }

        #[cfg(feature = "std")]
        impl<$($generics)*> $crate::Zeros for $layer {
            fn zeros() -> Self {
                $zeros
            }
        }
    };
}

mod activation;
mod bidirectional;
mod chain;
mod embedding;
mod linear;
mod lstm;
mod module;
mod residual;
mod stacked;

pub use activation::{Activation, Function, Identity, Relu, Sigmoid, Softmax, Tanh};
pub use bidirectional::{Bidirectional, BidirectionalWorkspace};
#[cfg(feature = "std")]
#[doc(hidden)]
pub use chain::run_batch_variant;
#[doc(hidden)]
pub use chain::{RunChain, StepChain, hand_off, same_io};
pub use embedding::{Embedding, Token};
pub use linear::Linear;
#[cfg(feature = "std")]
pub(crate) use lstm::pack_values;
pub use lstm::{LstmLayer, LstmWorkspace};
pub use module::Module;
pub use residual::Residual;
#[doc(hidden)]
pub use stacked::StackPart;
pub use stacked::{StackWorkspace, Stacked};

use crate::{
    BatchLengthError, Float, Kernel, KernelUnavailable, LstmState, SequenceLengthError, Storage,
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
    /// The recurrent state of one sequence; its default is the all-zero state.
    type State: Copy + Default;
    /// Buffers reused across sequence calls.
    type Workspace: Default;

    /// An output of zeros, to size buffers.
    fn zero_output() -> Self::Output;

    /// The all-zero initial state PyTorch and Keras start from.
    fn zero_state(&self) -> Self::State {
        Self::State::default()
    }

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

    /// [`run_batch`](Self::run_batch) with the sequences spread over rayon's threads (the
    /// `rayon` feature): each thread runs a contiguous share of the sequences, whole blocks of
    /// the kernels' four where it can, as one `run_batch_with` with a workspace of its own
    /// (allocated per call and share). A batch equals separate calls bit for bit, so the results
    /// are `run_batch`'s exactly, however many threads run. Worth it where each share has real
    /// work: many sequences, or long ones (measured by the benchmark on S4, 32 sequences of
    /// input 100, hidden 256).
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LstmLayer, LstmState};
    /// let cell = LstmLayer::<f32, 8, 16>::from_fn(|_, _, row, col| (row + col) as f32 * 0.01);
    /// let inputs = vec![[0.5; 8]; 32 * 10]; // 32 sequences of 10 steps
    /// let (mut serial, mut parallel) = (vec![[0.0; 16]; 320], vec![[0.0; 16]; 320]);
    /// cell.run_batch(&inputs, &mut serial, &mut [LstmState::zeros(); 32])?;
    /// cell.run_batch_parallel(&inputs, &mut parallel, &mut [LstmState::zeros(); 32])?;
    /// assert_eq!(serial, parallel);
    /// # Ok::<(), lstm_core::BatchLengthError>(())
    /// ```
    ///
    /// # Errors
    /// As [`run_batch_with`](Self::run_batch_with).
    #[cfg(feature = "rayon")]
    fn run_batch_parallel(
        &self,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
        states: &mut [Self::State],
    ) -> Result<(), BatchLengthError>
    where
        Self: Sync,
        Self::Input: Sync,
        Self::Output: Send,
        Self::State: Send,
    {
        use rayon::prelude::*;
        let steps = BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        if steps == 0 {
            return Ok(());
        }
        let threads = rayon::current_num_threads().max(1);
        // Shares of whole kernel blocks, so that each thread's blocks stay full.
        let share = states
            .len()
            .div_ceil(threads)
            .next_multiple_of(crate::kernel::BLOCK)
            .min(states.len());
        inputs
            .par_chunks(share * steps)
            .zip(outputs.par_chunks_mut(share * steps))
            .zip(states.par_chunks_mut(share))
            .try_for_each(|((inputs, outputs), states)| {
                self.run_batch_with(inputs, outputs, states, &mut Self::Workspace::default())
            })
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

/// A borrowed layer runs as the layer itself, with the same state and workspace types: a model
/// made by `#[derive(Model)]` runs its fields as a [`Stacked`] chain of references, without
/// moving or copying a weight.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Linear, LstmLayer, Stacked};
/// let (lstm, head) = (LstmLayer::<f32, 3, 8>::zeros(), Linear::<f32, 8, 2>::zeros());
/// let borrowed = Stacked::new(&lstm, &head);
/// assert_eq!(borrowed.step(&[1.0; 3], &mut borrowed.zero_state()), [0.0; 2]);
/// ```
impl<T: Float, L: Layer<T> + ?Sized> Layer<T> for &L {
    type Input = L::Input;
    type Output = L::Output;
    type State = L::State;
    type Workspace = L::Workspace;

    fn zero_output() -> L::Output {
        L::zero_output()
    }

    fn zero_state(&self) -> L::State {
        (**self).zero_state()
    }

    fn run_with(
        &self,
        inputs: &[L::Input],
        outputs: &mut [L::Output],
        state: &mut L::State,
        workspace: &mut L::Workspace,
    ) -> Result<(), SequenceLengthError> {
        (**self).run_with(inputs, outputs, state, workspace)
    }

    fn run_batch_with(
        &self,
        inputs: &[L::Input],
        outputs: &mut [L::Output],
        states: &mut [L::State],
        workspace: &mut L::Workspace,
    ) -> Result<(), BatchLengthError> {
        (**self).run_batch_with(inputs, outputs, states, workspace)
    }
}

impl<T: Float, L: StreamingLayer<T> + ?Sized> StreamingLayer<T> for &L {
    fn step(&self, x: &L::Input, state: &mut L::State) -> L::Output {
        (**self).step(x, state)
    }
}

/// A batch of `steps`-long sequences run as separate calls, one `run_with` each (what a batch
/// equals, bit for bit): how a layer without a heap (no `std`) runs a batch whose sequences it
/// cannot gather. The lengths are checked already; an error of a sequence's call (which they
/// rule out) is reported as the batch's.
#[cfg(not(feature = "std"))]
pub(crate) fn batch_as_sequences<T: Float, L: Layer<T>>(
    layer: &L,
    inputs: &[L::Input],
    outputs: &mut [L::Output],
    states: &mut [L::State],
    steps: usize,
    workspace: &mut L::Workspace,
) -> Result<(), BatchLengthError> {
    let error = BatchLengthError {
        inputs: inputs.len(),
        outputs: outputs.len(),
        sequences: states.len(),
    };
    if steps > 0 {
        for ((inputs, outputs), state) in inputs
            .chunks_exact(steps)
            .zip(outputs.chunks_exact_mut(steps))
            .zip(states.iter_mut())
        {
            layer
                .run_with(inputs, outputs, state, workspace)
                .map_err(|_| error)?;
        }
    }
    Ok(())
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
#[cfg(feature = "std")]
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
