// A bidirectional LSTM's output per step is [forward; reverse], 2H wide: feeding it to a head or
// a spec that takes H is a type error naming both sizes, and streaming it step by step is refused
// because a bidirectional layer reads the whole sequence first: it has no `step`, and generic code
// that requires `StreamingLayer` says why.
use lstm::prelude::*;
use lstm::{Feeds, Linear, LstmSpec, Lstm, Weights};

#[derive(Lstm)]
#[lstm(input = 10, hidden = 16, bidirectional)]
struct Tagger;

#[derive(Lstm)]
#[lstm(input = 16, hidden = 8)]
struct Next;

fn stacked<A: Feeds<B>, B: LstmSpec>() {}

fn stream<L: StreamingLayer<f32>>(_: &L) {}

fn main() {
    let tagger = Weights::<Tagger>::zeros();
    let head = Linear::<f32, 16, 5>::zeros();
    let inputs = [[0.0f32; 10]; 4];
    let mut outputs = [[0.0f32; 32]; 4];
    tagger.run(&inputs, &mut outputs, &mut tagger.zero_state()).unwrap();
    let _ = head.step(&outputs[0], &mut ());
    stacked::<Tagger, Next>();
    let _ = tagger.step(&inputs[0], &mut tagger.zero_state());
    stream(&tagger);
}
