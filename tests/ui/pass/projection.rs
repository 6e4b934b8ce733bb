// A projected LSTM (PyTorch `proj_size`): constants, the state's two sizes, and a weight struct
// with `w_hr` that steps like the core weights.
use lstm::prelude::*;
use lstm::{Feeds, LstmSpec, LstmState, Lstm, Matrix, Vector, Weights};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, proj = 64)]
struct Encoder;

#[derive(Lstm)]
#[lstm(input = 64, hidden = 32)]
struct Decoder;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, proj = 2)]
struct Projected {
    w_i: Matrix<f64, 4, 3>,
    u_i: Matrix<f64, 4, 2>,
    b_i: Vector<f64, 4>,
    w_f: Matrix<f64, 4, 3>,
    u_f: Matrix<f64, 4, 2>,
    b_f: Vector<f64, 4>,
    w_c: Matrix<f64, 4, 3>,
    u_c: Matrix<f64, 4, 2>,
    b_c: Vector<f64, 4>,
    w_o: Matrix<f64, 4, 3>,
    u_o: Matrix<f64, 4, 2>,
    b_o: Vector<f64, 4>,
    w_hr: Matrix<f64, 2, 4>,
}

fn stacked<A: Feeds<B>, B: LstmSpec>() {}

fn main() {
    // PyTorch: 4*256*(100 + 64 + 1) + 4*256 (second bias) + 64*256 = 186,368.
    assert_eq!(Encoder::PARAM_COUNT, 4 * 256 * (100 + 64 + 1) + 64 * 256);
    assert_eq!(Encoder::OUTPUT, 64);
    stacked::<Encoder, Decoder>();
    let weights = Weights::<Encoder>::zeros();
    let mut state = LstmState::<f32, 256, 64>::zeros();
    let h: [f32; 64] = weights.step(&[1.0; 100], &mut state);
    assert_eq!(h, [0.0; 64]);
    assert_eq!(state.c.len(), 256);

    let cell = Projected {
        w_i: Matrix::from_fn(|r, c| 0.1 * (r + c) as f64),
        u_i: Matrix::from_fn(|r, c| 0.05 * (r as f64 - c as f64)),
        b_i: Vector::zeros(),
        w_f: Matrix::zeros(),
        u_f: Matrix::zeros(),
        b_f: Vector::from_fn(|_| 1.0),
        w_c: Matrix::from_fn(|r, c| 0.2 - 0.1 * (r + c) as f64),
        u_c: Matrix::zeros(),
        b_c: Vector::zeros(),
        w_o: Matrix::zeros(),
        u_o: Matrix::zeros(),
        b_o: Vector::zeros(),
        w_hr: Matrix::from_fn(|r, c| if r == c % 2 { 0.5 } else { -0.25 }),
    };
    let mut state = LstmState::<f64, 4, 2>::zeros();
    let h = cell.pack().step(&[1.0, 0.5, -1.0], &mut state);
    assert!(h.iter().all(|v| v.is_finite()));
    assert_eq!(Projected::PARAM_COUNT, 4 * 4 * (3 + 2 + 1) + 2 * 4);
}
