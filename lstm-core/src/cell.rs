//! The LSTM cell: its twelve weight tensors and the forward step.
//!
//! The equations are the ones PyTorch's `nn.LSTM` and Keras' `LSTM` compute, with gates in their
//! common order i, f, c (the candidate, PyTorch's g), o:
//!
//! ```text
//! i  = sigmoid(W_i x + U_i h + b_i)
//! f  = sigmoid(W_f x + U_f h + b_f)
//! c~ = tanh   (W_c x + U_c h + b_c)
//! o  = sigmoid(W_o x + U_o h + b_o)
//! c' = f * c + i * c~
//! h' = o * tanh(c')
//! ```

use core::fmt;

use crate::{Float, Layer, LstmState, Matrix, StreamingLayer, Vector};

/// One of the four LSTM gates, in PyTorch's and Keras' order.
///
/// ```
/// use lstm_core::Gate;
/// let letters: String = Gate::ALL.iter().map(|gate| gate.letter()).collect();
/// assert_eq!(letters, "ifco");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gate {
    /// Input gate `i`.
    Input,
    /// Forget gate `f`.
    Forget,
    /// The candidate cell value `c~` (PyTorch calls it `g`, the seed's notation `c`).
    Candidate,
    /// Output gate `o`.
    Output,
}

impl Gate {
    /// The gates in the order PyTorch stacks them in `weight_ih` and Keras in `kernel`.
    ///
    /// ```
    /// assert_eq!(lstm_core::Gate::ALL[2], lstm_core::Gate::Candidate);
    /// ```
    pub const ALL: [Gate; 4] = [Gate::Input, Gate::Forget, Gate::Candidate, Gate::Output];

    /// The gate's position in [`Gate::ALL`]: its block in PyTorch's and Keras' stacked tensors.
    ///
    /// ```
    /// assert_eq!(lstm_core::Gate::Output.index(), 3);
    /// ```
    #[must_use]
    pub const fn index(self) -> usize {
        match self {
            Gate::Input => 0,
            Gate::Forget => 1,
            Gate::Candidate => 2,
            Gate::Output => 3,
        }
    }

    /// The seed notation's subscript: `i`, `f`, `c`, `o`.
    ///
    /// ```
    /// assert_eq!(lstm_core::Gate::Forget.letter(), 'f');
    /// ```
    #[must_use]
    pub const fn letter(self) -> char {
        match self {
            Gate::Input => 'i',
            Gate::Forget => 'f',
            Gate::Candidate => 'c',
            Gate::Output => 'o',
        }
    }
}

/// What a weight tensor multiplies: the input `x`, the previous hidden state `h`, or nothing.
///
/// ```
/// use lstm_core::{Gate, LstmWeights, Role};
/// // Start by remembering: forget-gate biases of 1, everything else 0.
/// let weights = LstmWeights::<f32, 2, 3>::from_fn(|gate, role, _, _| match (gate, role) {
///     (Gate::Forget, Role::Bias(_)) => 1.0,
///     _ => 0.0,
/// });
/// assert_eq!(*weights.biases[0].b_f, [1.0; 3]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// `W`, hidden x input: multiplies `x`.
    Input,
    /// `U`, hidden x hidden: multiplies the previous `h`.
    Recurrent,
    /// `b`, hidden: added. The number is the bias set: `0` for the one bias of a single-bias
    /// cell, and for PyTorch's two, `0` is `bias_ih` and `1` is `bias_hh`.
    Bias(usize),
    /// `W_hr`, projection x hidden: projects `o * tanh(c)` to the output `h` (PyTorch's
    /// `weight_hr`). Passed with [`Gate::Output`], the gate whose output it projects.
    Projection,
}

/// The sequence call was given a different number of output slots than inputs.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmLayer, LstmState, SequenceLengthError};
/// let cell = LstmLayer::<f32, 1, 2>::zeros();
/// let mut out = [[0.0; 2]; 2];
/// let err = cell.run(&[[1.0]; 3], &mut out, &mut LstmState::zeros()).unwrap_err();
/// assert_eq!(err, SequenceLengthError { inputs: 3, outputs: 2 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceLengthError {
    /// Number of input steps given.
    pub inputs: usize,
    /// Number of output slots given.
    pub outputs: usize,
}

impl fmt::Display for SequenceLengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sequence of {} inputs needs as many output slots, found {}",
            self.inputs, self.outputs
        )
    }
}

impl core::error::Error for SequenceLengthError {}

impl SequenceLengthError {
    /// `Ok` if a sequence call's inputs and outputs have the same length.
    pub(crate) fn check(inputs: usize, outputs: usize) -> Result<(), Self> {
        if inputs == outputs {
            Ok(())
        } else {
            Err(SequenceLengthError { inputs, outputs })
        }
    }
}

/// A batch call whose buffers do not describe the same sequences: inputs and outputs of
/// different lengths, or a length that is not a whole number of steps per sequence.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{BatchLengthError, LstmLayer, LstmState};
/// let cell = LstmLayer::<f32, 1, 2>::zeros();
/// let mut states = [LstmState::zeros(); 2];
/// let err = cell.run_batch(&[[1.0]; 5], &mut [[0.0; 2]; 5], &mut states).unwrap_err();
/// assert_eq!(err, BatchLengthError { inputs: 5, outputs: 5, sequences: 2 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchLengthError {
    /// Number of input steps given, all sequences together.
    pub inputs: usize,
    /// Number of output slots given.
    pub outputs: usize,
    /// Number of sequences (states) given.
    pub sequences: usize,
}

