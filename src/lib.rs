#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Without the `std` feature: `#![no_std]` with no `alloc` (layers over compile-time weights).
#![cfg_attr(not(feature = "std"), no_std)]

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
/// - `weights = "models/amp.safetensors"`: the weights compiled in (below); `storage = "f32"`
///   (the default), `"f64"`, `"bf16"` or `"f16"` says how they are kept (the half-precision
///   ones computed in `f32`).
///
/// Limits, each a compile error on the literal that passes it: `input`, `hidden` and `proj` are
/// at most 65,536 (the state and each step's input and output are arrays on the stack; an `f64`
/// state of that size is half a spawned thread's default stack), `layers` at most 64 (the
/// weights' type nests one level per layer, and thousands exhaust the compiler).
///
/// With `weights = ".."` (a file in any format the loader reads, relative to the crate's
/// `Cargo.toml`), the derive reads the file when the crate compiles, checks every tensor
/// against the spec with the run-time loader's code and words, packs it into the kernels'
/// layout and puts it in the program as static data; `Spec::compiled()` returns the ready
/// weights (no file, no heap, no `Result`). A file that does not fit is a compile error on the
/// literal; the build re-runs when the file changes; files over 256 MiB are refused.
///
/// ```
/// use lstm::prelude::*;
/// use lstm::Lstm;
///
/// #[derive(Lstm)]
/// #[lstm(input = 5, hidden = 7, layers = 2, bias = "double",
///        weights = "tests/fixtures/layers2_f32.safetensors", storage = "bf16")]
/// struct Deep;
///
/// let deep = Deep::compiled(); // `Stacked<LstmLayer<f32, 5, 7, 2, 7, Bf16>, ..>`
/// let h: [f32; 7] = deep.step(&[0.5; 5], &mut deep.zero_state());
/// # let _ = h;
/// ```
///
/// ```compile_fail
/// # use lstm::Lstm;
/// #[derive(Lstm)] // error: weights file `..`: tensor `lstm.weight_ih_l0` has shape (28, 5), expected (32, 5)
/// #[lstm(input = 5, hidden = 8, weights = "tests/fixtures/layers2_f32.safetensors")]
/// struct Wrong;
/// ```
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

