// User types named like the std items generated code might use unqualified (`Option`, `Result`,
// `Box`, `Vec`, `str`) and `type usize = u8` in scope: the derive's output is unaffected.
#![allow(non_camel_case_types, dead_code)]

use lstm::prelude::*;
use lstm::{Lstm, LstmState, Matrix, Vector};

struct Option;
struct Result;
struct Box;
struct Vec;
struct Float;
struct Tensor;
struct Next;
type usize = u8;
type str = u8;
type f64 = u8;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
pub struct Spec;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
pub struct Cell {
    w_i: Matrix<f32, 2, 3>,
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

fn main() {
    let _: [f32; Spec::PARAM_COUNT] = [0.0; 48];
    let cell = Cell {
        w_i: Matrix::zeros(),
        u_i: Matrix::zeros(),
        b_i: Vector::zeros(),
        w_f: Matrix::zeros(),
        u_f: Matrix::zeros(),
        b_f: Vector::zeros(),
        w_c: Matrix::zeros(),
        u_c: Matrix::zeros(),
        b_c: Vector::zeros(),
        w_o: Matrix::zeros(),
        u_o: Matrix::zeros(),
        b_o: Vector::zeros(),
    };
    let mut state = LstmState::zeros();
    let _ = cell.as_cell().step(&[1.0, 2.0, 3.0], &mut state);
    let packed = cell.pack();
    let _ = packed.step(&[1.0, 2.0, 3.0], &mut state);
    let _ = packed.run(&[[1.0, 2.0, 3.0]], &mut [[0.0; 2]], &mut state);
}
