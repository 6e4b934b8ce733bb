//! `#[derive(Model)]`: whole models as one declared type, loaded in one call from each format
//! and compared with the library that trained them (fixtures written by `scripts/fixtures.py`),
//! their `PARAM_COUNT` with PyTorch's `sum(p.numel())` and Keras' `count_params()` (each
//! fixture's `param_count`), and the errors a file that does not fit gives.

mod common;

use lstm::prelude::*;
use lstm::{
    Activation, Bidirectional, Embedding, Kernel, Linear, LoadError, LoadOptions, LstmLayer, Model,
    Softmax, Stacked, Tanh, Token,
};

fn fixture_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The whole-model count a fixture records, as the library that wrote it counted.
fn recorded_count(bytes: &[u8]) -> usize {
    let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).unwrap();
    metadata.metadata().as_ref().unwrap()["param_count"]
        .parse()
        .unwrap()
}

fn tokens<const V: usize>(values: &[f32]) -> Vec<Token<V>> {
    values
        .iter()
        .map(|&v| Token::new(v as usize).expect("a token of the vocabulary"))
        .collect()
}

/// Streams `input` sample by sample and runs it whole; returns both outputs.
fn stream_and_run<M>(model: &M, input: &[f32]) -> (Vec<f32>, Vec<f32>)
where
    M: StreamingLayer<f32, Input = [f32; 1], Output = [f32; 1]>,
{
    let mut state = model.zero_state();
    let streamed = input.iter().map(|&x| model.step(&[x], &mut state)[0]);
    let streamed = streamed.collect();
    let inputs: Vec<[f32; 1]> = input.iter().map(|&x| [x]).collect();
    let mut outputs = vec![[0.0]; inputs.len()];
    model
        .run(&inputs, &mut outputs, &mut model.zero_state())
        .unwrap();
    (streamed, outputs.into_iter().flatten().collect())
}

/// A guitar-amp model as the amp-modelling tools train it: `lin(rec(x)) + x`.
#[derive(Model, Debug)]
#[model(residual)]
struct Amp12 {
    rec: LstmLayer<f32, 1, 12, 2>,
    lin: Linear<f32, 12, 1>,
}

#[derive(Model, Debug)]
#[model(residual)]
struct Amp40 {
    rec: LstmLayer<f32, 1, 40, 2>,
    lin: Linear<f32, 40, 1>,
}

#[test]
fn an_amp_model_loads_in_one_call_streams_and_matches_pytorch() {
    let bytes = common::fixture_bytes("amp_skip_f32");
    let amp = Amp12::from_safetensors(&bytes, &LoadOptions::new()).unwrap();
    assert_eq!(Amp12::PARAM_COUNT, recorded_count(&bytes));
    let (_, input) = common::data::<f32>(&bytes, "input");
    let (_, expected) = common::data::<f32>(&bytes, "output");
    let (streamed, whole) = stream_and_run(&amp, &input);
    let (streamed, whole) = (
        common::max_abs_diff(streamed, &expected),
        common::max_abs_diff(whole, &expected),
    );
    println!("Amp12: max |ours - PyTorch| streamed {streamed:e}, whole {whole:e}");
    assert!(streamed < 1e-5 && whole < 1e-5, "{streamed} {whole}");
}

/// The amp tools' own JSON file (`model_data` and `state_dict`), and the same model with the
/// portable kernel: the fields are the model's, so a user may swap one.
#[test]
fn an_amp_model_loads_from_its_json_file() {
    let amp = Amp40::load(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/amp_lstm40.json"
        ),
        &LoadOptions::new(),
    )
    .unwrap();
    let io = common::fixture_bytes("amp_lstm40_io");
    assert_eq!(Amp40::PARAM_COUNT, recorded_count(&io));
    let (_, input) = common::data::<f32>(&io, "input");
    let (_, expected) = common::data::<f32>(&io, "output");
    let portable = Amp40 {
        rec: amp.rec.clone().with_kernel(Kernel::Portable).unwrap(),
        lin: amp.lin.clone(),
    };
    for (model, name) in [(&amp, "best kernel"), (&portable, "portable")] {
        let (streamed, whole) = stream_and_run(model, &input);
        let streamed = common::max_abs_diff(streamed, &expected);
        let whole = common::max_abs_diff(whole, &expected);
        println!("Amp40 ({name}): max |ours - PyTorch| streamed {streamed:e}, whole {whole:e}");
        assert!(streamed < 1e-5 && whole < 1e-5, "{streamed} {whole}");
    }
}

