// `layers` is a positive integer and `bidirectional` a flag; `num_layers` is PyTorch's name for
// `layers`. A weight struct holds one cell, so stacking keys on one are refused with the way to
// declare a stack instead.
use lstm::{Lstm, Matrix, Vector};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, layers = 0)]
struct NoLayers;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, bidirectional = 3)]
struct NotAFlag;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, num_layers = 2)]
struct PyTorchName;

#[derive(Lstm)]
#[lstm(input = 2, hidden = 1, bidirectional)]
struct Cell {
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
