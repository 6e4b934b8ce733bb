//! What the code `#[derive(Model)]` writes calls to run a struct's fields as one layer. Not
//! part of the public API.

use super::{Layer, StreamingLayer};
use crate::{BatchLengthError, Float, SequenceLengthError};

/// A chain of layers that streams, its types spelled out as parameters: a derived model's
/// `StreamingLayer` impl is bounded on it rather than on `StreamingLayer`, so that the bound
/// (which holds only when no layer is bidirectional) does not hide the chain's `Layer` types
/// from the impl's body.
#[doc(hidden)]
pub trait StepChain<T, Input, State, Output> {
    /// [`StreamingLayer::step`].
    fn step_chain(&self, x: &Input, state: &mut State) -> Output;
}

impl<T: Float, C: StreamingLayer<T>> StepChain<T, C::Input, C::State, C::Output> for C {
    fn step_chain(&self, x: &C::Input, state: &mut C::State) -> C::Output {
        self.step(x, state)
    }
}

/// Compiles only when `Upper` takes `Lower`'s output as its input: a derived model names it
/// once per pair of fields, spanned on the receiving field, so that a size mismatch is reported
/// there with both types.
#[doc(hidden)]
pub fn hand_off<T: Float, Lower: Layer<T>, Upper: Layer<T, Input = Lower::Output>>() {}

/// A chain of layers with its types spelled out as parameters: a derived model's `Layer` impl
/// is bounded on it, so that a model whose layers do not fit together has no `Layer` impl (the
/// one error is then [`hand_off`]'s, on the field) rather than an impl that fails to compile.
#[doc(hidden)]
pub trait RunChain<T, Input, Output, State, Workspace> {
    /// [`Layer::zero_state`].
    fn zero_state_chain(&self) -> State;

    /// [`Layer::run_with`].
    ///
    /// # Errors
    /// As [`Layer::run_with`].
    fn run_chain(
        &self,
        inputs: &[Input],
        outputs: &mut [Output],
        state: &mut State,
        workspace: &mut Workspace,
    ) -> Result<(), SequenceLengthError>;

    /// [`Layer::run_batch_with`].
    ///
    /// # Errors
    /// As [`Layer::run_batch_with`].
    fn run_batch_chain(
        &self,
        inputs: &[Input],
        outputs: &mut [Output],
        states: &mut [State],
        workspace: &mut Workspace,
    ) -> Result<(), BatchLengthError>;
}

impl<T: Float, C: Layer<T>> RunChain<T, C::Input, C::Output, C::State, C::Workspace> for C {
    fn zero_state_chain(&self) -> C::State {
        self.zero_state()
    }

    fn run_chain(
        &self,
        inputs: &[C::Input],
        outputs: &mut [C::Output],
        state: &mut C::State,
        workspace: &mut C::Workspace,
    ) -> Result<(), SequenceLengthError> {
        self.run_with(inputs, outputs, state, workspace)
    }

    fn run_batch_chain(
        &self,
        inputs: &[C::Input],
        outputs: &mut [C::Output],
        states: &mut [C::State],
        workspace: &mut C::Workspace,
    ) -> Result<(), BatchLengthError> {
        self.run_batch_with(inputs, outputs, states, workspace)
    }
}

/// Compiles only when `Other` takes and gives what `First` does: a derived model enum names it
/// once per variant after the first, spanned on the variant, so that a plug-in's set of models
/// cannot mix shapes of input or output.
#[doc(hidden)]
pub fn same_io<
    T: Float,
    First: Layer<T>,
    Other: Layer<T, Input = First::Input, Output = First::Output>,
>() {
}

/// A batch run of one variant of a derived model enum: each sequence's state taken as the
/// variant's own (`own` of it, or the variant's zero state for a state of another variant),
/// gathered into `gathered`, run, and written back with `wrap`.
///
/// # Errors
/// As [`Layer::run_batch_with`].
#[doc(hidden)]
#[cfg(feature = "std")]
#[allow(clippy::too_many_arguments)]
pub fn run_batch_variant<T, Input, Output, State: Copy, Workspace, Chain, Outer: Copy>(
    chain: &Chain,
    inputs: &[Input],
    outputs: &mut [Output],
    states: &mut [Outer],
    gathered: &mut Vec<State>,
    workspace: &mut Workspace,
    own: impl Fn(Outer) -> Option<State>,
    wrap: impl Fn(State) -> Outer,
) -> Result<(), BatchLengthError>
where
    Chain: RunChain<T, Input, Output, State, Workspace>,
{
    gathered.clear();
    gathered.extend(
        states
            .iter()
            .map(|&state| own(state).unwrap_or_else(|| chain.zero_state_chain())),
    );
    let result = chain.run_batch_chain(inputs, outputs, gathered, workspace);
    for (state, &own) in states.iter_mut().zip(gathered.iter()) {
        *state = wrap(own);
    }
    result
}
