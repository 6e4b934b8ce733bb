// Weight structs for the three bias modes compile and run: no bias fields with "none", PyTorch's
// `b_ix` / `b_hx` (with `g` for the candidate) with "double".
use lstm::prelude::*;
use lstm::{LstmState, Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2, bias = "none")]
struct NoBias {
    w_i: Matrix<f32, 2, 3>,
    u_i: Matrix<f32, 2, 2>,
    w_f: Matrix<f32, 2, 3>,
    u_f: Matrix<f32, 2, 2>,
    w_c: Matrix<f32, 2, 3>,
    u_c: Matrix<f32, 2, 2>,
    w_o: Matrix<f32, 2, 3>,
    u_o: Matrix<f32, 2, 2>,
}

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2, bias = "double")]
struct Double {
    w_i: Matrix<f32, 2, 3>,
    u_i: Matrix<f32, 2, 2>,
    b_ii: Vector<f32, 2>,
    b_hi: Vector<f32, 2>,
    w_f: Matrix<f32, 2, 3>,
    u_f: Matrix<f32, 2, 2>,
    b_if: Vector<f32, 2>,
    b_hf: Vector<f32, 2>,
    w_g: Matrix<f32, 2, 3>,
    u_g: Matrix<f32, 2, 2>,
    b_ig: Vector<f32, 2>,
    b_hg: Vector<f32, 2>,
    w_o: Matrix<f32, 2, 3>,
    u_o: Matrix<f32, 2, 2>,
    b_io: Vector<f32, 2>,
    b_ho: Vector<f32, 2>,
}

fn main() {
    assert_eq!(NoBias::PARAM_COUNT, 4 * 2 * (3 + 2));
    assert_eq!(Double::PARAM_COUNT, 4 * 2 * (3 + 2 + 2));
    assert_eq!(NoBias::TENSORS.len(), 8);
    assert_eq!(Double::TENSORS[2].name, "b_ii");
    assert_eq!(Double::TENSORS[3].name, "b_hi");
    let no_bias = NoBias {
        w_i: Matrix::zeros(),
        u_i: Matrix::zeros(),
        w_f: Matrix::zeros(),
        u_f: Matrix::zeros(),
        w_c: Matrix::zeros(),
        u_c: Matrix::zeros(),
        w_o: Matrix::zeros(),
        u_o: Matrix::zeros(),
    };
    let double = Double {
        w_i: Matrix::zeros(),
        u_i: Matrix::zeros(),
        b_ii: Vector::from_fn(|_| 0.5),
        b_hi: Vector::from_fn(|_| 0.5),
        w_f: Matrix::zeros(),
        u_f: Matrix::zeros(),
        b_if: Vector::zeros(),
        b_hf: Vector::zeros(),
        w_g: Matrix::zeros(),
        u_g: Matrix::zeros(),
        b_ig: Vector::from_fn(|_| 1.0),
        b_hg: Vector::zeros(),
        w_o: Matrix::zeros(),
        u_o: Matrix::zeros(),
        b_io: Vector::zeros(),
        b_ho: Vector::zeros(),
    };
    let mut state = LstmState::zeros();
    assert_eq!(no_bias.pack().step(&[1.0, 2.0, 3.0], &mut state), [0.0, 0.0]);
    let h = double.pack().step(&[0.0; 3], &mut LstmState::zeros());
    // i = sigmoid(0.5 + 0.5), c = i * tanh(1), h = sigmoid(0) * tanh(c).
    let i = 1.0 / (1.0 + (-1.0f32).exp());
    let expected = 0.5 * (i * 1.0f32.tanh()).tanh();
    assert!((h[0] - expected).abs() < 1e-6);
}
