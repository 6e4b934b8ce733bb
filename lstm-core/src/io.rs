//! Loading weights from safetensors files and saving them, in PyTorch's and Keras' naming.
//!
//! Every tensor is checked against the static type before a single weight is used: a file that
//! does not fit is an [`LoadError`] naming the tensor, what was expected and what was found.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensorError, SafeTensors, TensorView};

use crate::{
    Bf16, Bidirectional, F16, Float, Gate, GateBiases, Linear, LstmLayer, LstmWeights, Matrix,
    Role, Stacked, Storage, Vector,
};

use lstm_naming::CellSlot;
pub use lstm_naming::Naming;

/// How to find and check the LSTM in a file. The default finds the one LSTM in the file by its
/// tensor names, whatever their prefix, and rejects NaN and infinite values.
///
/// ```
/// use lstm_core::{LoadOptions, Naming};
/// let options = LoadOptions::new().prefix("encoder.lstm.").naming(Naming::PyTorch);
/// # let _ = options;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    prefix: Option<String>,
    naming: Option<Naming>,
    allow_non_finite: bool,
}

impl LoadOptions {
    /// The defaults: find the LSTM, reject non-finite values.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads the LSTM whose tensor names start with `prefix` (`"encoder.lstm."`,
    /// `"lstm/lstm_cell/"`), ignoring every tensor outside it. Needed when a file holds several
    /// LSTMs.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Expects the tensor names of one library rather than recognising them.
    #[must_use]
    pub fn naming(mut self, naming: Naming) -> Self {
        self.naming = Some(naming);
        self
    }

    /// Accepts NaN and infinite weights instead of failing with [`LoadError::NonFinite`].
    #[must_use]
    pub fn allow_non_finite(mut self, allow: bool) -> Self {
        self.allow_non_finite = allow;
        self
    }
}

/// Why a file could not be loaded into a weight type. Each variant names the tensor at fault and
/// what was expected; none is ever a panic.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The bytes are not a safetensors file: too short, or a header that is not JSON.
    NotSafetensors {
        /// What the safetensors parser said.
        reason: String,
    },
    /// A safetensors header whose lengths or offsets do not fit the data: a truncated or
    /// damaged file.
    Corrupt {
        /// What the safetensors parser said.
        reason: String,
    },
    /// No LSTM was recognised: none of the tensor names the loader looks for is in the file.
    NoLstm {
        /// The names looked for, with the prefix if one was given.
        looked_for: Vec<String>,
    },
    /// Several LSTMs are in the file; [`LoadOptions::prefix`] must choose one.
    Ambiguous {
        /// Each LSTM found, as its prefix and naming.
        found: Vec<String>,
    },
    /// A tensor the type needs is not in the file.
    MissingTensor {
        /// The full name looked for.
        name: String,
        /// The shape it must have.
        expected_shape: Vec<usize>,
    },
    /// A tensor under the LSTM's prefix that the type has no place for (a second layer's
    /// `weight_ih_l1`, biases for a type without biases): never skipped silently.
    UnexpectedTensor {
        /// The tensor's name.
        name: String,
        /// Its shape.
        shape: Vec<usize>,
        /// Every tensor the type does expect under that prefix.
        expected: Vec<String>,
    },
    /// A tensor of the wrong shape.
    Shape {
        /// The tensor's name.
        name: String,
        /// The shape the type requires.
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
    },
    /// A tensor whose element type is not a float the loader converts (f32, f64, f16, bf16).
    Dtype {
        /// The tensor's name.
        name: String,
        /// The element type in the file.
        found: String,
    },
    /// The type needs something the file's naming cannot hold: an output projection from
    /// `nn.LSTMCell` or Keras, which have none.
    Unsupported {
        /// What is missing, and where it can be had.
        reason: String,
    },
    /// A NaN or infinite value (also one that overflows the storage type, such as 1e300 loaded
    /// into `f32`), rejected unless [`LoadOptions::allow_non_finite`] allows it.
    NonFinite {
        /// The tensor's name.
        name: String,
        /// The element's position in the tensor, in row-major order.
        index: usize,
        /// The value as stored in the file.
        value: f64,
    },
}

