// Every kind of wrong shape, each reported on its own field: a recurrent matrix of the wrong
// size, a bias of the wrong length, a vector where a matrix belongs and a matrix where a bias
// belongs.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
struct Cell {
    w_i: Matrix<f32, 2, 3>,
    u_i: Matrix<f32, 2, 3>,
    b_i: Vector<f32, 3>,
    w_f: Vector<f32, 6>,
    u_f: Matrix<f32, 2, 2>,
    b_f: Matrix<f32, 2, 1>,
    w_c: Matrix<f32, 2, 3>,
    u_c: Matrix<f32, 2, 2>,
    b_c: Vector<f32, 2>,
    w_o: Matrix<f32, 2, 3>,
    u_o: Matrix<f32, 2, 2>,
    b_o: Vector<f32, 2>,
}

fn main() {}
