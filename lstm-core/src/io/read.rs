//! Finding the LSTM in a file, and reading and checking its tensors against a type.

use lstm_naming::CellSlot;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use super::{LoadError, LoadOptions, Naming};
use crate::{Bf16, F16, Float, LstmWeights, Role};

/// Where the LSTM sits in a file: its prefix and naming.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Location {
    pub(super) prefix: String,
    pub(super) naming: Naming,
}

/// The LSTMs in a file that fit the options: a name ending in the naming's input weights, with
/// the recurrent weights beside it. Where there is none, the one PyTorch LSTM whose recurrent
/// weights are missing, if exactly one: reading it then names the missing tensor (PyTorch's
/// `weight_ih` names only an LSTM; Keras' `kernel` could be any layer's).
pub(super) fn locate(file: &SafeTensors<'_>, options: &LoadOptions) -> Result<Location, LoadError> {
    let namings: Vec<Naming> = match options.naming {
        Some(naming) => vec![naming],
        None => Naming::ALL.to_vec(),
    };
    if let (Some(prefix), Some(naming), false) = (&options.prefix, options.naming, options.within) {
        return Ok(Location {
            prefix: prefix.clone(),
            naming,
        });
    }
    let (mut found, mut partial, mut elsewhere) = (Vec::new(), Vec::new(), Vec::new());
    for name in file.names() {
        for &naming in &namings {
            let Ok(names) = naming.cell_names(CellSlot::FIRST) else {
                continue;
            };
            let Some(prefix) = name.strip_suffix(names.input.as_str()) else {
                continue;
            };
            let recurrent = names.recurrent;
            let fits_prefix = options.prefix.as_deref().is_none_or(|wanted| {
                wanted == prefix || (options.within && prefix.starts_with(wanted))
            });
            let location = Location {
                prefix: prefix.to_owned(),
                naming,
            };
            let complete = file.tensor(&format!("{prefix}{recurrent}")).is_ok();
            if complete && !fits_prefix {
                elsewhere.push(location.prefix);
            } else if fits_prefix && complete {
                found.push(location);
            } else if fits_prefix && naming != Naming::Keras {
                partial.push(location);
            }
        }
    }
    found.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    found.dedup();
    partial.dedup();
    if found.is_empty() && partial.len() == 1 {
        return Ok(partial.remove(0));
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            let prefix = options.prefix.as_deref().unwrap_or("");
            let looked_for = namings
                .iter()
                .filter_map(|naming| naming.cell_names(CellSlot::FIRST).ok())
                .map(|names| format!("{prefix}{}", names.input))
                .collect();
            elsewhere.sort();
            elsewhere.dedup();
            Err(LoadError::NoLstm {
                looked_for,
                found_under: elsewhere,
            })
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
pub(super) fn read_tensor<T: Float>(
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

/// Reads the tensors of one LSTM (one prefix and naming in one file) for the [`WeightFile`](super::WeightFile)
/// types, remembering every name it was asked for so that the rest can be rejected.
///
/// It is what [`WeightFile::read_layers`](super::WeightFile::read_layers) reads from; a
/// weight type made of cells implements that method by asking its cells to read themselves:
///
/// ```
/// use lstm_core::{LoadError, LstmLayer, TensorReader, WeightFile};
/// /// Two cells side by side, each a layer of its own in the file.
/// struct Pair(LstmLayer<f32, 2, 2>, LstmLayer<f32, 2, 2>);
/// impl Pair {
///     fn read(reader: &mut TensorReader<'_>, first: usize) -> Result<Self, LoadError> {
///         Ok(Pair(
///             LstmLayer::read_layers(reader, first)?,
///             LstmLayer::read_layers(reader, first + 1)?,
///         ))
///     }
/// }
/// # let _ = Pair::read;
/// ```
pub struct TensorReader<'a> {
    pub(super) file: &'a SafeTensors<'a>,
    pub(super) prefix: String,
    pub(super) naming: Naming,
    pub(super) options: &'a LoadOptions,
    pub(super) expected: Vec<String>,
}

/// The sizes of one cell as values: input `I`, hidden `H`, bias sets `B`, output `R`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CellShape {
    pub(crate) input: usize,
    pub(crate) hidden: usize,
    pub(crate) biases: usize,
    pub(crate) output: usize,
}

/// One cell's values as read, in the logical layout: per gate `W` (`H x I`) and `U` (`H x R`)
/// row-major, per bias set of the type the four gates' biases (`H` each), and the projection
/// (`R x H`, empty without one).
pub(crate) struct CellValues<T> {
    pub(crate) weights: [(Vec<T>, Vec<T>); 4],
    pub(crate) biases: Vec<[Vec<T>; 4]>,
    pub(crate) projection: Vec<T>,
}

impl TensorReader<'_> {
    /// Reads the cell at `slot`: checks and converts its tensors and builds the weights.
    pub(super) fn read_cell<
        T: Float,
        const I: usize,
        const H: usize,
        const B: usize,
        const R: usize,
    >(
        &mut self,
        slot: CellSlot,
    ) -> Result<LstmWeights<T, I, H, B, R>, LoadError> {
        let shape = CellShape {
            input: I,
            hidden: H,
            biases: B,
            output: R,
        };
        let values = self.read_cell_values::<T>(slot, shape)?;
        Ok(LstmWeights::from_fn(|gate, role, row, col| {
            let (w, u) = &values.weights[gate.index()];
            match role {
                Role::Input => w[row * I + col],
                Role::Recurrent => u[row * R + col],
                Role::Projection => values.projection[row * H + col],
                Role::Bias(set) => values.biases[set][gate.index()][row],
            }
        }))
    }

    /// [`read_cell`](Self::read_cell) with the sizes as values: what the typed read and
    /// compile-time weights share.
    pub(crate) fn read_cell_values<T: Float>(
        &mut self,
        slot: CellSlot,
        shape: CellShape,
    ) -> Result<CellValues<T>, LoadError> {
        let CellShape {
            input: i,
            hidden: h,
            biases: b,
            output: r,
        } = shape;
        let naming = self.naming;
        let names = naming
            .cell_names(slot)
            .map_err(|reason| LoadError::Unsupported { reason })?;
        let full = |name: &str| format!("{}{name}", self.prefix);
        let projection_name = match (r != h, &names.projection) {
            (false, _) => None,
            (true, Some(name)) => Some(full(name)),
            (true, None) => {
                return Err(LoadError::Unsupported {
                    reason: format!(
                        "{naming} has no output projection; a type whose output ({r}) is not its \
                         hidden size ({h}) loads only from PyTorch nn.LSTM files (`weight_hr_l0`)"
                    ),
                });
            }
        };
        // Biases: the file's sets if the type has any, none otherwise (so that a file's biases
        // are reported as unexpected for a type without them).
        let bias_names: Vec<String> = if b == 0 {
            Vec::new()
        } else {
            names.biases.iter().map(|name| full(name)).collect()
        };
        let (input_name, recurrent_name) = (full(&names.input), full(&names.recurrent));
        self.expected
            .extend([input_name.clone(), recurrent_name.clone()]);
        self.expected.extend(bias_names.iter().cloned());
        self.expected.extend(projection_name.clone());

        let gates_hidden = 4 * h;
        let read =
            |name: &str, shape: &[usize]| read_tensor::<T>(self.file, name, shape, self.options);
        let stacked_input = read(&input_name, &naming.stacked_shape(h, i))?;
        let stacked_recurrent = read(&recurrent_name, &naming.stacked_shape(h, r))?;
        let file_biases = bias_names
            .iter()
            .map(|name| read(name, &[gates_hidden]))
            .collect::<Result<Vec<_>, _>>()?;
        let projection = match &projection_name {
            Some(name) => read(name, &[r, h])?,
            None => Vec::new(),
        };
        // File set `k` goes to the type's set `min(k, B - 1)`: in order, the last one taking the
        // rest (a single-bias type gets `bias_ih + bias_hh`). A sum of finite values can
        // overflow, so it is checked as the tensors were.
        let mut type_biases = vec![vec![T::ZERO; gates_hidden]; b];
        for (set, values) in type_biases.iter_mut().enumerate() {
            let sources: Vec<usize> = (0..file_biases.len())
                .filter(|k| (*k).min(b - 1) == set)
                .collect();
            for &k in &sources {
                for (sum, &value) in values.iter_mut().zip(&file_biases[k]) {
                    *sum += value;
                }
            }
            let bad = values.iter().position(|value| !value.is_finite());
            if let (Some(index), false, true) =
                (bad, self.options.allow_non_finite, sources.len() > 1)
            {
                let names: Vec<&str> = sources.iter().map(|&k| bias_names[k].as_str()).collect();
                return Err(LoadError::NonFinite {
                    name: names.join(" + "),
                    index,
                    value: values[index].to_f64(),
                });
            }
        }
        let unstack = |stacked: &[T], gate: usize, columns: usize| -> Vec<T> {
            (0..h * columns)
                .map(|at| {
                    stacked[naming.stacked_index(gate, at / columns, at % columns, h, columns)]
                })
                .collect()
        };
        Ok(CellValues {
            weights: core::array::from_fn(|gate| {
                (
                    unstack(&stacked_input, gate, i),
                    unstack(&stacked_recurrent, gate, r),
                )
            }),
            biases: type_biases
                .iter()
                .map(|set| core::array::from_fn(|gate| set[gate * h..(gate + 1) * h].to_vec()))
                .collect(),
            projection,
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
/// Whether a top-level name is named as PyTorch's and Keras' parameters are.
fn looks_like_a_parameter(name: &str) -> bool {
    name.starts_with("weight")
        || name.starts_with("bias")
        || matches!(name, "kernel" | "recurrent_kernel" | "embeddings")
}

pub(super) fn reject_unexpected(
    file: &SafeTensors<'_>,
    prefix: &str,
    expected: Vec<String>,
    options: &LoadOptions,
) -> Result<(), LoadError> {
    // A layer's own tensors: the direct children of its prefix; at the top level (no prefix),
    // only those named like parameters, since a file keeps its own tensors there too.
    let in_namespace = |name: &str| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            options.strict
                || (!rest.contains(['.', '/'])
                    && (!prefix.is_empty() || looks_like_a_parameter(rest)))
        })
    };
    let unexpected = file
        .iter()
        .filter(|(name, _)| in_namespace(name) && !expected.iter().any(|e| e == name))
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
