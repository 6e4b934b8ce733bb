//! The inspector against the libraries' own parameter counts: for every PyTorch fixture, the
//! LSTM it finds has the count PyTorch's `sum(p.numel())` gave (the fixture's metadata), and
//! for the Keras model, the layers it finds add up to Keras' `count_params()`.

mod common;

use lstm::{Found, inspect};

fn metadata_count(bytes: &[u8]) -> Option<(String, usize)> {
    let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).ok()?;
    let metadata = metadata.metadata().as_ref()?;
    Some((
        metadata.get("library")?.clone(),
        metadata.get("param_count")?.parse().ok()?,
    ))
}

#[test]
fn every_fixture_is_inspected_and_counts_match_the_libraries() {
    let directory = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if !matches!(extension, "safetensors" | "pt" | "json")
            || path.ends_with("counts.json")
            || path.ends_with("counts_family.json")
        {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let inspection =
            inspect(&bytes).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let Some((library, count)) = metadata_count(&bytes) else {
            continue;
        };
        // A file of inputs and outputs for a model stored in another file.
        if path.to_string_lossy().ends_with("_io.safetensors") {
            continue;
        }
        let lstm_parameters: Vec<usize> = inspection
            .layers
            .iter()
            .filter_map(|found| match found {
                Found::Lstm { parameters, .. } => Some(*parameters),
                _ => None,
            })
            .collect();
        let all: usize = inspection.layers.iter().map(Found::parameters).sum();
        if library == "torch.nn.LSTM" || library == "keras.layers.LSTM" {
            assert_eq!(lstm_parameters, [count], "{}", path.display());
            checked += 1;
        } else if library.starts_with("keras (") || library.starts_with("torch (nn.Embedding") {
            assert_eq!(all, count, "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} fixtures checked");
}

#[test]
fn an_rtneural_file_counts_as_keras_does() {
    let json = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rtneural_lstm8.json"
    ))
    .unwrap();
    let (_, keras_count) = metadata_count(&common::fixture_bytes("rtneural_lstm8_io")).unwrap();
    let inspection = inspect(&json).unwrap();
    let counted: usize = inspection.layers.iter().map(Found::parameters).sum();
    assert_eq!(counted, keras_count);
}

/// Keras' own files (`.keras`, `.weights.h5`): every layer found, adding up to
/// `count_params()`.
#[test]
fn keras_files_count_as_keras_does() {
    let (_, keras_count) =
        metadata_count(&common::fixture_bytes("keras_bilstm_tagger_io")).unwrap();
    for file in [
        "keras_bilstm_tagger.keras",
        "keras_bilstm_tagger.weights.h5",
    ] {
        let bytes = std::fs::read(format!(
            "{}/tests/fixtures/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let inspection = inspect(&bytes).unwrap();
        let counted: usize = inspection.layers.iter().map(Found::parameters).sum();
        assert_eq!(counted, keras_count, "{file}:\n{inspection}");
        assert_eq!(inspection.layers.len(), 4, "{file}:\n{inspection}");
    }
}
