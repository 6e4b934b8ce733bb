//! The layers around an LSTM, against the libraries that define them (fixtures written by
//! `scripts/fixtures.py`): a PyTorch amp model `lin(rec(x)) + x` (Linear and a skip
//! connection), a PyTorch tagger `Embedding -> bidirectional LSTM -> Linear -> softmax`, and a
//! Keras `Embedding -> LSTM -> Dense(softmax)` with a `Dense(tanh)` beside it (Keras' `kernel`
//! is the transpose of PyTorch's `weight`).

mod common;

use lstm::prelude::*;
use lstm::{
    Activation, Bidirectional, Embedding, Linear, LoadOptions, LstmLayer, Naming, Residual,
    Softmax, Stacked, Tanh, Token,
};

fn tokens<const V: usize>(values: &[f32]) -> Vec<Token<V>> {
    values
        .iter()
        .map(|&v| Token::new(v as usize).expect("a token of the vocabulary"))
        .collect()
}

#[test]
fn an_amp_model_with_a_skip_connection_matches_pytorch() {
    let bytes = common::fixture_bytes("amp_skip_f32");
    let options = LoadOptions::new().prefix("rec.");
    let amp = Residual::new(Stacked::new(
        LstmLayer::<f32, 1, 12, 2>::from_safetensors(&bytes, &options).unwrap(),
        Linear::<f32, 12, 1>::from_safetensors(&bytes, "lin.", &LoadOptions::new()).unwrap(),
    ));
    let (_, input) = common::data::<f32>(&bytes, "input");
    let (_, expected) = common::data::<f32>(&bytes, "output");
    // Sample by sample, as a plug-in streams it, and as a whole sequence.
    let mut state = amp.zero_state();
    let streamed: Vec<[f32; 1]> = input.iter().map(|&x| amp.step(&[x], &mut state)).collect();
    let inputs: Vec<[f32; 1]> = input.iter().map(|&x| [x]).collect();
    let mut outputs = vec![[0.0]; inputs.len()];
    amp.run(&inputs, &mut outputs, &mut amp.zero_state())
        .unwrap();
    let (streamed, whole) = (
        common::max_abs_diff(streamed.iter().flatten().copied(), &expected),
        common::max_abs_diff(outputs.iter().flatten().copied(), &expected),
    );
    println!("amp: max |ours - PyTorch| streamed {streamed:e}, whole {whole:e}");
    assert!(streamed < 1e-5 && whole < 1e-5, "{streamed} {whole}");
}

#[test]
fn an_embedding_tagger_with_softmax_matches_pytorch() {
    let bytes = common::fixture_bytes("tagger_embedding_f32");
    let lenient = LoadOptions::new();
    let embedding = Embedding::<f32, 20, 6>::from_safetensors(&bytes, "embedding.", &lenient);
    let lstm = Bidirectional::<LstmLayer<f32, 6, 5, 2>, 10>::from_safetensors(
        &bytes,
        &LoadOptions::new().prefix("lstm."),
    );
    let head = Linear::<f32, 10, 4>::from_safetensors(&bytes, "head.", &lenient);
    let tagger = Stacked::new(
        Stacked::new(
            Stacked::new(embedding.unwrap(), lstm.unwrap()),
            head.unwrap(),
        ),
        Activation::<Softmax, f32, 4>::new(),
    );
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
    let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
    println!("tagger: max |ours - PyTorch| {difference:e}");
    assert!(difference < 1e-5, "{difference}");
    assert!(
        outputs
            .iter()
            .all(|p| (p.iter().sum::<f32>() - 1.0).abs() < 1e-5)
    );
}

