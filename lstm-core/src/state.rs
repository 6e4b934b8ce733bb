//! The recurrent state of one sequence: `h` and `c`.

use crate::Float;

/// The state an LSTM carries from one step to the next: the hidden state `h` (`R` elements) and
/// the cell state `c` (`H` elements). `R` is `H` unless the LSTM projects `h` to `R < H` elements
/// (PyTorch's `proj_size`).
///
/// The state lives apart from the weights, so one set of weights can drive many independent
/// streams, each with its own `LstmState`. It is `Copy`: save it, restore it, fork it.
///
/// ```
/// use lstm_core::LstmState;
/// let mut state = LstmState::<f32, 4>::zeros();
/// state.h[0] = 1.0;
/// let saved = state;
/// state.reset();
/// assert_eq!(state, LstmState::zeros());
/// assert_eq!(saved.h[0], 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LstmState<T, const H: usize, const R: usize = H> {
    /// Hidden state `h`: the output of the last step.
    pub h: [T; R],
    /// Cell state `c`.
    pub c: [T; H],
}

impl<T: Float, const H: usize, const R: usize> LstmState<T, H, R> {
    /// The all-zero state PyTorch and Keras start from when no initial state is given.
    ///
    /// ```
    /// let state = lstm_core::LstmState::<f32, 3>::zeros();
    /// assert_eq!((state.h, state.c), ([0.0; 3], [0.0; 3]));
    /// ```
    #[must_use]
    pub const fn zeros() -> Self {
        Self {
            h: [T::ZERO; R],
            c: [T::ZERO; H],
        }
    }

    /// A state from given `h` and `c` (PyTorch's `(h_0, c_0)`).
    ///
    /// ```
    /// // A projected state: `h` of 2, `c` of 4 (PyTorch's proj_size).
    /// let state = lstm_core::LstmState::<f32, 4, 2>::new([1.0, 2.0], [0.5; 4]);
    /// assert_eq!(state.h, [1.0, 2.0]);
    /// ```
    #[must_use]
    pub const fn new(h: [T; R], c: [T; H]) -> Self {
        Self { h, c }
    }

    /// Sets `h` and `c` back to zero.
    ///
    /// ```
    /// let mut state = lstm_core::LstmState::<f32, 2>::new([1.0; 2], [1.0; 2]);
    /// state.reset();
    /// assert_eq!(state, lstm_core::LstmState::zeros());
    /// ```
    pub fn reset(&mut self) {
        *self = Self::zeros();
    }
}

impl<T: Float, const H: usize, const R: usize> Default for LstmState<T, H, R> {
    fn default() -> Self {
        Self::zeros()
    }
}
