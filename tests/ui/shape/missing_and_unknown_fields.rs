// A weight struct must have exactly the twelve tensors: a missing field is named with the type it
// needs, an unknown one with the closest known name, and `c` and `g` for the same gate clash.
use lstm::prelude::*;
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
struct Cell {
    w_i: Matrix<f32, 2, 3>,
    u_i: Matrix<f32, 2, 2>,
    b_i: Vector<f32, 2>,
    w_f: Matrix<f32, 2, 3>,
    u_f: Matrix<f32, 2, 2>,
    bf: Vector<f32, 2>,
    w_c: Matrix<f32, 2, 3>,
    w_g: Matrix<f32, 2, 3>,
    u_c: Matrix<f32, 2, 2>,
    b_c: Vector<f32, 2>,
    w_o: Matrix<f32, 2, 3>,
    b_o: Vector<f32, 2>,
}

fn main() {
    // The struct's methods exist, so this adds no error of its own.
    fn run(cell: &Cell) {
        let _ = cell.pack().step(&[0.0; 3], &mut lstm::LstmState::zeros());
    }
    let _ = run;
}
