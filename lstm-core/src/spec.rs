//! What `#[derive(Lstm)]` implements: a spec's sizes, parameter counts and tensor table, as
//! constants, as type-level numbers, and as bounds with readable errors.

use core::fmt;

use typenum::{NonZero, Unsigned};

use crate::Float;

/// The static description of one LSTM: sizes, parameter counts and the per-tensor breakdown.
///
/// Implemented by `#[derive(Lstm)]`, which computes every number at expansion time with checked
/// arithmetic and writes them as literals. The inherent constants the derive also writes
/// (`Encoder::INPUT`, ...) carry the same values and need no import.
///
/// Generic code reads the sizes as constants, or as [`typenum`] numbers through [`Self::Input`] and
/// [`Self::Hidden`], which can be constrained in `where` clauses (associated-const equality
/// bounds are not stable Rust):
///
/// ```
/// use lstm_core::{LstmSpec, typenum::U100};
/// fn takes_input_100<S: LstmSpec<Input = U100>>() -> usize { S::HIDDEN }
/// ```
///
/// For the common constraints, [`InputIs`], [`HiddenIs`] and [`Feeds`] say the same with error
/// messages in plain numbers.
pub trait LstmSpec {
    /// The spec's name as written (`"Encoder"`).
    const NAME: &'static str;
    /// Input size `I`: the length of each `x_t`.
    const INPUT: usize;
    /// Hidden size `H`: the length of `c_t` (and of `h_t` without a projection).
    const HIDDEN: usize;
    /// Output size `R`: the length of `h_t`, the projection's size with `proj = P`, else `H`.
    const OUTPUT: usize;
    /// Number of trainable parameters, as PyTorch's `sum(p.numel())` or Keras' `count_params()`
    /// count them for the same layer: `4 * H * (I + H + B)` with `B` = [`Self::BIAS_SETS`].
    const PARAM_COUNT: usize;
    /// Bias vectors per gate: 1 for `bias = "single"` (the default), 2 for `"double"` (PyTorch's
    /// `bias_ih` and `bias_hh`), 0 for `"none"`. The `B` of [`Self::Weights`].
    const BIAS_SETS: usize;
    /// The parameters tensor by tensor, in the seed's notation (`W_i`, `U_i`, `b_i`, ...).
    const TENSORS: &'static [TensorInfo];
    /// The tensors as PyTorch's `nn.LSTM` stores the same layer (`weight_ih_l0`, ...).
    const PYTORCH_TENSORS: &'static [TensorInfo];
    /// The tensors as Keras' `LSTM` stores the same layer (`kernel`, ...); empty for a stack, a
    /// bidirectional or a projected LSTM, which Keras' `LSTM` does not hold in one layer (load
    /// those from PyTorch `nn.LSTM` files).
    const KERAS_TENSORS: &'static [TensorInfo];

    /// `I` as a type-level number.
    type Input: Unsigned + NonZero;
    /// `H` as a type-level number.
    type Hidden: Unsigned + NonZero;
    /// `R` as a type-level number.
    type Output: Unsigned + NonZero;
    /// The weights of this shape, ready to run: `LstmLayer<T, I, H, B, R>`, a
    /// [`Bidirectional`](crate::Bidirectional) pair of them, or a [`Stacked`](crate::Stacked)
    /// stack of layers. Generic code can run, load, save and build them through the bounds.
    #[cfg(feature = "std")]
    type Weights<T: Float>: crate::Layer<T, State = Self::State<T>>
        + crate::WeightFile
        + crate::Zeros
        + crate::Compute<T>
        + Clone
        + fmt::Debug
        + Send
        + Sync;
    /// The weights of this shape, ready to run (without `std`, built only from static data).
    #[cfg(not(feature = "std"))]
    type Weights<T: Float>: crate::Layer<T, State = Self::State<T>>
        + Clone
        + fmt::Debug
        + Send
        + Sync;
    /// The state type of this shape, `LstmState<T, H, R>` (nested pairs for a stack).
    type State<T: Float>: Copy + crate::CellStates<T>;

    /// The parameter table, printable like Keras' `model.summary()`.
    #[must_use]
    fn summary() -> Summary {
        Summary::new(Self::NAME, Self::TENSORS)
    }
}

