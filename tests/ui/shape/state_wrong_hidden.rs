// A state sized for hidden 128 given to a 256-hidden spec: a type error at the state.
use lstm::prelude::*;
use lstm::{Lstm, LstmState, Weights};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

fn main() {
    let weights = Weights::<Encoder>::zeros();
    let mut state = LstmState::<f32, 128>::zeros();
    weights.step(&[0.0; 100], &mut state);
}
