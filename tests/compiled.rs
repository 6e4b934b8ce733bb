//! Compile-time weights (`weights = ".."`): the file read, checked and packed by the derive when
//! this test compiles, the model built from static data. Each compiled model must equal the same
//! file loaded at run time bit for bit (the same packed weights, the same outputs), and match the
//! library that trained it (the fixtures' PyTorch and Keras outputs).

mod common;

use lstm::prelude::*;
use lstm::{
    Activation, Bf16, Bidirectional, Embedding, Linear, LoadOptions, LstmLayer, Model, Softmax,
    Token,
};

fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The guitar-amp model of the amp tools' JSON file, compiled in.
#[derive(Model, Debug, PartialEq)]
#[model(residual, weights = "tests/fixtures/amp_lstm40.json")]
struct Amp40 {
    rec: LstmLayer<f32, 1, 40, 2>,
    lin: Linear<f32, 40, 1>,
}

/// The same model stored as bfloat16 in the program (half the bytes), computed in `f32`.
#[derive(Model, Debug, PartialEq)]
#[model(residual, weights = "tests/fixtures/amp_lstm40.json")]
struct Amp40Bf16 {
    rec: LstmLayer<f32, 1, 40, 2, 40, Bf16>,
    lin: Linear<f32, 40, 1>,
}

/// Keras' Embedding -> Bidirectional(LSTM) -> Dense(softmax) tagger, from its `.keras` file.
#[derive(Model, Debug, PartialEq)]
#[model(weights = "tests/fixtures/keras_bilstm_tagger.keras")]
struct KerasBiTagger {
    embedding: Embedding<f32, 20, 6>,
    bidirectional: Bidirectional<LstmLayer<f32, 6, 5>, 10>,
    dense: Linear<f32, 10, 4>,
    softmax: Activation<Softmax, f32, 4>,
}

fn amp_input() -> Vec<f32> {
    (0..2000).map(|t| (t as f32 * 0.013).sin() * 0.8).collect()
}

fn stream<M>(model: &M, input: &[f32]) -> Vec<u32>
where
    M: StreamingLayer<f32, Input = [f32; 1], Output = [f32; 1]>,
{
    let mut state = model.zero_state();
    input
        .iter()
        .map(|&x| model.step(&[x], &mut state)[0].to_bits())
        .collect()
}

#[test]
fn compiled_amp_equals_the_loaded_one_bit_for_bit() {
    let compiled = Amp40::compiled();
    assert!(compiled.rec.is_static() && compiled.lin.weight.is_static());
    let loaded = Amp40::load(fixture_path("amp_lstm40.json"), &LoadOptions::new()).unwrap();
    assert!(!loaded.rec.is_static());
    // The same packed weights, biases and head, and the same kernel.
    assert_eq!(compiled, loaded);
    assert_eq!(compiled.rec.kernel(), loaded.rec.kernel());
    let input = amp_input();
    assert_eq!(stream(&compiled, &input), stream(&loaded, &input));
    // And whole sequences and batches.
    let inputs: Vec<[f32; 1]> = input.iter().map(|&x| [x]).collect();
    let run = |model: &Amp40| {
        let mut outputs = vec![[0.0]; inputs.len()];
        model
            .run(&inputs, &mut outputs, &mut model.zero_state())
            .unwrap();
        outputs
    };
    assert_eq!(run(&compiled), run(&loaded));
}

#[test]
fn compiled_half_precision_equals_the_loaded_one_converted() {
    let compiled = Amp40Bf16::compiled();
    let loaded = Amp40::load(fixture_path("amp_lstm40.json"), &LoadOptions::new()).unwrap();
    let converted = Amp40Bf16 {
        rec: loaded.rec.to_storage::<Bf16>(),
        lin: loaded.lin.clone(),
    };
    assert_eq!(compiled, converted);
    let input = amp_input();
    assert_eq!(stream(&compiled, &input), stream(&converted, &input));
}

#[test]
fn compiled_keras_tagger_equals_the_loaded_one() {
    let compiled = KerasBiTagger::compiled();
    let loaded = KerasBiTagger::load(
        fixture_path("keras_bilstm_tagger.keras"),
        &LoadOptions::new(),
    )
    .unwrap();
    assert_eq!(compiled, loaded);
    let tokens: Vec<Token<20>> = (0..12).map(|t| Token::new(t * 7 % 20).unwrap()).collect();
    let run = |model: &KerasBiTagger| {
        let mut outputs = vec![[0.0f32; 4]; tokens.len()];
        model
            .run(&tokens, &mut outputs, &mut model.zero_state())
            .unwrap();
        outputs
    };
    assert_eq!(run(&compiled), run(&loaded));
}

