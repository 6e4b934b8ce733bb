//! Compile-time weights, the build machine's half: what `weights = ".."` in `#[lstm(..)]` and
//! `#[model(..)]` runs inside the macro. It reads the file with the run-time loader's own code
//! (the same format detection, tensor names, shape and value checks, and error messages), with
//! the sizes given as values, since a macro has no types to instantiate; then packs each LSTM
//! cell into the kernels' tiles with the code [`LstmWeights::pack_as`](crate::LstmWeights::pack_as)
//! runs, and returns every array as the little-endian bytes the program will hold
//! ([`cast`](crate::cast) views them). Not an API to call by hand.

use lstm_naming::CellSlot;

use super::model::{read_bidirectional_by, read_lstm_by, read_opened, read_part_by};
use super::read::{CellShape as Shape, CellValues, TensorReader};
use super::{LoadError, LoadOptions, header, layers, read_weights_by};
use crate::layer::pack_values;
use crate::{Bf16, F16, Float, Plain, Storage};

/// The element type a model computes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element {
    /// `f32`.
    F32,
    /// `f64`.
    F64,
}

/// How an LSTM's packed weights are stored (see [`Storage`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// As the element type.
    Element,
    /// As [`Bf16`] (`f32` models only).
    Bf16,
    /// As [`F16`] (`f32` models only).
    F16,
}

/// One LSTM cell's sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellShape {
    /// Input size `I`.
    pub input: usize,
    /// Hidden size `H`.
    pub hidden: usize,
    /// Bias sets `B`.
    pub biases: usize,
    /// Output size `R` (`H` unless projected).
    pub output: usize,
}

/// What a part of a model holds, as sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartShape {
    /// An LSTM: one cell per layer, in `nn.LSTM`'s order; two per layer (forward, then reverse)
    /// when bidirectional.
    Lstm {
        /// Each layer's cell.
        layers: Vec<CellShape>,
        /// Whether each layer is a forward and a reverse cell.
        bidirectional: bool,
    },
    /// A dense layer, `nn.Linear(input, output)` or Keras' `Dense`.
    Linear {
        /// Input size.
        input: usize,
        /// Output size.
        output: usize,
    },
    /// An embedding table.
    Embedding {
        /// Vocabulary size.
        vocabulary: usize,
        /// Vector size.
        width: usize,
    },
    /// A layer without weights (an activation).
    Stateless,
}

/// A part of a model: the field it is, the name its tensors are under, what it holds.
#[derive(Clone, Debug)]
pub struct Part {
    /// The field's name, for errors.
    pub field: &'static str,
    /// The name in the file (the field's, or its `rename`).
    pub name: String,
    /// Its sizes.
    pub shape: PartShape,
    /// The element type it computes in.
    pub element: Element,
    /// How an LSTM's packed weights are stored (other layers hold the element type).
    pub stored: Stored,
}

/// One cell, packed: its tiles, bias sets (four gates each) and projection as the bytes of
/// the arrays the layer holds, and the extreme-value bounds packing measured.
#[derive(Clone, Debug)]
pub struct CompiledCell {
    /// The tiles, [`Plain::write_le`] of each stored element.
    pub tiles: Vec<u8>,
    /// How many elements `tiles` holds.
    pub tile_elements: usize,
    /// Per bias set, per gate, `H` elements.
    pub biases: Vec<[Vec<u8>; 4]>,
    /// The projection (`R x H`), if any.
    pub projection: Option<Vec<u8>>,
    /// The bounds that decide which path a call runs.
    pub limits: [f64; 2],
}

/// A part, compiled.
#[derive(Clone, Debug)]
pub enum CompiledPart {
    /// An LSTM's cells, in the order of [`PartShape::Lstm`].
    Lstm(Vec<CompiledCell>),
    /// A dense layer: its weight (PyTorch's `(O, I)`, row-major) and bias.
    Linear {
        /// `W`.
        weight: Vec<u8>,
        /// `b`.
        bias: Vec<u8>,
    },
    /// An embedding table, row-major.
    Embedding {
        /// The table.
        table: Vec<u8>,
    },
    /// Nothing to hold.
    Stateless,
}

