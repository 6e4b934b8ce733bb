//! Fixed-size LSTM weights, state and forward step.
//!
//! This is the core of the [`lstm`](https://docs.rs/lstm) crate, usable on its own, without the
//! derive. Every size is a const generic, `I` the input size and `H` the hidden size:
//!
//! - [`Matrix<T, R, C>`](Matrix) and [`Vector<T, N>`](Vector): heap-backed tensors that
//!   dereference to plain arrays;
//! - [`LstmLayer<T, I, H>`](LstmLayer): a cell ready to run, its weights packed for the
//!   kernels chosen for this CPU; [`LstmWeights<T, I, H, B>`](LstmWeights): the same weights
//!   as logical tensors (`W`, `U` and `B` sets of biases `b` for the four gates), to build,
//!   inspect, load and save;
//! - [`LstmState<T, H>`](LstmState): `h` and `c`, kept apart from the weights;
//! - [`Bidirectional`] and [`Stacked`]: layers that compose, and [`Linear`], PyTorch's
//!   `nn.Linear`, the usual head of a small model;
//! - the verbs every layer shares, in the [`prelude`]: [`StreamingLayer::step`],
//!   [`Layer::run`], [`Layer::run_batch`] (and `run_with`, `run_batch_with` with a reusable
//!   workspace); [`Compute`] to choose a whole model's kernel and weight storage;
//! - [`WeightFile`]: loading from and saving to PyTorch's and Keras' safetensors files,
//!   checked tensor by tensor against the type ([`LoadError`]);
//! - [`LstmSpec`], [`InputIs`], [`HiddenIs`], [`Feeds`]: what `#[derive(Lstm)]` implements.
//!
//! ```
//! use lstm_core::prelude::*;
//! use lstm_core::{LstmState, LstmWeights};
//!
//! let weights = LstmWeights::<f32, 100, 256>::from_fn(|_, _, row, col| {
//!     ((row * 31 + col * 17) % 11) as f32 / 100.0 - 0.05
//! });
//! let cell = weights.pack();
//! let mut state = LstmState::zeros();
//! let h: [f32; 256] = cell.step(&[0.5; 100], &mut state);
//! assert!(h.iter().all(|v| v.abs() < 1.0));
//! ```
//!
//! A shape mismatch does not compile:
//!
//! ```compile_fail
//! use lstm_core::prelude::*;
//! use lstm_core::{LstmLayer, LstmState};
//! let cell = LstmLayer::<f32, 100, 256>::zeros();
//! cell.step(&[0.5; 99], &mut LstmState::zeros()); // expected `&[f32; 100]`
//! ```
// `unsafe` only in `arch/`: the SIMD kernels, called after detecting their CPU features.
#![deny(unsafe_code)]
// Without `std`: no heap at all (the layers run over static, compile-time weights).
#![cfg_attr(not(feature = "std"), no_std)]
// Without `std`, the imports and helpers of the heap-built paths (packing, hoisting, loading)
// are unused; the `std` build, which CI lints, keeps both lints.
#![cfg_attr(not(feature = "std"), allow(unused_imports, dead_code))]

mod arch;
mod cell;
mod element;
mod embed;
#[cfg(feature = "std")]
mod io;
mod kernel;
mod layer;
mod spec;
mod state;
mod storage;
mod tensor;

pub use cell::{
    BatchLengthError, CellRef, Gate, GateBiasRefs, GateBiases, LstmWeights, Projection, Role,
    SequenceLengthError,
};
pub use element::Float;
pub use embed::{Aligned, Plain, cast};
#[cfg(feature = "std")]
#[doc(hidden)]
pub use io::compile;
#[cfg(feature = "std")]
pub use io::{
    Found, Inspection, LoadError, LoadOptions, MAX_HEADER_BYTES, ModelFile, ModelSummary, Naming,
    ReadCandidate, SaveError, TensorReader, TensorWriter, WeightFile, inspect, load_first_fit,
    load_model, read_first_fit, read_model, read_part,
};
pub use kernel::{Kernel, KernelUnavailable, TILE};
#[cfg(feature = "std")]
pub use layer::Compute;
#[cfg(feature = "std")]
#[doc(hidden)]
pub use layer::run_batch_variant;
pub use layer::{
    Activation, Bidirectional, BidirectionalWorkspace, CellStates, Embedding, Function, Identity,
    Layer, Linear, LstmLayer, LstmWorkspace, Module, Relu, Residual, Sigmoid, Softmax,
    StackWorkspace, Stacked, StreamingLayer, Tanh, Token, Zeros,
};
#[doc(hidden)]
pub use layer::{RunChain, StackPart, StepChain, hand_off, same_io};
#[cfg(feature = "std")]
pub use spec::group_digits;
pub use spec::{Feeds, HiddenIs, InputIs, LstmSpec, State, Summary, TensorInfo, Weights};
pub use state::LstmState;
pub use storage::{Bf16, F16, F32Lanes, Storage};
pub use tensor::{LengthError, Matrix, Tensor, Vector};

/// The `rayon` that [`Layer::run_batch_parallel`] runs on (the `rayon` feature), to configure its
/// threads with the same version: `lstm::rayon::ThreadPoolBuilder`.
#[cfg(feature = "rayon")]
pub use rayon;

/// The type-level numbers of [`LstmSpec::Input`] and [`LstmSpec::Hidden`], re-exported so that
/// generic code names the same crate version.
pub use typenum;

/// The traits that carry the verbs, to import with a glob: `use lstm::prelude::*;`.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmLayer, LstmState};
/// let cell = LstmLayer::<f32, 1, 4>::zeros();
/// let mut state = LstmState::zeros();
/// let h = cell.step(&[0.25], &mut state);
/// let mut outputs = [[0.0; 4]; 3];
/// cell.run(&[[0.25]; 3], &mut outputs, &mut state)?;
/// # let _ = h;
/// # Ok::<(), lstm_core::SequenceLengthError>(())
/// ```
pub mod prelude {
    pub use crate::{CellStates, Layer, StreamingLayer, Zeros};
    #[cfg(feature = "std")]
    pub use crate::{Compute, WeightFile};
}
