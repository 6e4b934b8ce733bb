// A model with a bidirectional layer runs whole sequences; stepping it is an error that says
// why.
use lstm::prelude::*;
use lstm::{Bidirectional, Linear, LstmLayer, Model};

#[derive(Model)]
struct Tagger {
    lstm: Bidirectional<LstmLayer<f32, 6, 5>, 10>,
    head: Linear<f32, 10, 4>,
}

fn stream<M: StreamingLayer<f32>>(_: &M) {}

fn main() {
    let tagger = Tagger {
        lstm: Bidirectional::zeros(),
        head: Linear::zeros(),
    };
    stream(&tagger);
}