/// The LSTM of a `#[derive(Lstm)]` spec from a whole file (any format the loader reads), found
/// as [`WeightFile::from_safetensors`](crate::WeightFile::from_safetensors) finds it with
/// default options.
///
/// # Errors
/// The [`LoadError`] loading the spec's weights at run time would give.
pub fn compile_lstm(
    bytes: &[u8],
    shape: &PartShape,
    element: Element,
    stored: Stored,
) -> Result<CompiledPart, LoadError> {
    let mut converted = Vec::new();
    let file = header::open(bytes, &mut converted)?;
    let PartShape::Lstm {
        layers,
        bidirectional,
    } = shape
    else {
        return Err(not_an_lstm());
    };
    let (cells, _) = read_weights_by(&file, &LoadOptions::new(), |reader| {
        read_cells(reader, layers, *bidirectional, element)
    })?;
    pack_cells(&cells, layers, *bidirectional, stored)
}

/// Every part of a `#[derive(Model)]` struct from a whole file, each under its name as
/// `Module::read` reads it.
///
/// # Errors
/// The [`LoadError`] loading the model at run time would give.
pub fn compile_model(bytes: &[u8], parts: &[Part]) -> Result<Vec<CompiledPart>, LoadError> {
    let mut converted = Vec::new();
    let file = header::open(bytes, &mut converted)?;
    read_opened(&file, &LoadOptions::new(), |file, scope| {
        parts
            .iter()
            .map(|part| {
                read_part_by(file, scope, &part.name, part.field, |file, scope| {
                    compile_part(file, scope, &part.shape, part.element, part.stored)
                })
            })
            .collect()
    })
}

fn not_an_lstm() -> LoadError {
    LoadError::Unsupported {
        reason: "compile_lstm reads an LSTM".to_owned(),
    }
}

/// One part under `scope`, as its `Module::read` reads it.
fn compile_part(
    file: &mut super::ModelFile<'_>,
    scope: &str,
    shape: &PartShape,
    element: Element,
    stored: Stored,
) -> Result<CompiledPart, LoadError> {
    match shape {
        PartShape::Lstm {
            layers,
            bidirectional,
        } => {
            let read =
                |reader: &mut TensorReader<'_>| read_cells(reader, layers, *bidirectional, element);
            let cells = if *bidirectional && layers.len() == 1 {
                // As `Bidirectional`'s own `Module::read`: PyTorch's pair, or Keras' halves.
                let shape = layers[0];
                read_bidirectional_by(
                    file,
                    scope,
                    read,
                    |reader, slot| read_cell(reader, slot, shape, element),
                    |forward, reverse| vec![forward, reverse],
                )?
            } else {
                read_lstm_by(file, scope, read)?
            };
            pack_cells(&cells, layers, *bidirectional, stored)
        }
        &PartShape::Linear { input, output } => {
            let (weight, bias) = match element {
                Element::F32 => linear_bytes::<f32>(file, scope, [input, output])?,
                Element::F64 => linear_bytes::<f64>(file, scope, [input, output])?,
            };
            Ok(CompiledPart::Linear { weight, bias })
        }
        &PartShape::Embedding { vocabulary, width } => {
            let table = match element {
                Element::F32 => embedding_bytes::<f32>(file, scope, [vocabulary, width])?,
                Element::F64 => embedding_bytes::<f64>(file, scope, [vocabulary, width])?,
            };
            Ok(CompiledPart::Embedding { table })
        }
        PartShape::Stateless => Ok(CompiledPart::Stateless),
    }
}

fn linear_bytes<T: Float + Plain>(
    file: &mut super::ModelFile<'_>,
    scope: &str,
    sizes: [usize; 2],
) -> Result<(Vec<u8>, Vec<u8>), LoadError> {
    let (weight, bias, names) = layers::read_linear::<T>(file.file, scope, sizes, file.options())?;
    file.done(names);
    Ok((bytes_of(&weight), bytes_of(&bias)))
}

