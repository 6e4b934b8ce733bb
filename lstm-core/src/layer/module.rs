//! [`Module`]: what a part of a whole model is, for `#[derive(Model)]`: its element type and
//! parameter count (with or without `std`), and with `std` how it describes itself and reads
//! itself from a file (the reading is in `io/model.rs`).

#[cfg(feature = "std")]
use crate::io::{LoadError, ModelFile};
use crate::{
    Activation, Bidirectional, Embedding, Float, Function, Linear, LstmLayer, LstmWeights,
    Residual, Stacked, Storage,
};

/// A layer of a stack (with `std`, one the loader reads; without, any).
#[cfg(feature = "std")]
pub(crate) use crate::WeightFile as ReadableStack;
/// A cell a bidirectional part reads (with `std`, a cell the loader reads; without, any).
#[cfg(feature = "std")]
pub(crate) use crate::io::CellFile as ReadableCell;
#[cfg(not(feature = "std"))]
pub(crate) trait ReadableCell {}
#[cfg(not(feature = "std"))]
impl<C> ReadableCell for C {}
#[cfg(not(feature = "std"))]
pub(crate) trait ReadableStack {}
#[cfg(not(feature = "std"))]
impl<L> ReadableStack for L {}

/// A part of a model that a file holds under a name: a layer type ([`LstmLayer`], a
/// [`Bidirectional`] pair, a [`Stacked`] `nn.LSTM`, [`Linear`], [`Embedding`], an
/// [`Activation`], a [`Residual`]) or a whole model made by `#[derive(Model)]`, which reads its
/// fields through this trait. Its constants are what the model's `PARAM_COUNT` and `summary()`
/// add up. Without `std` it has the constants only (nothing is read from files).
///
/// ```
/// use lstm_core::{Linear, LstmLayer, Module};
/// // PyTorch's sum(p.numel()) for nn.LSTM(1, 40) (two bias sets) and nn.Linear(40, 1).
/// assert_eq!(<LstmLayer<f32, 1, 40, 2> as Module>::PARAM_COUNT, 6_880);
/// assert_eq!(<Linear<f32, 40, 1> as Module>::PARAM_COUNT, 41);
/// assert_eq!(<Linear<f32, 40, 1> as Module>::describe(), "Linear(40 -> 1)");
/// ```
pub trait Module: Sized {
    /// The element type the part computes in.
    type Float: Float;
    /// Its number of parameters, counted as the library whose layout the type has counts them
    /// (a two-bias-set LSTM as PyTorch, one set as Keras).
    const PARAM_COUNT: usize;

    /// What the part is, in a summary table's words: `"LSTM(1 -> 40)"`, `"Linear(40 -> 1)"`.
    #[cfg(feature = "std")]
    fn describe() -> String;