impl fmt::Display for BatchLengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a batch of {} sequences needs as many inputs as outputs, a multiple of {}; found {} \
             inputs and {} outputs",
            self.sequences, self.sequences, self.inputs, self.outputs
        )
    }
}

impl core::error::Error for BatchLengthError {}

impl BatchLengthError {
    /// The number of steps per sequence if the lengths agree.
    pub(crate) fn steps(inputs: usize, outputs: usize, sequences: usize) -> Result<usize, Self> {
        let error = BatchLengthError {
            inputs,
            outputs,
            sequences,
        };
        match (inputs == outputs, sequences) {
            (false, _) => Err(error),
            (true, 0) if inputs == 0 => Ok(0),
            (true, 0) => Err(error),
            (true, _) if inputs.is_multiple_of(sequences) => Ok(inputs / sequences),
            (true, _) => Err(error),
        }
    }
}

/// Borrowed views of the tensors of one LSTM cell, in the seed's notation, and the reference
/// forward step over them.
///
/// [`LstmWeights::as_cell`] gives one, and so does the `as_cell` method that `#[derive(Lstm)]`
/// writes for a user's own weight struct; build one by hand for weights that live elsewhere.
/// `B` is the number of bias sets and `R` the output size, as in [`LstmWeights`].
///
/// Its step computes unit by unit, in the order of the equations, with the library's exact
/// activations: the obvious implementation, which the tests hold every kernel to. It is many
/// times slower than an [`LstmLayer`](crate::LstmLayer); [`pack`](Self::pack) builds one.
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{CellRef, LstmState, LstmWeights};
/// let weights = LstmWeights::<f32, 3, 2>::zeros();
/// let cell: CellRef<'_, f32, 3, 2> = weights.as_cell();
/// let mut state = LstmState::zeros();
/// // All-zero weights: every gate is sigmoid(0) = 0.5 and the candidate tanh(0) = 0.
/// assert_eq!(cell.step(&[1.0, 2.0, 3.0], &mut state), [0.0, 0.0]);
/// ```
#[derive(Debug)]
pub struct CellRef<
    'a,
    T: 'static,
    const I: usize,
    const H: usize,
    const B: usize = 1,
    const R: usize = H,
> {
    /// Input gate, input weights (hidden x input).
    pub w_i: &'a Matrix<T, H, I>,
    /// Input gate, recurrent weights (hidden x hidden).
    pub u_i: &'a Matrix<T, H, R>,
    /// Forget gate, input weights.
    pub w_f: &'a Matrix<T, H, I>,
    /// Forget gate, recurrent weights.
    pub u_f: &'a Matrix<T, H, R>,
    /// Candidate, input weights.
    pub w_c: &'a Matrix<T, H, I>,
    /// Candidate, recurrent weights.
    pub u_c: &'a Matrix<T, H, R>,
    /// Output gate, input weights.
    pub w_o: &'a Matrix<T, H, I>,
    /// Output gate, recurrent weights.
    pub u_o: &'a Matrix<T, H, R>,
    /// The bias sets, added together.
    pub biases: [GateBiasRefs<'a, T, H>; B],
    /// The projection of `h` to `R` elements, or none when `R` is `H`.
    pub projection: Projection<'a, T, R, H>,
}

/// The projection `W_hr` (`R x H`) of a cell's output, or its absence. Absence exists only for
/// `R == H`, so a cell that must project always has a matrix to project with.
///
/// ```
/// use lstm_core::{Matrix, Projection};
/// let none: Projection<'_, f32, 4, 4> = Projection::none();
/// let w_hr = Matrix::<f32, 2, 4>::zeros();
/// let some = Projection::new(&w_hr);
/// assert!(none.matrix().is_none() && some.matrix().is_some());
/// ```
///
/// ```compile_fail
/// // No projection from 4 to 2 elements without a matrix.
/// let none: lstm_core::Projection<'_, f32, 2, 4> = lstm_core::Projection::none();
/// ```
#[derive(Debug)]
pub struct Projection<'a, T: 'static, const R: usize, const H: usize>(Option<&'a Matrix<T, R, H>>);

impl<T, const H: usize> Projection<'_, T, H, H> {
    /// No projection: the output is `h` itself.
    ///
    /// ```
    /// let none = lstm_core::Projection::<'_, f32, 4, 4>::none();
    /// assert!(none.matrix().is_none());
    /// ```
    #[must_use]
    pub const fn none() -> Self {
        Projection(None)
    }
}

impl<'a, T, const R: usize, const H: usize> Projection<'a, T, R, H> {
    /// Projection by `w_hr`: output row `r` is `w_hr[r] . (o * tanh(c))`.
    ///
    /// ```
    /// let w_hr = lstm_core::Matrix::<f32, 2, 4>::zeros();
    /// assert!(lstm_core::Projection::new(&w_hr).matrix().is_some());
    /// ```
    #[must_use]
    pub const fn new(w_hr: &'a Matrix<T, R, H>) -> Self {
        Projection(Some(w_hr))
    }

    /// The matrix, if there is a projection.
    ///
    /// ```
    /// let w_hr = lstm_core::Matrix::<f32, 2, 4>::from_fn(|row, col| (row + col) as f32);
    /// let projection = lstm_core::Projection::new(&w_hr);
    /// assert_eq!(projection.matrix().map(|m| m[1][3]), Some(4.0));
    /// ```
    #[must_use]
    pub const fn matrix(&self) -> Option<&'a Matrix<T, R, H>> {
        self.0
    }
}

impl<T, const R: usize, const H: usize> Clone for Projection<'_, T, R, H> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, const R: usize, const H: usize> Copy for Projection<'_, T, R, H> {}

