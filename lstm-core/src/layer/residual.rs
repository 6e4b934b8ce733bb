//! A skip connection: a layer's input added to its output, as guitar-amp models do
//! (`Linear(LSTM(x)) + x`).

use crate::{
    BatchLengthError, Float, Kernel, KernelUnavailable, Layer, SequenceLengthError, Storage,
    StreamingLayer,
};

/// `inner(x) + x[..O]`: the wrapped layer's output (`O` values a step) plus the first `O` of
/// its `I` input values. With `I == O` it is the whole input, as ResNet's skip; an amp model's
/// `Linear(LSTM(x)) + x` adds the one input sample to the one output. Its state and workspace
/// are the inner layer's; it streams where the inner layer does.
///
/// The output may not be wider than the input: that is checked when the layer is used, a
/// compile error (`cargo build`) that names both sizes in the types it shows.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Linear, LstmLayer, Residual, Stacked};
/// // An amp model: one sample in, an LSTM of 8, a linear head back to one sample, plus the input.
/// let amp = Residual::new(Stacked::new(LstmLayer::<f32, 1, 8>::zeros(), Linear::<f32, 8, 1>::zeros()));
/// let mut state = amp.zero_state();
/// assert_eq!(amp.step(&[0.25], &mut state), [0.25]); // zero weights: the input passes through
/// ```
///
/// An output wider than the input has nothing to add to its last values, and does not build:
///
/// ```compile_fail
/// use lstm_core::prelude::*;
/// use lstm_core::{Linear, Residual};
/// let wider = Residual::new(Linear::<f32, 2, 3>::zeros());
/// let _ = wider.step(&[1.0, 2.0], &mut ()); // a residual's output may not be wider than its input
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Residual<L> {
    /// The layer whose input is added to its output.
    pub inner: L,
}

impl<L> Residual<L> {
    /// Wraps `inner`.
    ///
    /// ```
    /// use lstm_core::{Linear, Residual};
    /// let skip = Residual::new(Linear::<f32, 4, 4>::zeros());
    /// # let _ = skip;
    /// ```
    #[must_use]
    pub const fn new(inner: L) -> Self {
        Residual { inner }
    }
}

/// `O <= I`, evaluated where a residual of these sizes is used.
struct Fits<const I: usize, const O: usize>;

impl<const I: usize, const O: usize> Fits<I, O> {
    const CHECK: () = assert!(
        O <= I,
        "a residual adds its layer's input to its output: the output ([T; O]) may not be wider \
         than the input ([T; I])"
    );
}

/// Adds the first `O` values of each input to its output.
fn add_inputs<T: Float, const I: usize, const O: usize>(inputs: &[[T; I]], outputs: &mut [[T; O]]) {
    let () = Fits::<I, O>::CHECK;
    for (x, y) in inputs.iter().zip(outputs) {
        for (y, &x) in y.iter_mut().zip(x) {
            *y += x;
        }
    }
}

impl<T, L, const I: usize, const O: usize> Layer<T> for Residual<L>
where
    T: Float,
    L: Layer<T, Input = [T; I], Output = [T; O]>,
{
    type Input = [T; I];
    type Output = [T; O];
    type State = L::State;
    type Workspace = L::Workspace;

    fn zero_output() -> [T; O] {
        L::zero_output()
    }

    fn zero_state(&self) -> L::State {
        self.inner.zero_state()
    }

    fn run_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        state: &mut L::State,
        workspace: &mut L::Workspace,
    ) -> Result<(), SequenceLengthError> {
        self.inner.run_with(inputs, outputs, state, workspace)?;
        add_inputs(inputs, outputs);
        Ok(())
    }

    fn run_batch_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        states: &mut [L::State],
        workspace: &mut L::Workspace,
    ) -> Result<(), BatchLengthError> {
        self.inner
            .run_batch_with(inputs, outputs, states, workspace)?;
        add_inputs(inputs, outputs);
        Ok(())
    }
}

impl<T, L, const I: usize, const O: usize> StreamingLayer<T> for Residual<L>
where
    T: Float,
    L: StreamingLayer<T, Input = [T; I], Output = [T; O]>,
{
    fn step(&self, x: &[T; I], state: &mut L::State) -> [T; O] {
        let mut y = self.inner.step(x, state);
        add_inputs(core::slice::from_ref(x), core::slice::from_mut(&mut y));
        y
    }
}

#[cfg(feature = "std")]
impl<T: Float, L: crate::Compute<T>> crate::Compute<T> for Residual<L> {
    type Stored<S: Storage<T>> = Residual<L::Stored<S>>;

    fn with_kernel(self, kernel: Kernel) -> Result<Self, KernelUnavailable> {
        Ok(Residual::new(self.inner.with_kernel(kernel)?))
    }

    fn to_storage<S: Storage<T>>(&self) -> Self::Stored<S> {
        Residual::new(self.inner.to_storage())
    }
}

impl<L: crate::Zeros> crate::Zeros for Residual<L> {
    fn zeros() -> Self {
        Residual::new(L::zeros())
    }
}