#[test]
fn keras_embedding_and_dense_heads_match_keras() {
    let bytes = common::fixture_bytes("keras_tagger_f32");
    let options = LoadOptions::new();
    let embedding = Embedding::<f32, 20, 6>::from_safetensors(&bytes, "embedding/", &options);
    let lstm = LstmLayer::<f32, 6, 5>::from_safetensors(
        &bytes,
        &LoadOptions::new()
            .naming(Naming::Keras)
            .prefix("lstm/lstm_cell/"),
    );
    let body = Stacked::new(embedding.unwrap(), lstm.unwrap());
    let softmax_head = Stacked::new(
        Linear::<f32, 5, 4>::from_safetensors(&bytes, "dense/", &options).unwrap(),
        Activation::<Softmax, f32, 4>::new(),
    );
    let tanh_head = Stacked::new(
        Linear::<f32, 5, 4>::from_safetensors(&bytes, "dense_tanh/", &options).unwrap(),
        Activation::<Tanh, f32, 4>::new(),
    );
    let (shape, token_values) = common::data::<f32>(&bytes, "tokens");
    let [batch, steps] = shape[..] else {
        panic!("tokens are (B, T)")
    };
    let inputs = tokens::<20>(&token_values);
    let mut between = vec![[0.0; 5]; batch * steps];
    body.run_batch(&inputs, &mut between, &mut vec![body.zero_state(); batch])
        .unwrap();
    for (head, name) in [
        (&softmax_head as &dyn Head, "output"),
        (&tanh_head, "tanh_output"),
    ] {
        let (_, expected) = common::data::<f32>(&bytes, name);
        let outputs = head.apply(&between);
        let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
        println!("keras {name}: max |ours - Keras| {difference:e}");
        assert!(difference < 1e-5, "{name}: {difference}");
    }
}

/// A stateless head over a batch of LSTM outputs, whatever its activation.
trait Head {
    fn apply(&self, inputs: &[[f32; 5]]) -> Vec<[f32; 4]>;
}

impl<L: StreamingLayer<f32, Input = [f32; 5], Output = [f32; 4]>> Head for L {
    fn apply(&self, inputs: &[[f32; 5]]) -> Vec<[f32; 4]> {
        let mut state = self.zero_state();
        inputs.iter().map(|x| self.step(x, &mut state)).collect()
    }
}

#[test]
fn a_keras_dense_kernel_is_read_transposed_and_checked() {
    let bytes = common::fixture_bytes("keras_tagger_f32");
    // (5, 4) in Keras' layout is a 5 -> 4 head; as a 4 -> 5 head it is the transpose.
    let err =
        Linear::<f32, 4, 5>::from_safetensors(&bytes, "dense/", &LoadOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `dense/kernel` has shape (5, 4), expected (4, 5) (transposed: PyTorch stores a \
         weight as (out, in), Keras as (in, out))"
    );
}

/// The file the amp-modelling tools write (Automated-GuitarAmpModelling's `save_model`, read by
/// AIDA-X and GuitarML's plug-ins): a JSON `state_dict`, loaded with the same calls as a
/// safetensors file, the format told from the first bytes.
#[test]
fn an_amp_model_loads_from_its_json_state_dict_and_matches_pytorch() {
    let json = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/amp_lstm40.json"
    ))
    .unwrap();
    let amp = Residual::new(Stacked::new(
        LstmLayer::<f32, 1, 40, 2>::from_safetensors(&json, &LoadOptions::new().prefix("rec."))
            .unwrap(),
        Linear::<f32, 40, 1>::from_safetensors(&json, "lin.", &LoadOptions::new()).unwrap(),
    ));
    let io = common::fixture_bytes("amp_lstm40_io");
    let (_, input) = common::data::<f32>(&io, "input");
    let (_, expected) = common::data::<f32>(&io, "output");
    let mut state = amp.zero_state();
    let outputs: Vec<[f32; 1]> = input.iter().map(|&x| amp.step(&[x], &mut state)).collect();
    let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
    println!("amp from JSON: max |ours - PyTorch| {difference:e}");
    assert!(difference < 1e-5, "{difference}");

    // A wrong size is named as for any file.
    let err =
        LstmLayer::<f32, 1, 32, 2>::from_safetensors(&json, &LoadOptions::new().prefix("rec."))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `rec.weight_ih_l0` has shape (160, 1), expected (128, 1)"
    );
}

