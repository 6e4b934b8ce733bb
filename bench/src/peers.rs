//! The implementations `lstm` is compared with, each written the way a user of that library
//! would write an LSTM step, without allocating per step where the library allows it. All
//! compute PyTorch's equations on weights of the same sizes (the values do not affect timing).

use candle_core::{DType, Device, Tensor};
use candle_nn::rnn::{LSTM, LSTMConfig, LSTMState, RNN};
use nalgebra::{DMatrix, DVector};
use ndarray::{Array1, Array2};

/// A deterministic weight value, small enough to keep the gates out of saturation.
pub(crate) fn weight(index: usize) -> f32 {
    ((index * 2_654_435_761) % 1000) as f32 / 10_000.0 - 0.05
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The cell update from the four gate pre-activations laid out as PyTorch stacks them.
fn finish(gates: &[f32], h: &mut [f32], c: &mut [f32]) {
    let hidden = h.len();
    for j in 0..hidden {
        let i = sigmoid(gates[j]);
        let f = sigmoid(gates[hidden + j]);
        let g = gates[2 * hidden + j].tanh();
        let o = sigmoid(gates[3 * hidden + j]);
        c[j] = f * c[j] + i * g;
        h[j] = o * c[j].tanh();
    }
}

/// The runtime-shaped LSTM most people write first: `Vec`s, sizes in fields, iterator sums.
pub(crate) struct Naive {
    input: usize,
    hidden: usize,
    w: Vec<f32>,
    u: Vec<f32>,
    b: Vec<f32>,
    gates: Vec<f32>,
}

impl Naive {
    pub(crate) fn new(input: usize, hidden: usize) -> Self {
        Naive {
            input,
            hidden,
            w: (0..4 * hidden * input).map(weight).collect(),
            u: (0..4 * hidden * hidden).map(|i| weight(i + 7)).collect(),
            b: (0..4 * hidden).map(|i| weight(i + 13)).collect(),
            gates: vec![0.0; 4 * hidden],
        }
    }

    pub(crate) fn step(&mut self, x: &[f32], h: &mut [f32], c: &mut [f32]) {
        let (input, hidden) = (self.input, self.hidden);
        for row in 0..4 * hidden {
            let wx: f32 = (0..input).map(|k| self.w[row * input + k] * x[k]).sum();
            let uh: f32 = (0..hidden).map(|k| self.u[row * hidden + k] * h[k]).sum();
            self.gates[row] = self.b[row] + wx + uh;
        }
        finish(&self.gates, h, c);
    }
}

/// nalgebra: dynamic matrices, `gemv` into a preallocated gate vector.
pub(crate) struct Nalgebra {
    w: DMatrix<f32>,
    u: DMatrix<f32>,
    b: DVector<f32>,
    gates: DVector<f32>,
    batch_gates: DMatrix<f32>,
}

impl Nalgebra {
    pub(crate) fn new(input: usize, hidden: usize, batch: usize) -> Self {
        Nalgebra {
            w: DMatrix::from_fn(4 * hidden, input, |r, c| weight(r * input + c)),
            u: DMatrix::from_fn(4 * hidden, hidden, |r, c| weight(r * hidden + c + 7)),
            b: DVector::from_fn(4 * hidden, |r, _| weight(r + 13)),
            gates: DVector::zeros(4 * hidden),
            batch_gates: DMatrix::zeros(4 * hidden, batch),
        }
    }

    pub(crate) fn step(&mut self, x: &DVector<f32>, h: &mut DVector<f32>, c: &mut DVector<f32>) {
        self.gates.copy_from(&self.b);
        self.gates.gemv(1.0, &self.w, x, 1.0);
        self.gates.gemv(1.0, &self.u, h, 1.0);
        finish(self.gates.as_slice(), h.as_mut_slice(), c.as_mut_slice());
    }

    /// One step of a batch: `x` is input x batch, `h` and `c` hidden x batch.
    pub(crate) fn batch_step(
        &mut self,
        x: &DMatrix<f32>,
        h: &mut DMatrix<f32>,
        c: &mut DMatrix<f32>,
    ) {
        self.batch_gates.gemm(1.0, &self.w, x, 0.0);
        self.batch_gates.gemm(1.0, &self.u, h, 1.0);
        for column in 0..h.ncols() {
            let mut gates = self.batch_gates.column(column).clone_owned();
            gates += &self.b;
            let mut h_column = h.column(column).clone_owned();
            let mut c_column = c.column(column).clone_owned();
            finish(
                gates.as_slice(),
                h_column.as_mut_slice(),
                c_column.as_mut_slice(),
            );
            h.set_column(column, &h_column);
            c.set_column(column, &c_column);
        }
    }
}

/// ndarray: 2-D arrays, `general_mat_vec_mul` into a preallocated gate vector.
pub(crate) struct Ndarray {
    w: Array2<f32>,
    u: Array2<f32>,
    b: Array1<f32>,
    gates: Array1<f32>,
}

impl Ndarray {
    pub(crate) fn new(input: usize, hidden: usize) -> Self {
        Ndarray {
            w: Array2::from_shape_fn((4 * hidden, input), |(r, c)| weight(r * input + c)),
            u: Array2::from_shape_fn((4 * hidden, hidden), |(r, c)| weight(r * hidden + c + 7)),
            b: Array1::from_shape_fn(4 * hidden, |r| weight(r + 13)),
            gates: Array1::zeros(4 * hidden),
        }
    }

    pub(crate) fn step(&mut self, x: &Array1<f32>, h: &mut Array1<f32>, c: &mut Array1<f32>) {
        self.gates.assign(&self.b);
        ndarray::linalg::general_mat_vec_mul(1.0, &self.w, x, 1.0, &mut self.gates);
        ndarray::linalg::general_mat_vec_mul(1.0, &self.u, &*h, 1.0, &mut self.gates);
        let gates = self.gates.as_slice().expect("contiguous");
        finish(
            gates,
            h.as_slice_mut().expect("contiguous"),
            c.as_slice_mut().expect("contiguous"),
        );
    }
}

/// candle-nn's LSTM on the CPU device, stepped with tensors as its API does.
pub(crate) struct Candle {
    lstm: LSTM,
    device: Device,
    input: usize,
}

impl Candle {
    pub(crate) fn new(input: usize, hidden: usize) -> candle_core::Result<Self> {
        let device = Device::Cpu;
        let varmap = candle_nn::VarMap::new();
        let vb = candle_nn::VarBuilder::from_varmap(&varmap, DType::F32, &device);
        let lstm = candle_nn::rnn::lstm(input, hidden, LSTMConfig::default(), vb)?;
        Ok(Candle {
            lstm,
            device,
            input,
        })
    }

    pub(crate) fn zero_state(&self, batch: usize) -> candle_core::Result<LSTMState> {
        self.lstm.zero_state(batch)
    }

    /// A batch of inputs, `batch x input`, as one tensor.
    pub(crate) fn inputs(&self, values: &[f32], batch: usize) -> candle_core::Result<Tensor> {
        Tensor::from_slice(values, (batch, self.input), &self.device)
    }

    pub(crate) fn step(&self, x: &Tensor, state: &LSTMState) -> candle_core::Result<LSTMState> {
        self.lstm.step(x, state)
    }
}