fn shape_text(shape: &[usize]) -> String {
    match shape {
        [len] => format!("({len},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn name_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => {
                write!(f, "cannot read `{}`: {source}", path.display())
            }
            LoadError::NotSafetensors { reason } => write!(f, "not a safetensors file: {reason}"),
            LoadError::Corrupt { reason } => {
                write!(f, "truncated or corrupt safetensors file: {reason}")
            }
            LoadError::NoLstm { looked_for } => write!(
                f,
                "no LSTM weights found: looked for {} (name the prefix with `LoadOptions::prefix` \
                 if the file uses another one)",
                name_list(looked_for)
            ),
            LoadError::Ambiguous { found } => write!(
                f,
                "the file holds several LSTMs ({}); choose one with `LoadOptions::prefix`",
                found.join(", ")
            ),
            LoadError::MissingTensor {
                name,
                expected_shape,
            } => write!(
                f,
                "missing tensor `{name}`, expected of shape {}",
                shape_text(expected_shape)
            ),
            LoadError::UnexpectedTensor {
                name,
                shape,
                expected,
            } => write!(
                f,
                "unexpected tensor `{name}` of shape {}: the type has no place for it (it expects \
                 only {})",
                shape_text(shape),
                name_list(expected)
            ),
            LoadError::Shape {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "tensor `{name}` has shape {}, expected {}",
                    shape_text(found),
                    shape_text(expected)
                )?;
                let transposed = found.len() == 2
                    && expected.len() == 2
                    && (found[0], found[1]) == (expected[1], expected[0]);
                if transposed {
                    f.write_str(" (transposed: PyTorch stores (4H, I), Keras (I, 4H))")?;
                }
                Ok(())
            }
            LoadError::Dtype { name, found } => write!(
                f,
                "tensor `{name}` has element type {found}, expected F32, F64, F16 or BF16"
            ),
            LoadError::Unsupported { reason } => write!(f, "cannot load: {reason}"),
            LoadError::NonFinite { name, index, value } => write!(
                f,
                "tensor `{name}` holds {value} at element {index}; allow it with \
                 `LoadOptions::allow_non_finite`"
            ),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why weights could not be written.
#[derive(Debug)]
#[non_exhaustive]
pub enum SaveError {
    /// The file could not be written.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The naming cannot hold the weights: an output projection in `nn.LSTMCell` or Keras
    /// naming.
    Unsupported {
        /// What cannot be written, and in which naming it can.
        reason: String,
    },
    /// The safetensors writer refused the tensors (a header over its size limit).
    Format {
        /// What the safetensors writer said.
        reason: String,
    },
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Io { path, source } => {
                write!(f, "cannot write `{}`: {source}", path.display())
            }
            SaveError::Unsupported { reason } => write!(f, "cannot save: {reason}"),
            SaveError::Format { reason } => write!(f, "cannot write safetensors: {reason}"),
        }
    }
}

impl std::error::Error for SaveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SaveError::Io { source, .. } => Some(source),
            SaveError::Unsupported { .. } | SaveError::Format { .. } => None,
        }
    }
}

fn format_error(error: &SafeTensorError) -> LoadError {
    let reason = error.to_string();
    match error {
        SafeTensorError::HeaderTooSmall
        | SafeTensorError::HeaderTooLarge
        | SafeTensorError::InvalidHeader(_)
        | SafeTensorError::InvalidHeaderDeserialization(_)
        | SafeTensorError::JsonError(_) => LoadError::NotSafetensors { reason },
        _ => LoadError::Corrupt { reason },
    }
}

/// Where the LSTM sits in a file: its prefix and naming.
#[derive(Clone, PartialEq, Eq)]
struct Location {
    prefix: String,
    naming: Naming,
}

