//! A fully connected layer, as PyTorch's `nn.Linear`: the head most small LSTM models end with.

use crate::{Float, Matrix, Vector};
#[cfg(doc)]
use crate::{Layer, StreamingLayer};

/// `y = W x + b` with `W` of `O x I` and `b` of `O`, as PyTorch's `nn.Linear(I, O)` stores and
/// computes it (`weight` `(O, I)`, `bias` `(O,)`).
///
/// The sizes are in the type, so a head that expects `H` inputs does not accept the `2H`-wide
/// output of a bidirectional LSTM:
///
/// It runs with the verbs of every layer: [`step`](StreamingLayer::step) (it has no state:
/// `&mut ()`), [`run`](Layer::run) and [`run_batch`](Layer::run_batch).
///
/// In a stack: `Stacked<Weights<Spec>, Linear<T, O, K>>` is a whole model (an LSTM and
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
pub struct Linear<T: 'static, const I: usize, const O: usize> {
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

    #[cfg(feature = "std")]
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

    /// `W x + b`.
    fn forward(&self, x: &[T; I]) -> [T; O] {
        let mut y = [T::ZERO; O];
        for ((out, row), &bias) in y.iter_mut().zip(self.weight.iter()).zip(self.bias.iter()) {
            *out = bias + crate::cell::dot(row, x);
        }
        y
    }
}

stateless_layer! {
    impl[T: Float, const I: usize, const O: usize] Linear<T, I, O> {
        input: [T; I],
        output: [T; O],
        zero_output: [T::ZERO; O],
        zeros: Linear::zeros(),
        apply: |layer, x| layer.forward(x),
    }
}