/// PyTorch's `Embedding -> bidirectional LSTM -> Linear -> softmax`, run as a batch.
#[derive(Model)]
struct PyTorchTagger {
    embedding: Embedding<f32, 20, 6>,
    lstm: Bidirectional<LstmLayer<f32, 6, 5, 2>, 10>,
    head: Linear<f32, 10, 4>,
    softmax: Activation<Softmax, f32, 4>,
}

#[test]
fn a_bidirectional_tagger_loads_in_one_call_and_matches_pytorch() {
    let bytes = common::fixture_bytes("tagger_embedding_f32");
    let tagger = PyTorchTagger::from_safetensors(&bytes, &LoadOptions::new()).unwrap();
    assert_eq!(PyTorchTagger::PARAM_COUNT, recorded_count(&bytes));
    let (shape, token_values) = common::data::<f32>(&bytes, "tokens");
    let (_, expected) = common::data::<f32>(&bytes, "output");
    let [batch, steps] = shape[..] else {
        panic!("tokens are (B, T)")
    };
    let inputs = tokens::<20>(&token_values);
    let mut outputs = vec![[0.0; 4]; batch * steps];
    let mut states = vec![tagger.zero_state(); batch];
    tagger
        .run_batch(&inputs, &mut outputs, &mut states)
        .unwrap();
    let batched = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
    // One sequence at a time, with a reused workspace, gives the same numbers.
    let mut workspace = Default::default();
    let mut alone = vec![[0.0; 4]; batch * steps];
    for (input, output) in inputs.chunks(steps).zip(alone.chunks_mut(steps)) {
        tagger
            .run_with(input, output, &mut tagger.zero_state(), &mut workspace)
            .unwrap();
    }
    assert_eq!(alone, outputs);
    println!("PyTorchTagger: max |ours - PyTorch| {batched:e}");
    assert!(batched < 1e-5, "{batched}");
}

/// Keras' `Embedding -> LSTM -> Dense(softmax)` from a Keras file: each layer under `name/`,
/// the LSTM's cell one level down (`lstm/lstm_cell/`), found by the field name alone.
#[derive(Model)]
struct KerasTagger {
    embedding: Embedding<f32, 20, 6>,
    lstm: LstmLayer<f32, 6, 5>,
    dense: Linear<f32, 5, 4>,
    softmax: Activation<Softmax, f32, 4>,
}

/// The same file's other head, `Dense(tanh)`, as a model of its own beside the first: the
/// body is a model, nested as a field.
#[derive(Model)]
struct KerasBody {
    embedding: Embedding<f32, 20, 6>,
    lstm: LstmLayer<f32, 6, 5>,
}

#[derive(Model)]
struct KerasTanhTagger {
    #[model(rename = "")]
    body: KerasBody,
    dense_tanh: Linear<f32, 5, 4>,
    tanh: Activation<Tanh, f32, 4>,
}

