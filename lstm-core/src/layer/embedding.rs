//! A lookup table from token to vector, as PyTorch's `nn.Embedding` and Keras' `Embedding`: the
//! first layer of a text model (a word segmenter's characters, a tagger's words).

use crate::{Float, Matrix};

/// An index into a vocabulary of `V` entries, checked when it is made, so that a lookup never
/// fails: [`Token::new`] refuses an index of `V` or more.
///
/// ```
/// use lstm_core::Token;
/// assert_eq!(Token::<100>::new(7).map(Token::index), Some(7));
/// assert_eq!(Token::<100>::new(100), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token<const V: usize>(usize);

impl<const V: usize> Token<V> {
    /// The token of `index`, if it is below `V`.
    #[must_use]
    pub const fn new(index: usize) -> Option<Self> {
        if index < V { Some(Token(index)) } else { None }
    }

    /// The index, below `V`.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0
    }
}

/// `V` vectors of `D` values, one per token: step `t` outputs row `x_t` of the table. As
/// PyTorch's `nn.Embedding(V, D)` (`weight` `(V, D)`) and Keras' `Embedding(V, D)`
/// (`embeddings` `(V, D)`); it loads from either ([`Embedding::from_safetensors`]).
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{Embedding, LstmLayer, Matrix, Stacked, Token};
/// let table = Embedding::<f32, 3, 2>::new(Matrix::from_fn(|row, col| (row * 10 + col) as f32));
/// let token = Token::new(2).expect("below 3");
/// assert_eq!(table.step(&token, &mut ()), [20.0, 21.0]);
///
/// // The start of a segmenter: characters in, an LSTM over their vectors.
/// let model = Stacked::new(table, LstmLayer::<f32, 2, 4>::zeros());
/// let tokens: Vec<Token<3>> = [0, 2, 1].into_iter().filter_map(Token::new).collect();
/// let mut outputs = [[0.0; 4]; 3];
/// model.run(&tokens, &mut outputs, &mut model.zero_state())?;
/// # Ok::<(), lstm_core::SequenceLengthError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding<T: 'static, const V: usize, const D: usize> {
    /// Row `v` is token `v`'s vector.
    pub table: Matrix<T, V, D>,
}

impl<T: Float, const V: usize, const D: usize> Embedding<T, V, D> {
    /// A layer from its table.
    #[must_use]
    pub fn new(table: Matrix<T, V, D>) -> Self {
        Embedding { table }
    }

    #[cfg(feature = "std")]
    /// An all-zero table.
    ///
    /// ```
    /// use lstm_core::Embedding;
    /// assert_eq!(Embedding::<f32, 5, 3>::zeros().table[4], [0.0; 3]);
    /// ```
    #[must_use]
    pub fn zeros() -> Self {
        Embedding {
            table: Matrix::zeros(),
        }
    }
}

// A table is read, not computed with: every kernel and storage is the same layer.
stateless_layer! {
    impl[T: Float, const V: usize, const D: usize] Embedding<T, V, D> {
        input: Token<V>,
        output: [T; D],
        zero_output: [T::ZERO; D],
        zeros: Embedding::zeros(),
        apply: |layer, token| layer.table[token.index()],
    }
}