/// Files of another kind are named as what they are, not "header too large".
#[test]
fn other_kinds_of_file_are_named() {
    // A zip archive with neither a pickle nor Keras' weights: the .pt file with its `data.pkl`
    // renamed, so that nothing else changes.
    let mut keras_like = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/torch_model.pt"
    ))
    .unwrap();
    for at in 0..keras_like.len() - 8 {
        if &keras_like[at..at + 8] == b"data.pkl" {
            keras_like[at + 7] = b'X';
        }
    }
    let err =
        LstmLayer::<f32, 3, 4, 2>::from_safetensors(&keras_like, &LoadOptions::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the file is a zip archive with neither `data.pkl` (PyTorch) nor"),
        "{err}"
    );
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00the start of a damaged archive";
    let hdf5 = b"\x89HDF\r\n\x1a\n\x00\x00\x00\x00 a keras weights file";
    let pickle = b"\x80\x02}q\x00(X\x0b\x00\x00\x00legacy torch";
    for (bytes, says) in [
        (
            &zip[..],
            "not a readable PyTorch file: a damaged zip archive",
        ),
        // An HDF5 signature is read as Keras' `.weights.h5`, and this one is damaged.
        (&hdf5[..], "not a readable Keras file"),
        (&pickle[..], "the file is a Python pickle"),
    ] {
        let err =
            Linear::<f32, 2, 1>::from_safetensors(bytes, "", &LoadOptions::new()).unwrap_err();
        assert!(err.to_string().starts_with(says), "{err}");
        let err = LstmLayer::<f32, 2, 3>::from_safetensors(bytes, &LoadOptions::new()).unwrap_err();
        assert!(err.to_string().starts_with(says), "{err}");
    }
    let json =
        br#"{"model_data": {"hidden_size": 3}, "state_dict": {"rec.weight_ih_l0": [[1], [2, 3]]}}"#;
    let err = LstmLayer::<f32, 1, 3>::from_safetensors(json, &LoadOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a JSON state_dict: tensor `rec.weight_ih_l0` is not a rectangular array of numbers: \
         a row of 2 where the first has 1"
    );
}

/// The file PyTorch users have: `torch.save(model.state_dict(), "model.pt")`, and a training
/// checkpoint holding it beside an optimizer's state. Read in Rust, the pickle run by no one.
#[test]
fn a_pytorch_pt_file_loads_and_matches_pytorch() {
    let io = common::fixture_bytes("torch_model_io");
    let (_, input) = common::data::<f32>(&io, "input");
    let (_, expected) = common::data::<f32>(&io, "output");
    let inputs: Vec<[f32; 3]> = input
        .chunks_exact(3)
        .map(|x| x.try_into().unwrap())
        .collect();
    for file in ["torch_model.pt", "torch_model_checkpoint.pt"] {
        let bytes = std::fs::read(format!(
            "{}/tests/fixtures/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let model = Stacked::new(
            LstmLayer::<f32, 3, 4, 2>::from_safetensors(
                &bytes,
                &LoadOptions::new().prefix("lstm."),
            )
            .unwrap_or_else(|error| panic!("{file}: {error}")),
            Linear::<f32, 4, 2>::from_safetensors(&bytes, "head.", &LoadOptions::new())
                .unwrap_or_else(|error| panic!("{file}: {error}")),
        );
        let mut outputs = vec![[0.0; 2]; inputs.len()];
        model
            .run(&inputs, &mut outputs, &mut model.zero_state())
            .unwrap();
        let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
        println!("{file}: max |ours - PyTorch| {difference:e}");
        assert!(difference < 1e-5, "{file}: {difference}");
    }
}

/// RTNeural's JSON model format (what AIDA-X's and other plug-ins' converters write), from a
/// real Keras model: layer `i`'s tensors under `layers.{i}.` in Keras' names.
#[test]
fn an_rtneural_model_file_loads_and_matches_keras() {
    let json = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rtneural_lstm8.json"
    ))
    .unwrap();
    let model = Stacked::new(
        LstmLayer::<f32, 1, 8>::from_safetensors(&json, &LoadOptions::new().prefix("layers.0."))
            .unwrap(),
        Linear::<f32, 8, 1>::from_safetensors(&json, "layers.1.", &LoadOptions::new()).unwrap(),
    );
    let io = common::fixture_bytes("rtneural_lstm8_io");
    let (_, input) = common::data::<f32>(&io, "input");
    let (_, expected) = common::data::<f32>(&io, "output");
    let mut state = model.zero_state();
    let outputs: Vec<[f32; 1]> = input
        .iter()
        .map(|&x| model.step(&[x], &mut state))
        .collect();
    let difference = common::max_abs_diff(outputs.iter().flatten().copied(), &expected);
    println!("RTNeural JSON: max |ours - Keras| {difference:e}");
    assert!(difference < 1e-5, "{difference}");
}
