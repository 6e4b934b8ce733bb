//! A whole model read from one file: each layer from its own part of the file, the tensors the
//! layers did not read checked at the end. What `#[derive(Model)]` generates calls these.

use core::fmt;
use std::path::Path;

use lstm_naming::CellSlot;
use safetensors::tensor::SafeTensors;

use super::read::{Location, TensorReader, locate, reject_unexpected};
use super::{LoadError, LoadOptions, Naming, WeightFile, header, read_file, read_weights_by};
use crate::Module;
use crate::spec::group_digits;

/// A file opened for a whole model: each [`Module`] reads its tensors from it, and the file
/// remembers every name read so that, with [`LoadOptions::strict`], the loader can reject the
/// rest.
pub struct ModelFile<'a> {
    pub(crate) file: &'a SafeTensors<'a>,
    /// The caller's options without `strict`, which applies to the whole file, not a layer.
    options: LoadOptions,
    read: Vec<String>,
}

impl ModelFile<'_> {
    /// The options every layer reads with: the caller's naming and non-finite rule.
    #[must_use]
    pub fn options(&self) -> &LoadOptions {
        &self.options
    }

    /// Where the part `name` of the model at `scope` keeps its tensors: `{scope}{name}.` as
    /// PyTorch's `state_dict` names a submodule, or `{scope}{name}/` as Keras names a layer's
    /// variables, whichever the file has (PyTorch's when it has neither, so that the error
    /// names what was looked for). An empty `name` is the scope itself.
    ///
    /// ```
    /// # use lstm_core::{LoadError, ModelFile};
    /// // In a Keras file, the layer `dense` of the model at the top level is under `dense/`.
    /// fn scope_of_dense(file: &ModelFile<'_>) -> String {
    ///     file.scope("", "dense")
    /// }
    /// # let _ = scope_of_dense;
    /// ```
    #[must_use]
    pub fn scope(&self, scope: &str, name: &str) -> String {
        if name.is_empty() {
            return scope.to_owned();
        }
        let keras = format!("{scope}{name}/");
        let pytorch_present = self.has_under(&format!("{scope}{name}."));
        if !pytorch_present && self.has_under(&keras) {
            keras
        } else {
            format!("{scope}{name}.")
        }
    }

    fn has_under(&self, prefix: &str) -> bool {
        self.file
            .names()
            .iter()
            .any(|name| name.starts_with(prefix))
    }

    /// Records the names a layer read.
    pub(crate) fn done(&mut self, names: Vec<String>) {
        self.read.extend(names);
    }

    /// The options for an LSTM somewhere under `scope`.
    fn lstm_options(&self, scope: &str) -> LoadOptions {
        LoadOptions {
            prefix: Some(scope.to_owned()),
            within: true,
            ..self.options.clone()
        }
    }
}

/// Opens `bytes` (any format [`WeightFile::from_safetensors`] reads) and reads `M` from it, at
/// the scope [`LoadOptions::prefix`] gives (the top level by default). With
/// [`LoadOptions::strict`], a tensor that no part of `M` read is an error. What the
/// `from_safetensors` of a `#[derive(Model)]` type calls.
///
/// ```
/// use lstm_core::{Linear, LoadOptions, read_model};
/// let bytes = Linear::<f32, 4, 2>::zeros().to_safetensors("head.")?;
/// let head: Linear<f32, 4, 2> = read_model(&bytes, &LoadOptions::new().prefix("head."))?;
/// # let _ = head;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// The first part's [`LoadError`], or with [`LoadOptions::strict`] an
/// [`UnexpectedTensor`](LoadError::UnexpectedTensor) naming a tensor no part read.
pub fn read_model<M: Module>(bytes: &[u8], options: &LoadOptions) -> Result<M, LoadError> {
    let mut converted = Vec::new();
    let file = header::open(bytes, &mut converted)?;
    read_opened(&file, options, M::read)
}