    /// Reads the part whose tensors are under `scope` (`""`, `"rec."`, `"lstm/"`): an LSTM
    /// anywhere under it (Keras keeps a layer's cell one level down, `lstm/lstm_cell/`), any
    /// other layer's tensors directly under it. Parameters under the layer's prefix that the
    /// type has no place for are errors, as when the layer is loaded alone.
    ///
    /// # Errors
    /// The [`LoadError`] loading the layer alone would give.
    #[cfg(feature = "std")]
    fn read(file: &mut ModelFile<'_>, scope: &str) -> Result<Self, LoadError>;
}

/// The parameters of one cell of input `I`, hidden `H`, `B` bias sets and output `R`.
const fn cell_parameters(i: usize, h: usize, b: usize, r: usize) -> usize {
    let projection = if r == h { 0 } else { r * h };
    4 * h * (i + r + b) + projection
}

#[cfg(feature = "std")]
fn describe_cell(i: usize, h: usize, r: usize) -> String {
    if r == h {
        format!("LSTM({i} -> {h})")
    } else {
        format!("LSTM({i} -> {h}, projected to {r})")
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>> Module
    for LstmLayer<T, I, H, B, R, S>
{
    type Float = T;
    const PARAM_COUNT: usize = cell_parameters(I, H, B, R);

    #[cfg(feature = "std")]
    fn describe() -> String {
        describe_cell(I, H, R)
    }

    #[cfg(feature = "std")]
    fn read(file: &mut ModelFile<'_>, scope: &str) -> Result<Self, LoadError> {
        crate::io::read_lstm(file, scope)
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> Module
    for LstmWeights<T, I, H, B, R>
{
    type Float = T;
    const PARAM_COUNT: usize = cell_parameters(I, H, B, R);

    #[cfg(feature = "std")]
    fn describe() -> String {
        describe_cell(I, H, R)
    }

    #[cfg(feature = "std")]
    fn read(file: &mut ModelFile<'_>, scope: &str) -> Result<Self, LoadError> {
        crate::io::read_lstm(file, scope)
    }
}

/// PyTorch's `bidirectional=True` (`_l0`, `_l0_reverse` under one prefix), or Keras'
/// `Bidirectional(LSTM(..))`, whose two cells sit under `forward_*` and `backward_*`.
#[allow(
    private_bounds,
    reason = "`ReadableCell` is sealed: the cell types that implement it are the public ones"
)]
impl<C: ReadableCell + Module, const O: usize> Module for Bidirectional<C, O> {
    type Float = C::Float;
    const PARAM_COUNT: usize = 2 * C::PARAM_COUNT;

    #[cfg(feature = "std")]
    fn describe() -> String {
        format!("Bidirectional({})", C::describe())
    }

    #[cfg(feature = "std")]
    fn read(file: &mut ModelFile<'_>, scope: &str) -> Result<Self, LoadError> {
        crate::io::read_bidirectional_by(
            file,
            scope,
            |reader| Self::read_layers(reader, 0),
            |reader, slot| C::read_cell(reader, slot),
            Bidirectional::new,
        )
    }
}

/// A PyTorch `nn.LSTM` of several layers, under one prefix (`_l0`, `_l1`, ..).
impl<Lower, Upper> Module for Stacked<Lower, Upper>
where
    Lower: ReadableStack + Module,
    Upper: ReadableStack + Module<Float = Lower::Float>,
{
    type Float = Lower::Float;
    const PARAM_COUNT: usize = Lower::PARAM_COUNT + Upper::PARAM_COUNT;

    #[cfg(feature = "std")]
    fn describe() -> String {
        format!("{}, {}", Lower::describe(), Upper::describe())
    }

    #[cfg(feature = "std")]
    fn read(file: &mut ModelFile<'_>, scope: &str) -> Result<Self, LoadError> {
        crate::io::read_lstm(file, scope)
    }
}

impl<T: Float, const I: usize, const O: usize> Module for Linear<T, I, O> {
    type Float = T;
    const PARAM_COUNT: usize = O * I + O;

    #[cfg(feature = "std")]
    fn describe() -> String {
        format!("Linear({I} -> {O})")
    }

    #[cfg(feature = "std")]
    fn read(file: &mut ModelFile<'_>, scope: &str) -> Result<Self, LoadError> {
        let (layer, names) = Linear::read_at(file.file, scope, file.options())?;
        file.done(names);
        Ok(layer)
    }
}

impl<T: Float, const V: usize, const D: usize> Module for Embedding<T, V, D> {
    type Float = T;
    const PARAM_COUNT: usize = V * D;

    #[cfg(feature = "std")]
    fn describe() -> String {
        format!("Embedding({V} x {D})")
    }

    #[cfg(feature = "std")]
    fn read(file: &mut ModelFile<'_>, scope: &str) -> Result<Self, LoadError> {
        let (table, names) = Embedding::read_at(file.file, scope, file.options())?;
        file.done(names);
        Ok(table)
    }
}

/// No tensors: reading it reads nothing.
impl<F: Function, T: Float, const N: usize> Module for Activation<F, T, N> {
    type Float = T;
    const PARAM_COUNT: usize = 0;

    #[cfg(feature = "std")]
    fn describe() -> String {
        format!("{}({N})", F::NAME)
    }

    #[cfg(feature = "std")]
    fn read(_: &mut ModelFile<'_>, _: &str) -> Result<Self, LoadError> {
        Ok(Activation::new())
    }
}

/// The inner layer's tensors, under the same scope.
impl<L: Module> Module for Residual<L> {
    type Float = L::Float;
    const PARAM_COUNT: usize = L::PARAM_COUNT;

    #[cfg(feature = "std")]
    fn describe() -> String {
        format!("Residual({})", L::describe())
    }

    #[cfg(feature = "std")]
    fn read(file: &mut ModelFile<'_>, scope: &str) -> Result<Self, LoadError> {
        Ok(Residual::new(L::read(file, scope)?))
    }
}