/// The LSTMs in a file that fit the options: a name ending in the naming's input weights, with
/// the recurrent weights beside it.
fn locate(file: &SafeTensors<'_>, options: &LoadOptions) -> Result<Location, LoadError> {
    let namings: Vec<Naming> = match options.naming {
        Some(naming) => vec![naming],
        None => Naming::ALL.to_vec(),
    };
    if let (Some(prefix), Some(naming)) = (&options.prefix, options.naming) {
        return Ok(Location {
            prefix: prefix.clone(),
            naming,
        });
    }
    let mut found = Vec::new();
    for name in file.names() {
        for &naming in &namings {
            let Ok(names) = naming.cell_names(CellSlot::FIRST) else {
                continue;
            };
            let Some(prefix) = name.strip_suffix(names.input.as_str()) else {
                continue;
            };
            let recurrent = names.recurrent;
            let fits_prefix = options
                .prefix
                .as_deref()
                .is_none_or(|wanted| wanted == prefix);
            if fits_prefix && file.tensor(&format!("{prefix}{recurrent}")).is_ok() {
                found.push(Location {
                    prefix: prefix.to_owned(),
                    naming,
                });
            }
        }
    }
    found.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    found.dedup();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            let prefix = options.prefix.as_deref().unwrap_or("");
            let looked_for = namings
                .iter()
                .filter_map(|naming| naming.cell_names(CellSlot::FIRST).ok())
                .map(|names| format!("{prefix}{}", names.input))
                .collect();
            Err(LoadError::NoLstm { looked_for })
        }
        _ => Err(LoadError::Ambiguous {
            found: found
                .iter()
                .map(|location| format!("`{}` ({})", location.prefix, location.naming))
                .collect(),
        }),
    }
}

/// Reads one tensor, checks its shape and values, and converts it to `T`.
fn read_tensor<T: Float>(
    file: &SafeTensors<'_>,
    name: &str,
    expected_shape: &[usize],
    options: &LoadOptions,
) -> Result<Vec<T>, LoadError> {
    let view = file.tensor(name).map_err(|_| LoadError::MissingTensor {
        name: name.to_owned(),
        expected_shape: expected_shape.to_vec(),
    })?;
    if view.shape() != expected_shape {
        return Err(LoadError::Shape {
            name: name.to_owned(),
            expected: expected_shape.to_vec(),
            found: view.shape().to_vec(),
        });
    }
    let values = decode(&view).ok_or_else(|| LoadError::Dtype {
        name: name.to_owned(),
        found: format!("{:?}", view.dtype()),
    })?;
    let mut converted = Vec::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        let element = T::from_f64(value);
        if !options.allow_non_finite && !element.is_finite() {
            return Err(LoadError::NonFinite {
                name: name.to_owned(),
                index,
                value,
            });
        }
        converted.push(element);
    }
    Ok(converted)
}

/// The elements of a float tensor as `f64` (exact for every supported type), or `None` for
/// another element type. Reads little-endian bytes one element at a time: the data need not be
/// aligned.
fn decode(view: &TensorView<'_>) -> Option<Vec<f64>> {
    let data = view.data();
    let values = match view.dtype() {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
            .collect(),
        Dtype::F16 => data
            .chunks_exact(2)
            .map(|b| f64::from(F16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32()))
            .collect(),
        Dtype::BF16 => data
            .chunks_exact(2)
            .map(|b| f64::from(Bf16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32()))
            .collect(),
        _ => return None,
    };
    Some(values)
}

/// Reads the tensors of one LSTM (one prefix and naming in one file) for the [`WeightFile`]
/// types, remembering every name it was asked for so that the rest can be rejected.
pub struct TensorReader<'a> {
    file: SafeTensors<'a>,
    prefix: String,
    naming: Naming,
    options: &'a LoadOptions,
    expected: Vec<String>,
}