/// The weights of spec `S`, ready to run: `Weights<Encoder>` is `LstmLayer<f32, 100, 256>`.
///
/// ```
/// use lstm_core::{LstmLayer, Weights};
/// # use lstm_core::{LstmSpec, LstmState, TensorInfo, typenum};
/// # struct Encoder;
/// # impl LstmSpec for Encoder {
/// #     const NAME: &'static str = "Encoder";
/// #     const INPUT: usize = 100;
/// #     const HIDDEN: usize = 256;
/// #     const OUTPUT: usize = 256;
/// #     const PARAM_COUNT: usize = 365_568;
/// #     const BIAS_SETS: usize = 1;
/// #     const TENSORS: &'static [TensorInfo] = &[];
/// #     const PYTORCH_TENSORS: &'static [TensorInfo] = &[];
/// #     const KERAS_TENSORS: &'static [TensorInfo] = &[];
/// #     type Input = typenum::U100;
/// #     type Hidden = typenum::U256;
/// #     type Output = typenum::U256;
/// #     type Weights<T: lstm_core::Float> = LstmLayer<T, 100, 256>;
/// #     type State<T: lstm_core::Float> = LstmState<T, 256>;
/// # }
/// let weights: LstmLayer<f32, 100, 256> = Weights::<Encoder>::zeros();
/// ```
pub type Weights<S, T = f32> = <S as LstmSpec>::Weights<T>;

/// The state type of spec `S`: `State<Encoder>` is `LstmState<f32, 256>`.
///
/// ```
/// use lstm_core::{LstmState, State};
/// # use lstm_core::{LstmLayer, LstmSpec, TensorInfo, typenum};
/// # struct Encoder;
/// # impl LstmSpec for Encoder {
/// #     const NAME: &'static str = "Encoder";
/// #     const INPUT: usize = 100;
/// #     const HIDDEN: usize = 256;
/// #     const OUTPUT: usize = 256;
/// #     const PARAM_COUNT: usize = 365_568;
/// #     const BIAS_SETS: usize = 1;
/// #     const TENSORS: &'static [TensorInfo] = &[];
/// #     const PYTORCH_TENSORS: &'static [TensorInfo] = &[];
/// #     const KERAS_TENSORS: &'static [TensorInfo] = &[];
/// #     type Input = typenum::U100;
/// #     type Hidden = typenum::U256;
/// #     type Output = typenum::U256;
/// #     type Weights<T: lstm_core::Float> = LstmLayer<T, 100, 256>;
/// #     type State<T: lstm_core::Float> = LstmState<T, 256>;
/// # }
/// let state: LstmState<f32, 256> = State::<Encoder>::zeros();
/// # let _ = state;
/// ```
pub type State<S, T = f32> = <S as LstmSpec>::State<T>;

/// `Self`'s input size is `N`. Implemented by `#[derive(Lstm)]`.
///
/// A bound that reads as it is meant, with an error that says which spec and which size:
///
/// ```
/// use lstm_core::InputIs;
/// /// Any spec that takes 100 features per step.
/// fn feature_extractor<S: InputIs<100>>() {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not take input of size {N}",
    label = "this spec's input size is not {N}",
    note = "the input size is the `input = ..` value of `{Self}`'s `#[lstm(..)]` attribute"
)]
pub trait InputIs<const N: usize>: LstmSpec {}

/// `Self`'s hidden size is `N`. Implemented by `#[derive(Lstm)]`.
///
/// ```
/// use lstm_core::HiddenIs;
/// fn head_of_width_256<S: HiddenIs<256>>() {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not have hidden size {N}",
    label = "this spec's hidden size is not {N}",
    note = "the hidden size is the `hidden = ..` value of `{Self}`'s `#[lstm(..)]` attribute"
)]
pub trait HiddenIs<const N: usize>: LstmSpec {}

/// `Self`'s output (`h`, of its output size) fits `Next`'s input: `Self::OUTPUT == Next::INPUT`.
/// Implemented by `#[derive(Lstm)]` for every `Next` whose input is this spec's output size, so a
/// mismatch is reported as "`Next` does not take input of size R".
///
/// ```
/// use lstm_core::{Feeds, LstmSpec};
/// /// Two specs that can be stacked, the first feeding the second.
/// fn stack<A: Feeds<B>, B: LstmSpec>() -> usize { A::PARAM_COUNT + B::PARAM_COUNT }
/// ```
#[diagnostic::on_unimplemented(
    message = "the output of `{Self}` cannot feed `{Next}`",
    note = "`{Self}::OUTPUT` must equal `{Next}::INPUT`"
)]
pub trait Feeds<Next: LstmSpec>: LstmSpec {}

/// One tensor of a parameter table: its name, shape and element count.
///
/// ```
/// use lstm_core::{Summary, TensorInfo};
/// const W_I: TensorInfo =
///     TensorInfo { name: "W_i", shape: &[256, 100], count: 25_600, description: "input weights" };
/// assert_eq!(Summary::new("one tensor", &[W_I]).total(), 25_600);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorInfo {
    /// The tensor's name in its layout (`"W_i"`, `"weight_ih_l0"`, `"kernel"`).
    pub name: &'static str,
    /// Its shape, outermost first, as PyTorch's `tensor.shape` and Keras' `weight.shape` give it.
    pub shape: &'static [usize],
    /// Its number of elements, the product of `shape`.
    pub count: usize,
    /// What it holds, in words.
    pub description: &'static str,
}

