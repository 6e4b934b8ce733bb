//! The names the derive reads, in one place, so that the parser and the did-you-mean list agree.

/// The attribute: `#[lstm(..)]`.
pub(crate) const LSTM: &str = "lstm";
/// `input = I`: the length of `x_t`.
pub(crate) const INPUT: &str = "input";
/// `hidden = H`: the length of `h_t` and `c_t`.
pub(crate) const HIDDEN: &str = "hidden";

/// `bias = "single" | "double" | "none"`: how many bias vectors each gate has.
pub(crate) const BIAS: &str = "bias";

/// `proj = P`: PyTorch's `proj_size`, the size `h` is projected to (`0 < P < H`).
pub(crate) const PROJ: &str = "proj";

/// `layers = L`: PyTorch's `num_layers`, each layer reading the previous one's output.
pub(crate) const LAYERS: &str = "layers";
/// `bidirectional`: a second cell per layer reading the sequence in reverse.
pub(crate) const BIDIRECTIONAL: &str = "bidirectional";

/// `weights = "models/amp.safetensors"`: a weight file compiled into the program.
pub(crate) const WEIGHTS: &str = "weights";
/// `storage = "f32" | "f64" | "bf16" | "f16"`: how compiled-in weights are stored.
pub(crate) const STORAGE: &str = "storage";

/// Every key `#[lstm(..)]` accepts, for "did you mean" suggestions.
pub(crate) const KEYS: &[&str] = &[
    INPUT,
    HIDDEN,
    BIAS,
    PROJ,
    LAYERS,
    BIDIRECTIONAL,
    WEIGHTS,
    STORAGE,
];

/// The values of `storage`: what the model computes in and what its LSTM weights are kept as.
pub(crate) const STORAGES: &[&str] = &["f32", "f64", "bf16", "f16"];

/// The values of `bias`, each with its number of bias sets.
pub(crate) const BIAS_MODES: &[(&str, usize)] = &[("single", 1), ("double", 2), ("none", 0)];

/// Names from other libraries that users reach for, and the key that means the same here.
pub(crate) const SYNONYMS: &[(&str, &str)] = &[
    ("input_size", INPUT),   // PyTorch nn.LSTM(input_size, ..)
    ("hidden_size", HIDDEN), // PyTorch nn.LSTM(.., hidden_size)
    ("units", HIDDEN),       // Keras LSTM(units)
    ("num_units", HIDDEN),   // TensorFlow 1 LSTMCell(num_units)
    ("use_bias", BIAS),      // Keras LSTM(use_bias=..)
    ("proj_size", PROJ),     // PyTorch nn.LSTM(.., proj_size)
    ("num_layers", LAYERS),  // PyTorch nn.LSTM(.., num_layers)
    ("pytorch", "double"),   // bias = "pytorch": PyTorch's two biases
    ("keras", "single"),     // bias = "keras": Keras' one bias
    ("false", "none"),       // bias = "false": PyTorch bias=False
];

/// The closest name in `candidates` to `unknown`, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    // A synonym counts only if what it stands for is among the candidates.
    let synonym = SYNONYMS
        .iter()
        .find(|(alias, known)| alias.eq_ignore_ascii_case(unknown) && candidates.contains(known));
    if let Some(&(_, known)) = synonym {
        return candidates
            .iter()
            .copied()
            .find(|candidate| *candidate == known);
    }
    let lowered = unknown.to_ascii_lowercase();
    candidates
        .iter()
        .map(|&candidate| (edit_distance(&lowered, candidate), candidate))
        .filter(|&(distance, candidate)| distance <= (candidate.len() / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over bytes; the names compared are ASCII identifiers.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, &a_byte) in a.as_bytes().iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &b_byte) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_byte != b_byte);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_and_synonyms() {
        assert_eq!(did_you_mean("hiden", KEYS), Some(HIDDEN));
        assert_eq!(did_you_mean("inputs", KEYS), Some(INPUT));
        assert_eq!(did_you_mean("Input", KEYS), Some(INPUT));
        assert_eq!(did_you_mean("hidden_size", KEYS), Some(HIDDEN));
        assert_eq!(did_you_mean("units", KEYS), Some(HIDDEN));
        assert_eq!(did_you_mean("dropout", KEYS), None);
        assert_eq!(did_you_mean("layer", KEYS), Some(LAYERS));
        assert_eq!(did_you_mean("num_layers", KEYS), Some(LAYERS));
        assert_eq!(did_you_mean("bidirectonal", KEYS), Some(BIDIRECTIONAL));
        assert_eq!(
            did_you_mean("pytorch", &["single", "double", "none"]),
            Some("double")
        );
        assert_eq!(did_you_mean("units", &["single", "double", "none"]), None);
        assert_eq!(
            did_you_mean("singel", &["single", "double", "none"]),
            Some("single")
        );
        assert_eq!(did_you_mean("x", KEYS), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