impl TensorReader<'_> {
    /// Reads the cell at `slot`: checks and converts its tensors and builds the weights.
    fn read_cell<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>(
        &mut self,
        slot: CellSlot,
    ) -> Result<LstmWeights<T, I, H, B, R>, LoadError> {
        let naming = self.naming;
        let names = naming
            .cell_names(slot)
            .map_err(|reason| LoadError::Unsupported { reason })?;
        let full = |name: &str| format!("{}{name}", self.prefix);
        let projection_name = match (R != H, &names.projection) {
            (false, _) => None,
            (true, Some(name)) => Some(full(name)),
            (true, None) => {
                return Err(LoadError::Unsupported {
                    reason: format!(
                        "{naming} has no output projection; a type whose output ({R}) is not its \
                         hidden size ({H}) loads only from PyTorch nn.LSTM files (`weight_hr_l0`)"
                    ),
                });
            }
        };
        // Biases: the file's sets if the type has any, none otherwise (so that a file's biases
        // are reported as unexpected for a type without them).
        let bias_names: Vec<String> = if B == 0 {
            Vec::new()
        } else {
            names.biases.iter().map(|name| full(name)).collect()
        };
        let (input_name, recurrent_name) = (full(&names.input), full(&names.recurrent));
        self.expected
            .extend([input_name.clone(), recurrent_name.clone()]);
        self.expected.extend(bias_names.iter().cloned());
        self.expected.extend(projection_name.clone());

        let gates_hidden = 4 * H;
        let read =
            |name: &str, shape: &[usize]| read_tensor::<T>(&self.file, name, shape, self.options);
        let stacked_input = read(&input_name, &naming.stacked_shape(H, I))?;
        let stacked_recurrent = read(&recurrent_name, &naming.stacked_shape(H, R))?;
        let file_biases = bias_names
            .iter()
            .map(|name| read(name, &[gates_hidden]))
            .collect::<Result<Vec<_>, _>>()?;
        let projection = match &projection_name {
            Some(name) => read(name, &[R, H])?,
            None => Vec::new(),
        };
        Ok(LstmWeights::from_fn(|gate, role, row, col| match role {
            Role::Input => stacked_input[naming.stacked_index(gate.index(), row, col, H, I)],
            Role::Recurrent => {
                stacked_recurrent[naming.stacked_index(gate.index(), row, col, H, R)]
            }
            Role::Projection => projection[row * H + col],
            // File set `k` goes to the type's set `min(k, B - 1)`: in order, the last one taking
            // the rest. `set < B` here, so `B >= 1`.
            Role::Bias(set) => file_biases
                .iter()
                .enumerate()
                .filter(|&(file_set, _)| file_set.min(B - 1) == set)
                .fold(T::ZERO, |sum, (_, values)| {
                    sum + values[gate.index() * H + row]
                }),
        }))
    }
}

/// Collects the tensors of one LSTM to be written, for the [`WeightFile`] types.
pub struct TensorWriter {
    prefix: String,
    naming: Naming,
    tensors: Vec<(String, OwnedTensor)>,
}

impl TensorWriter {
    /// Adds the cell at `slot`.
    fn write_cell<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>(
        &mut self,
        weights: &LstmWeights<T, I, H, B, R>,
        slot: CellSlot,
    ) -> Result<(), SaveError> {
        let naming = self.naming;
        let names = naming
            .cell_names(slot)
            .map_err(|reason| SaveError::Unsupported { reason })?;
        let gates_hidden = 4 * H;
        let mut input = vec![T::ZERO; gates_hidden * I];
        let mut recurrent = vec![T::ZERO; gates_hidden * R];
        for gate in Gate::ALL {
            for row in 0..H {
                for (col, &value) in weights.input_weights(gate)[row].iter().enumerate() {
                    input[naming.stacked_index(gate.index(), row, col, H, I)] = value;
                }
                for (col, &value) in weights.recurrent_weights(gate)[row].iter().enumerate() {
                    recurrent[naming.stacked_index(gate.index(), row, col, H, R)] = value;
                }
            }
        }
        let prefix = &self.prefix;
        self.tensors.push((
            format!("{prefix}{}", names.input),
            OwnedTensor::new(naming.stacked_shape(H, I).to_vec(), &input),
        ));
        self.tensors.push((
            format!("{prefix}{}", names.recurrent),
            OwnedTensor::new(naming.stacked_shape(H, R).to_vec(), &recurrent),
        ));
        if B > 0 {
            let mut file_sets = vec![vec![T::ZERO; gates_hidden]; names.biases.len()];
            for (set, biases) in weights.biases.iter().enumerate() {
                stack_biases(biases, &mut file_sets[set.min(names.biases.len() - 1)]);
            }
            for (name, values) in names.biases.iter().zip(&file_sets) {
                self.tensors.push((
                    format!("{prefix}{name}"),
                    OwnedTensor::new(vec![gates_hidden], values),
                ));
            }
        }
        if let Some(w_hr) = weights.projection() {
            let Some(name) = names.projection else {
                return Err(SaveError::Unsupported {
                    reason: format!(
                        "{naming} has no output projection; save a projected LSTM in PyTorch \
                         nn.LSTM naming"
                    ),
                });
            };
            self.tensors.push((
                format!("{prefix}{name}"),
                OwnedTensor::new(vec![R, H], w_hr.as_flattened()),
            ));
        }
        Ok(())
    }
}