/// Borrowed views of one set of gate biases.
///
/// ```
/// use lstm_core::LstmWeights;
/// let weights = LstmWeights::<f32, 2, 3>::from_fn(|_, _, row, _| row as f32);
/// let biases = weights.biases[0].as_refs();
/// assert_eq!(**biases.b_o, [0.0, 1.0, 2.0]);
/// ```
#[derive(Debug)]
pub struct GateBiasRefs<'a, T: 'static, const H: usize> {
    /// Input gate bias.
    pub b_i: &'a Vector<T, H>,
    /// Forget gate bias.
    pub b_f: &'a Vector<T, H>,
    /// Candidate bias.
    pub b_c: &'a Vector<T, H>,
    /// Output gate bias.
    pub b_o: &'a Vector<T, H>,
}

// Manual impls: a derive would demand `T: Clone`, but only references are copied.
impl<T, const I: usize, const H: usize, const B: usize, const R: usize> Clone
    for CellRef<'_, T, I, H, B, R>
{
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, const I: usize, const H: usize, const B: usize, const R: usize> Copy
    for CellRef<'_, T, I, H, B, R>
{
}
impl<'a, T, const H: usize> GateBiasRefs<'a, T, H> {
    /// The vector of one gate.
    ///
    /// ```
    /// use lstm_core::{Gate, LstmWeights};
    /// let weights = LstmWeights::<f32, 2, 3>::from_fn(|gate, _, _, _| gate.index() as f32);
    /// let cell = weights.as_cell();
    /// assert_eq!(**cell.biases[0].gate(Gate::Output), [3.0; 3]);
    /// ```
    #[must_use]
    pub fn gate(&self, gate: Gate) -> &'a Vector<T, H> {
        match gate {
            Gate::Input => self.b_i,
            Gate::Forget => self.b_f,
            Gate::Candidate => self.b_c,
            Gate::Output => self.b_o,
        }
    }
}

