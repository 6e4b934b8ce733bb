//! The layers around an LSTM in a safetensors file: PyTorch's `nn.Linear` (`{prefix}weight`
//! `(O, I)`, `{prefix}bias`) or Keras' `Dense` (`{prefix}kernel` `(I, O)`, `{prefix}bias`), and
//! PyTorch's `nn.Embedding` (`{prefix}weight` `(V, D)`) or Keras' `Embedding`
//! (`{prefix}embeddings` `(V, D)`).

use safetensors::tensor::SafeTensors;

use super::read::{read_tensor, reject_unexpected};
use super::write::OwnedTensor;
use super::{LoadError, LoadOptions, SaveError};
use crate::{Embedding, Float, Linear, Matrix, Vector};

/// The name a layer's tensor has in `file`: Keras' `{prefix}{keras}` where only that is there,
/// else PyTorch's `{prefix}{pytorch}` (then a Keras name beside it is reported as unexpected).
/// Returns the name and whether it is Keras'.
fn pick_name(file: &SafeTensors<'_>, prefix: &str, pytorch: &str, keras: &str) -> (String, bool) {
    let (pytorch, keras) = (format!("{prefix}{pytorch}"), format!("{prefix}{keras}"));
    if file.tensor(&pytorch).is_err() && file.tensor(&keras).is_ok() {
        (keras, true)
    } else {
        (pytorch, false)
    }
}

/// A dense layer's weight (`(O, I)` row-major), bias, and the names read.
pub(super) type DenseValues<T> = (Vec<T>, Vec<T>, Vec<String>);

/// Reads a dense layer of `[input, output]` under `prefix` (PyTorch's `weight` `(O, I)` or
/// Keras' `kernel` `(I, O)`, and `bias`), rejecting other parameters there: its weight as
/// PyTorch's `(O, I)` row-major, its bias, and the names read. Sizes are values, so that the
/// typed [`Linear`] and compile-time weights read with the same code.
pub(super) fn read_linear<T: Float>(
    file: &SafeTensors<'_>,
    prefix: &str,
    [input, output]: [usize; 2],
    options: &LoadOptions,
) -> Result<DenseValues<T>, LoadError> {
    // Keras' `kernel` is the transpose of PyTorch's `weight`.
    let (weight_name, transposed) = pick_name(file, prefix, "weight", "kernel");
    let expected = vec![weight_name, format!("{prefix}bias")];
    let weight = if transposed {
        let kernel = read_tensor::<T>(file, &expected[0], &[input, output], options)?;
        (0..output * input)
            .map(|at| kernel[(at % input) * output + at / input])
            .collect()
    } else {
        read_tensor::<T>(file, &expected[0], &[output, input], options)?
    };
    let bias = read_tensor::<T>(file, &expected[1], &[output], options)?;
    reject_unexpected(file, prefix, expected.clone(), options)?;
    Ok((weight, bias, expected))
}

/// Reads an embedding table of `[vocabulary, width]` under `prefix` (PyTorch's `weight`, Keras'
/// `embeddings`), rejecting other parameters there: the table, row-major, and the name read.
pub(super) fn read_embedding<T: Float>(
    file: &SafeTensors<'_>,
    prefix: &str,
    shape: [usize; 2],
    options: &LoadOptions,
) -> Result<(Vec<T>, Vec<String>), LoadError> {
    let (name, _) = pick_name(file, prefix, "weight", "embeddings");
    let table = read_tensor::<T>(file, &name, &shape, options)?;
    let expected = vec![name];
    reject_unexpected(file, prefix, expected.clone(), options)?;
    Ok((table, expected))
}

