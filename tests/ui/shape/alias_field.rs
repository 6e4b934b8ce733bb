// A field whose shape the derive cannot read (written through an alias or a constant) is still
// checked, by the type checker: the error points at that field's type and shows both shapes.
use lstm::{Lstm, Matrix, Vector};

const HIDDEN: usize = 2;
type Recurrent = Matrix<f32, HIDDEN, 3>;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
struct Cell {
    w_i: Matrix<f32, 2, 3>,
    u_i: Recurrent,
    b_i: Vector<f32, HIDDEN>,
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
