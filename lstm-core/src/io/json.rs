//! JSON `state_dict`s, as the guitar-amp modelling tools write them (Automated-GuitarAmpModelling's
//! `save_model`, which AIDA-X and GuitarML's plug-ins read):
//! `{"model_data": {..}, "state_dict": {"rec.weight_ih_l0": [[..], ..], "lin.bias": [..], ..}}`,
//! each tensor a nested list of numbers (PyTorch's `tensor.tolist()`). A bare object of such
//! lists is read too. The tensors become an in-memory safetensors file (`f64`, exact for any
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
    let state_dict = match document.get("state_dict") {
        Some(Value::Object(state_dict)) => state_dict,
        Some(_) => return Err(invalid("`state_dict` is not an object".to_owned())),
        // A bare state_dict: every value a tensor.
        None => &document,
    };
    let mut tensors = Vec::with_capacity(state_dict.len());
    for (name, value) in state_dict {
        let mut shape = Vec::new();
        shape_of(value, &mut shape);
        let mut values = Vec::new();
        flatten(value, &shape, &mut values).map_err(|why| {
            invalid(format!(
                "tensor `{name}` is not a rectangular array of numbers: {why}"
            ))
        })?;
        tensors.push((name.clone(), OwnedTensor::new::<f64>(shape, &values)));
    }
    if tensors.is_empty() {
        return Err(invalid("the state_dict holds no tensors".to_owned()));
    }
    safetensors::serialize(tensors, None).map_err(|error| invalid(error.to_string()))
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
