//! Activations between layers: tanh, sigmoid, ReLU and identity element by element, and
//! softmax over a step's output. Layers without weights or state, so that a model such as
//! RTNeural's `Dense -> tanh -> LSTM` or a tagger's `Dense -> softmax` is one stack of layers.

use core::marker::PhantomData;

use crate::Float;

/// What an [`Activation`] computes over one step's values. Implemented by [`Tanh`],
/// [`Sigmoid`], [`Relu`], [`Identity`] and [`Softmax`].
pub trait Function: Copy + core::fmt::Debug + Default + Send + Sync + 'static {
    /// The function's name, as PyTorch's module (`"Tanh"`, `"Softmax"`).
    const NAME: &'static str;
    /// Applies the function to one step's values, in place.
    fn apply<T: Float>(values: &mut [T]);
}

/// `tanh`, element by element (PyTorch `nn.Tanh`, Keras `"tanh"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tanh;

/// The logistic function `1 / (1 + e^-x)`, element by element (PyTorch `nn.Sigmoid`, Keras
/// `"sigmoid"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sigmoid;

/// `max(x, 0)`, element by element; NaN stays NaN (PyTorch `nn.ReLU`, Keras `"relu"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relu;

/// The values unchanged (Keras `"linear"`, PyTorch `nn.Identity`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Identity;

/// `e^x_i / sum_j e^x_j` over one step's values, computed as PyTorch and Keras do it, from
/// `x - max(x)` so that large values do not overflow (PyTorch `nn.Softmax(dim=-1)`, Keras
/// `"softmax"`). A NaN anywhere makes every value NaN.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Softmax;

impl Function for Tanh {
    const NAME: &'static str = "Tanh";
    fn apply<T: Float>(values: &mut [T]) {
        values.iter_mut().for_each(|value| *value = value.tanh());
    }
}

impl Function for Sigmoid {
    const NAME: &'static str = "Sigmoid";
    fn apply<T: Float>(values: &mut [T]) {
        values.iter_mut().for_each(|value| *value = value.sigmoid());
    }
}

impl Function for Relu {
    const NAME: &'static str = "ReLU";
    fn apply<T: Float>(values: &mut [T]) {
        for value in values {
            if *value < T::ZERO {
                *value = T::ZERO;
            }
        }
    }
}

impl Function for Identity {
    const NAME: &'static str = "Identity";
    fn apply<T: Float>(_: &mut [T]) {}
}

impl Function for Softmax {
    const NAME: &'static str = "Softmax";
    fn apply<T: Float>(values: &mut [T]) {
        let Some(&first) = values.first() else {
            return;
        };
        // The largest value, NaN if any is (a float `max` would skip it).
        let mut largest = first;
        for &value in values.iter() {
            if value > largest || value.is_nan() {
                largest = value;
                if largest.is_nan() {
                    break;
                }
            }
        }
        let mut sum = T::ZERO;
        for value in values.iter_mut() {
            *value = (*value - largest).exp();
            sum += *value;
        }
        values.iter_mut().for_each(|value| *value = *value / sum);
    }
}

/// An activation layer over `N` values a step: `Activation<Tanh, f32, 16>`, or by the aliases
/// the crate root exports. No weights, no state; it runs with the verbs of every layer and
/// composes with [`Stacked`](crate::Stacked), which checks at compile time that sizes match.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Activation, Linear, LstmLayer, Softmax, Stacked, Tanh};
/// let squash = Activation::<Tanh, f32, 2>::new();
/// assert_eq!(squash.step(&[0.0, 100.0], &mut ()), [0.0, 1.0]);
///
/// // A tagger's end: an LSTM, a Dense head, and a softmax over its 3 scores.
/// let tagger = Stacked::new(
///     Stacked::new(LstmLayer::<f32, 4, 8>::zeros(), Linear::<f32, 8, 3>::zeros()),
///     Activation::<Softmax, f32, 3>::new(),
/// );
/// let probabilities = tagger.step(&[1.0; 4], &mut tagger.zero_state());
/// assert_eq!(probabilities, [1.0 / 3.0; 3]);
/// ```
///
/// A size that does not match its neighbour is a type error:
///
/// ```compile_fail
/// use lstm_core::prelude::*;
/// use lstm_core::{Activation, Linear, Softmax, Stacked};
/// let head = Stacked::new(Linear::<f32, 8, 3>::zeros(), Activation::<Softmax, f32, 4>::new());
/// head.step(&[0.0; 8], &mut head.zero_state()); // [f32; 3] does not feed [f32; 4]
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Activation<F, T, const N: usize> {
    function: PhantomData<fn() -> (F, T)>,
}

impl<F: Function, T: Float, const N: usize> Activation<F, T, N> {
    /// The layer.
    ///
    /// ```
    /// use lstm_core::{Activation, Relu};
    /// let relu = Activation::<Relu, f64, 3>::new();
    /// # let _ = relu;
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Activation {
            function: PhantomData,
        }
    }
}

stateless_layer! {
    impl[F: Function, T: Float, const N: usize] Activation<F, T, N> {
        input: [T; N],
        output: [T; N],
        zero_output: [T::ZERO; N],
        zeros: Activation::new(),
        apply: |_layer, x| {
            let mut y = *x;
            F::apply(&mut y);
            y
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Function, Identity, Relu, Sigmoid, Softmax, Tanh};

    #[test]
    fn functions_follow_pytorch_at_the_edges() {
        let mut values = [0.0f64, -2.0, f64::NAN, f64::INFINITY];
        Relu::apply(&mut values);
        assert_eq!(values[..2], [0.0, 0.0]);
        assert!(values[2].is_nan());
        assert_eq!(values[3], f64::INFINITY);
        let mut values = [1000.0f32, 1000.0];
        Softmax::apply(&mut values); // no overflow: computed from x - max
        assert_eq!(values, [0.5, 0.5]);
        let mut values = [1.0f32, f32::NAN, 2.0];
        Softmax::apply(&mut values);
        assert!(values.iter().all(|v| v.is_nan()));
        let mut values = [0.0f32; 0];
        Softmax::apply(&mut values);
        let mut values = [0.0f32, 1.0];
        Sigmoid::apply(&mut values);
        assert_eq!(values[0], 0.5);
        Tanh::apply(&mut values);
        Identity::apply(&mut values);
        assert_eq!(values[0], 0.5f32.tanh());
    }
}
