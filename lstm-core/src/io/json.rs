//! JSON weight files: `state_dict`s as the guitar-amp modelling tools write them (Automated-GuitarAmpModelling's
//! `save_model`, which AIDA-X and GuitarML's plug-ins read):
//! `{"model_data": {..}, "state_dict": {"rec.weight_ih_l0": [[..], ..], "lin.bias": [..], ..}}`,
//! each tensor a nested list of numbers (PyTorch's `tensor.tolist()`); a bare object of such
//! lists; and RTNeural's model files (see [`rtneural_tensors`]). The tensors become an in-memory safetensors file (`f64`, exact for any
//! number the JSON holds), which is then loaded and checked as any other: the same names, shapes,
//! conversions and errors.

use serde_json::Value;

use super::LoadError;
use super::write::OwnedTensor;

/// The tensors of a JSON `state_dict` as the bytes of a safetensors file.
pub(super) fn to_safetensors(bytes: &[u8]) -> Result<Vec<u8>, LoadError> {
    let invalid = |reason: String| LoadError::Json { reason };
    let document: Value =
        serde_json::from_slice(bytes).map_err(|error| invalid(format!("not JSON: {error}")))?;
    let Value::Object(document) = document else {
        return Err(invalid("the top level is not an object".to_owned()));
    };
    let named: Vec<(String, &Value)> = match (document.get("state_dict"), document.get("layers")) {
        (Some(Value::Object(state_dict)), _) => state_dict
            .iter()
            .map(|(name, value)| (name.clone(), value))
            .collect(),
        (Some(_), _) => return Err(invalid("`state_dict` is not an object".to_owned())),
        (None, Some(Value::Array(layers))) => rtneural_tensors(layers)?,
        // A bare state_dict: every value a tensor.
        (None, _) => document
            .iter()
            .map(|(name, value)| (name.clone(), value))
            .collect(),
    };
    let mut tensors = Vec::with_capacity(named.len());
    for (name, value) in named {
        let mut shape = Vec::new();
        shape_of(value, &mut shape);
        let mut values = Vec::new();
        flatten(value, &shape, &mut values).map_err(|why| {
            invalid(format!(
                "tensor `{name}` is not a rectangular array of numbers: {why}"
            ))
        })?;
        tensors.push((name, OwnedTensor::new::<f64>(shape, &values)));
    }
    if tensors.is_empty() {
        return Err(invalid("the state_dict holds no tensors".to_owned()));
    }
    safetensors::serialize(tensors, None).map_err(|error| invalid(error.to_string()))
}

/// RTNeural's model files (its `model_utils.save_model_json`, which AIDA-X's and other plug-ins'
/// converters write): `{"in_shape": .., "layers": [{"type": "lstm", "activation": "",
/// "shape": .., "weights": [..]}, ..]}`, each layer's `weights` Keras' `get_weights()`. Layer
/// `i`'s tensors are named as Keras names them, behind `layers.{i}.`: an LSTM's `kernel`
/// `(I, 4H)`, `recurrent_kernel` `(H, 4H)` and `bias`, a dense layer's `kernel` `(I, O)` and
/// `bias`; another layer's tensors are `layers.{i}.weights.{j}`.
fn rtneural_tensors(layers: &[Value]) -> Result<Vec<(String, &Value)>, LoadError> {
    let mut named = Vec::new();
    for (index, layer) in layers.iter().enumerate() {
        let kind = layer.get("type").and_then(Value::as_str).unwrap_or("");
        let Some(Value::Array(weights)) = layer.get("weights") else {
            return Err(LoadError::Json {
                reason: format!("layer {index} of the RTNeural model has no `weights` list"),
            });
        };
        let names: &[&str] = match kind {
            "lstm" => &["kernel", "recurrent_kernel", "bias"],
            "dense" | "time-distributed-dense" => &["kernel", "bias"],
            _ => &[],
        };
        for (position, weight) in weights.iter().enumerate() {
            let name = match names.get(position) {
                Some(name) => format!("layers.{index}.{name}"),
                None => format!("layers.{index}.weights.{position}"),
            };
            named.push((name, weight));
        }
    }
    Ok(named)
}

/// The shape the first element at each depth gives: `[[1, 2], [3, 4]]` is `(2, 2)`.
fn shape_of(value: &Value, shape: &mut Vec<usize>) {
    if let Value::Array(items) = value {
        shape.push(items.len());
        if let Some(first) = items.first() {
            shape_of(first, shape);
        }
    }
}

/// The numbers of `value` in row-major order, checking that it has `shape` everywhere.
fn flatten(value: &Value, shape: &[usize], values: &mut Vec<f64>) -> Result<(), String> {
    match (value, shape.split_first()) {
        (Value::Number(number), None) => {
            let number = number
                .as_f64()
                .ok_or_else(|| format!("{number} is not a float"))?;
            values.push(number);
            Ok(())
        }
        (Value::Array(items), Some((&len, rest))) if items.len() == len => items
            .iter()
            .try_for_each(|item| flatten(item, rest, values)),
        (Value::Array(items), Some((&len, _))) => Err(format!(
            "a row of {} where the first has {len}",
            items.len()
        )),
        (Value::Array(_), None) => Err("a list where a number is".to_owned()),
        (other, _) => Err(format!("found {}", kind(other))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number where a list is",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::to_safetensors;

    #[test]
    fn ragged_and_non_numeric_tensors_are_named() {
        let ragged = br#"{"state_dict": {"rec.weight_ih_l0": [[1, 2], [3]]}}"#;
        let err = to_safetensors(ragged).unwrap_err().to_string();
        assert!(
            err.contains("`rec.weight_ih_l0`") && err.contains("a row of 1"),
            "{err}"
        );
        let text = br#"{"lin.bias": ["x"]}"#;
        let err = to_safetensors(text).unwrap_err().to_string();
        assert!(
            err.contains("`lin.bias`") && err.contains("a string"),
            "{err}"
        );
        assert!(to_safetensors(b"[1, 2]").is_err());
        assert!(to_safetensors(br#"{"state_dict": {}}"#).is_err());
        assert!(to_safetensors(br#"{"a": [[1.5, 2], [3, 4]], "b": 7}"#).is_ok());
    }
}