/// `#[derive(Model)]`: a whole model as one struct, its fields the layers, in the order they
/// run.
///
/// Each field is a layer type ([`Weights<Spec>`](Weights) or any [`LstmLayer`], a
/// [`Bidirectional`] pair, [`Linear`], [`Embedding`], an [`Activation`], a [`Residual`], or
/// another model); each layer's output type must be the next one's input type, checked at
/// compile time on the receiving field. The struct gets:
///
/// - [`Layer`] and, unless a layer is bidirectional, [`StreamingLayer`]: `step`, `run`,
///   `run_batch` as one layer, each field's own fast path (nothing is copied: the fields run
///   by reference);
/// - `PARAM_COUNT`, the sum of its layers' counts (PyTorch's `sum(p.numel())`, Keras'
///   `count_params()` for the same model), and `summary()`, a table per layer;
/// - `from_safetensors(bytes, &LoadOptions)` and `load(path, &LoadOptions)`: the whole model
///   from one file (safetensors, a PyTorch `.pt` `state_dict`, the amp tools' JSON, RTNeural's
///   JSON), each field from the tensors under its name: `rec.` as PyTorch names a submodule,
///   `rec/` as Keras names a layer. An LSTM may sit deeper (Keras' `lstm/lstm_cell/`);
///   [`LoadOptions::prefix`] names the model's own place in the file, tensors outside every
///   layer are ignored unless [`LoadOptions::strict`];
/// - [`Module`], so that the model can be a field of a larger one.
///
/// A model may take const parameters, its sizes: `struct Amp<const H: usize> { rec:
/// LstmLayer<f32, 1, H, 2>, lin: Linear<f32, H, 1> }` is one declaration for every hidden size
/// (`Amp::<40>::load(..)`), each hand-off still checked on the field.
///
/// `#[model(weights = "..")]` compiles a file in: read, checked and packed by the derive, each
/// field built from static data by `Model::compiled()` (no file, no heap, no `Result`; a file
/// that does not fit is a compile error on the literal). The macro reads each field's type, so
/// a compiled model's fields are spelled out with literal sizes: `LstmLayer<f32, 1, 20, 2>`
/// (storage as its last parameter: `LstmLayer<f32, 1, 20, 2, 20, F16>`), `Bidirectional<..>`,
/// `Stacked<..>`, `Linear<..>`, `Embedding<..>`, `Activation<..>`, `Residual<..>`; the model
/// has no const parameters.
///
/// ```
/// use lstm::prelude::*;
/// use lstm::{Linear, LstmLayer, Model};
///
/// #[derive(Model)]
/// #[model(residual, weights = "tests/fixtures/amp_lstm20.json")]
/// struct Amp {
///     rec: LstmLayer<f32, 1, 20, 2>,
///     lin: Linear<f32, 20, 1>,
/// }
///
/// let amp = Amp::compiled();
/// let [y] = amp.step(&[0.25], &mut amp.zero_state());
/// # let _ = y;
/// ```
///
/// Without the `std` feature (`no_std`, no heap) a model has its verbs, `PARAM_COUNT` and
/// `compiled()`; loading, `summary()` and enums of models need `std`.
///
/// Attributes: `#[model(residual)]` on the struct adds the model's input to its output (the
/// first `O` of the `I` input values, as guitar-amp models do); `#[model(rename = "lin")]` on a
/// field names its tensors (`rename = "layers.0"` for RTNeural's numbered layers, `""` for the
/// top level).
///
/// An amp model, `Linear(LSTM(x)) + x`, from the JSON `state_dict` PyTorch tools write:
///
/// ```
/// use lstm::prelude::*;
/// use lstm::{Linear, LoadOptions, LstmLayer, Model};
///
/// #[derive(Model)]
/// #[model(residual)]
/// struct Amp {
///     rec: LstmLayer<f32, 1, 2, 2>, // nn.LSTM(1, 2): PyTorch's two bias sets
///     #[model(rename = "lin")]
///     head: Linear<f32, 2, 1>,
/// }
///
/// let json = r#"{
///     "rec.weight_ih_l0": [[0.1], [0.2], [0.3], [0.4], [0.5], [0.6], [0.7], [0.8]],
///     "rec.weight_hh_l0": [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]],
///     "rec.bias_ih_l0": [0, 0, 0, 0, 0, 0, 0, 0],
///     "rec.bias_hh_l0": [0, 0, 0, 0, 0, 0, 0, 0],
///     "lin.weight": [[1.0, -1.0]],
///     "lin.bias": [0.5]
/// }"#;
/// let amp = Amp::from_safetensors(json.as_bytes(), &LoadOptions::new())?;
/// assert_eq!(Amp::PARAM_COUNT, 4 * 2 * (1 + 2 + 2) + 3); // PyTorch's sum(p.numel())
/// let mut state = amp.zero_state();
/// let y: [f32; 1] = amp.step(&[0.25], &mut state); // sample by sample
/// assert!((y[0] - 0.75).abs() < 0.01);
/// println!("{}", Amp::summary());
/// # Ok::<(), lstm::LoadError>(())
/// ```
///
/// On an enum whose variants each hold a model (`Small(AmpSmall)`), the derive makes a choice
/// among compiled shapes, as plug-ins that load any of several model sizes need: `load` and
/// `from_safetensors` load the first variant the file fits (in declaration order), or fail
/// with [`LoadError::NoCandidate`] listing every variant and why it did not fit; the enum runs
/// with the same verbs, each call going to the model it holds at that model's fixed-size
/// speed. Beside it the derive writes `{Enum}State` (the state of the model it holds; a state
/// of another variant starts from zero) and `{Enum}Workspace`; it adds `variant()`,
/// `param_count()` and `CANDIDATES`. Every variant must take and give the same types as the
/// first, checked on the variant.
///
/// ```
/// use lstm::prelude::*;
/// use lstm::{Linear, LoadError, LoadOptions, LstmLayer, Model};
///
/// #[derive(Model)]
/// #[model(residual)]
/// struct AmpSmall { rec: LstmLayer<f32, 1, 8, 2>, lin: Linear<f32, 8, 1> }
///
/// #[derive(Model)]
/// #[model(residual)]
/// struct AmpLarge { rec: LstmLayer<f32, 1, 40, 2>, lin: Linear<f32, 40, 1> }
///
/// #[derive(Model)]
/// enum AnyAmp {
///     Small(AmpSmall),
///     Large(AmpLarge),
/// }
///
/// // An amp tool's JSON state_dict for nn.LSTM(1, hidden) and nn.Linear(hidden, 1), all zeros.
/// let amp_file = |hidden: usize| {
///     let matrix = |rows: usize, cols: usize| vec![vec![0.0f32; cols]; rows];
///     serde_json::json!({
///         "rec.weight_ih_l0": matrix(4 * hidden, 1), "rec.weight_hh_l0": matrix(4 * hidden, hidden),
///         "rec.bias_ih_l0": vec![0.0; 4 * hidden], "rec.bias_hh_l0": vec![0.0; 4 * hidden],
///         "lin.weight": matrix(1, hidden), "lin.bias": [0.0],
///     })
///     .to_string()
/// };
/// let amp = AnyAmp::from_safetensors(amp_file(40).as_bytes(), &LoadOptions::new())?;
/// assert_eq!(amp.variant(), "Large");
/// let mut state = amp.zero_state();
/// assert_eq!(amp.step(&[0.25], &mut state), [0.25]); // zero weights: the input passes
///
/// let Err(err) = AnyAmp::from_safetensors(amp_file(16).as_bytes(), &LoadOptions::new()) else {
///     unreachable!("hidden 16 is neither variant")
/// };
/// assert!(matches!(err, LoadError::NoCandidate { .. }));
/// assert!(err.to_string().contains(
///     "`Small`: layer `rec`: tensor `rec.weight_ih_l0` has shape (64, 1), expected (32, 1)"
/// ));
/// # Ok::<(), LoadError>(())
/// ```
///
/// A layer whose input is not the previous layer's output does not compile; the error is on
/// the field and names both array types:
///
/// ```compile_fail
/// use lstm::{Linear, LstmLayer, Model};
/// #[derive(Model)]
/// struct Wrong {
///     rec: LstmLayer<f32, 1, 40>,
///     head: Linear<f32, 32, 1>, // expected `[f32; 32]`, found `[f32; 40]`
/// }
/// ```
pub use lstm_macros::Model;

