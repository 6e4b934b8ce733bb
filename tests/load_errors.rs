//! Every way a weight file can fail to fit its type, each triggered by a real file (written here
//! with the `safetensors` crate, or a committed fixture), each an error value naming the tensor
//! and what was expected, never a panic; and the round trips of saving.

mod common;

use lstm::prelude::*;
use lstm::{LoadError, LoadOptions, LstmWeights, Naming, SaveError};
use safetensors::tensor::{Dtype, TensorView};

type Small = LstmWeights<f32, 3, 2>;

fn sample<const B: usize>() -> LstmWeights<f32, 3, 2, B> {
    LstmWeights::from_fn(|gate, role, row, col| {
        let role = match role {
            lstm::Role::Input => 0.0,
            lstm::Role::Recurrent => 0.5,
            lstm::Role::Bias(set) => 1.0 + set as f32,
            lstm::Role::Projection => -0.5,
        };
        role + 0.1 * gate.index() as f32 + 0.01 * row as f32 + 0.001 * col as f32
    })
}

/// A safetensors file with the given `(name, dtype, shape, bytes)` tensors.
fn file(tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let views = tensors.iter().map(|(name, dtype, shape, bytes)| {
        (
            name.to_string(),
            TensorView::new(*dtype, shape.clone(), bytes).expect("valid view"),
        )
    });
    safetensors::serialize(views, None).expect("serializes")
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The tensors of a valid PyTorch file for `Small`, to be altered by each test.
fn pytorch_tensors() -> Vec<(&'static str, Dtype, Vec<usize>, Vec<u8>)> {
    vec![
        (
            "weight_ih_l0",
            Dtype::F32,
            vec![8, 3],
            f32_bytes(&[0.1; 24]),
        ),
        (
            "weight_hh_l0",
            Dtype::F32,
            vec![8, 2],
            f32_bytes(&[0.2; 16]),
        ),
        ("bias_ih_l0", Dtype::F32, vec![8], f32_bytes(&[0.3; 8])),
        ("bias_hh_l0", Dtype::F32, vec![8], f32_bytes(&[0.4; 8])),
    ]
}

fn load(bytes: &[u8]) -> Result<Small, LoadError> {
    Small::from_safetensors(bytes, &LoadOptions::new())
}

#[test]
fn a_valid_file_loads_and_sums_pytorch_biases() {
    let weights = load(&file(&pytorch_tensors())).unwrap();
    assert_eq!(weights.w_o[1], [0.1; 3]);
    assert_eq!(weights.u_i[0], [0.2; 2]);
    assert!(
        weights.biases[0]
            .b_c
            .iter()
            .all(|&b| (b - 0.7).abs() < 1e-7)
    );
}

#[test]
fn io_error_names_the_path() {
    let err = Small::load("/nonexistent/weights.safetensors", &LoadOptions::new()).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("cannot read `/nonexistent/weights.safetensors`"),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn not_safetensors() {
    for bytes in [&b"hello"[..], b"", b"\x10\0\0\0\0\0\0\0not json at all!"] {
        let err = load(bytes).unwrap_err();
        assert!(
            matches!(err, LoadError::NotSafetensors { .. }),
            "{bytes:?}: {err:?}"
        );
        assert!(
            err.to_string().starts_with("not a safetensors file"),
            "{err}"
        );
    }
}

#[test]
fn truncated_files_are_errors_at_every_length() {
    let bytes = file(&pytorch_tensors());
    for length in 0..bytes.len() {
        let err = load(&bytes[..length]).unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::NotSafetensors { .. } | LoadError::Corrupt { .. }
            ),
            "length {length}: {err:?}"
        );
    }
    let err = load(&bytes[..bytes.len() - 4]).unwrap_err();
    assert!(matches!(err, LoadError::Corrupt { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("truncated or corrupt safetensors file"),
        "{err}"
    );
}

#[test]
fn corrupt_header_offsets() {
    let bytes = file(&pytorch_tensors());
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[8..8 + header_len]).unwrap();
    // Point one tensor's data past the end of the file, keeping the header's length.
    let damaged = header.replacen("[0,", "[9,", 1);
    assert_ne!(damaged, header);
    let mut corrupt = bytes[..8].to_vec();
    corrupt.extend(damaged.as_bytes());
    corrupt.extend(&bytes[8 + header_len..]);
    let err = load(&corrupt).unwrap_err();
    assert!(matches!(err, LoadError::Corrupt { .. }), "{err:?}");
}

#[test]
fn no_lstm_in_the_file() {
    let bytes = file(&[(
        "embedding.weight",
        Dtype::F32,
        vec![2, 2],
        f32_bytes(&[0.0; 4]),
    )]);
    let err = load(&bytes).unwrap_err();
    assert!(matches!(err, LoadError::NoLstm { .. }));
    assert_eq!(
        err.to_string(),
        "no LSTM weights found: looked for `weight_ih_l0`, `weight_ih`, `kernel` (name the prefix \
         with `LoadOptions::prefix` if the file uses another one)"
    );
    let err = Small::from_safetensors(&bytes, &LoadOptions::new().prefix("rnn.")).unwrap_err();
    assert!(err.to_string().contains("`rnn.weight_ih_l0`"), "{err}");
}

#[test]
fn several_lstms_need_a_prefix() {
    let mut tensors = pytorch_tensors();
    for (name, dtype, shape, bytes) in pytorch_tensors() {
        tensors.push((
            Box::leak(format!("other.{name}").into_boxed_str()),
            dtype,
            shape,
            bytes,
        ));
    }
    let bytes = file(&tensors);
    let err = load(&bytes).unwrap_err();
    assert!(
        matches!(&err, LoadError::Ambiguous { found } if found.len() == 2),
        "{err:?}"
    );
    let chosen = Small::from_safetensors(&bytes, &LoadOptions::new().prefix("other."));
    assert!(chosen.is_ok());
    // With an empty prefix, `other.*` is another module's and left alone, unless strict.
    let top = Small::from_safetensors(&bytes, &LoadOptions::new().prefix(""));
    assert!(top.is_ok(), "{top:?}");
    let strict = LoadOptions::new().prefix("").strict(true);
    let err = Small::from_safetensors(&bytes, &strict).unwrap_err();
    assert!(matches!(err, LoadError::UnexpectedTensor { .. }), "{err:?}");
}

#[test]
fn missing_tensor() {
    let mut tensors = pytorch_tensors();
    tensors.retain(|(name, ..)| *name != "bias_hh_l0");
    let err = load(&file(&tensors)).unwrap_err();
    assert!(matches!(err, LoadError::MissingTensor { .. }));
    assert_eq!(
        err.to_string(),
        "missing tensor `bias_hh_l0`, expected of shape (8,)"
    );

    // A file without biases (PyTorch bias=False) for a type with them.
    let no_bias = sample::<0>().to_safetensors(Naming::PyTorch, "").unwrap();
    let err = load(&no_bias).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing tensor `bias_ih_l0`, expected of shape (8,)"
    );

    // Explicit prefix and naming: the first tensor looked for is reported.
    let options = LoadOptions::new().prefix("enc.").naming(Naming::Keras);
    let err = Small::from_safetensors(&no_bias, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing tensor `enc.kernel`, expected of shape (3, 8)"
    );
}