#[test]
fn a_keras_tagger_loads_in_one_call_and_matches_keras() {
    let bytes = common::fixture_bytes("keras_tagger_f32");
    let softmax = KerasTagger::from_safetensors(&bytes, &LoadOptions::new()).unwrap();
    let tanh = KerasTanhTagger::from_safetensors(&bytes, &LoadOptions::new()).unwrap();
    // Keras' count_params() of the file's model: both heads on one body.
    assert_eq!(
        KerasTagger::PARAM_COUNT + <Linear<f32, 5, 4> as lstm::Module>::PARAM_COUNT,
        recorded_count(&bytes)
    );
    assert_eq!(KerasTanhTagger::PARAM_COUNT, KerasTagger::PARAM_COUNT);
    let (shape, token_values) = common::data::<f32>(&bytes, "tokens");
    let [batch, steps] = shape[..] else {
        panic!("tokens are (B, T)")
    };
    let inputs = tokens::<20>(&token_values);
    let mut outputs = vec![[0.0; 4]; batch * steps];
    softmax
        .run_batch(
            &inputs,
            &mut outputs,
            &mut vec![softmax.zero_state(); batch],
        )
        .unwrap();
    let (_, expected) = common::data::<f32>(&bytes, "output");
    let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
    println!("KerasTagger: max |ours - Keras| {difference:e}");
    assert!(difference < 1e-5, "{difference}");

    // The tanh head, streamed token by token.
    let (_, expected) = common::data::<f32>(&bytes, "tanh_output");
    let mut streamed = Vec::new();
    for sequence in inputs.chunks(steps) {
        let mut state = tanh.zero_state();
        streamed.extend(
            sequence
                .iter()
                .flat_map(|token| tanh.step(token, &mut state)),
        );
    }
    let difference = common::max_abs_diff(streamed, &expected);
    println!("KerasTanhTagger: max |ours - Keras| {difference:e}");
    assert!(difference < 1e-5, "{difference}");
}

/// `torch.save(model.state_dict())` and a checkpoint holding it: `.pt` files.
#[derive(Model)]
struct TorchModel {
    lstm: LstmLayer<f32, 3, 4, 2>,
    head: Linear<f32, 4, 2>,
}

#[test]
fn a_pytorch_pt_file_loads_in_one_call() {
    let io = common::fixture_bytes("torch_model_io");
    let (_, input) = common::data::<f32>(&io, "input");
    let (_, expected) = common::data::<f32>(&io, "output");
    let inputs: Vec<[f32; 3]> = input
        .chunks_exact(3)
        .map(|x| x.try_into().unwrap())
        .collect();
    for file in ["torch_model.pt", "torch_model_checkpoint.pt"] {
        let model = TorchModel::from_safetensors(&fixture_file(file), &LoadOptions::new())
            .unwrap_or_else(|error| panic!("{file}: {error}"));
        let mut outputs = vec![[0.0; 2]; inputs.len()];
        model
            .run(&inputs, &mut outputs, &mut model.zero_state())
            .unwrap();
        let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
        println!("TorchModel from {file}: max |ours - PyTorch| {difference:e}");
        assert!(difference < 1e-5, "{file}: {difference}");
    }
}

/// RTNeural's JSON model files: layer `i` under `layers.{i}.`, named with `rename`.
#[derive(Model)]
struct RtNeuralLstm8 {
    #[model(rename = "layers.0")]
    lstm: LstmLayer<f32, 1, 8>,
    #[model(rename = "layers.1")]
    dense: Linear<f32, 8, 1>,
}

#[test]
fn an_rtneural_file_loads_in_one_call_and_counts_as_keras() {
    let model =
        RtNeuralLstm8::from_safetensors(&fixture_file("rtneural_lstm8.json"), &LoadOptions::new())
            .unwrap();
    let io = common::fixture_bytes("rtneural_lstm8_io");
    assert_eq!(RtNeuralLstm8::PARAM_COUNT, recorded_count(&io));
    let (_, input) = common::data::<f32>(&io, "input");
    let (_, expected) = common::data::<f32>(&io, "output");
    let mut state = model.zero_state();
    let outputs: Vec<f32> = input
        .iter()
        .map(|&x| model.step(&[x], &mut state)[0])
        .collect();
    let difference = common::max_abs_diff(outputs, &expected);
    println!("RtNeuralLstm8: max |ours - Keras| {difference:e}");
    assert!(difference < 1e-5, "{difference}");
}

