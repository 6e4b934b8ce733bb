// A weight struct generic over its element type is the natural thing to try; it is rejected with
// the reason (the sizes come from the attribute, the element type from the fields), once, and
// the struct's constants still resolve so that uses of them add no errors.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
struct Cell<T> {
    w_i: Matrix<T, 2, 3>,
    u_i: Matrix<T, 2, 2>,
    b_i: Vector<T, 2>,
    w_f: Matrix<T, 2, 3>,
    u_f: Matrix<T, 2, 2>,
    b_f: Vector<T, 2>,
    w_c: Matrix<T, 2, 3>,
    u_c: Matrix<T, 2, 2>,
    b_c: Vector<T, 2>,
    w_o: Matrix<T, 2, 3>,
    u_o: Matrix<T, 2, 2>,
    b_o: Vector<T, 2>,
}

fn main() {
    let _ = [0.0f32; Cell::<f32>::HIDDEN];
}