fn embedding_bytes<T: Float + Plain>(
    file: &mut super::ModelFile<'_>,
    scope: &str,
    sizes: [usize; 2],
) -> Result<Vec<u8>, LoadError> {
    let (table, names) = layers::read_embedding::<T>(file.file, scope, sizes, file.options())?;
    file.done(names);
    Ok(bytes_of(&table))
}

fn bytes_of<E: Plain>(values: &[E]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(size_of_val(values));
    values.iter().for_each(|value| value.write_le(&mut bytes));
    bytes
}

/// A cell's values in the element type the model computes in.
enum Cell {
    F32(CellValues<f32>),
    F64(CellValues<f64>),
}

fn read_cell(
    reader: &mut TensorReader<'_>,
    slot: CellSlot,
    shape: CellShape,
    element: Element,
) -> Result<Cell, LoadError> {
    let shape = Shape {
        input: shape.input,
        hidden: shape.hidden,
        biases: shape.biases,
        output: shape.output,
    };
    Ok(match element {
        Element::F32 => Cell::F32(reader.read_cell_values(slot, shape)?),
        Element::F64 => Cell::F64(reader.read_cell_values(slot, shape)?),
    })
}

/// The cells of an LSTM in `nn.LSTM`'s order, as `WeightFile::read_layers` reads a stack of
/// cells or of bidirectional pairs.
fn read_cells(
    reader: &mut TensorReader<'_>,
    layers: &[CellShape],
    bidirectional: bool,
    element: Element,
) -> Result<Vec<Cell>, LoadError> {
    let mut cells = Vec::new();
    for (layer, &shape) in layers.iter().enumerate() {
        cells.push(read_cell(reader, CellSlot::forward(layer), shape, element)?);
        if bidirectional {
            cells.push(read_cell(reader, CellSlot::reverse(layer), shape, element)?);
        }
    }
    Ok(cells)
}

fn pack_cells(
    cells: &[Cell],
    layers: &[CellShape],
    bidirectional: bool,
    stored: Stored,
) -> Result<CompiledPart, LoadError> {
    let per_layer = if bidirectional { 2 } else { 1 };
    let packed = cells
        .iter()
        .enumerate()
        .map(|(at, cell)| {
            let shape = layers[at / per_layer];
            match (cell, stored) {
                (Cell::F32(values), Stored::Element) => Ok(pack_cell::<f32, f32>(values, shape)),
                (Cell::F32(values), Stored::Bf16) => Ok(pack_cell::<f32, Bf16>(values, shape)),
                (Cell::F32(values), Stored::F16) => Ok(pack_cell::<f32, F16>(values, shape)),
                (Cell::F64(values), Stored::Element) => Ok(pack_cell::<f64, f64>(values, shape)),
                (Cell::F64(_), Stored::Bf16 | Stored::F16) => Err(LoadError::Unsupported {
                    reason: "half-precision storage holds f32 weights, not f64".to_owned(),
                }),
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(CompiledPart::Lstm(packed))
}

fn pack_cell<T: Float + Plain, S: Storage<T> + Plain>(
    values: &CellValues<T>,
    shape: CellShape,
) -> CompiledCell {
    let weights = values.weights.each_ref().map(|(w, u)| (&w[..], &u[..]));
    let sets: Vec<[&[T]; 4]> = values
        .biases
        .iter()
        .map(|set| set.each_ref().map(|gate| &gate[..]))
        .collect();
    let projection = (shape.output != shape.hidden).then_some(&values.projection[..]);
    let (tiles, limits) = pack_values::<T, S>(
        &weights,
        &sets,
        projection,
        [shape.input, shape.hidden, shape.output],
    );
    CompiledCell {
        tile_elements: tiles.len(),
        tiles: bytes_of(&tiles),
        biases: values
            .biases
            .iter()
            .map(|set| set.each_ref().map(|gate| bytes_of(gate)))
            .collect(),
        projection: projection.map(bytes_of),
        limits,
    }
}
