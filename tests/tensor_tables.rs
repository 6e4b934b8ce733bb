//! Every tensor a derived spec's `PYTORCH_TENSORS` or `KERAS_TENSORS` table lists is one the
//! loader reads: a file holding exactly a table's tensors, with exactly its shapes, loads into
//! the spec's weights, and one tensor fewer does not. The tables and the loader both take their
//! names from `lstm-naming`; this holds them to it. A table that is empty (Keras for a stack, a
//! bidirectional or a projected LSTM) is a layout the writer refuses too.

use lstm::prelude::*;
use lstm::{LoadOptions, Lstm, LstmSpec, Naming, TensorInfo, Weights};
use safetensors::tensor::{Dtype, TensorView};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4)]
struct Single;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, bias = "double")]
struct Double;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, bias = "none")]
struct NoBias;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, proj = 2, bias = "double")]
struct Projected;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, layers = 3)]
struct Stack;

#[derive(Lstm)]
#[lstm(
    input = 3,
    hidden = 4,
    layers = 2,
    bidirectional,
    proj = 2,
    bias = "double"
)]
struct Everything;

/// A safetensors file holding `tensors` (f32, small distinct values), without `skip`.
fn file_of(tensors: &[TensorInfo], skip: Option<&str>) -> Vec<u8> {
    let data: Vec<(String, Vec<u8>, Vec<usize>)> = tensors
        .iter()
        .filter(|tensor| Some(tensor.name) != skip)
        .map(|tensor| {
            let bytes = (0..tensor.count)
                .flat_map(|k| ((k % 7) as f32 * 0.01).to_le_bytes())
                .collect();
            (tensor.name.to_owned(), bytes, tensor.shape.to_vec())
        })
        .collect();
    let views = data.iter().map(|(name, bytes, shape)| {
        let view = TensorView::new(Dtype::F32, shape.clone(), bytes).expect("sizes agree");
        (name.clone(), view)
    });
    safetensors::serialize(views, None).expect("serializable")
}

/// `S`'s tables each load into `Weights<S>`, whole and not with a tensor missing.
fn tables_load<S: LstmSpec>() {
    for (table, naming) in [
        (S::PYTORCH_TENSORS, Naming::PyTorch),
        (S::KERAS_TENSORS, Naming::Keras),
    ] {
        let what = format!("{} in {naming} naming", S::NAME);
        if table.is_empty() {
            let saved = Weights::<S>::zeros().to_safetensors(naming, "");
            assert!(
                saved.is_err(),
                "{what}: an empty table, but the writer saves it"
            );
            continue;
        }
        let options = LoadOptions::new().naming(naming);
        let loaded = Weights::<S>::from_safetensors(&file_of(table, None), &options);
        assert!(
            loaded.is_ok(),
            "{what}: {}",
            loaded.err().map(|e| e.to_string()).unwrap_or_default()
        );
        for tensor in table {
            let missing = file_of(table, Some(tensor.name));
            assert!(
                Weights::<S>::from_safetensors(&missing, &options).is_err(),
                "{what}: loads without `{}`",
                tensor.name
            );
        }
        // What the writer writes is what the table lists, name for name and shape for shape.
        let written = Weights::<S>::zeros()
            .to_safetensors(naming, "")
            .expect("writable");
        let file = safetensors::SafeTensors::deserialize(&written).expect("safetensors");
        let mut names: Vec<(String, Vec<usize>)> = file
            .iter()
            .map(|(name, view)| (name.to_owned(), view.shape().to_vec()))
            .collect();
        let mut listed: Vec<(String, Vec<usize>)> = table
            .iter()
            .map(|tensor| (tensor.name.to_owned(), tensor.shape.to_vec()))
            .collect();
        names.sort();
        listed.sort();
        assert_eq!(names, listed, "{what}: the writer and the table");
    }
}

#[test]
fn every_listed_tensor_loads() {
    tables_load::<Single>();
    tables_load::<Double>();
    tables_load::<NoBias>();
    tables_load::<Projected>();
    tables_load::<Stack>();
    tables_load::<Everything>();
}

#[test]
fn keras_tables_cover_what_keras_holds() {
    assert_eq!(Single::KERAS_TENSORS.len(), 3);
    assert_eq!(NoBias::KERAS_TENSORS.len(), 2);
    assert!(Stack::KERAS_TENSORS.is_empty());
    assert!(Projected::KERAS_TENSORS.is_empty());
    assert_eq!(Stack::PYTORCH_TENSORS.len(), 3 * 4);
    assert_eq!(Everything::PYTORCH_TENSORS.len(), 2 * 2 * 5);
}
