// The weights of one spec given another spec's input (and its state): each is a type error.
use lstm::prelude::*;
use lstm::{Lstm, State, Weights};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

#[derive(Lstm)]
#[lstm(input = 40, hidden = 128)]
struct Decoder;

fn main() {
    let encoder = Weights::<Encoder>::zeros();
    let mut decoder_state = State::<Decoder>::zeros();
    encoder.step(&[0.0; Decoder::INPUT], &mut decoder_state);
}