impl<T, const H: usize> Clone for GateBiasRefs<'_, T, H> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, const H: usize> Copy for GateBiasRefs<'_, T, H> {}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> Layer<T>
    for CellRef<'_, T, I, H, B, R>
{
    type Input = [T; I];
    type Output = [T; R];
    type State = LstmState<T, H, R>;
    type Workspace = ();

    fn zero_output() -> [T; R] {
        [T::ZERO; R]
    }

    fn run_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        state: &mut LstmState<T, H, R>,
        (): &mut (),
    ) -> Result<(), SequenceLengthError> {
        SequenceLengthError::check(inputs.len(), outputs.len())?;
        for (x, h_out) in inputs.iter().zip(outputs.iter_mut()) {
            self.step_into(x, &state.h, &mut state.c, h_out);
            state.h = *h_out;
        }
        Ok(())
    }

    /// The batch steps in lockstep, each hidden unit's rows of `W` and `U` read once per step
    /// for a block of sequences.
    fn run_batch_with(
        &self,
        inputs: &[[T; I]],
        outputs: &mut [[T; R]],
        states: &mut [LstmState<T, H, R>],
        (): &mut (),
    ) -> Result<(), BatchLengthError> {
        let steps = BatchLengthError::steps(inputs.len(), outputs.len(), states.len())?;
        self.lockstep(inputs, steps, states, outputs);
        Ok(())
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> StreamingLayer<T>
    for CellRef<'_, T, I, H, B, R>
{
    /// Allocates nothing; the only temporary is one `[T; R]` on the stack for the new `h`,
    /// because every unit of the new `h` reads the whole old one.
    fn step(&self, x: &[T; I], state: &mut LstmState<T, H, R>) -> [T; R] {
        let mut h_next = [T::ZERO; R];
        self.step_into(x, &state.h, &mut state.c, &mut h_next);
        state.h = h_next;
        h_next
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>
    CellRef<'_, T, I, H, B, R>
{
    /// Steps every sequence of a batch through time, all sequences at each step.
    fn lockstep(
        &self,
        inputs: &[[T; I]],
        steps: usize,
        states: &mut [LstmState<T, H, R>],
        outputs: &mut [[T; R]],
    ) {
        for t in 0..steps {
            match self.projection.matrix() {
                // Unit by unit, every sequence: the unit's rows of `W` and `U` stay in cache.
                // Each value is `unit_output` on the same operands as a single step, so the
                // results are the same bit for bit.
                None => {
                    for unit in 0..H {
                        let blocked = states.len() / BLOCK * BLOCK;
                        for (block, entries) in states.chunks_exact_mut(BLOCK).enumerate() {
                            let first = block * BLOCK;
                            let Ok(entries) = <&mut [LstmState<T, H, R>; BLOCK]>::try_from(entries)
                            else {
                                continue; // `chunks_exact_mut` gives exactly `BLOCK`
                            };
                            let xs = core::array::from_fn(|m| &inputs[(first + m) * steps + t]);
                            let cells = entries
                                .each_mut()
                                .map(|LstmState { h, c }| (&*h, &mut c[unit]));
                            let values = self.unit_outputs(unit, xs, cells);
                            for (m, value) in values.into_iter().enumerate() {
                                if let Some(element) =
                                    outputs[(first + m) * steps + t].get_mut(unit)
                                {
                                    *element = value;
                                }
                            }
                        }
                        for (sequence, cell) in states.iter_mut().enumerate().skip(blocked) {
                            let at = sequence * steps + t;
                            let value = self.unit_output(unit, &inputs[at], &cell.h, &mut cell.c);
                            if let Some(element) = outputs[at].get_mut(unit) {
                                *element = value;
                            }
                        }
                    }
                    for (sequence, cell) in states.iter_mut().enumerate() {
                        cell.h = outputs[sequence * steps + t];
                    }
                }
                // A projection needs all of a sequence's units first: one sequence at a time.
                Some(_) => {
                    for (sequence, cell) in states.iter_mut().enumerate() {
                        let at = sequence * steps + t;
                        let mut h_next = [T::ZERO; R];
                        self.step_into(&inputs[at], &cell.h, &mut cell.c, &mut h_next);
                        cell.h = h_next;
                        outputs[at] = h_next;
                    }
                }
            }
        }
    }

    /// The step proper: `c` is updated in place (unit `j` reads only `c[j]`); the new `h` goes to
    /// `h_out` because all units read the old `h`.
    fn step_into(&self, x: &[T; I], h_prev: &[T; R], c: &mut [T; H], h_out: &mut [T; R]) {
        match self.projection.matrix() {
            // No projection, so `R == H` (`Projection::none` exists only then): each unit's
            // output is an element of `h`.
            None => {
                for (unit, h) in (0..H).zip(h_out.iter_mut()) {
                    *h = self.unit_output(unit, x, h_prev, c);
                }
            }
            Some(w_hr) => {
                let mut unprojected = [T::ZERO; H];
                for (unit, value) in unprojected.iter_mut().enumerate() {
                    *value = self.unit_output(unit, x, h_prev, c);
                }
                for (h, row) in h_out.iter_mut().zip(w_hr.iter()) {
                    *h = dot(row, &unprojected);
                }
            }
        }
    }

    /// Hidden unit `unit`'s gates, its new `c` (written back) and its output `o * tanh(c)`.
    #[inline]
    fn unit_output(&self, unit: usize, x: &[T; I], h_prev: &[T; R], c: &mut [T; H]) -> T {
        let [output] = self.unit_outputs(unit, [x], [(h_prev, &mut c[unit])]);
        output
    }

    /// [`unit_output`](Self::unit_output) for `M` sequences at once: each row of `W` and `U` is
    /// read once for all of them. Every sequence's value is computed with exactly the operations
    /// of the one-sequence case, which is this with `M = 1`, so a batch equals separate calls bit
    /// for bit.
    #[inline]
    fn unit_outputs<const M: usize>(
        &self,
        unit: usize,
        xs: [&[T; I]; M],
        states: [(&[T; R], &mut T); M],
    ) -> [T; M] {
        let h_prevs = states.each_ref().map(|(h_prev, _)| *h_prev);
        // The bias sets first: PyTorch adds `b_ih` and `b_hh`; a single set is Keras' `b`.
        let mut bias = [T::ZERO; 4];
        for set in &self.biases {
            bias[0] += set.b_i[unit];
            bias[1] += set.b_f[unit];
            bias[2] += set.b_c[unit];
            bias[3] += set.b_o[unit];
        }
        let gate = |w: &Matrix<T, H, I>, u: &Matrix<T, H, R>, b: T| -> [T; M] {
            let (from_x, from_h) = (dot_many(&w[unit], &xs), dot_many(&u[unit], &h_prevs));
            core::array::from_fn(|m| b + from_x[m] + from_h[m])
        };
        let input_gate = gate(self.w_i, self.u_i, bias[0]);
        let forget_gate = gate(self.w_f, self.u_f, bias[1]);
        let candidate = gate(self.w_c, self.u_c, bias[2]);
        let output_gate = gate(self.w_o, self.u_o, bias[3]);
        let mut m = 0;
        states.map(|(_, c)| {
            let gates = [input_gate[m], forget_gate[m], candidate[m], output_gate[m]];
            m += 1;
            unit_update(gates, c)
        })
    }
}

/// One unit's update from its four pre-activations (`i, f, g, o`, in [`Gate::ALL`]'s order):
/// the new `c`, written back, and the output `o * tanh(c)`. The reference step's arithmetic,
/// shared with the packed layer's path for extreme values, so that the two agree exactly.
#[inline]
pub(crate) fn unit_update<T: Float>([input, forget, candidate, output]: [T; 4], c: &mut T) -> T {
    let c_next = forget.sigmoid() * *c + input.sigmoid() * candidate.tanh();
    *c = c_next;
    output.sigmoid() * c_next.tanh()
}

/// Number of independent partial sums in [`dot`]: enough for the compiler to fill a 256-bit
/// register of `f32` and hide the latency of the additions.
const LANES: usize = 8;

/// Sequences per register block in a batch: with 4, the dot products load 1.25 values per
/// multiply-add instead of 2 (one row element serves four sequences), which is what made the
/// batch faster than separate calls; more would run out of registers.
const BLOCK: usize = 4;

/// Dot product with `LANES` independent accumulators, so that it vectorises; a plain `.sum()`
/// is a serial chain of additions that the compiler may not reorder.
#[inline]
pub(crate) fn dot<T: Float, const N: usize>(a: &[T; N], b: &[T; N]) -> T {
    let [sum] = dot_many(a, &[b]);
    sum
}

/// `row . x` for `M` vectors `x` at once, each exactly as [`dot`] computes it alone (the same
/// lanes, in the same order), with `row` read once for all of them.
#[inline]
fn dot_many<T: Float, const N: usize, const M: usize>(row: &[T; N], xs: &[&[T; N]; M]) -> [T; M] {
    let (row_chunks, row_tail) = row.as_chunks::<LANES>();
    let x_parts = xs.map(|x| x.as_chunks::<LANES>());
    let mut partial = [[T::ZERO; LANES]; M];
    for (chunk, row_chunk) in row_chunks.iter().enumerate() {
        for (sums, (x_chunks, _)) in partial.iter_mut().zip(&x_parts) {
            let x_chunk = &x_chunks[chunk];
            for lane in 0..LANES {
                sums[lane] += row_chunk[lane] * x_chunk[lane];
            }
        }
    }
    let mut m = 0;
    partial.map(|p| {
        let mut sum = ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));
        for (&a, &b) in row_tail.iter().zip(x_parts[m].1) {
            sum += a * b;
        }
        m += 1;
        sum
    })
}

/// The weights of one LSTM cell with input size `I`, hidden size `H`, `B` bias sets and output
/// size `R`.
///
/// `W` tensors are `H x I` and `U` tensors `H x H`: row `j` of `W_i` holds the weights of hidden
/// unit `j`'s input gate, so the gate computes `W_i x` as PyTorch does. The biases come in `B`
/// sets of four vectors that are added together: `B = 1` (the default) is the seed's one `b` per
/// gate, as Keras has it; `B = 2` is PyTorch's `bias_ih` and `bias_hh`, kept apart; `B = 0` is a
/// cell without biases (PyTorch `bias=False`, Keras `use_bias=False`).
///
/// `R` is `H` unless the cell projects its output to `R` elements, as PyTorch's `proj_size`
/// does: `h = W_hr (o * tanh(c))`, with `W_hr` of `R x H`, and the recurrent weights `U` then
/// multiply that `R`-element `h` (`H x R`). The projection exists exactly when `R != H`.
///
/// How this maps to the files of the reference libraries:
///
/// | here | PyTorch `nn.LSTM` | Keras `LSTM` |
/// |---|---|---|
/// | `w_i, w_f, w_c, w_o` (`H x I` each) | `weight_ih_l0` `(4H, I)`: the four stacked by rows, in order i, f, g, o | `kernel` `(I, 4H)`: the four transposed, side by side, in order i, f, c, o |
/// | `u_i, u_f, u_c, u_o` (`H x H` each) | `weight_hh_l0` `(4H, H)`, stacked the same way | `recurrent_kernel` `(H, 4H)`, the same way |
/// | `biases[0]` (`b_i, b_f, b_c, b_o`, `H` each) | `bias_ih_l0` `(4H,)`, stacked | `bias` `(4H,)`, side by side |
/// | `biases[1]` (`B = 2` only) | `bias_hh_l0` `(4H,)` | (none: Keras has one bias) |
///
/// So for input 100 and hidden 256, `W_i` is `256 x 100`; a `100 x 256` matrix is Keras'
/// transposed orientation and a compile error here.
///
/// This is the layout to build, inspect, load and save weights in; to run them,
/// [`pack`](Self::pack) them once into an [`LstmLayer`](crate::LstmLayer) (loading a
/// spec's `Weights` does that for you). The tensors are public: set them directly, or build
/// them all with [`LstmWeights::from_fn`].
///
/// ```
/// use lstm_core::prelude::*;
/// use lstm_core::{LstmState, LstmWeights};
/// // A 33.6 MB cell is built on the heap, never on the stack.
/// let mut weights = LstmWeights::<f32, 1024, 1024>::zeros();
/// weights.w_i[0][0] = 0.5;
/// let cell = weights.pack();
/// let mut state = LstmState::<f32, 1024>::zeros();
/// let h = cell.step(&[1.0; 1024], &mut state);
/// assert_eq!(h.len(), 1024);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LstmWeights<
    T: 'static,
    const I: usize,
    const H: usize,
    const B: usize = 1,
    const R: usize = H,
> {
    /// Input gate, input weights (hidden x input).
    pub w_i: Matrix<T, H, I>,
    /// Input gate, recurrent weights (hidden x hidden).
    pub u_i: Matrix<T, H, R>,
    /// Forget gate, input weights.
    pub w_f: Matrix<T, H, I>,
    /// Forget gate, recurrent weights.
    pub u_f: Matrix<T, H, R>,
    /// Candidate, input weights.
    pub w_c: Matrix<T, H, I>,
    /// Candidate, recurrent weights.
    pub u_c: Matrix<T, H, R>,
    /// Output gate, input weights.
    pub w_o: Matrix<T, H, I>,
    /// Output gate, recurrent weights.
    pub u_o: Matrix<T, H, R>,
    /// The bias sets, added together: none, the one `b`, or PyTorch's `bias_ih` and `bias_hh`.
    pub biases: [GateBiases<T, H>; B],
    /// `W_hr` (`R x H`), present exactly when `R != H`: private to keep that so.
    projection: Option<Matrix<T, R, H>>,
}

/// One set of gate biases: a `b` for each of the four gates.
///
/// ```
/// use lstm_core::{Gate, GateBiases};
/// let biases = GateBiases::<f32, 2>::from_fn(|gate, row| (gate.index() * 10 + row) as f32);
/// assert_eq!(**biases.gate(Gate::Candidate), [20.0, 21.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GateBiases<T: 'static, const H: usize> {
    /// Input gate bias.
    pub b_i: Vector<T, H>,
    /// Forget gate bias.
    pub b_f: Vector<T, H>,
    /// Candidate bias.
    pub b_c: Vector<T, H>,
    /// Output gate bias.
    pub b_o: Vector<T, H>,
}