impl<T: Float, const I: usize, const O: usize> Linear<T, I, O> {
    /// Loads `{prefix}weight` `(O, I)` and `{prefix}bias` `(O,)`, as PyTorch's `nn.Linear` saves
    /// them, or Keras' `Dense`: `{prefix}kernel` `(I, O)` and `{prefix}bias`, from the bytes of a
    /// safetensors file (or a `.pt` or JSON `state_dict`); every other parameter under `prefix`
    /// is an error ([`LoadOptions::strict`]: every other tensor), tensors outside it are
    /// ignored. Element types convert as for
    /// [`WeightFile::from_safetensors`](super::WeightFile::from_safetensors);
    /// [`LoadOptions::allow_non_finite`] and [`LoadOptions::strict`] apply, its prefix and
    /// naming do not.
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
        let mut converted = Vec::new();
        let file = super::header::open(bytes, &mut converted)?;
        Ok(Self::read_at(&file, prefix, options)?.0)
    }

    /// [`from_safetensors`](Self::from_safetensors) from an opened file; also returns the
    /// names of the tensors read.
    pub(crate) fn read_at(
        file: &SafeTensors<'_>,
        prefix: &str,
        options: &LoadOptions,
    ) -> Result<(Self, Vec<String>), LoadError> {
        let (weight, bias, expected) = read_linear(file, prefix, [I, O], options)?;
        let layer = Linear {
            weight: Matrix::from_fn(|row, col| weight[row * I + col]),
            bias: Vector::from_fn(|row| bias[row]),
        };
        Ok((layer, expected))
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

impl<T: Float, const V: usize, const D: usize> Embedding<T, V, D> {
    /// Loads the table `(V, D)`: PyTorch's `nn.Embedding` saves it as `{prefix}weight`, Keras'
    /// `Embedding` as `{prefix}embeddings`. Every other parameter under `prefix` is an error
    /// ([`LoadOptions::strict`]: every other tensor), tensors outside it are ignored; element types and [`LoadOptions::allow_non_finite`] as
    /// for [`Linear::from_safetensors`].
    ///
    /// # Errors
    /// A [`LoadError`] naming the tensor: missing, unexpected, of the wrong shape (a vocabulary
    /// or width that differs from the type's) or element type, or non-finite; or a file that
    /// is not safetensors or is truncated.
    ///
    /// ```
    /// use lstm_core::{Embedding, LoadOptions, Matrix};
    /// let table = Embedding::<f32, 4, 2>::new(Matrix::from_fn(|row, col| (row + col) as f32));
    /// let bytes = table.to_safetensors("embed.")?;
    /// assert_eq!(Embedding::from_safetensors(&bytes, "embed.", &LoadOptions::new())?, table);
    /// let wrong = Embedding::<f32, 5, 2>::from_safetensors(&bytes, "embed.", &LoadOptions::new());
    /// assert_eq!(
    ///     wrong.unwrap_err().to_string(),
    ///     "tensor `embed.weight` has shape (4, 2), expected (5, 2)"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_safetensors(
        bytes: &[u8],
        prefix: &str,
        options: &LoadOptions,
    ) -> Result<Self, LoadError> {
        let mut converted = Vec::new();
        let file = super::header::open(bytes, &mut converted)?;
        Ok(Self::read_at(&file, prefix, options)?.0)
    }

    /// [`from_safetensors`](Self::from_safetensors) from an opened file; also returns the
    /// name of the tensor read.
    pub(crate) fn read_at(
        file: &SafeTensors<'_>,
        prefix: &str,
        options: &LoadOptions,
    ) -> Result<(Self, Vec<String>), LoadError> {
        let (table, expected) = read_embedding(file, prefix, [V, D], options)?;
        let table = Embedding::new(Matrix::from_fn(|row, col| table[row * D + col]));
        Ok((table, expected))
    }

    /// The table as a safetensors file with PyTorch's name, `{prefix}weight` `(V, D)`.
    ///
    /// # Errors
    /// [`SaveError::Format`] if the safetensors writer refuses the header.
    pub fn to_safetensors(&self, prefix: &str) -> Result<Vec<u8>, SaveError> {
        let tensors = vec![(
            format!("{prefix}weight"),
            OwnedTensor::new(vec![V, D], self.table.as_flattened()),
        )];
        safetensors::serialize(tensors, None).map_err(|error| SaveError::Format {
            reason: error.to_string(),
        })
    }
}
