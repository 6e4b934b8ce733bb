//! `PARAM_COUNT` against the counts the real libraries report (`tests/fixtures/counts.json`,
//! written by `scripts/fixtures.py`): PyTorch's `sum(p.numel() for p in lstm.parameters())` and
//! Keras' `count_params()`, over a grid of input and hidden sizes. Nothing here recomputes a count
//! with our own formula: each number on the right comes from the libraries.
//!
//! `bias = "double"` must equal PyTorch with `bias=True`, `"single"` Keras with `use_bias=True`,
//! and `"none"` both PyTorch with `bias=False` and Keras with `use_bias=False`.

use lstm::Lstm;
use serde_json::Value;

/// Declares the three bias modes of each listed size with the derive, and looks their counts up.
macro_rules! grid {
    ($($input:literal x $hidden:literal),* $(,)?) => {
        /// `[single, double, none]` counts of the spec with these sizes, if it is declared here.
        fn derived_counts(input: u64, hidden: u64) -> Option<[usize; 3]> {
            $(
                if (input, hidden) == ($input, $hidden) {
                    #[derive(Lstm)]
                    #[lstm(input = $input, hidden = $hidden, bias = "single")]
                    struct Single;
                    #[derive(Lstm)]
                    #[lstm(input = $input, hidden = $hidden, bias = "double")]
                    struct Double;
                    #[derive(Lstm)]
                    #[lstm(input = $input, hidden = $hidden, bias = "none")]
                    struct NoBias;
                    return Some([Single::PARAM_COUNT, Double::PARAM_COUNT, NoBias::PARAM_COUNT]);
                }
            )*
            None
        }
    };
}

grid! {
    1 x 1, 1 x 3, 1 x 32, 1 x 61, 1 x 256, 1 x 1024,
    2 x 1, 2 x 3, 2 x 32, 2 x 61, 2 x 256, 2 x 1024,
    7 x 1, 7 x 3, 7 x 32, 7 x 61, 7 x 256, 7 x 1024,
    37 x 1, 37 x 3, 37 x 32, 37 x 61, 37 x 256, 37 x 1024,
    100 x 1, 100 x 3, 100 x 32, 100 x 61, 100 x 256, 100 x 1024,
    512 x 1, 512 x 3, 512 x 32, 512 x 61, 512 x 256, 512 x 1024,
}

fn field(row: &Value, key: &str) -> u64 {
    row[key]
        .as_u64()
        .unwrap_or_else(|| panic!("counts.json row {row} has no `{key}`"))
}

#[test]
fn param_count_equals_pytorch_and_keras() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/counts.json");
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rows = table["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 36, "the grid in scripts/fixtures.py");
    let mut compared = 0;
    for row in rows {
        let (input, hidden) = (field(row, "input"), field(row, "hidden"));
        let [single, double, none] = derived_counts(input, hidden)
            .unwrap_or_else(|| panic!("input {input}, hidden {hidden} is not declared in grid!"));
        let as_u64 = |count: usize| u64::try_from(count).expect("fits u64");
        assert_eq!(as_u64(double), field(row, "pytorch_bias_true"), "{row}");
        assert_eq!(as_u64(single), field(row, "keras_use_bias_true"), "{row}");
        assert_eq!(as_u64(none), field(row, "pytorch_bias_false"), "{row}");
        assert_eq!(as_u64(none), field(row, "keras_use_bias_false"), "{row}");
        compared += 4;
    }
    assert_eq!(compared, 144);
}

/// The forum question's sizes in the three bias modes: the figures the table above confirms.
#[test]
fn the_seed_in_the_table() {
    assert_eq!(derived_counts(100, 256), Some([365_568, 366_592, 364_544]));
}

/// One declared spec of the family grid and its derived count.
struct FamilySpec {
    layers: u64,
    bidirectional: bool,
    proj: u64,
    bias: &'static str,
    count: usize,
}

