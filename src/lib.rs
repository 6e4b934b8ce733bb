#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

/// `#[derive(Lstm)]` and `#[lstm(input = I, hidden = H)]`.
///
/// On a unit struct, the struct becomes a *spec*: it gets the inherent constants `INPUT`,
/// `HIDDEN`, `PARAM_COUNT` and `TENSORS`, a `summary()` table, and implementations of
/// [`LstmSpec`], [`InputIs`], [`HiddenIs`] and [`Feeds`]. Its weights are
/// [`Weights<Spec>`](Weights), the core's [`LstmLayer`] of that shape (a cell ready to run,
/// with the fastest kernel the CPU has).
///
/// ```
/// use lstm::prelude::*;
/// use lstm::{Lstm, LstmState, Weights};
///
/// #[derive(Lstm)]
/// #[lstm(input = 100, hidden = 256)]
/// pub struct Encoder;
///
/// assert_eq!(Encoder::PARAM_COUNT, 365_568);
/// static BUFFER: [f32; Encoder::PARAM_COUNT] = [0.0; Encoder::PARAM_COUNT];
///
/// let weights = Weights::<Encoder>::zeros();
/// let mut state = LstmState::zeros();
/// let h: [f32; Encoder::HIDDEN] = weights.step(&[0.0; Encoder::INPUT], &mut state);
/// # let _ = (h, &BUFFER);
/// ```
///
/// The attribute's keys:
///
/// - `input = I` and `hidden = H`: integer literals, both required;
/// - `bias = "single"` (default; one `b` per gate, as Keras), `"double"` (PyTorch's `bias_ih` and
///   `bias_hh` kept apart) or `"none"`. It sets `PARAM_COUNT` and the `B` of
///   [`LstmWeights<T, I, H, B>`](LstmWeights);
/// - `proj = P`: PyTorch's `proj_size`, `0 < P < H`: `h` is projected to `P` elements by `W_hr`,
///   the recurrent weights become `H x P`, and `OUTPUT` is `P`;
/// - `layers = L` (PyTorch's `num_layers`, default 1) and `bidirectional` (a flag): the weights
///   become [`Stacked`] layers of cells or [`Bidirectional`] pairs, every layer's input size
///   computed by the macro, and `OUTPUT` is `D * R` (`D` = 2 when bidirectional).
///
/// Limits, each a compile error on the literal that passes it: `input`, `hidden` and `proj` are
/// at most 65,536 (the state and each step's input and output are arrays on the stack; an `f64`
/// state of that size is half a spawned thread's default stack), `layers` at most 64 (the
/// weights' type nests one level per layer, and thousands exhaust the compiler).
///
/// On a struct with named fields, the struct is the user's own weight struct: its fields
/// `w_i, u_i, b_i, w_f, u_f, b_f, w_c, u_c, b_c, w_o, u_o, b_o` (`g` may replace `c`; with
/// `bias = "none"` no `b` fields, with `"double"` PyTorch's `b_ii, b_hi, .., b_io, b_ho`) must have
/// the shapes the attribute implies, checked at compile time, and the struct gets the same
/// constants plus `as_cell` (the reference step's view) and `pack` (the cell that runs them).
///
/// ```
/// use lstm::prelude::*;
/// use lstm::{Lstm, LstmState, Matrix, Vector};
///
/// #[derive(Lstm)]
/// #[lstm(input = 3, hidden = 2)]
/// struct Tiny {
///     w_i: Matrix<f64, 2, 3>, u_i: Matrix<f64, 2, 2>, b_i: Vector<f64, 2>,
///     w_f: Matrix<f64, 2, 3>, u_f: Matrix<f64, 2, 2>, b_f: Vector<f64, 2>,
///     w_g: Matrix<f64, 2, 3>, u_g: Matrix<f64, 2, 2>, b_g: Vector<f64, 2>,
///     w_o: Matrix<f64, 2, 3>, u_o: Matrix<f64, 2, 2>, b_o: Vector<f64, 2>,
/// }
///
/// let tiny = Tiny {
///     w_i: Matrix::zeros(), u_i: Matrix::zeros(), b_i: Vector::zeros(),
///     w_f: Matrix::zeros(), u_f: Matrix::zeros(), b_f: Vector::zeros(),
///     w_g: Matrix::zeros(), u_g: Matrix::zeros(), b_g: Vector::zeros(),
///     w_o: Matrix::zeros(), u_o: Matrix::zeros(), b_o: Vector::zeros(),
/// };
/// let mut state = LstmState::zeros();
/// assert_eq!(tiny.pack().step(&[1.0, 2.0, 3.0], &mut state), [0.0, 0.0]);
/// ```
///
/// A field of the wrong shape is a compile error on that field:
///
/// ```compile_fail
/// # use lstm::{Lstm, Matrix, Vector};
/// #[derive(Lstm)]
/// #[lstm(input = 100, hidden = 256)]
/// struct Transposed {
///     w_i: Matrix<f32, 100, 256>, // error: field `w_i` must be 256 x 100 (hidden x input)
/// #   u_i: Matrix<f32, 256, 256>, b_i: Vector<f32, 256>,
/// #   w_f: Matrix<f32, 256, 100>, u_f: Matrix<f32, 256, 256>, b_f: Vector<f32, 256>,
/// #   w_c: Matrix<f32, 256, 100>, u_c: Matrix<f32, 256, 256>, b_c: Vector<f32, 256>,
/// #   w_o: Matrix<f32, 256, 100>, u_o: Matrix<f32, 256, 256>, b_o: Vector<f32, 256>,
/// }
/// ```
pub use lstm_macros::Lstm;

pub use lstm_core::{
    Activation, BatchLengthError, Bf16, Bidirectional, BidirectionalWorkspace, CellRef, CellStates,
    Compute, Embedding, F16, Feeds, Float, Found, Function, Gate, GateBiasRefs, GateBiases,
    HiddenIs, Identity, InputIs, Inspection, Kernel, KernelUnavailable, Layer, LengthError, Linear,
    LoadError, LoadOptions, LstmLayer, LstmSpec, LstmState, LstmWeights, MAX_HEADER_BYTES, Matrix,
    Naming, Projection, Relu, Residual, Role, SaveError, SequenceLengthError, Sigmoid, Softmax,
    StackWorkspace, Stacked, State, Storage, StreamingLayer, Summary, TILE, Tanh, Tensor,
    TensorInfo, TensorReader, TensorWriter, Token, Vector, WeightFile, Weights, Zeros,
    group_digits, inspect, prelude, typenum,
};

/// What the code `#[derive(Lstm)]` writes refers to: absolute paths through this module keep
/// the generated code independent of what the user has in scope. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use lstm_core::{
        Bidirectional, CellRef, Feeds, Float, GateBiasRefs, HiddenIs, InputIs, LstmLayer, LstmSpec,
        LstmState, Projection, Stacked, Summary, Tensor, TensorInfo, typenum,
    };
}