/// The `rayon` that `run_batch_parallel` runs on (the `rayon` feature).
#[cfg(feature = "rayon")]
pub use lstm_core::rayon;
pub use lstm_core::{
    Activation, Aligned, BatchLengthError, Bf16, Bidirectional, BidirectionalWorkspace, CellRef,
    CellStates, Embedding, F16, Feeds, Float, Function, Gate, GateBiasRefs, GateBiases, HiddenIs,
    Identity, InputIs, Kernel, KernelUnavailable, Layer, LengthError, Linear, LstmLayer, LstmSpec,
    LstmState, LstmWeights, LstmWorkspace, Matrix, Module, Plain, Projection, Relu, Residual, Role,
    SequenceLengthError, Sigmoid, Softmax, StackWorkspace, Stacked, State, Storage, StreamingLayer,
    Summary, TILE, Tanh, Tensor, TensorInfo, Token, Vector, Weights, Zeros, cast, prelude, typenum,
};
/// Loading, saving and building weights on the heap (the `std` feature).
#[cfg(feature = "std")]
pub use lstm_core::{
    Compute, Found, Inspection, LoadError, LoadOptions, MAX_HEADER_BYTES, ModelFile, ModelSummary,
    Naming, ReadCandidate, SaveError, TensorReader, TensorWriter, WeightFile, group_digits,
    inspect, load_first_fit, load_model, read_first_fit, read_model,
};

/// Expands to its items with the `std` feature, to nothing without it: how generated code
/// keeps its heap-using parts (loading, summaries) out of `no_std` builds, which the macro
/// cannot see.
#[doc(hidden)]
#[macro_export]
#[cfg(feature = "std")]
macro_rules! __lstm_if_std {
    ($($item:tt)*) => { $($item)* };
}

/// See the `std` version.
#[doc(hidden)]
#[macro_export]
#[cfg(not(feature = "std"))]
macro_rules! __lstm_if_std {
    ($($item:tt)*) => {};
}

/// What the code `#[derive(Lstm)]` writes refers to: absolute paths through this module keep
/// the generated code independent of what the user has in scope. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::__lstm_if_std as if_std;
    pub use lstm_core::{
        Bidirectional, CellRef, Feeds, Float, GateBiasRefs, HiddenIs, InputIs, LstmLayer, LstmSpec,
        LstmState, Projection, Stacked, Summary, Tensor, TensorInfo, typenum,
    };
    // `#[derive(Model)]`.
    pub use lstm_core::{
        BatchLengthError, Layer, Module, Residual, RunChain, SequenceLengthError, StackWorkspace,
        StepChain, StreamingLayer, hand_off, same_io,
    };
    #[cfg(feature = "std")]
    pub use lstm_core::{
        LoadError, LoadOptions, ModelFile, ModelSummary, load_first_fit, load_model,
        read_first_fit, read_model, read_part, run_batch_variant,
    };
    // Compile-time weights.
    pub use lstm_core::{Activation, Aligned, Bf16, Embedding, F16, Linear, Matrix, Vector, cast};
    #[cfg(feature = "std")]
    pub use std::boxed::Box;
    #[cfg(feature = "std")]
    pub use std::path::Path;
    #[cfg(feature = "std")]
    pub use std::string::String;
    #[cfg(feature = "std")]
    pub use std::vec::Vec;
}
