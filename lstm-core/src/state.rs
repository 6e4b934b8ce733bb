//! The recurrent state of one sequence: `h` and `c`.

use crate::Float;

/// The state an LSTM carries from one step to the next: the hidden state `h` and the cell state
/// `c`, `H` elements each.
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
pub struct LstmState<T, const H: usize> {
    /// Hidden state `h`: the output of the last step.
    pub h: [T; H],
    /// Cell state `c`.
    pub c: [T; H],
}

impl<T: Float, const H: usize> LstmState<T, H> {
    /// The all-zero state PyTorch and Keras start from when no initial state is given.
    #[must_use]
    pub const fn zeros() -> Self {
        Self {
            h: [T::ZERO; H],
            c: [T::ZERO; H],
        }
    }

    /// A state from given `h` and `c` (PyTorch's `(h_0, c_0)`).
    #[must_use]
    pub const fn new(h: [T; H], c: [T; H]) -> Self {
        Self { h, c }
    }

    /// Sets `h` and `c` back to zero.
    pub fn reset(&mut self) {
        *self = Self::zeros();
    }
}

impl<T: Float, const H: usize> Default for LstmState<T, H> {
    fn default() -> Self {
        Self::zeros()
    }
}