/// A spec's weights compiled in: PyTorch's two-layer bidirectional LSTM with a projection.
#[derive(lstm::Lstm)]
#[lstm(
    input = 5,
    hidden = 8,
    layers = 2,
    bidirectional,
    proj = 3,
    bias = "double",
    weights = "tests/fixtures/proj_bidir2_f32.safetensors"
)]
struct ProjectedBidirectional;

/// A two-layer `f64` LSTM, computed and stored in `f64`.
#[derive(lstm::Lstm)]
#[lstm(
    input = 5,
    hidden = 7,
    layers = 2,
    bias = "double",
    weights = "tests/fixtures/layers2_f64.safetensors",
    storage = "f64"
)]
struct TwoLayers64;

/// The audio model's LSTM (the file also holds its head, which the spec ignores), in f16.
#[derive(lstm::Lstm)]
#[lstm(
    input = 1,
    hidden = 32,
    layers = 2,
    bias = "double",
    weights = "tests/fixtures/audio_model_f32.safetensors",
    storage = "f16"
)]
struct AudioF16;

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(&format!("{name}.safetensors"))).unwrap()
}

#[test]
fn compiled_specs_equal_their_loaded_weights() {
    use lstm::{F16, Weights};
    let options = LoadOptions::new();

    let compiled = ProjectedBidirectional::compiled();
    let loaded =
        Weights::<ProjectedBidirectional>::from_safetensors(&bytes("proj_bidir2_f32"), &options)
            .unwrap();
    assert_eq!(compiled, loaded);
    let inputs: Vec<[f32; 5]> = (0..9)
        .map(|t| core::array::from_fn(|k| ((t * 5 + k) as f32 * 0.37).sin()))
        .collect();
    let run = |model: &Weights<ProjectedBidirectional>| {
        let mut outputs = vec![[0.0f32; 6]; inputs.len()];
        model
            .run(&inputs, &mut outputs, &mut model.zero_state())
            .unwrap();
        outputs
    };
    assert_eq!(run(&compiled), run(&loaded));

    let compiled = TwoLayers64::compiled();
    let loaded =
        Weights::<TwoLayers64, f64>::from_safetensors(&bytes("layers2_f64"), &options).unwrap();
    assert_eq!(compiled, loaded);

    let compiled = AudioF16::compiled();
    let loaded = Weights::<AudioF16>::from_safetensors(&bytes("audio_model_f32"), &options)
        .unwrap()
        .to_storage::<F16>();
    assert_eq!(compiled, loaded);
    let mut states = (compiled.zero_state(), loaded.zero_state());
    for t in 0..200 {
        let x = [(t as f32 * 0.05).sin()];
        let (a, b) = (
            compiled.step(&x, &mut states.0),
            loaded.step(&x, &mut states.1),
        );
        assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits));
    }
}

/// The firmware example's model (`examples/firmware`): LSTM(1, 20) + Linear + skip, compiled in.
#[derive(Model, Debug, PartialEq)]
#[model(residual, weights = "tests/fixtures/amp_lstm20.json")]
struct Amp20 {
    rec: LstmLayer<f32, 1, 20, 2>,
    lin: Linear<f32, 20, 1>,
}

/// The firmware's test signal (`examples/firmware/src/main.rs`).
fn triangle(n: u32) -> f32 {
    let phase = (n % 200) as f32 / 200.0;
    (if phase < 0.5 { phase } else { 1.0 - phase }) * 2.0 - 0.5
}

/// What the firmware prints under QEMU, computed here with the kernel it runs (the portable
/// one): `scripts/firmware-qemu.sh` compares the two, line by line. The model also matches
/// PyTorch on the fixture's own input.
#[test]
fn the_firmware_model_on_the_host() {
    use lstm::Kernel;
    let amp = Amp20::compiled();
    let portable = Amp20 {
        rec: amp.rec.clone().with_kernel(Kernel::Portable).unwrap(),
        lin: amp.lin.clone(),
    };
    let io = bytes("amp_lstm20_io");
    let io = safetensors::SafeTensors::deserialize(&io).unwrap();
    let floats = |name: &str| -> Vec<f32> {
        let view = io.tensor(name).unwrap();
        view.data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };
    let (input, expected) = (floats("input"), floats("output"));
    for model in [&amp, &portable] {
        let mut state = model.zero_state();
        for (&x, &y) in input.iter().zip(&expected) {
            let [out] = model.step(&[x], &mut state);
            assert!((out - y).abs() < 1e-5, "{out} against PyTorch's {y}");
        }
    }
    let mut state = portable.zero_state();
    let mut checksum = 0.0f32;
    for n in 0..4_800 {
        let [out] = portable.step(&[triangle(n)], &mut state);
        checksum += out;
        if n % 373 == 0 {
            println!("y[{n}] = {out:e}");
        }
    }
    println!("checksum = {checksum:e}");
    assert!(checksum.is_finite());
}
