// The bias fields of a weight struct follow `bias`: none with "none", PyTorch's `b_ix` and `b_hx`
// with "double". A field of another mode says which mode it belongs to; a missing one is named.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2, bias = "none")]
struct NoBias {
    w_i: Matrix<f32, 2, 3>,
    u_i: Matrix<f32, 2, 2>,
    b_i: Vector<f32, 2>,
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
    b_i: Vector<f32, 2>,
    b_hi: Vector<f32, 2>,
    w_f: Matrix<f32, 2, 3>,
    u_f: Matrix<f32, 2, 2>,
    b_if: Vector<f32, 2>,
    b_hf: Vector<f32, 2>,
    w_c: Matrix<f32, 2, 3>,
    u_c: Matrix<f32, 2, 2>,
    b_ic: Vector<f32, 2>,
    b_hc: Vector<f32, 2>,
    w_o: Matrix<f32, 2, 3>,
    u_o: Matrix<f32, 2, 2>,
    b_io: Vector<f32, 2>,
    b_ho: Vector<f32, 2>,
}

fn main() {}
