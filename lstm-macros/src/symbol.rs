//! The names the derive reads, in one place, so that the parser and the did-you-mean list agree.

/// The attribute: `#[lstm(..)]`.
pub(crate) const LSTM: &str = "lstm";
/// `input = I`: the length of `x_t`.
pub(crate) const INPUT: &str = "input";
/// `hidden = H`: the length of `h_t` and `c_t`.
pub(crate) const HIDDEN: &str = "hidden";

/// Every key `#[lstm(..)]` accepts, for "did you mean" suggestions.
pub(crate) const KEYS: &[&str] = &[INPUT, HIDDEN];

/// Names from other libraries that users reach for, and the key that means the same here.
pub(crate) const SYNONYMS: &[(&str, &str)] = &[
    ("input_size", INPUT),   // PyTorch nn.LSTM(input_size, ..)
    ("hidden_size", HIDDEN), // PyTorch nn.LSTM(.., hidden_size)
    ("units", HIDDEN),       // Keras LSTM(units)
    ("num_units", HIDDEN),   // TensorFlow 1 LSTMCell(num_units)
];

/// The closest name in `candidates` to `unknown`, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean(unknown: &str, candidates: &[&'static str]) -> Option<&'static str> {
    if let Some(&(_, key)) = SYNONYMS
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(unknown))
    {
        return Some(key);
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
        assert_eq!(did_you_mean("layers", KEYS), None);
        assert_eq!(did_you_mean("x", KEYS), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
