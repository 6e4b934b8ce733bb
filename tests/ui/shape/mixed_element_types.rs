// All twelve tensors share one element type; an `f64` bias in an `f32` cell is a type error at
// that field.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
struct Cell {
    w_i: Matrix<f32, 2, 3>,
    u_i: Matrix<f32, 2, 2>,
    b_i: Vector<f64, 2>,
    w_f: Matrix<f32, 2, 3>,
    u_f: Matrix<f32, 2, 2>,
    b_f: Vector<f32, 2>,
    w_c: Matrix<f32, 2, 3>,
    u_c: Matrix<f32, 2, 2>,
    b_c: Vector<f32, 2>,
    w_o: Matrix<f32, 2, 3>,
    u_o: Matrix<f32, 2, 2>,
    b_o: Vector<f32, 2>,
}

fn main() {}