#[test]
fn the_summary_lists_each_layer_and_the_total() {
    assert_eq!(
        PyTorchTagger::summary().to_string(),
        "\
PyTorchTagger
layer      type                         params
---------  ---------------------------  ------
embedding  Embedding(20 x 6)               120
lstm       Bidirectional(LSTM(6 -> 5))     520
head       Linear(10 -> 4)                  44
softmax    Softmax(4)                        0
total                                      684
"
    );
    assert_eq!(Amp40::summary().total(), 6_921);
}

/// A layer that does not fit names the layer, the tensor and both shapes.
#[test]
fn a_layer_that_does_not_fit_is_named() {
    #[derive(Model, Debug)]
    #[model(residual)]
    struct Amp16 {
        rec: LstmLayer<f32, 1, 16, 2>,
        lin: Linear<f32, 16, 1>,
    }
    let bytes = common::fixture_bytes("amp_skip_f32");
    let err = Amp16::from_safetensors(&bytes, &LoadOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer `rec`: tensor `rec.weight_ih_l0` has shape (48, 1), expected (64, 1)"
    );
    assert!(matches!(err, LoadError::InLayer { field: "rec", .. }));
    assert!(std::error::Error::source(&err).is_some());

    // The tensors under a layer's name that its type has no place for stay errors.
    #[derive(Model, Debug)]
    struct NoBias {
        rec: LstmLayer<f32, 1, 12, 0>,
        lin: Linear<f32, 12, 1>,
    }
    let err = NoBias::from_safetensors(&bytes, &LoadOptions::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("layer `rec`: unexpected tensor `rec.bias_ih_l0`"),
        "{err}"
    );
}

/// A field named differently from the file's layer gets "did you mean" with the attribute to
/// write; the file's other tensors (its `input`, `output`) are ignored unless strict.
#[test]
fn a_wrong_name_gets_did_you_mean_and_strict_rejects_the_rest() {
    #[derive(Model, Debug)]
    #[model(residual)]
    struct Misnamed {
        lstm: LstmLayer<f32, 1, 12, 2>,
        lin: Linear<f32, 12, 1>,
    }
    let bytes = common::fixture_bytes("amp_skip_f32");
    let err = Misnamed::from_safetensors(&bytes, &LoadOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer `lstm`: no LSTM weights under `lstm.`; the file has one under `rec.`: did you \
         mean `#[model(rename = \"rec\")]`?"
    );
    let err = Amp12::from_safetensors(&bytes, &LoadOptions::new().strict(true)).unwrap_err();
    assert!(
        err.to_string().starts_with("unexpected tensor `input`"),
        "{err}"
    );
    // A Keras file whose layer is missing names where it was looked for.
    let keras = common::fixture_bytes("keras_tagger_f32");
    #[derive(Model, Debug)]
    struct MissingHead {
        lstm: LstmLayer<f32, 6, 5>,
        head: Linear<f32, 5, 4>,
    }
    let err = MissingHead::from_safetensors(&keras, &LoadOptions::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("layer `head`: missing tensor `head.weight`"),
        "{err}"
    );
}

/// `LoadOptions::prefix` places the whole model inside a larger file.
#[test]
fn a_model_loads_from_inside_a_larger_file() {
    #[derive(Model, Debug)]
    struct Inner {
        rec: LstmLayer<f32, 1, 12, 2>,
    }
    // The amp fixture read as a model of one LSTM under `rec.`'s parent, the top level.
    let bytes = common::fixture_bytes("amp_skip_f32");
    assert!(Inner::from_safetensors(&bytes, &LoadOptions::new()).is_ok());
    let err = Inner::from_safetensors(&bytes, &LoadOptions::new().prefix("encoder.")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("layer `rec`: no LSTM weights under `encoder.rec.`"),
        "{err}"
    );
}

/// A plug-in's set of compiled shapes: whichever the file fits is loaded and runs at its
/// fixed-size speed.
#[derive(Model, Debug)]
enum AnyAmp {
    Small(Amp12),
    Large(Amp40),
}

