//! PyTorch's `nn.Linear` in a safetensors file: `{prefix}weight` and `{prefix}bias`.

use super::read::{read_tensor, reject_unexpected};
use super::write::OwnedTensor;
use super::{LoadError, LoadOptions, SaveError};
use crate::{Float, Linear, Matrix, Vector};

impl<T: Float, const I: usize, const O: usize> Linear<T, I, O> {
    /// Loads `{prefix}weight` `(O, I)` and `{prefix}bias` `(O,)`, as PyTorch's `nn.Linear` saves
    /// them, from the bytes of a safetensors file; every other tensor under `prefix` is an error,
    /// tensors outside it are ignored. Element types convert as for
    /// [`WeightFile::from_safetensors`](super::WeightFile::from_safetensors); [`LoadOptions::allow_non_finite`] applies, its prefix
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
        let file = super::header::open(bytes)?;
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
    ///
    /// ```
    /// use lstm_core::{Linear, LoadOptions};
    /// let head = Linear::<f32, 4, 2>::zeros();
    /// let bytes = head.to_safetensors("head.")?;
    /// assert_eq!(Linear::<f32, 4, 2>::from_safetensors(&bytes, "head.", &LoadOptions::new())?, head);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
