// The 256-wide output of one LSTM fed to a 128-input one: a type error at the hand-off.
use lstm::prelude::*;
use lstm::{Lstm, LstmState, Weights};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

#[derive(Lstm)]
#[lstm(input = 128, hidden = 64)]
struct Decoder;

fn main() {
    let encoder = Weights::<Encoder>::zeros();
    let decoder = Weights::<Decoder>::zeros();
    let (mut encoder_state, mut decoder_state) = (LstmState::zeros(), LstmState::zeros());
    let h = encoder.step(&[0.0; 100], &mut encoder_state);
    decoder.step(&h, &mut decoder_state);
}
