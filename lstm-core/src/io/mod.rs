//! Loading weights from safetensors files and saving them, in PyTorch's and Keras' naming
//! (the names themselves are `lstm-naming`'s, shared with the derive).
//!
//! Every tensor is checked against the static type before a single weight is used: a file that
//! does not fit is an [`LoadError`] naming the tensor, what was expected and what was found.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | [`WeightFile`]: the load and save methods, written once for every weight type |
//! | `options.rs` | [`LoadOptions`]: where the LSTM is and what to accept |
//! | `error.rs` | [`LoadError`], [`SaveError`] |
//! | `json.rs` | JSON `state_dict`s (the amp-modelling tools' files), read into the same tensors |
//! | `torch.rs` | PyTorch `.pt` files: a zip reader and a pickle reader that runs nothing |
//! | `keras.rs` | Keras 3 `.keras` and `.weights.h5` files (HDF5), renamed into Keras' variable names |
//! | `inspect.rs` | what a file holds, without a type: [`inspect`] |
//! | `header.rs` | the safetensors header's own checks: duplicated names, sizes, its length limit |
//! | `read.rs` | finding the LSTM in a file, reading and checking its tensors |
//! | `write.rs` | laying weights out as a naming's tensors |
//! | `layers.rs` | the layers around an LSTM: `Linear` (PyTorch `nn.Linear`, Keras `Dense`) and `Embedding` |
//! | `compile.rs` | compile-time weights: a file read and packed inside the derive, sizes as values |
//! | `model.rs` | a whole model from one file: [`Module`] (each part reads itself), [`read_model`], [`ModelSummary`] |

#[doc(hidden)]
pub mod compile;
mod error;
mod header;
mod inspect;
mod json;
#[cfg(feature = "keras")]
mod keras;
mod layers;
mod model;
mod options;
mod read;
mod torch;
mod write;

use std::collections::HashMap;
use std::path::Path;

use lstm_naming::CellSlot;
pub use lstm_naming::Naming;
use safetensors::tensor::SafeTensors;

pub use error::{LoadError, SaveError};
pub use header::MAX_HEADER_BYTES;
pub use inspect::{Found, Inspection, inspect};
#[doc(hidden)]
pub use model::read_part;
pub use model::{
    ModelFile, ModelSummary, ReadCandidate, load_first_fit, load_model, read_first_fit, read_model,
};
pub(crate) use model::{read_bidirectional_by, read_lstm};
pub use options::LoadOptions;
pub use read::TensorReader;
use read::{Location, locate, reject_unexpected};
pub use write::TensorWriter;

use crate::{Bidirectional, Float, LstmLayer, LstmWeights, Stacked, Storage};