/// A parameter table, printed like Keras' `model.summary()`.
///
/// ```
/// use lstm_core::{Summary, TensorInfo};
/// let table = Summary::new("Tiny", &[
///     TensorInfo { name: "W", shape: &[2, 3], count: 6, description: "weights" },
///     TensorInfo { name: "b", shape: &[2], count: 2, description: "bias" },
/// ]);
/// assert_eq!(table.total(), 8);
/// assert_eq!(table.to_string(), "\
/// Tiny
/// tensor  shape   params  description
/// ------  ------  ------  -----------
/// W       (2, 3)       6  weights
/// b       (2,)         2  bias
/// total                8
/// ");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    title: &'static str,
    tensors: &'static [TensorInfo],
}

impl Summary {
    /// A table titled `title` listing `tensors`.
    ///
    /// ```
    /// let empty = lstm_core::Summary::new("nothing", &[]);
    /// assert_eq!(empty.total(), 0);
    /// ```
    #[must_use]
    pub const fn new(title: &'static str, tensors: &'static [TensorInfo]) -> Self {
        Self { title, tensors }
    }

    /// The tensors listed.
    ///
    /// ```
    /// use lstm_core::{Summary, TensorInfo};
    /// static TABLE: [TensorInfo; 1] =
    ///     [TensorInfo { name: "b", shape: &[4], count: 4, description: "bias" }];
    /// assert_eq!(Summary::new("bias", &TABLE).tensors()[0].name, "b");
    /// ```
    #[must_use]
    pub const fn tensors(&self) -> &'static [TensorInfo] {
        self.tensors
    }

    /// The sum of the tensors' counts. Saturates at `u128::MAX`, which no table written by the
    /// derive can reach: it rejects any spec whose count overflows `usize`.
    ///
    /// ```
    /// use lstm_core::{Summary, TensorInfo};
    /// static TABLE: [TensorInfo; 2] = [
    ///     TensorInfo { name: "W", shape: &[2, 3], count: 6, description: "" },
    ///     TensorInfo { name: "U", shape: &[2, 2], count: 4, description: "" },
    /// ];
    /// assert_eq!(Summary::new("", &TABLE).total(), 10);
    /// ```
    #[must_use]
    pub fn total(&self) -> u128 {
        self.tensors.iter().fold(0u128, |sum, tensor| {
            sum.saturating_add(tensor.count as u128)
        })
    }
}

/// Writes `value` with a comma between groups of three digits: `365,568`.
///
/// ```
/// assert_eq!(lstm_core::group_digits(365_568), "365,568");
/// assert_eq!(lstm_core::group_digits(12), "12");
/// ```
#[cfg(feature = "std")]
#[must_use]
pub fn group_digits(value: u128) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(feature = "std")]
fn shape_text(shape: &[usize]) -> String {
    match shape {
        [len] => format!("({len},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

#[cfg(feature = "std")]
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<[String; 4]> = self
            .tensors
            .iter()
            .map(|t| {
                [
                    t.name.to_owned(),
                    shape_text(t.shape),
                    group_digits(t.count as u128),
                    t.description.to_owned(),
                ]
            })
            .collect();
        let total = group_digits(self.total());
        let header = ["tensor", "shape", "params", "description"];
        let width = |column: usize| {
            rows.iter()
                .map(|row| row[column].len())
                .chain([header[column].len()])
                .max()
                .unwrap_or(0)
        };
        let (name_w, shape_w, count_w) = (width(0), width(1), width(2).max(total.len()));
        writeln!(f, "{}", self.title)?;
        writeln!(
            f,
            "{:<name_w$}  {:<shape_w$}  {:>count_w$}  {}",
            header[0], header[1], header[2], header[3]
        )?;
        writeln!(
            f,
            "{}  {}  {}  {}",
            "-".repeat(name_w),
            "-".repeat(shape_w),
            "-".repeat(count_w),
            "-".repeat(header[3].len())
        )?;
        for [name, shape, count, description] in &rows {
            writeln!(
                f,
                "{name:<name_w$}  {shape:<shape_w$}  {count:>count_w$}  {description}"
            )?;
        }
        writeln!(
            f,
            "{:<name_w$}  {:<shape_w$}  {total:>count_w$}",
            "total", ""
        )
    }
}
