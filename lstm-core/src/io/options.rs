//! Where the LSTM is in a file and what to accept from it.

use super::Naming;

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
    pub(super) prefix: Option<String>,
    pub(super) naming: Option<Naming>,
    pub(super) allow_non_finite: bool,
    pub(super) strict: bool,
    /// Whether `prefix` is a scope the LSTM sits anywhere under (a model's layer: `lstm.`
    /// holding Keras' `lstm/lstm_cell/`) rather than the LSTM's own prefix.
    pub(super) within: bool,
}

impl LoadOptions {
    /// The defaults: find the LSTM, reject non-finite values.
    ///
    /// ```
    /// assert_eq!(lstm_core::LoadOptions::new(), lstm_core::LoadOptions::default());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads the LSTM whose tensor names start with `prefix` (`"encoder.lstm."`,
    /// `"lstm/lstm_cell/"`), ignoring every tensor outside it. Needed when a file holds several
    /// LSTMs.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LoadOptions, LstmLayer, Naming};
    /// // Only the LSTM under `encoder.`, wherever others are in the file.
    /// let bytes = LstmLayer::<f32, 2, 3>::zeros().to_safetensors(Naming::PyTorch, "encoder.")?;
    /// let options = LoadOptions::new().prefix("encoder.");
    /// let encoder = LstmLayer::<f32, 2, 3>::from_safetensors(&bytes, &options)?;
    /// # let _ = encoder;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Expects the tensor names of one library rather than recognising them.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LoadOptions, LstmLayer, Naming};
    /// let bytes = LstmLayer::<f32, 2, 3>::zeros().to_safetensors(Naming::Keras, "")?;
    /// let keras = LoadOptions::new().naming(Naming::Keras);
    /// assert!(LstmLayer::<f32, 2, 3>::from_safetensors(&bytes, &keras).is_ok());
    /// let pytorch = LoadOptions::new().naming(Naming::PyTorch);
    /// assert!(LstmLayer::<f32, 2, 3>::from_safetensors(&bytes, &pytorch).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn naming(mut self, naming: Naming) -> Self {
        self.naming = Some(naming);
        self
    }

    /// Accepts NaN and infinite weights instead of failing with [`LoadError::NonFinite`](super::LoadError::NonFinite).
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LoadOptions, LstmWeights, Naming};
    /// let mut weights = LstmWeights::<f32, 1, 2>::zeros();
    /// weights.w_f[0][0] = f32::NAN;
    /// let bytes = weights.to_safetensors(Naming::PyTorch, "")?;
    /// assert!(LstmWeights::<f32, 1, 2>::from_safetensors(&bytes, &LoadOptions::new()).is_err());
    /// let lenient = LoadOptions::new().allow_non_finite(true);
    /// assert!(LstmWeights::<f32, 1, 2>::from_safetensors(&bytes, &lenient).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn allow_non_finite(mut self, allow: bool) -> Self {
        self.allow_non_finite = allow;
        self
    }

    /// Makes every tensor under the prefix that the type has no place for an error. By default
    /// a layer's tensors are the direct children of its prefix (`lstm.weight_ih_l1` for a
    /// one-layer type under `lstm.` is an error, `lstm.extra.x` another module's and ignored),
    /// and at the top level (no prefix) only those named like parameters (`weight*`, `bias*`,
    /// `kernel`, `recurrent_kernel`, `embeddings`): a file's own `input` or `output` beside an
    /// LSTM saved at the top level is left alone, as are other modules' tensors.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LoadOptions, LstmLayer, Naming};
    /// let mut bytes = LstmLayer::<f32, 2, 3>::zeros().to_safetensors(Naming::PyTorch, "")?;
    /// // The same file with a tensor of its own beside the LSTM's, as fixtures and exports have.
    /// let tensors = safetensors::SafeTensors::deserialize(&bytes)?;
    /// let data = vec![0u8; 8];
    /// let mut views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors.tensors();
    /// views.push(("input".into(), safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![2], &data)?));
    /// let with_input = safetensors::serialize(views, None)?;
    /// assert!(LstmLayer::<f32, 2, 3>::from_safetensors(&with_input, &LoadOptions::new()).is_ok());
    /// let strict = LoadOptions::new().strict(true);
    /// assert!(LstmLayer::<f32, 2, 3>::from_safetensors(&with_input, &strict).is_err());
    /// # bytes.clear();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }
}
