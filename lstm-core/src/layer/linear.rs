//! A fully connected layer, as PyTorch's `nn.Linear`: the head most small LSTM models end with.

use crate::{
    BatchLengthError, Compute, Float, Kernel, KernelUnavailable, Layer, Matrix,
    SequenceLengthError, Storage, StreamingLayer, Vector,
};

/// `y = W x + b` with `W` of `O x I` and `b` of `O`, as PyTorch's `nn.Linear(I, O)` stores and
/// computes it (`weight` `(O, I)`, `bias` `(O,)`).
///
/// The sizes are in the type, so a head that expects `H` inputs does not accept the `2H`-wide
/// output of a bidirectional LSTM:
///
/// It runs with the verbs of every layer: [`step`](StreamingLayer::step) (it has no state:
/// `&mut ()`), [`run`](Layer::run) and [`run_batch`](Layer::run_batch).
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Linear, Matrix, Vector};
/// let head = Linear::<f32, 3, 2>::new(
///     Matrix::from_fn(|row, col| (row * 3 + col) as f32),
///     Vector::from_fn(|row| row as f32),
/// );
/// assert_eq!(head.step(&[1.0, 0.0, -1.0], &mut ()), [-2.0, -1.0]);
/// ```
///
/// ```compile_fail
/// use lstm_core::prelude::*;
/// let head = lstm_core::Linear::<f32, 3, 2>::zeros();
/// head.step(&[0.0; 6], &mut ()); // expected an array of 3
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Linear<T, const I: usize, const O: usize> {
    /// `W`, output x input.
    pub weight: Matrix<T, O, I>,
    /// `b`, output.
    pub bias: Vector<T, O>,
}

impl<T: Float, const I: usize, const O: usize> Linear<T, I, O> {
    /// A layer from its weight and bias.
    ///
    /// ```
    /// use lstm_core::{Linear, Matrix, Vector};
    /// let head = Linear::<f32, 2, 1>::new(Matrix::from_fn(|_, col| col as f32), Vector::zeros());
    /// assert_eq!(head.weight[0], [0.0, 1.0]);
    /// ```
    #[must_use]
    pub fn new(weight: Matrix<T, O, I>, bias: Vector<T, O>) -> Self {
        Linear { weight, bias }
    }

    /// All-zero weight and bias.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// let head = lstm_core::Linear::<f32, 4, 2>::zeros();
    /// assert_eq!(head.step(&[1.0; 4], &mut ()), [0.0; 2]);
    /// ```
    #[must_use]
    pub fn zeros() -> Self {
        Linear {
            weight: Matrix::zeros(),
            bias: Vector::zeros(),
        }
    }

    /// `W x + b` written into `y`.
    fn forward_into(&self, x: &[T; I], y: &mut [T; O]) {
        for ((out, row), &bias) in y.iter_mut().zip(self.weight.iter()).zip(self.bias.iter()) {
            *out = bias + crate::cell::dot(row, x);
        }
    }
}

/// A head in a stack: `Stacked<Weights<Spec>, Linear<T, O, K>>` is a whole model (an LSTM and
/// its head) that runs, streams and batches as one layer. It has no state.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Linear, LstmLayer, Stacked};
/// let model = Stacked::new(LstmLayer::<f32, 3, 8>::zeros(), Linear::<f32, 8, 2>::zeros());
/// let mut state = model.zero_state();
/// let scores: [f32; 2] = model.step(&[1.0, 0.0, -1.0], &mut state);
/// assert_eq!(scores, [0.0, 0.0]);
/// ```
impl<T: Float, const I: usize, const O: usize> Layer<T> for Linear<T, I, O> {
    type Input = [T; I];
    type Output = [T; O];
    type State = ();
    type Workspace = ();

    fn zero_output() -> [T; O] {
        [T::ZERO; O]
    }

    fn run_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        (): &mut (),
        (): &mut (),
    ) -> Result<(), SequenceLengthError> {
        SequenceLengthError::check(inputs.len(), outputs.len())?;
        for (x, y) in inputs.iter().zip(outputs) {
            self.forward_into(x, y);
        }
        Ok(())
    }

    fn run_batch_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; O]],
        states: &mut [()],
        (): &mut (),
    ) -> Result<(), BatchLengthError> {
        BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        for (x, y) in inputs.iter().zip(outputs) {
            self.forward_into(x, y);
        }
        Ok(())
    }
}

impl<T: Float, const I: usize, const O: usize> StreamingLayer<T> for Linear<T, I, O> {
    fn step(&self, x: &[T; I], (): &mut ()) -> [T; O] {
        let mut y = [T::ZERO; O];
        self.forward_into(x, &mut y);
        y
    }
}

/// A head's weights stay in `T` whatever the cells' storage, and it has one kernel.
impl<T: Float, const I: usize, const O: usize> Compute<T> for Linear<T, I, O> {
    type Stored<S: Storage<T>> = Self;

    fn with_kernel(self, kernel: Kernel) -> Result<Self, KernelUnavailable> {
        if kernel.is_available() {
            Ok(self)
        } else {
            Err(KernelUnavailable(kernel))
        }
    }

    fn to_storage<S: Storage<T>>(&self) -> Self {
        self.clone()
    }
}

impl<T: Float, const I: usize, const O: usize> crate::Zeros for Linear<T, I, O> {
    fn zeros() -> Self {
        Linear::zeros()
    }
}