impl<T: Float, const H: usize> GateBiases<T, H> {
    #[cfg(feature = "std")]
    /// Biases whose element `row` of gate `gate` is `element(gate, row)`, gates in order i, f, c, o.
    ///
    /// ```
    /// let biases = lstm_core::GateBiases::<f64, 3>::from_fn(|_, row| row as f64);
    /// assert_eq!(*biases.b_i, [0.0, 1.0, 2.0]);
    /// ```
    #[must_use]
    pub fn from_fn(mut element: impl FnMut(Gate, usize) -> T) -> Self {
        GateBiases {
            b_i: Vector::from_fn(|row| element(Gate::Input, row)),
            b_f: Vector::from_fn(|row| element(Gate::Forget, row)),
            b_c: Vector::from_fn(|row| element(Gate::Candidate, row)),
            b_o: Vector::from_fn(|row| element(Gate::Output, row)),
        }
    }

    /// The vector of one gate.
    ///
    /// ```
    /// use lstm_core::{Gate, GateBiases};
    /// let biases = GateBiases::<f32, 2>::from_fn(|gate, _| gate.index() as f32);
    /// assert_eq!(**biases.gate(Gate::Forget), [1.0, 1.0]);
    /// ```
    #[must_use]
    pub fn gate(&self, gate: Gate) -> &Vector<T, H> {
        match gate {
            Gate::Input => &self.b_i,
            Gate::Forget => &self.b_f,
            Gate::Candidate => &self.b_c,
            Gate::Output => &self.b_o,
        }
    }

