//! A stack of layers, each reading the output of the one below: PyTorch's `num_layers`, and a
//! whole model (an LSTM and its head).

#[cfg(feature = "std")]
use super::Compute;
use super::{Layer, StreamingLayer, Zeros};
use crate::{BatchLengthError, Float, Kernel, KernelUnavailable, SequenceLengthError, Storage};

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
    ///
    /// ```
    /// use lstm_core::{Linear, LstmLayer, Stacked};
    /// // An LSTM and its head: one model.
    /// let model = Stacked::new(LstmLayer::<f32, 3, 8>::zeros(), Linear::<f32, 8, 2>::zeros());
    /// # let _ = model;
    /// ```
    #[must_use]
    pub fn new(lower: Lower, upper: Upper) -> Self {
        Stacked { lower, upper }
    }
}

impl<Lower: Zeros, Upper: Zeros> Zeros for Stacked<Lower, Upper> {
    fn zeros() -> Self {
        Stacked::new(Lower::zeros(), Upper::zeros())
    }
}

/// What a layer of a [`Stacked`] must be for the stack to run: any [`Layer`] with `std`; without
/// it (no heap for the values between the layers) a [`StreamingLayer`], which the stack steps a
/// time step at a time. So without `std` a bidirectional layer runs alone, not in a stack.
#[doc(hidden)]
#[cfg(feature = "std")]
pub trait StackPart<T: Float>: Layer<T> {}
#[cfg(feature = "std")]
impl<T: Float, L: Layer<T>> StackPart<T> for L {}
/// See the `std` version.
#[doc(hidden)]
#[cfg(not(feature = "std"))]
pub trait StackPart<T: Float>: StreamingLayer<T> {}
#[cfg(not(feature = "std"))]
impl<T: Float, L: StreamingLayer<T>> StackPart<T> for L {}

impl<Lower: Zeros, Upper: Zeros> Stacked<Lower, Upper> {
    /// All-zero weights in every layer.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LstmLayer, Stacked};
    /// let stack = Stacked::<LstmLayer<f32, 3, 4>, LstmLayer<f32, 4, 2>>::zeros();
    /// assert_eq!(stack.step(&[1.0; 3], &mut stack.zero_state()), [0.0; 2]);
    /// ```
    #[must_use]
    pub fn zeros() -> Self {
        <Self as Zeros>::zeros()
    }
}

/// The buffers of a stack: the lower layer's outputs for one sequence (`Between`), each
/// layer's own workspace, and each layer's states of a batch. Its parameters are the layers'
/// associated types rather than the layers, so that a stack of borrowed layers (what
/// `#[derive(Model)]` runs) has the same workspace as a stack of owned ones.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmLayer, Stacked};
/// let stack = Stacked::<LstmLayer<f32, 3, 4>, LstmLayer<f32, 4, 2>>::zeros();
/// let mut workspace = Default::default();
/// let mut outputs = [[0.0; 2]; 10];
/// stack.run_with(&[[0.5; 3]; 10], &mut outputs, &mut stack.zero_state(), &mut workspace)?;
/// // A second call of at most 10 steps reuses the buffers: no allocation.
/// stack.run_with(&[[0.5; 3]; 10], &mut outputs, &mut stack.zero_state(), &mut workspace)?;
/// # Ok::<(), lstm_core::SequenceLengthError>(())
/// ```
pub struct StackWorkspace<Between, LowerState, UpperState, LowerWorkspace, UpperWorkspace> {
    #[cfg(feature = "std")]
    between: Vec<Between>,
    lower: LowerWorkspace,
    upper: UpperWorkspace,
    /// Per-layer states of a batch, gathered from the stack's `(lower, upper)` pairs.
    #[cfg(feature = "std")]
    lower_states: Vec<LowerState>,
    #[cfg(feature = "std")]
    upper_states: Vec<UpperState>,
    /// Without `std` a stack runs a step at a time and keeps no buffers.
    #[cfg(not(feature = "std"))]
    kept: core::marker::PhantomData<(Between, LowerState, UpperState)>,
}

impl<Between, LowerState, UpperState, LowerWorkspace: Default, UpperWorkspace: Default> Default
    for StackWorkspace<Between, LowerState, UpperState, LowerWorkspace, UpperWorkspace>
{
    fn default() -> Self {
        StackWorkspace {
            #[cfg(feature = "std")]
            between: Vec::new(),
            lower: Default::default(),
            upper: Default::default(),
            #[cfg(feature = "std")]
            lower_states: Vec::new(),
            #[cfg(feature = "std")]
            upper_states: Vec::new(),
            #[cfg(not(feature = "std"))]
            kept: core::marker::PhantomData,
        }
    }
}

#[allow(
    clippy::needless_return,
    reason = "each call's body is one of two `cfg` blocks (with `std`, and without: no heap)"
)]
impl<T, Lower, Upper> Layer<T> for Stacked<Lower, Upper>
where
    T: Float,
    Lower: StackPart<T>,
    Upper: StackPart<T> + Layer<T, Input = Lower::Output>,
{
    type Input = Lower::Input;
    type Output = Upper::Output;
    /// The lower layer's state, then the upper's.
    type State = (Lower::State, Upper::State);
    type Workspace = StackWorkspace<
        Lower::Output,
        Lower::State,
        Upper::State,
        Lower::Workspace,
        Upper::Workspace,
    >;

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
        #[cfg(not(feature = "std"))]
        {
            // No heap: a step at a time through both layers (the same results: a layer's
            // sequence equals its steps, bit for bit; both layers stream, `StackPart`).
            let _ = workspace;
            for (x, y) in inputs.iter().zip(outputs.iter_mut()) {
                let between = self.lower.step(x, &mut state.0);
                *y = self.upper.step(&between, &mut state.1);
            }
            return Ok(());
        }
        #[cfg(feature = "std")]
        {
            // Grows only when a longer sequence than any before arrives.
            workspace.between.resize(inputs.len(), Lower::zero_output());
            let between = &mut workspace.between[..inputs.len()];
            self.lower
                .run_with(inputs, between, &mut state.0, &mut workspace.lower)?;
            return self
                .upper
                .run_with(between, outputs, &mut state.1, &mut workspace.upper);
        }
    }

    fn run_batch_with(
        &self,
        inputs: &[Lower::Input],
        outputs: &mut [Upper::Output],
        states: &mut [Self::State],
        workspace: &mut Self::Workspace,
    ) -> Result<(), BatchLengthError> {
        let steps = BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        #[cfg(not(feature = "std"))]
        return super::batch_as_sequences(self, inputs, outputs, states, steps, workspace);
        #[cfg(feature = "std")]
        {
            let _ = steps;
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
            return Ok(());
        }
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

#[cfg(feature = "std")]
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