/// Weights that a safetensors file can hold: a cell ([`LstmLayer`], or the logical
/// [`LstmWeights`]), a bidirectional layer, or a stack of them, in PyTorch's numbering of layers
/// (`_l0`, `_l1`, ..., `_reverse`). In the [`prelude`](crate::prelude).
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
    /// A projected type (`R != H`) also reads PyTorch's `weight_hr_l0` `(R, H)`; Keras and
    /// `nn.LSTMCell` files, which have no projection, give [`LoadError::Unsupported`]. A stack
    /// or a bidirectional layer reads PyTorch `nn.LSTM` files (`_l1`, `_reverse`).
    ///
    /// # Errors
    /// A [`LoadError`] naming the tensor at fault: missing, unexpected (any tensor under the
    /// LSTM's prefix that the type has no place for), of the wrong shape or element type,
    /// holding NaN or infinity; or a file that is not safetensors, is truncated, or holds no
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
    /// Keras naming, whose two sets Keras can only hold as their sum.
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

/// Finds the LSTM in `bytes`, reads `W` from it and rejects every other tensor under its prefix.
fn load_weights<W: WeightFile>(bytes: &[u8], options: &LoadOptions) -> Result<W, LoadError> {
    let file = SafeTensors::deserialize(bytes).map_err(|error| format_error(&error))?;
    let Location { prefix, naming } = locate(&file, options)?;
    let mut reader = TensorReader {
        file,
        prefix,
        naming,
        options,
        expected: Vec::new(),
    };
    let weights = W::read_layers(&mut reader, 0)?;
    reject_unexpected(&reader.file, &reader.prefix, reader.expected)?;
    Ok(weights)
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

/// Adds one bias set, gates i, f, c, o one after the other, to a stacked `(4H,)` vector.
fn stack_biases<T: Float, const H: usize>(biases: &GateBiases<T, H>, stacked: &mut [T]) {
    for gate in Gate::ALL {
        for (row, &value) in biases.gate(gate).iter().enumerate() {
            stacked[gate.index() * H + row] += value;
        }
    }
}

/// A tensor to be written: its shape and little-endian bytes.
struct OwnedTensor {
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl OwnedTensor {
    fn new<T: Float>(shape: Vec<usize>, values: &[T]) -> Self {
        let (dtype, bytes) = if T::BITS == 32 {
            #[allow(
                clippy::cast_possible_truncation,
                reason = "T is f32: the round trip is exact"
            )]
            let bytes = values
                .iter()
                .flat_map(|v| (v.to_f64() as f32).to_le_bytes())
                .collect();
            (Dtype::F32, bytes)
        } else {
            (
                Dtype::F64,
                values
                    .iter()
                    .flat_map(|v| v.to_f64().to_le_bytes())
                    .collect(),
            )
        };
        OwnedTensor {
            dtype,
            shape,
            bytes,
        }
    }
}