#[test]
fn unexpected_tensor_is_never_skipped() {
    // A second layer in a file loaded into a one-layer type.
    let mut tensors = pytorch_tensors();
    tensors.push((
        "weight_ih_l1",
        Dtype::F32,
        vec![8, 2],
        f32_bytes(&[0.0; 16]),
    ));
    let err = load(&file(&tensors)).unwrap_err();
    assert!(matches!(&err, LoadError::UnexpectedTensor { name, .. } if name == "weight_ih_l1"));
    assert_eq!(
        err.to_string(),
        "unexpected tensor `weight_ih_l1` of shape (8, 2): the type has no place for it (it \
         expects only `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`)"
    );
    // Biases in a file loaded into a type without them.
    let err = LstmWeights::<f32, 3, 2, 0>::from_safetensors(
        &file(&pytorch_tensors()),
        &LoadOptions::new(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, LoadError::UnexpectedTensor { name, .. } if name == "bias_ih_l0"),
        "{err}"
    );
}

#[test]
fn wrong_shape_names_both_shapes() {
    let mut tensors = pytorch_tensors();
    tensors[0] = (
        "weight_ih_l0",
        Dtype::F32,
        vec![3, 8],
        f32_bytes(&[0.1; 24]),
    );
    let err = load(&file(&tensors)).unwrap_err();
    assert!(matches!(err, LoadError::Shape { .. }));
    assert_eq!(
        err.to_string(),
        "tensor `weight_ih_l0` has shape (3, 8), expected (8, 3) (transposed: PyTorch stores a \
         weight as (out, in), Keras as (in, out))"
    );
    // The seed's 100/256 file into a 100/128 type.
    let seed = common::fixture_bytes("seed_f32");
    let err =
        LstmWeights::<f32, 100, 128, 2>::from_safetensors(&seed, &LoadOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `lstm.weight_ih_l0` has shape (1024, 100), expected (512, 100)"
    );
}

