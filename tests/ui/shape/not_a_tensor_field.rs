// A field that is not an lstm tensor type at all: the error says which types a weight field takes.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
struct Cell {
    w_i: Vec<f32>,
    u_i: Matrix<f32, 2, 2>,
    b_i: Vector<f32, 2>,
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
