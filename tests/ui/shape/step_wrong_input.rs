// A 100-input spec stepped with 99 inputs: a type error at the argument naming both lengths.
use lstm::prelude::*;
use lstm::{Lstm, LstmState, Weights};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

fn main() {
    let weights = Weights::<Encoder>::zeros();
    let mut state = LstmState::zeros();
    weights.step(&[0.0f32; 99], &mut state);
}