impl safetensors::View for OwnedTensor {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Borrowed(&self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

impl<T: Float, const I: usize, const O: usize> Linear<T, I, O> {
    /// Loads `{prefix}weight` `(O, I)` and `{prefix}bias` `(O,)`, as PyTorch's `nn.Linear` saves
    /// them, from the bytes of a safetensors file; every other tensor under `prefix` is an error,
    /// tensors outside it are ignored. Element types convert as for
    /// [`WeightFile::from_safetensors`]; [`LoadOptions::allow_non_finite`] applies, its prefix
    /// and naming do not.
    ///
    /// # Errors
    /// A [`LoadError`] naming the tensor: missing, unexpected, of the wrong shape or element
    /// type, or non-finite; or a file that is not safetensors or is truncated.
    ///
    /// ```
    /// use lstm_core::{Linear, LoadOptions};
    /// let head = Linear::<f32, 4, 2>::zeros();
    /// let bytes = head.to_safetensors("head.")?;
    /// let wrong = Linear::<f32, 8, 2>::from_safetensors(&bytes, "head.", &LoadOptions::new());
    /// assert_eq!(
    ///     wrong.unwrap_err().to_string(),
    ///     "tensor `head.weight` has shape (2, 4), expected (2, 8)"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_safetensors(
        bytes: &[u8],
        prefix: &str,
        options: &LoadOptions,
    ) -> Result<Self, LoadError> {
        let file = SafeTensors::deserialize(bytes).map_err(|error| format_error(&error))?;
        let expected = vec![format!("{prefix}weight"), format!("{prefix}bias")];
        let weight = read_tensor::<T>(&file, &expected[0], &[O, I], options)?;
        let bias = read_tensor::<T>(&file, &expected[1], &[O], options)?;
        reject_unexpected(&file, prefix, expected)?;
        Ok(Linear {
            weight: Matrix::from_fn(|row, col| weight[row * I + col]),
            bias: Vector::from_fn(|row| bias[row]),
        })
    }

    /// The layer as a safetensors file with PyTorch's names `{prefix}weight` and `{prefix}bias`.
    ///
    /// # Errors
    /// [`SaveError::Format`] if the safetensors writer refuses the header.
    pub fn to_safetensors(&self, prefix: &str) -> Result<Vec<u8>, SaveError> {
        let tensors = vec![
            (
                format!("{prefix}weight"),
                OwnedTensor::new(vec![O, I], self.weight.as_flattened()),
            ),
            (
                format!("{prefix}bias"),
                OwnedTensor::new(vec![O], &self.bias[..]),
            ),
        ];
        safetensors::serialize(tensors, None).map_err(|error| SaveError::Format {
            reason: error.to_string(),
        })
    }
}

/// Where a tensor name falls in PyTorch's `state_dict` order (by layer, forward before reverse,
/// then `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, `weight_hr`), then by name: the first
/// unexpected tensor of a 2-layer file in a 1-layer type is then `weight_ih_l1`, the one a user
/// recognises, and the same file always gives the same error.
fn state_dict_order(name: &str) -> (usize, bool, usize, &str) {
    const KINDS: [&str; 5] = ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"];
    let base = name.rsplit(['.', '/']).next().unwrap_or(name);
    let kind = KINDS
        .iter()
        .position(|kind| base.starts_with(kind))
        .unwrap_or(KINDS.len());
    let reverse = base.ends_with("_reverse");
    let layer = base
        .split("_l")
        .nth(1)
        .map(|rest| rest.trim_end_matches("_reverse"))
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0);
    (layer, reverse, kind, name)
}

/// Fails with the first tensor under `prefix` that is not `expected`, in `state_dict` order.
fn reject_unexpected(
    file: &SafeTensors<'_>,
    prefix: &str,
    expected: Vec<String>,
) -> Result<(), LoadError> {
    let unexpected = file
        .iter()
        .filter(|(name, _)| name.starts_with(prefix) && !expected.iter().any(|e| e == name))
        .min_by_key(|(name, _)| state_dict_order(name));
    match unexpected {
        Some((name, view)) => Err(LoadError::UnexpectedTensor {
            name: name.to_owned(),
            shape: view.shape().to_vec(),
            expected,
        }),
        None => Ok(()),
    }
}
