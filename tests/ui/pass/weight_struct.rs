// A user's own weight struct: `g` naming for the candidate, sizes through aliases and constants
// (checked by the type checker), `f64`, `pub(crate)` visibility, and the forward methods.
use lstm::prelude::*;
use lstm::{LstmState, Lstm, Matrix, Vector};

const HIDDEN: usize = 2;
type Bias = Vector<f64, HIDDEN>;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
pub(crate) struct Cell {
    pub w_i: Matrix<f64, 2, 3>,
    pub u_i: Matrix<f64, HIDDEN, HIDDEN>,
    pub b_i: Bias,
    pub w_f: Matrix<f64, 2, 3>,
    pub u_f: Matrix<f64, 2, 2>,
    pub b_f: Bias,
    pub w_g: lstm::Matrix<f64, 2, 3>,
    pub u_g: Matrix<f64, 2, 2>,
    pub b_g: Vector<f64, 2>,
    pub w_o: Matrix<f64, 2, 3>,
    pub u_o: Matrix<f64, 2, 2>,
    pub b_o: Vector<f64, 2>,
}

fn main() {
    let cell = Cell {
        w_i: Matrix::from_fn(|r, c| 0.1 * (r + c) as f64),
        u_i: Matrix::zeros(),
        b_i: Vector::zeros(),
        w_f: Matrix::zeros(),
        u_f: Matrix::zeros(),
        b_f: Vector::from_fn(|_| 1.0),
        w_g: Matrix::from_fn(|r, c| 0.2 * (r as f64 - c as f64)),
        u_g: Matrix::zeros(),
        b_g: Vector::zeros(),
        w_o: Matrix::zeros(),
        u_o: Matrix::zeros(),
        b_o: Vector::zeros(),
    };
    let mut state = LstmState::<f64, { Cell::HIDDEN }>::zeros();
    let h = cell.pack().step(&[1.0, 0.5, -1.0], &mut state);
    let mut outputs = [[0.0; 2]; 1];
    cell.pack().run(&[[1.0, 0.5, -1.0]], &mut outputs, &mut LstmState::zeros()).unwrap();
    assert_eq!(outputs[0], h);
    assert_eq!(Cell::PARAM_COUNT, 4 * 2 * (3 + 2 + 1));
}