    #[cfg(feature = "std")]
    /// The vector of one gate, mutably.
    ///
    /// ```
    /// use lstm_core::{Gate, GateBiases};
    /// let mut biases = GateBiases::<f32, 2>::from_fn(|_, _| 0.0);
    /// biases.gate_mut(Gate::Forget)[1] = 1.0;
    /// assert_eq!(**biases.gate(Gate::Forget), [0.0, 1.0]);
    /// ```
    #[must_use]
    pub fn gate_mut(&mut self, gate: Gate) -> &mut Vector<T, H> {
        match gate {
            Gate::Input => &mut self.b_i,
            Gate::Forget => &mut self.b_f,
            Gate::Candidate => &mut self.b_c,
            Gate::Output => &mut self.b_o,
        }
    }

    /// Borrows the four vectors.
    ///
    /// ```
    /// let biases = lstm_core::GateBiases::<f32, 2>::from_fn(|_, row| row as f32);
    /// assert_eq!(**biases.as_refs().b_c, [0.0, 1.0]);
    /// ```
    #[must_use]
    pub fn as_refs(&self) -> GateBiasRefs<'_, T, H> {
        GateBiasRefs {
            b_i: &self.b_i,
            b_f: &self.b_f,
            b_c: &self.b_c,
            b_o: &self.b_o,
        }
    }
}

impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>
    LstmWeights<T, I, H, B, R>
{
    /// The output is `h` itself (`R == H`) or its projection to fewer elements: checked when
    /// the type is used in a build.
    pub(crate) const OUTPUT_FITS: () = assert!(
        R <= H,
        "an LSTM's output size R must be at most its hidden size H (a projection maps the H \
         units to fewer outputs, as PyTorch's proj_size < hidden_size)"
    );

    #[cfg(feature = "std")]
    /// All-zero weights.
    ///
    /// ```
    /// let weights = lstm_core::LstmWeights::<f32, 3, 2>::zeros();
    /// assert!(weights.w_i.as_flattened().iter().all(|&w| w == 0.0));
    /// ```
    #[must_use]
    pub fn zeros() -> Self {
        Self::from_fn(|_, _, _, _| T::ZERO)
    }

    #[cfg(feature = "std")]
    /// Weights whose every element is `element(gate, role, row, col)` (`col` is 0 for a bias).
    ///
    /// Gates are filled in the order i, f, c, o, each gate's `W` then `U`, each in row-major
    /// order; then the bias sets in order, gates i, f, c, o within a set; then the projection
    /// (if `R != H`, with [`Gate::Output`]). A seeded generator therefore gives the same weights
    /// on every run.
    ///
    /// ```
    /// use lstm_core::{Gate, LstmWeights, Role};
    /// let weights = LstmWeights::<f64, 2, 3>::from_fn(|gate, role, row, col| match (gate, role) {
    ///     (Gate::Forget, Role::Bias(_)) => 1.0, // a common trick: start by remembering
    ///     _ => 0.01 * (row + col) as f64,
    /// });
    /// assert_eq!(*weights.biases[0].b_f, [1.0; 3]);
    /// assert_eq!(weights.w_o[2][1], 0.03);
    /// ```
    ///
    /// An output wider than the hidden state does not build: a projection maps the `H` units
    /// to fewer outputs, as PyTorch's `proj_size < hidden_size` requires.
    ///
    /// ```compile_fail
    /// let weights = lstm_core::LstmWeights::<f32, 3, 2, 1, 4>::zeros(); // R = 4 > H = 2
    /// ```
    #[must_use]
    pub fn from_fn(mut element: impl FnMut(Gate, Role, usize, usize) -> T) -> Self {
        let () = Self::OUTPUT_FITS;
        let mut matrices = |gate| {
            (
                Matrix::from_fn(|row, col| element(gate, Role::Input, row, col)),
                Matrix::from_fn(|row, col| element(gate, Role::Recurrent, row, col)),
            )
        };
        let (w_i, u_i) = matrices(Gate::Input);
        let (w_f, u_f) = matrices(Gate::Forget);
        let (w_c, u_c) = matrices(Gate::Candidate);
        let (w_o, u_o) = matrices(Gate::Output);
        let biases = core::array::from_fn(|set| {
            GateBiases::from_fn(|gate, row| element(gate, Role::Bias(set), row, 0))
        });
        let projection = (R != H)
            .then(|| Matrix::from_fn(|row, col| element(Gate::Output, Role::Projection, row, col)));
        Self {
            w_i,
            u_i,
            w_f,
            u_f,
            w_c,
            u_c,
            w_o,
            u_o,
            biases,
            projection,
        }
    }

    /// The input weights `W` of one gate.
    ///
    /// ```
    /// use lstm_core::{Gate, LstmWeights, Role};
    /// let weights = LstmWeights::<f32, 3, 2>::from_fn(|gate, role, _, _| match role {
    ///     Role::Input => gate.index() as f32,
    ///     _ => 0.0,
    /// });
    /// assert_eq!(weights.input_weights(Gate::Output)[1], [3.0; 3]);
    /// ```
    #[must_use]
    pub fn input_weights(&self, gate: Gate) -> &Matrix<T, H, I> {
        match gate {
            Gate::Input => &self.w_i,
            Gate::Forget => &self.w_f,
            Gate::Candidate => &self.w_c,
            Gate::Output => &self.w_o,
        }
    }

    #[cfg(feature = "std")]
    /// The input weights `W` of one gate, mutably.
    ///
    /// ```
    /// use lstm_core::{Gate, LstmWeights};
    /// let mut weights = LstmWeights::<f32, 3, 2>::zeros();
    /// weights.input_weights_mut(Gate::Input)[0][2] = 0.5;
    /// assert_eq!(weights.w_i[0][2], 0.5);
    /// ```
    #[must_use]
    pub fn input_weights_mut(&mut self, gate: Gate) -> &mut Matrix<T, H, I> {
        match gate {
            Gate::Input => &mut self.w_i,
            Gate::Forget => &mut self.w_f,
            Gate::Candidate => &mut self.w_c,
            Gate::Output => &mut self.w_o,
        }
    }

    /// The recurrent weights `U` of one gate.
    ///
    /// ```
    /// use lstm_core::{Gate, LstmWeights, Role};
    /// let weights = LstmWeights::<f32, 3, 2>::from_fn(|_, role, row, col| match role {
    ///     Role::Recurrent => (row * 2 + col) as f32,
    ///     _ => 0.0,
    /// });
    /// assert_eq!(weights.recurrent_weights(Gate::Forget)[1], [2.0, 3.0]);
    /// ```
    #[must_use]
    pub fn recurrent_weights(&self, gate: Gate) -> &Matrix<T, H, R> {
        match gate {
            Gate::Input => &self.u_i,
            Gate::Forget => &self.u_f,
            Gate::Candidate => &self.u_c,
            Gate::Output => &self.u_o,
        }
    }

    #[cfg(feature = "std")]
    /// The recurrent weights `U` of one gate, mutably.
    ///
    /// ```
    /// use lstm_core::{Gate, LstmWeights};
    /// let mut weights = LstmWeights::<f32, 3, 2>::zeros();
    /// weights.recurrent_weights_mut(Gate::Candidate)[1][0] = -1.0;
    /// assert_eq!(weights.u_c[1][0], -1.0);
    /// ```
    #[must_use]
    pub fn recurrent_weights_mut(&mut self, gate: Gate) -> &mut Matrix<T, H, R> {
        match gate {
            Gate::Input => &mut self.u_i,
            Gate::Forget => &mut self.u_f,
            Gate::Candidate => &mut self.u_c,
            Gate::Output => &mut self.u_o,
        }
    }

    /// The projection `W_hr` (`R x H`), present exactly when `R != H`.
    ///
    /// ```
    /// use lstm_core::LstmWeights;
    /// assert!(LstmWeights::<f32, 3, 4, 1, 2>::zeros().projection().is_some()); // R = 2 < H = 4
    /// assert!(LstmWeights::<f32, 3, 4>::zeros().projection().is_none());
    /// ```
    #[must_use]
    pub fn projection(&self) -> Option<&Matrix<T, R, H>> {
        self.projection.as_ref()
    }

    #[cfg(feature = "std")]
    /// The projection, mutably.
    ///
    /// ```
    /// let mut weights = lstm_core::LstmWeights::<f32, 3, 4, 1, 2>::zeros();
    /// if let Some(w_hr) = weights.projection_mut() {
    ///     w_hr[0][0] = 1.0;
    /// }
    /// assert_eq!(weights.projection().map(|w_hr| w_hr[0][0]), Some(1.0));
    /// ```
    #[must_use]
    pub fn projection_mut(&mut self) -> Option<&mut Matrix<T, R, H>> {
        self.projection.as_mut()
    }

    /// Borrows the tensors as the view the forward step runs on.
    ///
    /// ```
    /// use lstm_core::prelude::*;
    /// use lstm_core::{LstmState, LstmWeights};
    /// let weights = LstmWeights::<f64, 2, 3>::from_fn(|_, _, row, col| 0.1 * (row + col) as f64);
    /// let reference = weights.as_cell().step(&[1.0, -1.0], &mut LstmState::zeros());
    /// let packed = weights.pack().step(&[1.0, -1.0], &mut LstmState::zeros());
    /// assert!(reference.iter().zip(&packed).all(|(a, b)| (a - b).abs() < 1e-12));
    /// ```
    #[must_use]
    pub fn as_cell(&self) -> CellRef<'_, T, I, H, B, R> {
        CellRef {
            w_i: &self.w_i,
            u_i: &self.u_i,
            w_f: &self.w_f,
            u_f: &self.u_f,
            w_c: &self.w_c,
            u_c: &self.u_c,
            w_o: &self.w_o,
            u_o: &self.u_o,
            biases: self.biases.each_ref().map(GateBiases::as_refs),
            // `Some` exactly when `R != H`, which `from_fn` (the only constructor) ensures.
            projection: Projection(self.projection.as_ref()),
        }
    }
}

