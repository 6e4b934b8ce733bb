// With `proj = P` a weight struct has `w_hr` (P x hidden) and its recurrent weights `U` multiply
// the projected `h` (hidden x P). A missing `w_hr`, one without `proj`, and `U` still hidden x
// hidden are each reported on the field.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, proj = 2)]
struct Projected {
    w_i: Matrix<f32, 4, 3>,
    u_i: Matrix<f32, 4, 4>,
    b_i: Vector<f32, 4>,
    w_f: Matrix<f32, 4, 3>,
    u_f: Matrix<f32, 4, 2>,
    b_f: Vector<f32, 4>,
    w_c: Matrix<f32, 4, 3>,
    u_c: Matrix<f32, 4, 2>,
    b_c: Vector<f32, 4>,
    w_o: Matrix<f32, 4, 3>,
    u_o: Matrix<f32, 4, 2>,
    b_o: Vector<f32, 4>,
}

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4)]
struct NotProjected {
    w_i: Matrix<f32, 4, 3>,
    u_i: Matrix<f32, 4, 4>,
    b_i: Vector<f32, 4>,
    w_f: Matrix<f32, 4, 3>,
    u_f: Matrix<f32, 4, 4>,
    b_f: Vector<f32, 4>,
    w_c: Matrix<f32, 4, 3>,
    u_c: Matrix<f32, 4, 4>,
    b_c: Vector<f32, 4>,
    w_o: Matrix<f32, 4, 3>,
    u_o: Matrix<f32, 4, 4>,
    b_o: Vector<f32, 4>,
    w_hr: Matrix<f32, 2, 4>,
}

fn main() {}
