//! Why a file could not be loaded or written: errors that name the tensor at fault.

use std::fmt;
use std::path::PathBuf;

use safetensors::tensor::SafeTensorError;

/// Why a file could not be loaded into a weight type. Each variant names the tensor at fault and
/// what was expected; none is ever a panic.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LoadError, LoadOptions, LstmLayer, Naming};
/// let bytes = LstmLayer::<f32, 3, 2>::zeros().to_safetensors(Naming::PyTorch, "")?;
/// match LstmLayer::<f32, 4, 2>::from_safetensors(&bytes, &LoadOptions::new()) {
///     Err(LoadError::Shape { name, expected, found }) => {
///         assert_eq!((name.as_str(), expected, found), ("weight_ih_l0", vec![8, 4], vec![8, 3]));
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// A JSON file that is not a `state_dict` of tensors (nested lists of numbers).
    Json {
        /// What is wrong, with the tensor's name where one is at fault.
        reason: String,
    },
    /// A zip archive that is not a readable PyTorch `state_dict` (damaged, compressed, or a
    /// pickle that does more than build tensors).
    Torch {
        /// What is wrong, with the tensor's name or the pickle's instruction where one is at
        /// fault.
        reason: String,
    },
    /// A Keras `.keras` or `.weights.h5` file that could not be read: its HDF5 structure, or a
    /// variable of an element type other than f32 and f64.
    Keras {
        /// What is wrong.
        reason: String,
    },
    /// A file of another kind than the loader reads (a zip archive, HDF5, a pickle), named as
    /// what it is.
    OtherFormat {
        /// What the file is, and what to do.
        what: &'static str,
    },
    /// Two tensors of the file's header have the same name. JSON allows it and the safetensors
    /// parser keeps one of them, so which one would be loaded is not the file's to say.
    DuplicateTensor {
        /// The name given twice.
        name: String,
    },
    /// The header's length field is over [`MAX_HEADER_BYTES`](crate::MAX_HEADER_BYTES): a
    /// damaged file, or not a safetensors file.
    HeaderTooLarge {
        /// The length the file gives its header.
        size: u64,
        /// The limit.
        limit: usize,
    },
    /// No LSTM was recognised: none of the tensor names the loader looks for is in the file.
    NoLstm {
        /// The names looked for, with the prefix if one was given.
        looked_for: Vec<String>,
        /// The prefixes under which the file does hold an LSTM, when the prefix given matches
        /// none of them (`"lstm2"` where the file has `"lstm2."`).
        found_under: Vec<String>,
    },
    /// Several LSTMs are in the file; [`LoadOptions::prefix`](super::LoadOptions::prefix) must choose one.
    Ambiguous {
        /// Each LSTM found, as its prefix and naming.
        found: Vec<String>,
    },
    /// A layer of a model (a field of a `#[derive(Model)]` struct) did not load.
    InLayer {
        /// The field.
        field: &'static str,
        /// Where in the file its tensors were looked for (`"rec."`, `"lstm/"`).
        scope: String,
        /// Why it did not load.
        source: Box<LoadError>,
    },
    /// A file that none of a `#[derive(Model)]` enum's variants fits.
    NoCandidate {
        /// The enum.
        model: &'static str,
        /// Each variant tried, in order, and why it did not fit.
        tried: Vec<(&'static str, LoadError)>,
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
    /// into `f32`), rejected unless [`LoadOptions::allow_non_finite`](super::LoadOptions::allow_non_finite) allows it.
    NonFinite {
        /// The tensor's name.
        name: String,
        /// The element's position in the tensor, in row-major order.
        index: usize,
        /// The value as stored in the file.
        value: f64,
    },
}

pub(super) fn shape_text(shape: &[usize]) -> String {
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
            LoadError::Json { reason } => write!(f, "not a JSON state_dict: {reason}"),
            LoadError::OtherFormat { what } => write!(f, "the file is {what}"),
            LoadError::Torch { reason } => write!(f, "not a readable PyTorch file: {reason}"),
            LoadError::Keras { reason } => write!(f, "not a readable Keras file: {reason}"),
            LoadError::DuplicateTensor { name } => {
                write!(f, "tensor `{name}` appears twice in the file's header")
            }
            LoadError::HeaderTooLarge { size, limit } => write!(
                f,
                "the safetensors header is {size} bytes, over the limit of {limit} bytes"
            ),
            LoadError::NoLstm {
                looked_for,
                found_under,
            } => {
                write!(
                    f,
                    "no LSTM weights found: looked for {}",
                    name_list(looked_for)
                )?;
                match &found_under[..] {
                    [] => f.write_str(
                        " (name the prefix with `LoadOptions::prefix` if the file uses another \
                         one)",
                    ),
                    [prefix] => write!(
                        f,
                        "; the file has one under `{prefix}`: did you mean \
                         `LoadOptions::prefix(\"{prefix}\")`?"
                    ),
                    several => write!(f, "; the file has LSTMs under {}", name_list(several)),
                }
            }
            LoadError::InLayer {
                field,
                scope,
                source,
            } => match &**source {
                LoadError::NoLstm { found_under, .. } => {
                    write!(f, "layer `{field}`: no LSTM weights under `{scope}`")?;
                    let names = found_under
                        .iter()
                        .filter_map(|prefix| sibling_name(scope, prefix))
                        .collect::<Vec<_>>();
                    match &names[..] {
                        [] => Ok(()),
                        [name] => write!(
                            f,
                            "; the file has one under `{}`: did you mean \
                             `#[model(rename = \"{name}\")]`?",
                            found_under[0]
                        ),
                        _ => write!(f, "; the file has LSTMs under {}", name_list(found_under)),
                    }
                }
                source => write!(f, "layer `{field}`: {source}"),
            },
            LoadError::NoCandidate { model, tried } => {
                write!(f, "the file fits none of `{model}`'s models")?;
                for (name, error) in tried {
                    write!(f, "; `{name}`: {error}")?;
                }
                Ok(())
            }
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
                    f.write_str(
                        " (transposed: PyTorch stores a weight as (out, in), Keras as (in, out))",
                    )?;
                }
                Ok(())
            }
            LoadError::Dtype { name, found } => write!(
                f,
                "tensor `{name}` has element type {found}, expected F32, F64, F16 or BF16"
            ),
            LoadError::Unsupported { reason } => write!(f, "cannot load: {reason}"),
            LoadError::NonFinite { name, index, value } => {
                // An f64 beyond f32's range is finite: in scientific notation, not 301 digits.
                let value = if value.is_finite() {
                    format!("{value:e}")
                } else {
                    value.to_string()
                };
                write!(
                    f,
                    "tensor `{name}` holds {value} at element {index}; allow it with \
                     `LoadOptions::allow_non_finite`"
                )
            }
        }
    }
}