/// Weights that a safetensors file can hold: a cell ([`LstmLayer`], or the logical
/// [`LstmWeights`]), a bidirectional layer, or a stack of them, in PyTorch's numbering of layers
/// (`_l0`, `_l1`, ..., `_reverse`). In the [`prelude`](crate::prelude).
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LoadOptions, LstmLayer, Naming, Stacked};
/// /// Saves any weights in PyTorch's naming and loads them back.
/// fn round_trip<W: WeightFile>(weights: &W) -> Result<W, Box<dyn std::error::Error>> {
///     let bytes = weights.to_safetensors(Naming::PyTorch, "rnn.")?;
///     Ok(W::from_safetensors(&bytes, &LoadOptions::new())?)
/// }
/// let stack = Stacked::new(LstmLayer::<f32, 3, 4>::zeros(), LstmLayer::<f32, 4, 4>::zeros());
/// assert_eq!(round_trip(&stack)?, stack);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait WeightFile: Sized {
    /// How many of PyTorch's layers the weights span.
    const LAYERS: usize;

    /// Reads the weights from layer `first_layer` on.
    ///
    /// # Errors
    /// As [`from_safetensors`](Self::from_safetensors).
    fn read_layers(reader: &mut TensorReader<'_>, first_layer: usize) -> Result<Self, LoadError>;

    /// Writes the weights as layer `first_layer` on.
    ///
    /// # Errors
    /// As [`to_safetensors`](Self::to_safetensors).
    fn write_layers(&self, writer: &mut TensorWriter, first_layer: usize) -> Result<(), SaveError>;

    /// Loads weights from the bytes of a safetensors file written by PyTorch (`nn.LSTM`,
    /// `nn.LSTMCell`) or Keras (`LSTM`), checking every tensor against this type.
    ///
    /// The same call reads the other files users have, told from the first bytes: a
    /// `.pt`/`.pth` file from `torch.save(model.state_dict(), ..)` (or a checkpoint holding one
    /// under `model_state_dict`), whose pickle is read without running any of it; a Keras 3
    /// `.keras` or `.weights.h5` file (with the default `keras` feature); the JSON `state_dict`
    /// the guitar-amp modelling tools write and RTNeural's JSON model files. A legacy pickle or
    /// another kind of file is an error that names it.
    ///
    /// Element types f32, f64, f16 and bf16 convert to `T` (f64 into `f32` rounds to nearest).
    /// Bias sets are matched in order; when the file has more than the type, the type's last
    /// set receives the sum of the rest, and when it has fewer, the type's extra sets are zero:
    ///
    /// | file | `B = 0` | `B = 1` (single) | `B = 2` (double) |
    /// |---|---|---|---|
    /// | PyTorch, `bias=True` | error: unexpected `bias_ih_l0` | `b = bias_ih + bias_hh` | `bias_ih`, `bias_hh` |
    /// | Keras, `use_bias=True` | error: unexpected `bias` | `bias` | `bias`, zeros |
    /// | no biases | loads | error: missing `bias_ih_l0` / `bias` | error: missing |
    ///
    /// A sum of bias sets is checked as the tensors are: two finite sets whose sum overflows
    /// are an error naming both (`bias_ih_l0 + bias_hh_l0`) unless non-finite values are
    /// allowed.
    ///
    /// A projected type (`R != H`) also reads PyTorch's `weight_hr_l0` `(R, H)`; Keras and
    /// `nn.LSTMCell` files, which have no projection, give [`LoadError::Unsupported`]. A stack
    /// or a bidirectional layer reads PyTorch `nn.LSTM` files (`_l1`, `_reverse`).
    ///
    /// Limits: the file's header is at most [`MAX_HEADER_BYTES`](crate::MAX_HEADER_BYTES); a
    /// tensor is converted only after its shape matched the type, so what the loader allocates
    /// is bounded by the type's own size (a file cannot make it allocate more).
    ///
    /// # Errors
    /// A [`LoadError`] naming the tensor at fault: missing, unexpected (a parameter under the
    /// LSTM's prefix that the type has no place for, such as `weight_ih_l1` in a one-layer
    /// type; with [`LoadOptions::strict`], any tensor there), of the wrong shape or element type,
    /// holding NaN or infinity, named twice, or of a size that does not fit its shape; or a
    /// file that is not safetensors, is truncated, has a header over the limit, or holds no
    /// LSTM or several.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LoadOptions, LstmLayer, LstmWeights, Naming};
    /// let weights = LstmWeights::<f32, 3, 2>::from_fn(|_, _, row, col| (row + col) as f32);
    /// let bytes = weights.to_safetensors(Naming::PyTorch, "encoder.lstm.")?;
    /// let loaded = LstmLayer::<f32, 3, 2>::from_safetensors(&bytes, &LoadOptions::new())?;
    /// assert_eq!(loaded.to_weights(), weights);
    ///
    /// let wrong = LstmLayer::<f32, 4, 2>::from_safetensors(&bytes, &LoadOptions::new());
    /// assert_eq!(
    ///     wrong.unwrap_err().to_string(),
    ///     "tensor `encoder.lstm.weight_ih_l0` has shape (8, 3), expected (8, 4)"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn from_safetensors(bytes: &[u8], options: &LoadOptions) -> Result<Self, LoadError> {
        load_weights(bytes, options)
    }

    /// Reads a safetensors file and loads it with [`from_safetensors`](Self::from_safetensors).
    ///
    /// # Errors
    /// [`LoadError::Io`] if the file cannot be read; otherwise as `from_safetensors`.
    fn load(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Self, LoadError> {
        load_weights(&read_file(path.as_ref())?, options)
    }

    /// The weights as a safetensors file in `naming`, each name behind `prefix`, in `T`'s
    /// element type.
    ///
    /// PyTorch naming writes bias set 0 as `bias_ih` and the sum of the others as `bias_hh`
    /// (zeros for a single-bias type, so `bias_ih + bias_hh` is its `b`); Keras naming writes
    /// the sum of all sets as `bias`. A type without biases writes no bias tensor. Loading the
    /// result into the same type gives identical weights, except a double-bias type saved in
    /// Keras naming, whose two sets Keras can only hold as their sum, and a type of more than two
    /// sets, which PyTorch's two tensors hold as set 0 (`bias_ih`) and the sum of the others.
    ///
    /// A projected type (`R != H`) also writes PyTorch's `weight_hr_l0`.
    ///
    /// # Errors
    /// [`SaveError::Unsupported`] if the naming cannot hold these weights (a projection, a
    /// second layer or direction outside PyTorch `nn.LSTM` naming); [`SaveError::Format`] if
    /// the safetensors writer refuses the header (over 100 MB of it).
    fn to_safetensors(&self, naming: Naming, prefix: &str) -> Result<Vec<u8>, SaveError> {
        save_weights(self, naming, prefix)
    }

    /// Writes [`to_safetensors`](Self::to_safetensors) to a file.
    ///
    /// # Errors
    /// [`SaveError::Io`] if the file cannot be written; otherwise as `to_safetensors`.
    fn save(&self, path: impl AsRef<Path>, naming: Naming, prefix: &str) -> Result<(), SaveError> {
        write_file(path.as_ref(), save_weights(self, naming, prefix)?)
    }
}

