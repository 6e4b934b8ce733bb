//! Fixed-size LSTM weights, state and forward step.
//!
//! This is the core of the [`lstm`](https://docs.rs/lstm) crate, usable on its own, without the
//! derive. Every size is a const generic, `I` the input size and `H` the hidden size:
//!
//! - [`Matrix<T, R, C>`](Matrix) and [`Vector<T, N>`](Vector): heap-backed tensors that
//!   dereference to plain arrays;
//! - [`LstmWeights<T, I, H, B>`](LstmWeights): `W`, `U` and `B` sets of biases `b` for the four gates;
//! - [`LstmState<T, H>`](LstmState): `h` and `c`, kept apart from the weights;
//! - [`CellRef`]: borrowed tensors and the forward step, [`CellRef::step`] and [`CellRef::run`];
//! - [`LstmWeights::from_safetensors`], [`LstmWeights::load`] and [`LstmWeights::save`]: weights
//!   in PyTorch's and Keras' files, checked tensor by tensor against the type ([`LoadError`]);
//! - [`Linear<T, I, O>`](Linear): PyTorch's `nn.Linear`, the usual head of a small model;
//! - [`LstmSpec`], [`InputIs`], [`HiddenIs`], [`Feeds`]: what `#[derive(Lstm)]` implements.
//!
//! ```
//! use lstm_core::{LstmState, LstmWeights};
//!
//! let weights = LstmWeights::<f32, 100, 256>::from_fn(|_, _, row, col| {
//!     ((row * 31 + col * 17) % 11) as f32 / 100.0 - 0.05
//! });
//! let mut state = LstmState::zeros();
//! let h: &[f32; 256] = weights.step(&[0.5; 100], &mut state);
//! assert!(h.iter().all(|v| v.abs() < 1.0));
//! ```
//!
//! A shape mismatch does not compile:
//!
//! ```compile_fail
//! use lstm_core::{LstmState, LstmWeights};
//! let weights = LstmWeights::<f32, 100, 256>::zeros();
//! weights.step(&[0.5; 99], &mut LstmState::zeros()); // expected `&[f32; 100]`
//! ```
// `unsafe` only to call the SIMD kernels after detecting their CPU features (`packed.rs`).
#![deny(unsafe_code)]

mod cell;
mod element;
mod io;
mod layer;
mod linear;
mod packed;
mod spec;
mod state;
mod tensor;

pub use cell::{
    BatchLengthError, CellRef, Gate, GateBiasRefs, GateBiases, LstmWeights, Projection, Role,
    SequenceLengthError,
};
pub use element::Float;
pub use io::{LoadError, LoadOptions, Naming, SaveError, TensorReader, TensorWriter, WeightFile};
pub use layer::{
    Bidirectional, CellStates, Layer, RunBatch, RunSequence, StackWorkspace, Stacked,
    StreamingLayer, Zeros,
};
pub use linear::Linear;
pub use packed::{Bf16, F16, F32Lanes, Kernel, KernelUnavailable, PackedLstm, Storage, TILE};
pub use spec::{
    Feeds, HiddenIs, InputIs, LstmSpec, State, Summary, TensorInfo, Weights, group_digits,
};
pub use state::LstmState;
pub use tensor::{LengthError, Matrix, Tensor, Vector};

/// The type-level numbers of [`LstmSpec::Input`] and [`LstmSpec::Hidden`], re-exported so that
/// generic code names the same crate version.
pub use typenum;