#[test]
fn wrong_dtype() {
    let mut tensors = pytorch_tensors();
    tensors[1] = ("weight_hh_l0", Dtype::I32, vec![8, 2], vec![0; 64]);
    let err = load(&file(&tensors)).unwrap_err();
    assert!(matches!(err, LoadError::Dtype { .. }));
    assert_eq!(
        err.to_string(),
        "tensor `weight_hh_l0` has element type I32, expected F32, F64, F16 or BF16"
    );
}

#[test]
fn non_finite_values_unless_allowed() {
    let mut tensors = pytorch_tensors();
    let mut values = [0.2f32; 16];
    values[5] = f32::NAN;
    tensors[1] = ("weight_hh_l0", Dtype::F32, vec![8, 2], f32_bytes(&values));
    let bytes = file(&tensors);
    let err = load(&bytes).unwrap_err();
    assert!(
        matches!(err, LoadError::NonFinite { index: 5, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "tensor `weight_hh_l0` holds NaN at element 5; allow it with `LoadOptions::allow_non_finite`"
    );
    let allowed =
        Small::from_safetensors(&bytes, &LoadOptions::new().allow_non_finite(true)).unwrap();
    // Element 5 of the (8, 2) stack is row 2, column 1: the forget gate's unit 0.
    assert!(allowed.u_f[0][1].is_nan());

    // An f64 value too large for f32 overflows to infinity: also refused.
    let mut tensors = pytorch_tensors();
    let mut big = [0.3f64; 8];
    big[7] = 1e300;
    tensors[2] = (
        "bias_ih_l0",
        Dtype::F64,
        vec![8],
        big.iter().flat_map(|v| v.to_le_bytes()).collect(),
    );
    let err = load(&file(&tensors)).unwrap_err();
    assert!(
        matches!(err, LoadError::NonFinite { index: 7, value, .. } if value == 1e300),
        "{err:?}"
    );
    // Said in scientific notation, not in 301 digits.
    assert_eq!(
        err.to_string(),
        "tensor `bias_ih_l0` holds 1e300 at element 7; allow it with \
         `LoadOptions::allow_non_finite`"
    );
}

/// A PyTorch LSTM with its recurrent weights missing is named by what is missing, not as "no
/// LSTM found" beside an input tensor that is there.
#[test]
fn a_missing_recurrent_tensor_is_named() {
    let tensors: Vec<_> = pytorch_tensors()
        .into_iter()
        .filter(|(name, ..)| *name != "weight_hh_l0")
        .collect();
    let err = load(&file(&tensors)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing tensor `weight_hh_l0`, expected of shape (8, 2)"
    );
}

#[test]
fn half_precision_and_f64_files_convert() {
    let mut tensors = pytorch_tensors();
    let bf16: Vec<u8> = [0.5f32; 16]
        .iter()
        .flat_map(|&v| half_bits_bf16(v).to_le_bytes())
        .collect();
    tensors[1] = ("weight_hh_l0", Dtype::BF16, vec![8, 2], bf16);
    tensors[0] = (
        "weight_ih_l0",
        Dtype::F64,
        vec![8, 3],
        [0.25f64; 24].iter().flat_map(|v| v.to_le_bytes()).collect(),
    );
    let weights = load(&file(&tensors)).unwrap();
    assert_eq!(weights.u_c[1], [0.5; 2]);
    assert_eq!(weights.w_f[0], [0.25; 3]);
}

/// bf16 is the upper half of an f32; exact for 0.5.
fn half_bits_bf16(value: f32) -> u16 {
    (value.to_bits() >> 16) as u16
}

#[test]
fn round_trips_in_every_naming() {
    fn round_trip<const B: usize>(naming: Naming, prefix: &str) {
        let weights = sample::<B>();
        let bytes = weights.to_safetensors(naming, prefix).unwrap();
        let loaded =
            LstmWeights::<f32, 3, 2, B>::from_safetensors(&bytes, &LoadOptions::new()).unwrap();
        assert_eq!(loaded, weights, "{naming} B={B} prefix {prefix:?}");
        let explicit = LoadOptions::new().prefix(prefix).naming(naming);
        let loaded = LstmWeights::<f32, 3, 2, B>::from_safetensors(&bytes, &explicit).unwrap();
        assert_eq!(loaded, weights);
    }
    for naming in [Naming::PyTorch, Naming::PyTorchCell, Naming::Keras] {
        round_trip::<0>(naming, "");
        round_trip::<1>(naming, "encoder.lstm.");
        if naming != Naming::Keras {
            round_trip::<2>(naming, "lstm/");
        }
    }
    // Keras holds one bias: a double-bias type saved in Keras naming keeps the sum.
    let double = sample::<2>();
    let bytes = double.to_safetensors(Naming::Keras, "").unwrap();
    let single = Small::from_safetensors(&bytes, &LoadOptions::new()).unwrap();
    let expected = double.biases[0].b_f[1] + double.biases[1].b_f[1];
    assert_eq!(single.biases[0].b_f[1], expected);
}

#[test]
fn saved_layouts_match_the_libraries() {
    let weights = sample::<1>();
    let bytes = weights
        .to_safetensors(Naming::Keras, "lstm/lstm_cell/")
        .unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let kernel = file.tensor("lstm/lstm_cell/kernel").unwrap();
    assert_eq!(kernel.shape(), [3, 8]);
    // Keras' kernel[col][gate * H + row] is W_gate[row][col]: W_f[1][2] at [2][1 * 2 + 1].
    let at = (2 * 8 + 3) * 4;
    let value = f32::from_le_bytes(kernel.data()[at..at + 4].try_into().unwrap());
    assert_eq!(value, weights.w_f[1][2]);
    let pytorch = weights.to_safetensors(Naming::PyTorch, "").unwrap();
    let (_, header) = safetensors::SafeTensors::read_metadata(&pytorch).unwrap();
    let format = header.metadata().as_ref().and_then(|m| m.get("format"));
    assert_eq!(format, Some(&"pt".to_owned()));
    let file = safetensors::SafeTensors::deserialize(&pytorch).unwrap();
    let hh = file.tensor("bias_hh_l0").unwrap();
    assert!(
        hh.data().iter().all(|&b| b == 0),
        "a single bias is saved as bias_ih, bias_hh = 0"
    );
}

#[test]
fn save_and_load_files() {
    let dir = std::env::temp_dir().join(format!("lstm-save-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("weights.safetensors");
    let weights = sample::<2>();
    weights.save(&path, Naming::PyTorch, "rnn.").unwrap();
    let loaded = LstmWeights::<f32, 3, 2, 2>::load(&path, &LoadOptions::new()).unwrap();
    assert_eq!(loaded, weights);
    let err = weights
        .save(dir.join("missing/dir/w.safetensors"), Naming::Keras, "")
        .unwrap_err();
    assert!(matches!(err, SaveError::Io { .. }));
    assert!(err.to_string().starts_with("cannot write"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn projection_only_in_pytorch_lstm_naming() {
    let projected =
        LstmWeights::<f32, 3, 4, 2, 2>::from_fn(|_, _, row, col| (row * 10 + col) as f32);
    let bytes = projected.to_safetensors(Naming::PyTorch, "rnn.").unwrap();
    let loaded =
        LstmWeights::<f32, 3, 4, 2, 2>::from_safetensors(&bytes, &LoadOptions::new()).unwrap();
    assert_eq!(loaded, projected);

    for naming in [Naming::Keras, Naming::PyTorchCell] {
        let err = projected.to_safetensors(naming, "").unwrap_err();
        assert!(matches!(err, SaveError::Unsupported { .. }), "{err}");
        assert!(
            err.to_string().contains("has no output projection"),
            "{err}"
        );
    }
    // A projected type asked to load a Keras file.
    let keras = LstmWeights::<f32, 3, 4>::zeros()
        .to_safetensors(Naming::Keras, "")
        .unwrap();
    let err =
        LstmWeights::<f32, 3, 4, 1, 2>::from_safetensors(&keras, &LoadOptions::new()).unwrap_err();
    assert!(matches!(err, LoadError::Unsupported { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot load: Keras LSTM has no output projection; a type whose output (2) is not its \
         hidden size (4) loads only from PyTorch nn.LSTM files (`weight_hr_l0`)"
    );
    // A projected file into a type without projection: `weight_hr_l0` is unexpected... after the
    // recurrent weights' shape, which differs first.
    let err =
        LstmWeights::<f32, 3, 4, 2>::from_safetensors(&bytes, &LoadOptions::new()).unwrap_err();
    assert!(matches!(err, LoadError::Shape { .. }), "{err}");
}

#[test]
fn linear_head_loads_checked() {
    let head = lstm::Linear::<f32, 4, 2>::new(
        lstm::Matrix::from_fn(|row, col| (row * 4 + col) as f32),
        lstm::Vector::from_fn(|row| row as f32 - 0.5),
    );
    let bytes = head.to_safetensors("fc.").unwrap();
    let loaded = lstm::Linear::<f32, 4, 2>::from_safetensors(&bytes, "fc.", &LoadOptions::new());
    assert_eq!(loaded.unwrap(), head);
    let err = lstm::Linear::<f32, 4, 2>::from_safetensors(&bytes, "head.", &LoadOptions::new())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing tensor `head.weight`, expected of shape (2, 4)"
    );
    // Every tensor under the prefix must belong to the head.
    let mut tensors = vec![("fc.weight", Dtype::F32, vec![2, 4], f32_bytes(&[0.0; 8]))];
    tensors.push(("fc.bias", Dtype::F32, vec![2], f32_bytes(&[0.0; 2])));
    tensors.push(("fc.scale", Dtype::F32, vec![2], f32_bytes(&[1.0; 2])));
    let err =
        lstm::Linear::<f32, 4, 2>::from_safetensors(&file(&tensors), "fc.", &LoadOptions::new())
            .unwrap_err();
    assert!(
        matches!(&err, LoadError::UnexpectedTensor { name, .. } if name == "fc.scale"),
        "{err}"
    );
}

/// Two finite bias sets whose sum overflows are refused like an infinite tensor when a
/// single-bias type sums them (`b = bias_ih + bias_hh`), naming both tensors; a double-bias
/// type keeps them apart and loads them.
#[test]
fn an_overflowing_bias_sum_is_refused() {
    let double = LstmWeights::<f32, 1, 2, 2>::from_fn(|_, role, _, _| match role {
        lstm::Role::Bias(_) => 3e38,
        _ => 0.1,
    });
    let bytes = double.to_safetensors(Naming::PyTorch, "").unwrap();
    let err =
        LstmWeights::<f32, 1, 2, 1>::from_safetensors(&bytes, &LoadOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `bias_ih_l0 + bias_hh_l0` holds inf at element 0; allow it with \
         `LoadOptions::allow_non_finite`"
    );
    let lenient = LoadOptions::new().allow_non_finite(true);
    let summed = LstmWeights::<f32, 1, 2, 1>::from_safetensors(&bytes, &lenient).unwrap();
    assert!(summed.biases[0].b_i[0].is_infinite());
    let apart = LstmWeights::<f32, 1, 2, 2>::from_safetensors(&bytes, &LoadOptions::new());
    assert_eq!(apart.unwrap(), double);
}

/// Replaces the header of a safetensors file with `header` (JSON text), keeping its data.
fn with_header(bytes: &[u8], header: &str) -> Vec<u8> {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(&bytes[8 + header_len..]);
    out
}

fn header_of(bytes: &[u8]) -> String {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    String::from_utf8(bytes[8..8 + header_len].to_vec()).unwrap()
}

#[test]
fn a_duplicated_tensor_name_is_refused() {
    // A JSON object may repeat a key; the safetensors crate keeps one of them silently. Here
    // `bias_hh_l0` is renamed `weight_hh_l0`: two entries of one name, the data still covered.
    let bytes = file(&pytorch_tensors());
    let header = header_of(&bytes);
    let damaged = header.replacen("\"bias_hh_l0\"", "\"weight_hh_l0\"", 1);
    assert_ne!(damaged, header);
    let err = load(&with_header(&bytes, &damaged)).unwrap_err();
    assert!(
        matches!(&err, LoadError::DuplicateTensor { name } if name == "weight_hh_l0"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "tensor `weight_hh_l0` appears twice in the file's header"
    );
}

#[test]
fn a_size_that_does_not_fit_shape_and_dtype_names_the_tensor() {
    // `weight_ih_l0` is (8, 3) F32, 96 bytes; declare it (8, 2) and keep its offsets.
    let bytes = file(&pytorch_tensors());
    let header = header_of(&bytes);
    let damaged = header.replacen("\"shape\":[8,3]", "\"shape\":[8,2]", 1);
    assert_ne!(damaged, header);
    let err = load(&with_header(&bytes, &damaged)).unwrap_err();
    assert!(matches!(err, LoadError::Corrupt { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "truncated or corrupt safetensors file: tensor `weight_ih_l0`: shape (8, 2) of F32 is \
         64 bytes, its data_offsets [128, 224] hold 96"
    );
}

#[test]
fn a_header_over_the_limit_is_refused_by_its_length() {
    let limit = lstm::MAX_HEADER_BYTES;
    let mut bytes = (limit as u64 + 1).to_le_bytes().to_vec();
    bytes.extend(b"{}");
    let err = load(&bytes).unwrap_err();
    assert!(
        matches!(err, LoadError::HeaderTooLarge { size, limit: l } if size == limit as u64 + 1 && l == limit),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the safetensors header is {} bytes, over the limit of {limit} bytes",
            limit + 1
        )
    );
}

#[test]
fn a_prefix_wrong_by_a_separator_gets_a_did_you_mean() {
    // The file's LSTM is under `lstm2.`; the user wrote `lstm2`.
    let bytes = LstmWeights::<f32, 3, 2, 2>::zeros()
        .to_safetensors(Naming::PyTorch, "lstm2.")
        .unwrap();
    let err = Small::from_safetensors(&bytes, &LoadOptions::new().prefix("lstm2")).unwrap_err();
    assert!(
        matches!(&err, LoadError::NoLstm { found_under, .. } if found_under == &["lstm2."]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "no LSTM weights found: looked for `lstm2weight_ih_l0`, `lstm2weight_ih`, \
         `lstm2kernel`; the file has one under `lstm2.`: did you mean \
         `LoadOptions::prefix(\"lstm2.\")`?"
    );
}

#[test]
fn an_lstm_at_the_top_level_loads_beside_a_files_other_tensors() {
    // Issue 12: the file's own `input` and a head saved beside the LSTM were "unexpected".
    let mut tensors = pytorch_tensors();
    tensors.push(("input", Dtype::F32, vec![2, 3], f32_bytes(&[0.5; 6])));
    tensors.push(("head.weight", Dtype::F32, vec![1, 2], f32_bytes(&[1.0; 2])));
    let bytes = file(&tensors);
    assert!(load(&bytes).is_ok());
    // A parameter of a second layer is still the LSTM's, and an error.
    tensors.push((
        "weight_hh_l1",
        Dtype::F32,
        vec![8, 2],
        f32_bytes(&[0.0; 16]),
    ));
    let err = load(&file(&tensors)).unwrap_err();
    assert!(
        matches!(&err, LoadError::UnexpectedTensor { name, .. } if name == "weight_hh_l1"),
        "{err}"
    );
    // Strict: every tensor the type has no place for.
    let err = Small::from_safetensors(&bytes, &LoadOptions::new().strict(true)).unwrap_err();
    assert!(
        matches!(&err, LoadError::UnexpectedTensor { name, .. } if name == "head.weight" || name == "input"),
        "{err}"
    );
}