/// One cell's tensors at one slot of a file: what a cell type and a bidirectional layer of
/// such cells read and write.
pub(crate) trait CellFile: Sized {
    fn read_cell(reader: &mut TensorReader<'_>, slot: CellSlot) -> Result<Self, LoadError>;
    fn write_cell(&self, writer: &mut TensorWriter, slot: CellSlot) -> Result<(), SaveError>;
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> CellFile
    for LstmWeights<T, I, H, B, R>
{
    fn read_cell(reader: &mut TensorReader<'_>, slot: CellSlot) -> Result<Self, LoadError> {
        reader.read_cell(slot)
    }

    fn write_cell(&self, writer: &mut TensorWriter, slot: CellSlot) -> Result<(), SaveError> {
        writer.write_cell(self, slot)
    }
}

/// Read as logical tensors and packed; written from the tensors [`LstmLayer::to_weights`]
/// rebuilds.
impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    CellFile for LstmLayer<T, I, H, B, R, S>
{
    fn read_cell(reader: &mut TensorReader<'_>, slot: CellSlot) -> Result<Self, LoadError> {
        Ok(reader.read_cell::<T, I, H, B, R>(slot)?.pack_as::<S>())
    }

    fn write_cell(&self, writer: &mut TensorWriter, slot: CellSlot) -> Result<(), SaveError> {
        writer.write_cell(&self.to_weights(), slot)
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> WeightFile
    for LstmWeights<T, I, H, B, R>
{
    const LAYERS: usize = 1;

    fn read_layers(reader: &mut TensorReader<'_>, first_layer: usize) -> Result<Self, LoadError> {
        Self::read_cell(reader, CellSlot::forward(first_layer))
    }

    fn write_layers(&self, writer: &mut TensorWriter, first_layer: usize) -> Result<(), SaveError> {
        self.write_cell(writer, CellSlot::forward(first_layer))
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize, S: Storage<T>>
    WeightFile for LstmLayer<T, I, H, B, R, S>
{
    const LAYERS: usize = 1;

    fn read_layers(reader: &mut TensorReader<'_>, first_layer: usize) -> Result<Self, LoadError> {
        Self::read_cell(reader, CellSlot::forward(first_layer))
    }

    fn write_layers(&self, writer: &mut TensorWriter, first_layer: usize) -> Result<(), SaveError> {
        self.write_cell(writer, CellSlot::forward(first_layer))
    }
}

/// A bidirectional layer: PyTorch's `*_l0` and `*_l0_reverse` tensors.
#[allow(
    private_bounds,
    reason = "`CellFile` is sealed: the cell types that implement it are the public ones"
)]
impl<C: CellFile, const O: usize> WeightFile for Bidirectional<C, O> {
    const LAYERS: usize = 1;

    fn read_layers(reader: &mut TensorReader<'_>, first_layer: usize) -> Result<Self, LoadError> {
        Ok(Bidirectional::new(
            C::read_cell(reader, CellSlot::forward(first_layer))?,
            C::read_cell(reader, CellSlot::reverse(first_layer))?,
        ))
    }

    fn write_layers(&self, writer: &mut TensorWriter, first_layer: usize) -> Result<(), SaveError> {
        self.forward
            .write_cell(writer, CellSlot::forward(first_layer))?;
        self.reverse
            .write_cell(writer, CellSlot::reverse(first_layer))
    }
}

/// A stack: PyTorch's layers `_l0`, `_l1`, ... in order.
impl<Lower: WeightFile, Upper: WeightFile> WeightFile for Stacked<Lower, Upper> {
    const LAYERS: usize = Lower::LAYERS + Upper::LAYERS;

    fn read_layers(reader: &mut TensorReader<'_>, first_layer: usize) -> Result<Self, LoadError> {
        let lower = Lower::read_layers(reader, first_layer)?;
        let upper = Upper::read_layers(reader, first_layer + Lower::LAYERS)?;
        Ok(Stacked::new(lower, upper))
    }

    fn write_layers(&self, writer: &mut TensorWriter, first_layer: usize) -> Result<(), SaveError> {
        self.lower.write_layers(writer, first_layer)?;
        self.upper.write_layers(writer, first_layer + Lower::LAYERS)
    }
}

/// Finds the LSTM in `bytes`, reads `W` from it and rejects every other parameter under its
/// prefix (every other tensor, with [`LoadOptions::strict`]).
pub(crate) fn load_weights<W: WeightFile>(
    bytes: &[u8],
    options: &LoadOptions,
) -> Result<W, LoadError> {
    let mut converted = Vec::new();
    let file = header::open(bytes, &mut converted)?;
    Ok(read_weights(&file, options)?.0)
}

/// [`load_weights`] from an opened file; also returns the names of the tensors read.
pub(crate) fn read_weights<W: WeightFile>(
    file: &SafeTensors<'_>,
    options: &LoadOptions,
) -> Result<(W, Vec<String>), LoadError> {
    read_weights_by(file, options, |reader| W::read_layers(reader, 0))
}

/// [`read_weights`] with the layers read by `read` (the typed layers, or compile-time weights
/// reading by sizes given as values).
pub(crate) fn read_weights_by<W>(
    file: &SafeTensors<'_>,
    options: &LoadOptions,
    read: impl FnOnce(&mut TensorReader<'_>) -> Result<W, LoadError>,
) -> Result<(W, Vec<String>), LoadError> {
    let Location { prefix, naming } = locate(file, options)?;
    let mut reader = TensorReader {
        file,
        prefix,
        naming,
        options,
        expected: Vec::new(),
    };
    let weights = read(&mut reader)?;
    reject_unexpected(file, &reader.prefix, reader.expected.clone(), options)?;
    Ok((weights, reader.expected))
}

/// Writes `weights` as a safetensors file in `naming` behind `prefix`.
fn save_weights<W: WeightFile>(
    weights: &W,
    naming: Naming,
    prefix: &str,
) -> Result<Vec<u8>, SaveError> {
    let mut writer = TensorWriter {
        prefix: prefix.to_owned(),
        naming,
        tensors: Vec::new(),
    };
    weights.write_layers(&mut writer, 0)?;
    let metadata = match naming {
        // What `safetensors.torch.save_file` writes, so PyTorch tooling recognises the file.
        Naming::PyTorch | Naming::PyTorchCell => {
            Some(HashMap::from([("format".to_owned(), "pt".to_owned())]))
        }
        Naming::Keras => None,
    };
    safetensors::serialize(writer.tensors, metadata).map_err(|error| SaveError::Format {
        reason: error.to_string(),
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })
}

fn write_file(path: &Path, bytes: Vec<u8>) -> Result<(), SaveError> {
    std::fs::write(path, bytes).map_err(|source| SaveError::Io {
        path: path.to_owned(),
        source,
    })
}