impl core::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            LoadError::InLayer { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The name a layer at `prefix` has beside the layer whose scope is `scope`: `lstm` for
/// `lstm/lstm_cell/` beside `lstm2.`, `enc.lstm.` beside `enc.rnn.` is `lstm`. `None` when
/// `prefix` is not beside it.
fn sibling_name(scope: &str, prefix: &str) -> Option<String> {
    let own = scope.strip_suffix(['.', '/']).unwrap_or(scope);
    let parent = own.rfind(['.', '/']).map_or("", |end| &own[..=end]);
    let rest = prefix.strip_prefix(parent)?;
    let name = rest
        .split(['.', '/'])
        .next()
        .filter(|name| !name.is_empty())?;
    Some(name.to_owned())
}

/// Why weights could not be written.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmLayer, Naming, SaveError};
/// // Keras' LSTM has no output projection.
/// let projected = LstmLayer::<f32, 3, 4, 1, 2>::zeros();
/// let err = projected.to_safetensors(Naming::Keras, "").unwrap_err();
/// assert!(matches!(err, SaveError::Unsupported { .. }));
/// ```
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

impl core::error::Error for SaveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SaveError::Io { source, .. } => Some(source),
            SaveError::Unsupported { .. } | SaveError::Format { .. } => None,
        }
    }
}

pub(super) fn format_error(error: &SafeTensorError) -> LoadError {
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
