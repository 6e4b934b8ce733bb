//! The inspector as a user runs it, on the committed fixtures.

use std::process::Command;

fn inspect(fixture: &str) -> (bool, String, String) {
    let path = format!("{}/../tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_lstm-cli"))
        .args(["inspect", &path])
        .output()
        .expect("runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_pytorch_file_is_described_with_the_rust_that_loads_it() {
    let (ok, out, _) = inspect("torch_model.pt");
    assert!(ok);
    for line in [
        "`head.`: linear (nn.Linear), 4 -> 2, 10 parameters",
        "`lstm.`: LSTM (PyTorch nn.LSTM), input 3, hidden 4, 144 parameters",
        "    #[lstm(input = 3, hidden = 4, bias = \"double\")]",
        "    struct LstmSpec;",
        "    let lstm = Weights::<LstmSpec>::from_safetensors(&bytes, &LoadOptions::new().prefix(\"lstm.\"))?;",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn a_keras_file_and_a_json_state_dict() {
    let (ok, out, _) = inspect("keras_tagger_f32.safetensors");
    assert!(ok);
    assert!(
        out.contains("`dense/`: linear (Keras Dense), 5 -> 4, 24 parameters"),
        "{out}"
    );
    assert!(
        out.contains("`embedding/`: embedding, 20 tokens of 6, 120 parameters"),
        "{out}"
    );
    assert!(
        out.contains("`lstm/lstm_cell/`: LSTM (Keras LSTM), input 6, hidden 5, 240 parameters"),
        "{out}"
    );
    let (ok, out, _) = inspect("amp_lstm4.json");
    assert!(ok);
    assert!(
        out.contains("`rec.`: LSTM (PyTorch nn.LSTM), input 1, hidden 4, 112 parameters"),
        "{out}"
    );
}

#[test]
fn a_missing_file_and_a_wrong_command_are_errors() {
    let (ok, _, err) = inspect("no_such_file.pt");
    assert!(!ok && err.contains("cannot read"), "{err}");
    let output = Command::new(env!("CARGO_BIN_EXE_lstm-cli"))
        .arg("show")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_keras_model_file() {
    let (ok, out, _) = inspect("keras_bilstm_tagger.keras");
    assert!(ok);
    for line in [
        "`bidirectional/forward_layer/cell/`: LSTM (Keras LSTM), input 6, hidden 5, 240 parameters",
        "`bidirectional/backward_layer/cell/`: LSTM (Keras LSTM), input 6, hidden 5, 240 parameters",
        "`dense/`: linear (Keras Dense), 10 -> 4, 44 parameters",
        "`embedding/`: embedding, 20 tokens of 6, 120 parameters",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }
}
