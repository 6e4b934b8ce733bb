//! Laying weights out as a naming's tensors, for a safetensors file.

use safetensors::tensor::Dtype;

use lstm_naming::CellSlot;

use super::{Naming, SaveError};
use crate::{Float, Gate, GateBiases, LstmWeights};

/// Collects the tensors of one LSTM to be written, for the [`WeightFile`](super::WeightFile) types.
///
/// It is what [`WeightFile::write_layers`](super::WeightFile::write_layers) writes to:
///
/// ```
/// use lstm_core::{LstmLayer, SaveError, TensorWriter, WeightFile};
/// /// Writes two cells as layers 0 and 1.
/// fn write_pair(
///     pair: &(LstmLayer<f32, 2, 2>, LstmLayer<f32, 2, 2>),
///     writer: &mut TensorWriter,
/// ) -> Result<(), SaveError> {
///     pair.0.write_layers(writer, 0)?;
///     pair.1.write_layers(writer, 1)
/// }
/// # let _ = write_pair;
/// ```
pub struct TensorWriter {
    pub(super) prefix: String,
    pub(super) naming: Naming,
    pub(super) tensors: Vec<(String, OwnedTensor)>,
}

impl TensorWriter {
    /// Adds the cell at `slot`.
    pub(super) fn write_cell<
        T: Float,
        const I: usize,
        const H: usize,
        const B: usize,
        const R: usize,
    >(
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

/// Adds one bias set, gates i, f, c, o one after the other, to a stacked `(4H,)` vector.
fn stack_biases<T: Float, const H: usize>(biases: &GateBiases<T, H>, stacked: &mut [T]) {
    for gate in Gate::ALL {
        for (row, &value) in biases.gate(gate).iter().enumerate() {
            stacked[gate.index() * H + row] += value;
        }
    }
}

/// A tensor to be written: its shape and little-endian bytes.
pub(super) struct OwnedTensor {
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl OwnedTensor {
    pub(super) fn new<T: Float>(shape: Vec<usize>, values: &[T]) -> Self {
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