#[test]
fn an_enum_of_models_loads_whichever_the_file_fits() {
    let small =
        AnyAmp::from_safetensors(&common::fixture_bytes("amp_skip_f32"), &LoadOptions::new())
            .unwrap();
    assert_eq!(small.variant(), "Small");
    assert_eq!(small.param_count(), Amp12::PARAM_COUNT);
    let large = AnyAmp::load(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/amp_lstm40.json"
        ),
        &LoadOptions::new(),
    )
    .unwrap();
    assert_eq!(large.variant(), "Large");
    assert_eq!(AnyAmp::CANDIDATES, ["Small", "Large"]);

    // Each runs as the model it holds: streamed and whole, against PyTorch.
    for (model, io) in [(&small, "amp_skip_f32"), (&large, "amp_lstm40_io")] {
        let io = common::fixture_bytes(io);
        let (_, input) = common::data::<f32>(&io, "input");
        let (_, expected) = common::data::<f32>(&io, "output");
        let (streamed, whole) = stream_and_run(model, &input);
        let streamed = common::max_abs_diff(streamed, &expected);
        let whole = common::max_abs_diff(whole, &expected);
        println!(
            "AnyAmp::{}: streamed {streamed:e}, whole {whole:e}",
            model.variant()
        );
        assert!(streamed < 1e-5 && whole < 1e-5, "{streamed} {whole}");
    }

    // A state made for the other variant (or by `Default`) starts from zero.
    let mut state = small.zero_state();
    let from_other = large.step(&[0.5], &mut state);
    let from_zero = large.step(&[0.5], &mut large.zero_state());
    assert_eq!(from_other, from_zero);
    // A batch of two sequences equals two separate runs.
    let inputs = [[0.1f32], [0.2], [0.3], [-0.1], [-0.2], [-0.3]];
    let mut outputs = [[0.0f32]; 6];
    let mut states = [Default::default(); 2];
    large.run_batch(&inputs, &mut outputs, &mut states).unwrap();
    for (sequence, chunk) in inputs.chunks(3).enumerate() {
        let mut alone = [[0.0f32]; 3];
        large
            .run(chunk, &mut alone, &mut large.zero_state())
            .unwrap();
        assert_eq!(alone, outputs[sequence * 3..sequence * 3 + 3]);
    }
}

#[test]
fn a_file_that_fits_no_variant_lists_every_candidate() {
    let tagger = common::fixture_bytes("tagger_embedding_f32");
    let err = AnyAmp::from_safetensors(&tagger, &LoadOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file fits none of `AnyAmp`'s models; `Small`: layer `rec`: no LSTM weights under \
         `rec.`; the file has one under `lstm.`: did you mean `#[model(rename = \"lstm\")]`?; \
         `Large`: layer `rec`: no LSTM weights under `rec.`; the file has one under `lstm.`: \
         did you mean `#[model(rename = \"lstm\")]`?"
    );
    let LoadError::NoCandidate { tried, .. } = err else {
        panic!("not NoCandidate")
    };
    assert_eq!(tried.len(), 2);
}

/// Keras' `Embedding -> Bidirectional(LSTM) -> Dense(softmax)`, from the files Keras users have:
/// `model.save("tagger.keras")` and `model.save_weights("tagger.weights.h5")` (HDF5, read in
/// Rust). Keras names the wrapped cells `forward_layer` and `backward_layer`.
#[derive(Model)]
struct KerasBiTagger {
    embedding: Embedding<f32, 20, 6>,
    bidirectional: Bidirectional<LstmLayer<f32, 6, 5>, 10>,
    dense: Linear<f32, 10, 4>,
    softmax: Activation<Softmax, f32, 4>,
}

