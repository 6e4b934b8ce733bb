// The seed of this project: `W` declared 100 x 256 (Keras' transposed kernel) where the spec needs
// 256 x 100 (hidden x input). The error is on the field, names both shapes and the orientation.
use lstm::prelude::*;
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Cell {
    w_i: Matrix<f32, 100, 256>,
    u_i: Matrix<f32, 256, 256>,
    b_i: Vector<f32, 256>,
    w_f: Matrix<f32, 256, 100>,
    u_f: Matrix<f32, 256, 256>,
    b_f: Vector<f32, 256>,
    w_c: Matrix<f32, 256, 100>,
    u_c: Matrix<f32, 256, 256>,
    b_c: Vector<f32, 256>,
    w_o: Matrix<f32, 256, 100>,
    u_o: Matrix<f32, 256, 256>,
    b_o: Vector<f32, 256>,
}

fn main() {
    // Uses of the struct add no errors of their own.
    fn run(cell: &Cell) {
        let _ = cell.pack().step(&[0.0; 100], &mut lstm::LstmState::zeros());
    }
    let _ = run;
}