#[cfg(feature = "std")]
impl<T: Float, const I: usize, const H: usize, const B: usize, const R: usize> crate::Zeros
    for LstmWeights<T, I, H, B, R>
{
    fn zeros() -> Self {
        LstmWeights::zeros()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One unit, one input, worked by hand from the equations above.
    #[test]
    fn step_matches_hand_computation() {
        let weights = LstmWeights::<f64, 1, 1>::from_fn(|gate, role, _, _| match (gate, role) {
            (Gate::Input, Role::Input) => 0.5,
            (Gate::Forget, Role::Recurrent) => -0.25,
            (Gate::Candidate, Role::Bias(0)) => 0.1,
            (Gate::Output, Role::Input) => 2.0,
            _ => 0.0,
        });
        let mut state = LstmState::new([0.3], [-0.7]);
        let x = 0.8;
        let i = (0.5 * x).sigmoid();
        let f = (-0.25 * 0.3).sigmoid();
        let g = 0.1f64.tanh();
        let o = (2.0 * x).sigmoid();
        let c = f * -0.7 + i * g;
        let h = o * c.tanh();
        assert_eq!(weights.as_cell().step(&[x], &mut state), [h]);
        assert_eq!(state.c, [c]);
    }

    /// `dot`'s unrolled sum agrees with a plain sum for sizes around the lane count.
    #[test]
    fn dot_handles_tails() {
        fn check<const N: usize>() {
            let a: [f64; N] = core::array::from_fn(|k| k as f64 + 1.0);
            let b: [f64; N] = core::array::from_fn(|k| 0.5 - k as f64);
            let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - plain).abs() < 1e-9, "N = {N}");
        }
        check::<0>();
        check::<1>();
        check::<7>();
        check::<8>();
        check::<9>();
        check::<37>();
    }

    #[test]
    fn run_equals_repeated_steps() {
        let weights = LstmWeights::<f32, 3, 5>::from_fn(|gate, role, row, col| {
            let role = match role {
                Role::Input => 0,
                Role::Recurrent => 1,
                Role::Projection => 2,
                Role::Bias(set) => 3 + set,
            };
            let seed = (gate as usize * 3 + role) * 31 + row * 7 + col;
            ((seed % 17) as f32 - 8.0) / 10.0
        });
        let inputs: Vec<[f32; 3]> = (0..6)
            .map(|t| [t as f32 * 0.1, 1.0 - t as f32, 0.5])
            .collect();
        let mut outputs = vec![[0.0; 5]; 6];
        let mut run_state = LstmState::new([0.1; 5], [-0.2; 5]);
        let mut step_state = run_state;
        weights
            .as_cell()
            .run(&inputs, &mut outputs, &mut run_state)
            .unwrap();
        for (x, out) in inputs.iter().zip(&outputs) {
            assert_eq!(&weights.as_cell().step(x, &mut step_state), out);
        }
        assert_eq!(run_state, step_state);
    }

    #[test]
    fn run_rejects_mismatched_lengths_without_touching_state() {
        let weights = LstmWeights::<f32, 1, 1>::from_fn(|_, _, _, _| 1.0);
        let mut state = LstmState::new([0.5], [0.5]);
        let err = weights
            .as_cell()
            .run(&[[1.0]; 2], &mut [[0.0]; 3], &mut state)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "sequence of 2 inputs needs as many output slots, found 3"
        );
        assert_eq!(state, LstmState::new([0.5], [0.5]));
    }

    #[test]
    fn huge_inputs_saturate_without_nan() {
        let weights = LstmWeights::<f32, 2, 4>::from_fn(|_, _, row, _| row as f32 - 1.5);
        let mut state = LstmState::zeros();
        for x in [[1e4, -1e4], [1e30, 1e30], [-1e30, -1e30]] {
            let h = weights.as_cell().step(&x, &mut state);
            assert!(h.iter().all(|v| v.is_finite()), "{h:?}");
        }
    }
}

#[cfg(test)]
mod bias_tests {
    use super::*;

    /// Two bias sets act as their sum, and no bias set as zero bias.
    #[test]
    fn bias_sets_add_up() {
        let weight = |gate: Gate, role: Role, row: usize, col: usize| match role {
            Role::Input => 0.1 * (gate as usize + row + col) as f64,
            Role::Recurrent => -0.05 * (row as f64 - col as f64),
            Role::Bias(set) => 0.3 * (set + 1) as f64 - 0.1 * row as f64,
            Role::Projection => 0.0,
        };
        let double = LstmWeights::<f64, 2, 3, 2>::from_fn(weight);
        let single = LstmWeights::<f64, 2, 3, 1>::from_fn(|gate, role, row, col| match role {
            Role::Bias(_) => {
                weight(gate, Role::Bias(0), row, col) + weight(gate, Role::Bias(1), row, col)
            }
            _ => weight(gate, role, row, col),
        });
        let none = LstmWeights::<f64, 2, 3, 0>::from_fn(weight);
        let zero_bias = LstmWeights::<f64, 2, 3, 1>::from_fn(|gate, role, row, col| match role {
            Role::Bias(_) => 0.0,
            _ => weight(gate, role, row, col),
        });
        let (mut s1, mut s2, mut s3, mut s4) = (
            LstmState::zeros(),
            LstmState::zeros(),
            LstmState::zeros(),
            LstmState::zeros(),
        );
        for x in [[1.0, -2.0], [0.5, 0.25], [-1.0, 3.0]] {
            let h_double = double.as_cell().step(&x, &mut s1);
            let h_single = single.as_cell().step(&x, &mut s2);
            for (a, b) in h_double.iter().zip(&h_single) {
                assert!((a - b).abs() < 1e-15, "{a} vs {b}");
            }
            assert_eq!(
                none.as_cell().step(&x, &mut s3),
                zero_bias.as_cell().step(&x, &mut s4)
            );
        }
    }
}