/// Declares, for each listed size, every combination of `layers` (1 to 3), `bidirectional`, the
/// three bias modes, and `proj` (with PyTorch's two bias modes), and collects their counts.
macro_rules! family_grid {
    ($($input:literal x $hidden:literal -> $proj:literal),* $(,)?) => {
        fn family_specs(input: u64, hidden: u64) -> Option<Vec<FamilySpec>> {
            $(
                if (input, hidden) == ($input, $hidden) {
                    let mut specs = Vec::new();
                    family_grid!(@layers specs, $input, $hidden, $proj, 1);
                    family_grid!(@layers specs, $input, $hidden, $proj, 2);
                    family_grid!(@layers specs, $input, $hidden, $proj, 3);
                    return Some(specs);
                }
            )*
            None
        }
    };
    (@layers $specs:ident, $i:literal, $h:literal, $p:literal, $l:literal) => {
        family_grid!(@one $specs, $l, false, 0, "single", input = $i, hidden = $h, layers = $l, bias = "single");
        family_grid!(@one $specs, $l, false, 0, "double", input = $i, hidden = $h, layers = $l, bias = "double");
        family_grid!(@one $specs, $l, false, 0, "none", input = $i, hidden = $h, layers = $l, bias = "none");
        family_grid!(@one $specs, $l, true, 0, "single", input = $i, hidden = $h, layers = $l, bias = "single", bidirectional);
        family_grid!(@one $specs, $l, true, 0, "double", input = $i, hidden = $h, layers = $l, bias = "double", bidirectional);
        family_grid!(@one $specs, $l, true, 0, "none", input = $i, hidden = $h, layers = $l, bias = "none", bidirectional);
        family_grid!(@one $specs, $l, false, $p, "double", input = $i, hidden = $h, layers = $l, bias = "double", proj = $p);
        family_grid!(@one $specs, $l, false, $p, "none", input = $i, hidden = $h, layers = $l, bias = "none", proj = $p);
        family_grid!(@one $specs, $l, true, $p, "double", input = $i, hidden = $h, layers = $l, bias = "double", proj = $p, bidirectional);
        family_grid!(@one $specs, $l, true, $p, "none", input = $i, hidden = $h, layers = $l, bias = "none", proj = $p, bidirectional);
    };
    (@one $specs:ident, $l:literal, $b:literal, $p:literal, $bias:literal, $($attribute:tt)*) => {{
        #[derive(Lstm)]
        #[lstm($($attribute)*)]
        struct Spec;
        $specs.push(FamilySpec { layers: $l, bidirectional: $b, proj: $p, bias: $bias, count: Spec::PARAM_COUNT });
    }};
}

family_grid! {
    1 x 3 -> 1, 1 x 32 -> 16, 1 x 61 -> 30, 1 x 256 -> 128,
    7 x 3 -> 1, 7 x 32 -> 16, 7 x 61 -> 30, 7 x 256 -> 128,
    37 x 3 -> 1, 37 x 32 -> 16, 37 x 61 -> 30, 37 x 256 -> 128,
    100 x 3 -> 1, 100 x 32 -> 16, 100 x 61 -> 30, 100 x 256 -> 128,
}

fn count_of(specs: &[FamilySpec], layers: u64, bidirectional: bool, proj: u64, bias: &str) -> u64 {
    let spec = specs
        .iter()
        .find(|s| {
            (s.layers, s.bidirectional, s.proj, s.bias) == (layers, bidirectional, proj, bias)
        })
        .unwrap_or_else(|| panic!("no spec for {layers} layers, {bidirectional}, {proj}, {bias}"));
    u64::try_from(spec.count).unwrap()
}

/// Stacked, bidirectional and projected LSTMs: every PyTorch row of `counts_family.json` (384
/// configurations), and every Keras stacked or `Bidirectional(LSTM)` model (108; Keras has the
/// same structure with one bias per gate, and no projection).
#[test]
fn param_count_equals_pytorch_and_keras_for_stacks() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/counts_family.json"
    );
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (mut pytorch_rows, mut keras_rows) = (0, 0);
    for row in table["pytorch"].as_array().expect("pytorch rows") {
        let specs = family_specs(field(row, "input"), field(row, "hidden"))
            .unwrap_or_else(|| panic!("{row} is not declared in family_grid!"));
        let bias = if row["bias"] == Value::Bool(true) {
            "double"
        } else {
            "none"
        };
        let bidirectional = row["bidirectional"] == Value::Bool(true);
        let ours = count_of(
            &specs,
            field(row, "layers"),
            bidirectional,
            field(row, "proj"),
            bias,
        );
        assert_eq!(ours, field(row, "pytorch"), "{row}");
        pytorch_rows += 1;
    }
    for row in table["keras"].as_array().expect("keras rows") {
        let specs = family_specs(field(row, "input"), field(row, "hidden"))
            .unwrap_or_else(|| panic!("{row} is not declared in family_grid!"));
        let bias = if row["use_bias"] == Value::Bool(true) {
            "single"
        } else {
            "none"
        };
        let bidirectional = row["bidirectional"] == Value::Bool(true);
        let ours = count_of(&specs, field(row, "layers"), bidirectional, 0, bias);
        assert_eq!(ours, field(row, "keras"), "{row}");
        keras_rows += 1;
    }
    assert_eq!((pytorch_rows, keras_rows), (384, 108));
}
