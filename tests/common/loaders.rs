//! Every loader of the library over one file's bytes: what the mutation test
//! (`tests/hostile_files.rs`) and the fuzz targets (`fuzz/`) run, kept in one place so that
//! the two never test different things.
//!
//! The types are those of the committed fixtures (`tests/fixtures/`), so that a mutated
//! fixture reaches past the header into tensor lookup, shape checks, conversion and the step.
//! A loader must return `Ok` or an error whose message names something; a panic is a failure
//! (the test harness and libFuzzer both report it).

use lstm::prelude::*;
use lstm::{Bf16, Linear, LoadOptions, Lstm, LstmLayer, LstmWeights, Naming, Weights};

#[derive(Lstm)]
#[lstm(input = 5, hidden = 7, layers = 2)]
struct TwoLayers;

#[derive(Lstm)]
#[lstm(input = 5, hidden = 7, bidirectional, bias = "double")]
struct BothWays;

#[derive(Lstm)]
#[lstm(
    input = 5,
    hidden = 8,
    layers = 2,
    bidirectional,
    proj = 3,
    bias = "double"
)]
struct ProjectedStack;

/// Loads `bytes` as `W` with `options`; on success runs a step's worth of work over it so that
/// whatever loaded (NaN allowed) is also computed with.
fn try_load<W: WeightFile + Layer<f32>>(bytes: &[u8], options: &LoadOptions) -> bool
where
    W::Input: Default,
{
    match W::from_safetensors(bytes, options) {
        Ok(weights) => {
            let mut state = weights.zero_state();
            let mut outputs = [W::zero_output(); 2];
            let inputs = [W::Input::default(), W::Input::default()];
            weights
                .run(&inputs, &mut outputs, &mut state)
                .expect("two inputs, two outputs");
            true
        }
        Err(error) => {
            assert!(!error.to_string().is_empty(), "{error:?} says nothing");
            false
        }
    }
}

/// Runs every loader over `bytes`, with the loader's default options, with non-finite values
/// allowed, and with an explicit naming and prefix. Returns how many loads succeeded.
pub(crate) fn load_everything(bytes: &[u8]) -> usize {
    let detect = LoadOptions::new();
    let lenient = LoadOptions::new().allow_non_finite(true);
    let mut loaded = 0;
    for options in [&detect, &lenient] {
        let results = [
            try_load::<LstmLayer<f32, 2, 3, 2>>(bytes, options),
            try_load::<LstmLayer<f32, 4, 5, 2>>(bytes, options),
            try_load::<LstmLayer<f32, 6, 10>>(bytes, options),
            try_load::<LstmLayer<f32, 6, 10, 2, 10, Bf16>>(bytes, options),
            try_load::<LstmLayer<f32, 5, 7, 0>>(bytes, options),
            try_load::<LstmLayer<f32, 6, 8, 2, 3>>(bytes, options),
            try_load::<Weights<TwoLayers>>(bytes, options),
            try_load::<Weights<BothWays>>(bytes, options),
            try_load::<Weights<ProjectedStack>>(bytes, options),
        ];
        loaded += results.into_iter().filter(|&ok| ok).count();
        if let Ok(weights) = LstmWeights::<f64, 2, 3, 2>::from_safetensors(bytes, options) {
            // Packing is exact; compared as text, where NaN (allowed here) equals NaN.
            let repacked = weights.pack().to_weights();
            assert_eq!(
                format!("{repacked:?}"),
                format!("{weights:?}"),
                "packing is exact"
            );
            loaded += 1;
        }
    }
    for (naming, prefix) in [
        (Naming::PyTorch, "lstm."),
        (Naming::PyTorchCell, "cell."),
        (Naming::Keras, "lstm/lstm_cell/"),
    ] {
        let options = LoadOptions::new().naming(naming).prefix(prefix);
        loaded += usize::from(try_load::<LstmLayer<f32, 6, 10>>(bytes, &options));
        loaded += usize::from(try_load::<LstmLayer<f32, 4, 5, 2>>(bytes, &options));
    }
    // The amp-modelling tools' JSON (`amp_lstm4.json`): `rec.` the LSTM, `lin.` the head.
    loaded += usize::from(try_load::<LstmLayer<f32, 1, 4, 2>>(
        bytes,
        &LoadOptions::new().prefix("rec."),
    ));
    if let Ok(head) = Linear::<f32, 4, 1>::from_safetensors(bytes, "lin.", &lenient) {
        let _ = head.step(&[0.0; 4], &mut ());
        loaded += 1;
    }
    // The `torch.save` fixtures (`torch_model.pt`): `lstm.` an LSTM(3, 4), `head.` a Linear.
    loaded += usize::from(try_load::<LstmLayer<f32, 3, 4, 2>>(
        bytes,
        &LoadOptions::new().prefix("lstm."),
    ));
    if let Ok(head) = Linear::<f32, 4, 2>::from_safetensors(bytes, "head.", &lenient) {
        let _ = head.step(&[0.0; 4], &mut ());
        loaded += 1;
    }
    for prefix in ["head.", ""] {
        match Linear::<f32, 32, 5>::from_safetensors(bytes, prefix, &lenient) {
            Ok(head) => {
                let _ = head.step(&[0.0; 32], &mut ());
                loaded += 1;
            }
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
    loaded
}