/// How a candidate of a [`read_first_fit`] reads itself from a file at a scope.
pub type ReadCandidate<M> = fn(&mut ModelFile<'_>, &str) -> Result<M, LoadError>;

/// Opens `bytes` once and reads the first of `candidates` that the file fits, in order; what
/// the `from_safetensors` of a `#[derive(Model)]` enum calls, each candidate one of its
/// variants. `model` names the enum in the error.
///
/// ```
/// use lstm_core::{Linear, LoadError, LoadOptions, Module, read_first_fit};
/// enum Head {
///     Small(Linear<f32, 4, 1>),
///     Large(Linear<f32, 8, 1>),
/// }
/// let bytes = Linear::<f32, 8, 1>::zeros().to_safetensors("head.")?;
/// let options = LoadOptions::new().prefix("head.");
/// let head = read_first_fit::<Head>(&bytes, &options, "Head", &[
///     ("Small", |file, scope| Ok(Head::Small(Module::read(file, scope)?))),
///     ("Large", |file, scope| Ok(Head::Large(Module::read(file, scope)?))),
/// ])?;
/// assert!(matches!(head, Head::Large(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`LoadError::NoCandidate`] with every candidate's own error when none fits; a file that
/// cannot be opened at all gives that error alone.
pub fn read_first_fit<M>(
    bytes: &[u8],
    options: &LoadOptions,
    model: &'static str,
    candidates: &[(&'static str, ReadCandidate<M>)],
) -> Result<M, LoadError> {
    let mut converted = Vec::new();
    let file = header::open(bytes, &mut converted)?;
    let mut tried = Vec::with_capacity(candidates.len());
    for &(name, read) in candidates {
        match read_opened(&file, options, read) {
            Ok(model) => return Ok(model),
            Err(error) => tried.push((name, error)),
        }
    }
    Err(LoadError::NoCandidate { model, tried })
}

/// Reads the file at `path` and loads the first of `candidates` it fits with
/// [`read_first_fit`]. What the `load` of a `#[derive(Model)]` enum calls.
///
/// # Errors
/// [`LoadError::Io`] if the file cannot be read; otherwise as [`read_first_fit`].
pub fn load_first_fit<M>(
    path: &Path,
    options: &LoadOptions,
    model: &'static str,
    candidates: &[(&'static str, ReadCandidate<M>)],
) -> Result<M, LoadError> {
    read_first_fit(&read_file(path)?, options, model, candidates)
}

/// Reads a model with `read` from an opened file at the options' scope; with
/// [`LoadOptions::strict`], a tensor no part read is an error.
pub(super) fn read_opened<M>(
    file: &SafeTensors<'_>,
    options: &LoadOptions,
    read: impl FnOnce(&mut ModelFile<'_>, &str) -> Result<M, LoadError>,
) -> Result<M, LoadError> {
    let mut model_file = ModelFile {
        file,
        options: LoadOptions {
            prefix: None,
            strict: false,
            within: false,
            ..options.clone()
        },
        read: Vec::new(),
    };
    let scope = options.prefix.clone().unwrap_or_default();
    let model = read(&mut model_file, &scope)?;
    if options.strict {
        let ModelFile { file, read, .. } = model_file;
        let unexpected = file
            .iter()
            .filter(|(name, _)| !read.iter().any(|r| r == name))
            .min_by(|a, b| a.0.cmp(b.0));
        if let Some((name, view)) = unexpected {
            return Err(LoadError::UnexpectedTensor {
                name: name.to_owned(),
                shape: view.shape().to_vec(),
                expected: read,
            });
        }
    }
    Ok(model)
}

/// Reads the file at `path` and loads `M` from it with [`read_model`]. What the `load` of a
/// `#[derive(Model)]` type calls.
///
/// # Errors
/// [`LoadError::Io`] if the file cannot be read; otherwise as [`read_model`].
pub fn load_model<M: Module>(path: &Path, options: &LoadOptions) -> Result<M, LoadError> {
    read_model(&read_file(path)?, options)
}

/// Reads the part `name` of a model at `scope`, naming the part in any error. What the
/// generated `Module::read` of a `#[derive(Model)]` type calls for each field.
///
/// # Errors
/// The part's error, as [`LoadError::InLayer`].
#[doc(hidden)]
pub fn read_part<M: Module>(
    file: &mut ModelFile<'_>,
    scope: &str,
    name: &str,
    field: &'static str,
) -> Result<M, LoadError> {
    read_part_by(file, scope, name, field, M::read)
}

/// [`read_part`] with the part read by `read`.
pub(super) fn read_part_by<M>(
    file: &mut ModelFile<'_>,
    scope: &str,
    name: &str,
    field: &'static str,
    read: impl FnOnce(&mut ModelFile<'_>, &str) -> Result<M, LoadError>,
) -> Result<M, LoadError> {
    let part_scope = file.scope(scope, name);
    read(file, &part_scope).map_err(|source| LoadError::InLayer {
        field,
        scope: part_scope,
        source: Box::new(source),
    })
}

/// One row per part of a model, printed like Keras' `model.summary()`: the part's name, what
/// it is and its parameter count, then the total.
///
/// ```
/// use lstm_core::ModelSummary;
/// let table = ModelSummary::new("Amp", vec![
///     ("rec", "LSTM(1 -> 40)".to_owned(), 6_880),
///     ("lin", "Linear(40 -> 1)".to_owned(), 41),
/// ]);
/// assert_eq!(table.total(), 6_921);
/// assert_eq!(table.to_string(), "\
/// Amp
/// layer  type             params
/// -----  ---------------  ------
/// rec    LSTM(1 -> 40)     6,880
/// lin    Linear(40 -> 1)      41
/// total                    6,921
/// ");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSummary {
    title: &'static str,
    rows: Vec<(&'static str, String, usize)>,
}

impl ModelSummary {
    /// A table titled `title` with one `(name, what, parameters)` row per part.
    #[must_use]
    pub fn new(title: &'static str, rows: Vec<(&'static str, String, usize)>) -> Self {
        ModelSummary { title, rows }
    }

    /// The rows, in the model's order.
    #[must_use]
    pub fn rows(&self) -> &[(&'static str, String, usize)] {
        &self.rows
    }

    /// The sum of the parameter counts (saturating; a model type's count is checked by the
    /// compiler and cannot overflow).
    #[must_use]
    pub fn total(&self) -> usize {
        self.rows
            .iter()
            .fold(0usize, |sum, row| sum.saturating_add(row.2))
    }
}

impl fmt::Display for ModelSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts: Vec<String> = self
            .rows
            .iter()
            .map(|row| group_digits(row.2 as u128))
            .collect();
        let total = group_digits(self.total() as u128);
        let name_width = self.rows.iter().map(|row| row.0.len()).fold(5, usize::max);
        let what_width = self.rows.iter().map(|row| row.1.len()).fold(4, usize::max);
        let count_width = counts.iter().map(String::len).fold(total.len(), usize::max);
        let count_width = count_width.max("params".len());
        writeln!(f, "{}", self.title)?;
        writeln!(
            f,
            "{:name_width$}  {:what_width$}  {:>count_width$}",
            "layer", "type", "params"
        )?;
        writeln!(
            f,
            "{}  {}  {}",
            "-".repeat(name_width),
            "-".repeat(what_width),
            "-".repeat(count_width)
        )?;
        for (row, count) in self.rows.iter().zip(&counts) {
            writeln!(
                f,
                "{:name_width$}  {:what_width$}  {count:>count_width$}",
                row.0, row.1
            )?;
        }
        writeln!(
            f,
            "{:name_width$}  {:what_width$}  {total:>count_width$}",
            "total", ""
        )
    }
}

/// Reads an LSTM (a cell, a PyTorch stack, a bidirectional pair) from under `scope`.
pub(crate) fn read_lstm<W: WeightFile>(
    file: &mut ModelFile<'_>,
    scope: &str,
) -> Result<W, LoadError> {
    read_lstm_by(file, scope, |reader| W::read_layers(reader, 0))
}

/// [`read_lstm`] with the layers read by `read`.
pub(super) fn read_lstm_by<W>(
    file: &mut ModelFile<'_>,
    scope: &str,
    read: impl FnOnce(&mut TensorReader<'_>) -> Result<W, LoadError>,
) -> Result<W, LoadError> {
    let options = file.lstm_options(scope);
    let (weights, names) = read_weights_by(file.file, &options, read)?;
    file.done(names);
    Ok(weights)
}

/// A bidirectional layer under `scope`: PyTorch's pair in one place (read by `read`), or
/// Keras' `forward_*` and `backward_*` cells (each read by `read_cell`, joined by `pair`).
pub(crate) fn read_bidirectional_by<W, C>(
    file: &mut ModelFile<'_>,
    scope: &str,
    read: impl FnOnce(&mut TensorReader<'_>) -> Result<W, LoadError>,
    read_cell: impl Fn(&mut TensorReader<'_>, CellSlot) -> Result<C, LoadError>,
    pair: impl FnOnce(C, C) -> W,
) -> Result<W, LoadError> {
    match read_lstm_by(file, scope, read) {
        Err(LoadError::Ambiguous { found }) => match read_keras_pair(file, scope, read_cell)? {
            Some((forward, reverse)) => Ok(pair(forward, reverse)),
            None => Err(LoadError::Ambiguous { found }),
        },
        other => other,
    }
}

/// Keras' `Bidirectional`: exactly one LSTM under `{scope}forward_` and one under
/// `{scope}backward_` (Keras names the wrapped layers `forward_{name}` and `backward_{name}`).
/// `None` when the file does not hold that shape.
fn read_keras_pair<C>(
    file: &mut ModelFile<'_>,
    scope: &str,
    read_cell: impl Fn(&mut TensorReader<'_>, CellSlot) -> Result<C, LoadError>,
) -> Result<Option<(C, C)>, LoadError> {
    let half = |direction: &str| -> Result<Option<Location>, LoadError> {
        let options = LoadOptions {
            prefix: Some(format!("{scope}{direction}")),
            naming: Some(Naming::Keras),
            within: true,
            ..file.options.clone()
        };
        match locate(file.file, &options) {
            Ok(location) => Ok(Some(location)),
            Err(LoadError::NoLstm { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    };
    let (Some(forward), Some(backward)) = (half("forward_")?, half("backward_")?) else {
        return Ok(None);
    };
    let (forward, forward_names) = read_keras_cell(file, forward, &read_cell)?;
    let (reverse, reverse_names) = read_keras_cell(file, backward, &read_cell)?;
    file.done(forward_names);
    file.done(reverse_names);
    Ok(Some((forward, reverse)))
}

/// Reads the one cell at `location`, rejecting other parameters beside it.
fn read_keras_cell<C>(
    file: &ModelFile<'_>,
    location: Location,
    read_cell: impl Fn(&mut TensorReader<'_>, CellSlot) -> Result<C, LoadError>,
) -> Result<(C, Vec<String>), LoadError> {
    let mut reader = TensorReader {
        file: file.file,
        prefix: location.prefix,
        naming: location.naming,
        options: &file.options,
        expected: Vec::new(),
    };
    let cell = read_cell(&mut reader, CellSlot::FIRST)?;
    reject_unexpected(
        file.file,
        &reader.prefix,
        reader.expected.clone(),
        &file.options,
    )?;
    Ok((cell, reader.expected))
}
