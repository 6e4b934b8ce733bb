//! The tensor names and layouts of PyTorch's and Keras' LSTMs: the one source of the naming
//! rules of the `lstm` crate. Its loader and writer (`lstm-core`) and `#[derive(Lstm)]`'s tensor
//! tables (`lstm-macros`) both ask [`Naming::cell_names`], so every name a derived table lists
//! is a name the loader reads (a test loads each table's names).
//!
//! ```
//! use lstm_naming::{CellSlot, Naming};
//! let names = Naming::PyTorch.cell_names(CellSlot::reverse(1))?;
//! assert_eq!(names.input, "weight_ih_l1_reverse");
//! assert_eq!(Naming::Keras.stacked_shape(256, 100), [100, 1024]); // (I, 4H): transposed
//! # Ok::<(), String>(())
//! ```
#![forbid(unsafe_code)]

use core::fmt;

/// Which library's tensor names a file uses.
///
/// | naming | input weights | recurrent weights | biases | projection |
/// |---|---|---|---|---|
/// | [`PyTorch`](Naming::PyTorch) (`nn.LSTM`) | `weight_ih_l0` `(4H, I)` | `weight_hh_l0` `(4H, R)` | `bias_ih_l0`, `bias_hh_l0` `(4H,)` | `weight_hr_l0` `(R, H)` |
/// | [`PyTorchCell`](Naming::PyTorchCell) (`nn.LSTMCell`) | `weight_ih` `(4H, I)` | `weight_hh` `(4H, H)` | `bias_ih`, `bias_hh` `(4H,)` | none |
/// | [`Keras`](Naming::Keras) (`LSTM`) | `kernel` `(I, 4H)` | `recurrent_kernel` `(H, 4H)` | `bias` `(4H,)` | none |
///
/// PyTorch stacks the gates i, f, g, o by rows and numbers layers `_l0`, `_l1`, ... with
/// `_reverse` for the second direction; Keras puts i, f, c, o side by side in columns. An
/// `nn.LSTMCell` and a Keras `LSTM` hold one forward cell.
///
/// ```
/// use lstm_naming::Naming;
/// assert_eq!(Naming::Keras.to_string(), "Keras LSTM");
/// assert!(Naming::Keras.transposed() && !Naming::PyTorch.transposed());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Naming {
    /// PyTorch `nn.LSTM`: any number of layers, either direction, a projection.
    PyTorch,
    /// PyTorch `nn.LSTMCell`: one forward cell.
    PyTorchCell,
    /// Keras `LSTM` (its variables `kernel`, `recurrent_kernel`, `bias`): one forward cell.
    Keras,
}

/// Where one cell sits in a model: its layer, and whether it reads the sequence in reverse.
///
/// ```
/// use lstm_naming::CellSlot;
/// assert_eq!(CellSlot::FIRST, CellSlot::forward(0));
/// assert!(CellSlot::reverse(2).is_reverse());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CellSlot {
    layer: usize,
    reverse: bool,
}

impl CellSlot {
    /// The first layer's forward cell: the only cell of a single LSTM.
    ///
    /// ```
    /// assert_eq!(lstm_naming::CellSlot::FIRST.layer(), 0);
    /// ```
    pub const FIRST: CellSlot = CellSlot::forward(0);

    /// The forward cell of layer `layer`.
    ///
    /// ```
    /// let slot = lstm_naming::CellSlot::forward(1);
    /// assert!(!slot.is_reverse() && slot.layer() == 1);
    /// ```
    #[must_use]
    pub const fn forward(layer: usize) -> Self {
        CellSlot {
            layer,
            reverse: false,
        }
    }

    /// The reverse cell of layer `layer`.
    ///
    /// ```
    /// assert!(lstm_naming::CellSlot::reverse(0).is_reverse());
    /// ```
    #[must_use]
    pub const fn reverse(layer: usize) -> Self {
        CellSlot {
            layer,
            reverse: true,
        }
    }

    /// The layer's index, from 0.
    ///
    /// ```
    /// assert_eq!(lstm_naming::CellSlot::reverse(3).layer(), 3);
    /// ```
    #[must_use]
    pub const fn layer(self) -> usize {
        self.layer
    }

    /// Whether the cell reads the sequence from last to first.
    ///
    /// ```
    /// assert!(!lstm_naming::CellSlot::FIRST.is_reverse());
    /// ```
    #[must_use]
    pub const fn is_reverse(self) -> bool {
        self.reverse
    }
}

