// The sequence call checks sizes in the types too: steps of the wrong input width and output
// slots of the wrong hidden width.
use lstm::prelude::*;
use lstm::{Lstm, LstmState, Weights};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

fn main() {
    let weights = Weights::<Encoder>::zeros();
    let mut state = LstmState::zeros();
    let inputs = vec![[0.0f32; 101]; 10];
    let mut outputs = vec![[0.0f32; 255]; 10];
    let _ = weights.run(&inputs, &mut outputs, &mut state);
}
