// A projected spec's `h` has `proj` elements and its `c` has `hidden`: a state sized for the
// unprojected LSTM, or feeding its 64-wide output where 256 is expected, are type errors.
use lstm::prelude::*;
use lstm::{LstmState, Lstm, Weights};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, proj = 64)]
struct Encoder;

fn main() {
    let weights = Weights::<Encoder>::zeros();
    let mut state = LstmState::<f32, 256>::zeros();
    weights.step(&[0.0; 100], &mut state);
    let mut projected = LstmState::<f32, 256, 64>::zeros();
    let h: [f32; 256] = weights.step(&[0.0; 100], &mut projected);
    let _ = h;
}