#[test]
fn a_keras_file_and_a_weights_h5_file_load_and_match_keras() {
    let io = common::fixture_bytes("keras_bilstm_tagger_io");
    assert_eq!(KerasBiTagger::PARAM_COUNT, recorded_count(&io));
    let (shape, token_values) = common::data::<f32>(&io, "tokens");
    let (_, expected) = common::data::<f32>(&io, "output");
    let [batch, steps] = shape[..] else {
        panic!("tokens are (B, T)")
    };
    let inputs = tokens::<20>(&token_values);
    for file in [
        "keras_bilstm_tagger.keras",
        "keras_bilstm_tagger.weights.h5",
    ] {
        let tagger = KerasBiTagger::from_safetensors(&fixture_file(file), &LoadOptions::new())
            .unwrap_or_else(|error| panic!("{file}: {error}"));
        let mut outputs = vec![[0.0; 4]; batch * steps];
        tagger
            .run_batch(&inputs, &mut outputs, &mut vec![tagger.zero_state(); batch])
            .unwrap();
        let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
        println!("KerasBiTagger from {file}: max |ours - Keras| {difference:e}");
        assert!(difference < 1e-5, "{file}: {difference}");
    }
}

/// PyTorch's `nn.LSTM(num_layers=2)` as one field: a `Stacked` pair read from `_l0`, `_l1`
/// under the field's name; a one-layer field reports the second layer's tensors.
#[test]
fn a_stacked_nn_lstm_is_one_field() {
    #[derive(Model, Debug)]
    struct Deep {
        lstm: Stacked<LstmLayer<f32, 5, 7, 2>, LstmLayer<f32, 7, 7, 2>>,
    }
    #[derive(Model, Debug)]
    struct Shallow {
        lstm: LstmLayer<f32, 5, 7, 2>,
    }
    let bytes = common::fixture_bytes("layers2_f32");
    assert_eq!(Deep::PARAM_COUNT, recorded_count(&bytes));
    let deep = Deep::from_safetensors(&bytes, &LoadOptions::new()).unwrap();
    let (_, input) = common::data::<f32>(&bytes, "input");
    let (_, expected) = common::data::<f32>(&bytes, "output");
    let inputs: Vec<[f32; 5]> = input
        .chunks_exact(5)
        .map(|x| x.try_into().unwrap())
        .collect();
    let mut outputs = vec![[0.0; 7]; inputs.len()];
    deep.run(&inputs, &mut outputs, &mut deep.zero_state())
        .unwrap();
    let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
    println!("Deep: max |ours - PyTorch| {difference:e}");
    assert!(difference < 1e-5, "{difference}");

    let err = Shallow::from_safetensors(&bytes, &LoadOptions::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("layer `lstm`: unexpected tensor `lstm.weight_ih_l1`"),
        "{err}"
    );
}

/// One declaration for every size: a model's const parameters are its sizes.
#[derive(Model, Debug)]
#[model(residual)]
struct AmpOf<const H: usize> {
    rec: LstmLayer<f32, 1, H, 2>,
    lin: Linear<f32, H, 1>,
}

#[test]
fn a_model_generic_over_its_hidden_size_loads_each_size() {
    let small =
        AmpOf::<12>::from_safetensors(&common::fixture_bytes("amp_skip_f32"), &LoadOptions::new())
            .unwrap();
    assert_eq!(AmpOf::<12>::PARAM_COUNT, Amp12::PARAM_COUNT);
    assert_eq!(AmpOf::<40>::PARAM_COUNT, Amp40::PARAM_COUNT);
    let io = common::fixture_bytes("amp_skip_f32");
    let (_, input) = common::data::<f32>(&io, "input");
    let (_, expected) = common::data::<f32>(&io, "output");
    let (streamed, whole) = stream_and_run(&small, &input);
    assert!(common::max_abs_diff(streamed, &expected) < 1e-5);
    assert!(common::max_abs_diff(whole, &expected) < 1e-5);
    // The wrong size is named as for a concrete type.
    let err = AmpOf::<16>::from_safetensors(&io, &LoadOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer `rec`: tensor `rec.weight_ih_l0` has shape (48, 1), expected (64, 1)"
    );
}
