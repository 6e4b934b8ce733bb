// `#[lstm(..)]` on a field does nothing, so it is an error rather than silently ignored.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 2, hidden = 1)]
struct Cell {
    #[lstm(input = 2)]
    w_i: Matrix<f32, 1, 2>,
    u_i: Matrix<f32, 1, 1>,
    b_i: Vector<f32, 1>,
    w_f: Matrix<f32, 1, 2>,
    u_f: Matrix<f32, 1, 1>,
    b_f: Vector<f32, 1>,
    w_c: Matrix<f32, 1, 2>,
    u_c: Matrix<f32, 1, 1>,
    b_c: Vector<f32, 1>,
    w_o: Matrix<f32, 1, 2>,
    u_o: Matrix<f32, 1, 1>,
    b_o: Vector<f32, 1>,
}

fn main() {}
