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

/// Declares projected and unprojected specs of each listed size for both bias modes PyTorch has.
macro_rules! projected_grid {
    ($($input:literal x $hidden:literal -> $proj:literal),* $(,)?) => {
        /// `[double, none]` counts, without and with `proj`, for these sizes.
        fn derived_family_counts(input: u64, hidden: u64, proj: u64) -> Option<[usize; 2]> {
            $(
                if (input, hidden) == ($input, $hidden) && (proj == 0 || proj == $proj) {
                    #[derive(Lstm)]
                    #[lstm(input = $input, hidden = $hidden, bias = "double")]
                    struct Double;
                    #[derive(Lstm)]
                    #[lstm(input = $input, hidden = $hidden, bias = "none")]
                    struct NoBias;
                    #[derive(Lstm)]
                    #[lstm(input = $input, hidden = $hidden, proj = $proj, bias = "double")]
                    struct ProjectedDouble;
                    #[derive(Lstm)]
                    #[lstm(input = $input, hidden = $hidden, proj = $proj, bias = "none")]
                    struct ProjectedNoBias;
                    return Some(if proj == 0 {
                        [Double::PARAM_COUNT, NoBias::PARAM_COUNT]
                    } else {
                        [ProjectedDouble::PARAM_COUNT, ProjectedNoBias::PARAM_COUNT]
                    });
                }
            )*
            None
        }
    };
}

projected_grid! {
    1 x 3 -> 1, 1 x 32 -> 16, 1 x 61 -> 30, 1 x 256 -> 128,
    7 x 3 -> 1, 7 x 32 -> 16, 7 x 61 -> 30, 7 x 256 -> 128,
    37 x 3 -> 1, 37 x 32 -> 16, 37 x 61 -> 30, 37 x 256 -> 128,
    100 x 3 -> 1, 100 x 32 -> 16, 100 x 61 -> 30, 100 x 256 -> 128,
}

/// The one-layer, one-direction rows of `counts_family.json` (PyTorch `nn.LSTM` with and without
/// `proj_size` and `bias`): 64 configurations. Stacked and bidirectional rows wait for `layers`
/// and `bidirectional`.
#[test]
fn param_count_equals_pytorch_with_projection() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/counts_family.json"
    );
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut compared = 0;
    for row in table["pytorch"].as_array().expect("pytorch rows") {
        if field(row, "layers") != 1 || row["bidirectional"] != Value::Bool(false) {
            continue;
        }
        let (input, hidden, proj) = (
            field(row, "input"),
            field(row, "hidden"),
            field(row, "proj"),
        );
        let [double, none] = derived_family_counts(input, hidden, proj)
            .unwrap_or_else(|| panic!("{row} is not declared in projected_grid!"));
        let ours = if row["bias"] == Value::Bool(true) {
            double
        } else {
            none
        };
        assert_eq!(u64::try_from(ours).unwrap(), field(row, "pytorch"), "{row}");
        compared += 1;
    }
    assert_eq!(compared, 64);
}
