//! A Keras tagger as Keras users have it: `model.save("tagger.keras")` of
//! `Embedding -> Bidirectional(LSTM) -> Dense(softmax)`, the kind of model a word segmenter
//! ships. Loaded in one call into one declared type (the `.keras` file's HDF5 weights read in
//! Rust), run over Keras' own input, compared with Keras' output, and its tags printed.
//!
//!     cargo run --example keras_tagger

use lstm::prelude::*;
use lstm::{
    Activation, Bidirectional, Embedding, Linear, LoadOptions, LstmLayer, Model, Softmax, Token,
};

#[path = "../tests/common/mod.rs"]
mod common;

/// The model, each field named as Keras named the layer.
#[derive(Model)]
struct Tagger {
    embedding: Embedding<f32, 20, 6>,
    bidirectional: Bidirectional<LstmLayer<f32, 6, 5>, 10>,
    dense: Linear<f32, 10, 4>,
    softmax: Activation<Softmax, f32, 4>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let tagger = Tagger::load(
        format!("{fixtures}/keras_bilstm_tagger.keras"),
        &LoadOptions::new(),
    )?;
    print!("{}", Tagger::summary());

    // Keras' input and output for the same model (scripts/fixtures.py).
    let io = common::fixture_bytes("keras_bilstm_tagger_io");
    let (shape, token_values) = common::data::<f32>(&io, "tokens");
    let (_, expected) = common::data::<f32>(&io, "output");
    let steps = shape[1];
    let tokens: Vec<Token<20>> = token_values
        .iter()
        .map(|&t| Token::new(t as usize).ok_or("a token outside the vocabulary"))
        .collect::<Result<_, _>>()?;

    let mut probabilities = vec![[0.0f32; 4]; tokens.len()];
    let mut states = vec![tagger.zero_state(); tokens.len() / steps];
    tagger.run_batch(&tokens, &mut probabilities, &mut states)?;
    let largest = common::max_abs_diff(probabilities.iter().flatten().copied(), &expected);
    println!(
        "{} sequences of {steps} tokens; largest difference from Keras: {largest:.2e}",
        states.len()
    );
    for (sequence, chunk) in probabilities.chunks(steps).enumerate() {
        let tags: Vec<usize> = chunk
            .iter()
            .map(|p| (0..4).fold(0, |best, tag| if p[tag] > p[best] { tag } else { best }))
            .collect();
        println!("sequence {sequence}: tags {tags:?}");
    }
    Ok(())
}
