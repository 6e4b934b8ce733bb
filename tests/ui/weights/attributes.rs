// The keys' own mistakes, all reported at once: `storage` without `weights`, an unknown
// storage, `weights` on a weight struct, `weights` that is not a string or is empty.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, storage = "bf16")]
struct NoFile;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, weights = "../../../../tests/ui/weights/lstm_1_4.safetensors", storage = "bf61")]
struct Typo;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 1, weights = "../../../../tests/ui/weights/lstm_1_4.safetensors")]
struct Tiny {
    w_i: Matrix<f32, 1, 1>, u_i: Matrix<f32, 1, 1>, b_i: Vector<f32, 1>,
    w_f: Matrix<f32, 1, 1>, u_f: Matrix<f32, 1, 1>, b_f: Vector<f32, 1>,
    w_c: Matrix<f32, 1, 1>, u_c: Matrix<f32, 1, 1>, b_c: Vector<f32, 1>,
    w_o: Matrix<f32, 1, 1>, u_o: Matrix<f32, 1, 1>, b_o: Vector<f32, 1>,
}

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, weights = 42)]
struct NotAString;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, weights = "")]
struct Empty;

fn main() {}
