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

    /// Accepts NaN and infinite weights instead of failing with [`LoadError::NonFinite`](super::LoadError::NonFinite).
    #[must_use]
    pub fn allow_non_finite(mut self, allow: bool) -> Self {
        self.allow_non_finite = allow;
        self
    }
}
