//! Keras 3 files: `model.save("m.keras")` (a zip holding `config.json` and
//! `model.weights.h5`) and `model.save_weights("m.weights.h5")` (HDF5), read with the
//! `hdf5-pure` crate and renamed into the names the rest of the loader knows.
//!
//! Keras 3 stores a layer's variables by position, `layers/{layer}/vars/{i}`, and an RNN's cell
//! one level down, `layers/{layer}/cell/vars/{i}`. Each is renamed after what it is:
//! `{layer}/kernel`, `{layer}/bias` (a `Dense`), `{layer}/embeddings` (an `Embedding`),
//! `{layer}/cell/kernel`, `{layer}/cell/recurrent_kernel`, `{layer}/cell/bias` (an LSTM's cell),
//! wrappers keeping their sub-paths (`bidirectional/forward_layer/cell/kernel`). What a layer
//! is comes from `config.json` in a `.keras` file; a bare `.weights.h5` has no config, so a
//! layer's class is told from its variables: a cell is an RNN's, a matrix and a vector are a
//! `Dense`, and a lone matrix is an `Embedding` if the layer's name says so (Keras' default
//! names do), else a `Dense` without bias.

use std::collections::HashMap;

use hdf5_pure::{DType, File, Group};
use safetensors::Dtype;

use super::LoadError;
use super::torch::{Owned, Zip};

/// The file HDF5 files start with.
pub(super) const SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";

/// A `.weights.h5` file as safetensors bytes.
pub(super) fn hdf5_to_safetensors(bytes: &[u8]) -> Result<Vec<u8>, LoadError> {
    convert(bytes, &HashMap::new())
}

/// A `.keras` archive as safetensors bytes, if it is one (it holds `model.weights.h5`).
pub(super) fn archive_to_safetensors(archive: &Zip<'_>) -> Option<Result<Vec<u8>, LoadError>> {
    let weights = archive.entries.get("model.weights.h5")?;
    let classes = archive
        .entries
        .get("config.json")
        .map(|config| layer_classes(config))
        .unwrap_or_default();
    Some(convert(weights, &classes))
}

fn invalid(reason: impl std::fmt::Display) -> LoadError {
    LoadError::Keras {
        reason: reason.to_string(),
    }
}

/// Each layer's class by its name, from a `.keras` file's `config.json` (nested models
/// included); empty where the config cannot be read, which leaves the names to the variables.
fn layer_classes(config: &[u8]) -> HashMap<String, String> {
    fn visit(value: &serde_json::Value, classes: &mut HashMap<String, String>, depth: usize) {
        if depth > 64 {
            return;
        }
        if let (Some(class), Some(name)) = (
            value.get("class_name").and_then(|c| c.as_str()),
            value
                .get("config")
                .and_then(|c| c.get("name"))
                .and_then(|n| n.as_str()),
        ) {
            classes.insert(name.to_owned(), class.to_owned());
        }
        match value {
            serde_json::Value::Object(map) => {
                map.values().for_each(|v| visit(v, classes, depth + 1));
            }
            serde_json::Value::Array(items) => {
                items.iter().for_each(|v| visit(v, classes, depth + 1));
            }
            _ => {}
        }
    }
    let mut classes = HashMap::new();
    if let Ok(config) = serde_json::from_slice::<serde_json::Value>(config) {
        visit(&config, &mut classes, 0);
    }
    classes
}

fn convert(bytes: &[u8], classes: &HashMap<String, String>) -> Result<Vec<u8>, LoadError> {
    let file = File::from_bytes(bytes.to_vec()).map_err(invalid)?;
    let mut tensors = Vec::new();
    walk(&file.root(), "", None, classes, &mut tensors, 0)?;
    safetensors::serialize(tensors, None).map_err(invalid)
}

/// Renames the variables under `group` (at Keras path `path`, in the layer named `layer`).
fn walk(
    group: &Group,
    path: &str,
    layer: Option<&str>,
    classes: &HashMap<String, String>,
    tensors: &mut Vec<(String, Owned)>,
    depth: usize,
) -> Result<(), LoadError> {
    if depth > 32 {
        return Err(invalid("groups nested more than 32 deep"));
    }
    let mut children = group.groups().map_err(invalid)?;
    children.sort();
    for child in children {
        let sub = group.group(&child).map_err(invalid)?;
        if child == "vars" {
            read_vars(&sub, path, layer, classes, tensors)?;
        } else if child == "layers" {
            // A model's list of layers (the file's root, or a nested model): not a name.
            walk(&sub, path, None, classes, tensors, depth + 1)?;
        } else {
            let layer = layer.or(Some(child.as_str()));
            walk(
                &sub,
                &format!("{path}{child}/"),
                layer,
                classes,
                tensors,
                depth + 1,
            )?;
        }
    }
    Ok(())
}

/// Names the datasets `0`, `1`, .. of one `vars` group.
fn read_vars(
    vars: &Group,
    path: &str,
    layer: Option<&str>,
    classes: &HashMap<String, String>,
    tensors: &mut Vec<(String, Owned)>,
) -> Result<(), LoadError> {
    let mut values = Vec::new();
    for index in 0.. {
        let Ok(dataset) = vars.dataset(&index.to_string()) else {
            break;
        };
        let shape: Vec<usize> = dataset
            .shape()
            .map_err(invalid)?
            .into_iter()
            .map(|n| usize::try_from(n).map_err(invalid))
            .collect::<Result<_, _>>()?;
        let data = match dataset.dtype().map_err(invalid)? {
            DType::F32 => (
                Dtype::F32,
                dataset
                    .read_f32()
                    .map_err(invalid)?
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            DType::F64 => (
                Dtype::F64,
                dataset
                    .read_f64()
                    .map_err(invalid)?
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            other => {
                return Err(invalid(format!(
                    "variable `{path}vars/{index}` has element type {other:?}; f32 and f64 are read"
                )));
            }
        };
        values.push((shape, data));
    }
    let class = layer
        .and_then(|layer| classes.get(layer))
        .map(String::as_str);
    let names = variable_names(path, layer, class, &values);
    for (index, ((shape, (dtype, data)), name)) in values.into_iter().zip(names).enumerate() {
        let name = name.unwrap_or_else(|| format!("vars/{index}"));
        tensors.push((format!("{path}{name}"), Owned(dtype, shape, data)));
    }
    Ok(())
}

type Variable = (Vec<usize>, (Dtype, Vec<u8>));

/// What each variable of a `vars` group is: `None` where it is not one this library reads
/// (it keeps `vars/{i}`, so it is reported if it sits where a layer is loaded).
fn variable_names(
    path: &str,
    layer: Option<&str>,
    class: Option<&str>,
    values: &[Variable],
) -> Vec<Option<String>> {
    let named = |names: &[&str]| -> Vec<Option<String>> {
        (0..values.len())
            .map(|i| names.get(i).map(|&name| name.to_owned()))
            .collect()
    };
    let ranks: Vec<usize> = values.iter().map(|(shape, _)| shape.len()).collect();
    if path.ends_with("cell/") {
        return named(&["kernel", "recurrent_kernel", "bias"]);
    }
    match (class, &ranks[..]) {
        (Some("Embedding"), _) => named(&["embeddings"]),
        (Some("Dense"), _) => named(&["kernel", "bias"]),
        (Some(_), _) => named(&[]),
        (None, [2, 1]) => named(&["kernel", "bias"]),
        (None, [2]) if layer.is_some_and(|name| name.contains("embedding")) => {
            named(&["embeddings"])
        }
        (None, [2]) => named(&["kernel"]),
        (None, _) => named(&[]),
    }
}