/// The names of one cell's tensors in one naming, without the file's prefix.
///
/// ```
/// let names = lstm_naming::Naming::Keras.cell_names(lstm_naming::CellSlot::FIRST)?;
/// assert_eq!((names.input.as_str(), names.biases.len()), ("kernel", 1));
/// assert!(names.projection.is_none());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellNames {
    /// The four gates' input weights, stacked ([`Naming::stacked_shape`] with `I` columns).
    pub input: String,
    /// The four gates' recurrent weights, stacked (with `R` columns).
    pub recurrent: String,
    /// The bias sets the naming stores, each `(4H,)`: PyTorch's `bias_ih` and `bias_hh`, or
    /// Keras' one `bias`.
    pub biases: Vec<String>,
    /// The output projection `(R, H)`, if the naming has one.
    pub projection: Option<String>,
}

impl Naming {
    /// Every naming.
    ///
    /// ```
    /// assert_eq!(lstm_naming::Naming::ALL.len(), 3);
    /// ```
    pub const ALL: [Naming; 3] = [Naming::PyTorch, Naming::PyTorchCell, Naming::Keras];

    /// The names of the cell at `slot`, or why this naming cannot hold it (a second layer or
    /// direction outside PyTorch's `nn.LSTM`).
    ///
    /// # Errors
    /// The reason, as a sentence, when the naming holds one forward cell and `slot` is another.
    ///
    /// ```
    /// use lstm_naming::{CellSlot, Naming};
    /// assert_eq!(Naming::PyTorchCell.cell_names(CellSlot::FIRST)?.input, "weight_ih");
    /// assert!(Naming::Keras.cell_names(CellSlot::forward(1)).is_err());
    /// # Ok::<(), String>(())
    /// ```
    pub fn cell_names(self, slot: CellSlot) -> Result<CellNames, String> {
        match self {
            Naming::PyTorch => {
                let reverse = if slot.reverse { "_reverse" } else { "" };
                let suffix = format!("_l{}{reverse}", slot.layer);
                Ok(CellNames {
                    input: format!("weight_ih{suffix}"),
                    recurrent: format!("weight_hh{suffix}"),
                    biases: vec![format!("bias_ih{suffix}"), format!("bias_hh{suffix}")],
                    projection: Some(format!("weight_hr{suffix}")),
                })
            }
            Naming::PyTorchCell | Naming::Keras if slot == CellSlot::FIRST => {
                let (input, recurrent, biases): (&str, &str, &[&str]) = match self {
                    Naming::Keras => ("kernel", "recurrent_kernel", &["bias"]),
                    _ => ("weight_ih", "weight_hh", &["bias_ih", "bias_hh"]),
                };
                Ok(CellNames {
                    input: input.to_owned(),
                    recurrent: recurrent.to_owned(),
                    biases: biases.iter().map(|name| (*name).to_owned()).collect(),
                    projection: None,
                })
            }
            Naming::PyTorchCell | Naming::Keras => Err(format!(
                "{self} holds a single forward layer; load stacked or bidirectional LSTMs from \
                 PyTorch nn.LSTM files (`weight_ih_l1`, `weight_ih_l0_reverse`)"
            )),
        }
    }

    /// Whether the weight matrices are stored transposed (gates in columns).
    ///
    /// ```
    /// assert!(lstm_naming::Naming::Keras.transposed()); // kernel is (I, 4H)
    /// ```
    #[must_use]
    pub const fn transposed(self) -> bool {
        matches!(self, Naming::Keras)
    }

    /// The shape of the four `hidden x cols` gate matrices stacked in one tensor: `(4H, cols)`
    /// for PyTorch, `(cols, 4H)` for Keras.
    ///
    /// ```
    /// assert_eq!(lstm_naming::Naming::PyTorch.stacked_shape(256, 100), [1024, 100]);
    /// ```
    #[must_use]
    pub const fn stacked_shape(self, hidden: usize, cols: usize) -> [usize; 2] {
        if self.transposed() {
            [cols, 4 * hidden]
        } else {
            [4 * hidden, cols]
        }
    }

    /// Where element `(row, col)` of gate `gate`'s matrix (gates in the order i, f, c, o, from
    /// 0) sits in that stacked tensor, row-major.
    ///
    /// ```
    /// use lstm_naming::Naming;
    /// // Gate f (1), row 2, column 3 of a hidden-4, 5-column matrix.
    /// assert_eq!(Naming::PyTorch.stacked_index(1, 2, 3, 4, 5), (4 + 2) * 5 + 3);
    /// assert_eq!(Naming::Keras.stacked_index(1, 2, 3, 4, 5), 3 * 16 + 4 + 2);
    /// ```
    #[must_use]
    pub const fn stacked_index(
        self,
        gate: usize,
        row: usize,
        col: usize,
        hidden: usize,
        cols: usize,
    ) -> usize {
        let unit = gate * hidden + row;
        if self.transposed() {
            col * 4 * hidden + unit
        } else {
            unit * cols + col
        }
    }
}

impl fmt::Display for Naming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Naming::PyTorch => "PyTorch nn.LSTM",
            Naming::PyTorchCell => "PyTorch nn.LSTMCell",
            Naming::Keras => "Keras LSTM",
        })
    }
}
