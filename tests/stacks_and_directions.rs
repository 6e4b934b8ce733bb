//! Stacked, bidirectional and projected LSTMs against PyTorch `nn.LSTM(num_layers=..,
//! bidirectional=.., proj_size=..)`: outputs at every step and the final `h` and `c` of every
//! layer and direction, from PyTorch's own fixtures (`scripts/fixtures.py`), within 1e-5 in f32
//! and 1e-12 in f64. The types here are written out by hand; `#[derive(Lstm)]` writes the same.

mod common;

use common::{F32, F64, auto, check, layer_parity};
use lstm::prelude::*;
use lstm::{Bidirectional, Linear, LoadOptions, LstmLayer, Stacked};

/// A cell of PyTorch's two bias sets, as the files hold them.
type Cell<T, const I: usize, const H: usize, const B: usize = 2, const R: usize = H> =
    LstmLayer<T, I, H, B, R>;

#[test]
fn two_layers() {
    type Two<T> = Stacked<Cell<T, 5, 7>, Cell<T, 7, 7>>;
    check(
        "2 layers 5/7 f32",
        &layer_parity::<f32, Two<f32>, 5, 7>("layers2_f32", &auto()).0,
        F32,
    );
    check(
        "2 layers 5/7 f64",
        &layer_parity::<f64, Two<f64>, 5, 7>("layers2_f64", &auto()).0,
        F64,
    );
}

#[test]
fn three_layers_with_initial_state_and_batch() {
    type Three = Stacked<Cell<f32, 4, 6>, Stacked<Cell<f32, 6, 6>, Cell<f32, 6, 6>>>;
    let (result, _) = layer_parity::<f32, Three, 4, 6>("layers3_state_f32", &auto());
    check("3 layers, h0/c0, batch 3 f32", &result, F32);
}

#[test]
fn bidirectional() {
    type Bi<T> = Bidirectional<Cell<T, 5, 7, 2>, 14>;
    check(
        "bidirectional 5/7 f32",
        &layer_parity::<f32, Bi<f32>, 5, 14>("bidir_f32", &auto()).0,
        F32,
    );
    check(
        "bidirectional 5/7 f64",
        &layer_parity::<f64, Bi<f64>, 5, 14>("bidir_f64", &auto()).0,
        F64,
    );
}

#[test]
fn bidirectional_two_layers() {
    type Bi2 =
        Stacked<Bidirectional<Cell<f32, 4, 6, 2>, 12>, Bidirectional<Cell<f32, 12, 6, 2>, 12>>;
    let (result, _) = layer_parity::<f32, Bi2, 4, 12>("bidir2_state_f32", &auto());
    check("bidir 2 layers, h0/c0, batch 3", &result, F32);
}

#[test]
fn projection_bidirectional_two_layers() {
    type P<T, const B: usize> =
        Stacked<Bidirectional<Cell<T, 5, 8, B, 3>, 6>, Bidirectional<Cell<T, 6, 8, B, 3>, 6>>;
    let (result, _) = layer_parity::<f32, P<f32, 2>, 5, 6>("proj_bidir2_f32", &auto());
    check("proj+bidir+2 layers, h0/c0 f32", &result, F32);
    let (result, _) = layer_parity::<f64, P<f64, 0>, 5, 6>("proj_bidir2_no_bias_f64", &auto());
    check("proj+bidir+2 layers no bias f64", &result, F64);
}

#[test]
fn batch_of_eight() {
    type Two = Stacked<Cell<f32, 3, 5>, Cell<f32, 5, 5>>;
    let (result, _) = layer_parity::<f32, Two, 3, 5>("batch8_layers2_f32", &auto());
    check("batch 8, 2 layers, h0/c0 f32", &result, F32);
}

/// A whole small model out of one state_dict: an LSTM stack and a Linear head.
#[test]
fn models_with_a_linear_head() {
    fn head_error<const I: usize, const O: usize>(
        name: &str,
        lstm_outputs: impl Fn(&[u8]) -> Vec<[f32; I]>,
    ) -> f64 {
        let bytes = common::fixture_bytes(name);
        let head = Linear::<f32, I, O>::from_safetensors(&bytes, "head.", &auto()).unwrap();
        let (_, expected) = common::data::<f32>(&bytes, "head_output");
        lstm_outputs(&bytes)
            .iter()
            .flat_map(|h| head.step(h, &mut ()))
            .zip(&expected)
            .map(|(ours, theirs)| f64::from((ours - theirs).abs()))
            .fold(0.0, f64::max)
    }
    // The LSTM's tensors are all under `lstm.`; `head.*` is outside that prefix and left alone.
    let lstm_only = LoadOptions::new().prefix("lstm.");
    type Audio = Stacked<Cell<f32, 1, 32>, Cell<f32, 32, 32>>;
    let (result, audio) = layer_parity::<f32, Audio, 1, 32>("audio_model_f32", &lstm_only);
    check("audio model: 2 x 1->32 LSTM", &result, F32);
    let error = head_error::<32, 1>("audio_model_f32", |bytes| run_all(&audio, bytes));
    println!(
        "{:<30} max |ours - reference|: {error:.3e}",
        "audio model: LSTM + head"
    );
    assert!(error <= F32);

    type Tagger = Bidirectional<Cell<f32, 10, 16, 2>, 32>;
    let (result, tagger) = layer_parity::<f32, Tagger, 10, 32>("tagger_model_f32", &lstm_only);
    check("tagger: bidir 10->16 LSTM", &result, F32);
    let error = head_error::<32, 5>("tagger_model_f32", |bytes| run_all(&tagger, bytes));
    println!(
        "{:<30} max |ours - reference|: {error:.3e}",
        "tagger: LSTM + head"
    );
    assert!(error <= F32);
}

/// The layer's outputs over every sequence of a fixture's input, from zero state.
fn run_all<L, const I: usize, const O: usize>(layer: &L, bytes: &[u8]) -> Vec<[f32; O]>
where
    L: lstm::Layer<f32, Input = [f32; I], Output = [f32; O]>,
{
    let (shape, input) = common::data::<f32>(bytes, "input");
    let (batch, steps) = (shape[0], shape[1]);
    let mut all = Vec::new();
    for sequence in 0..batch {
        let inputs: Vec<[f32; I]> = (0..steps)
            .map(|t| core::array::from_fn(|k| input[(sequence * steps + t) * I + k]))
            .collect();
        let mut outputs = vec![[0.0; O]; steps];
        layer
            .run(&inputs, &mut outputs, &mut layer.zero_state())
            .unwrap();
        all.extend(outputs);
    }
    all
}

#[test]
fn layer_count_mismatches_name_the_tensor() {
    let bytes = common::fixture_bytes("layers2_f32");
    // A 2-layer file into a 1-layer type: the second layer is unexpected.
    let err = Cell::<f32, 5, 7>::from_safetensors(&bytes, &auto()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unexpected tensor `lstm.weight_ih_l1`"),
        "{err}"
    );
    // A 2-layer file into a 3-layer type: the third layer is missing.
    type Three = Stacked<Cell<f32, 5, 7>, Stacked<Cell<f32, 7, 7>, Cell<f32, 7, 7>>>;
    let err = Three::from_safetensors(&bytes, &auto()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing tensor `lstm.weight_ih_l2`, expected of shape (28, 7)"
    );
    // A unidirectional file into a bidirectional type: the reverse direction is missing.
    let err = Bidirectional::<Cell<f32, 5, 7>, 14>::from_safetensors(&bytes, &auto()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing tensor `lstm.weight_ih_l0_reverse`, expected of shape (28, 5)"
    );
    // A bidirectional file into a unidirectional type: `_reverse` is unexpected.
    let bidir = common::fixture_bytes("bidir_f32");
    let err = Cell::<f32, 5, 7>::from_safetensors(&bidir, &auto()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unexpected tensor `lstm.weight_ih_l0_reverse`"),
        "{err}"
    );
}

#[test]
fn stacks_round_trip_in_pytorch_naming_only() {
    let bytes = common::fixture_bytes("proj_bidir2_f32");
    type P =
        Stacked<Bidirectional<Cell<f32, 5, 8, 2, 3>, 6>, Bidirectional<Cell<f32, 6, 8, 2, 3>, 6>>;
    let weights = P::from_safetensors(&bytes, &auto()).unwrap();
    let saved = weights
        .to_safetensors(lstm::Naming::PyTorch, "rnn.")
        .unwrap();
    assert_eq!(P::from_safetensors(&saved, &auto()).unwrap(), weights);
    let err = weights.to_safetensors(lstm::Naming::Keras, "").unwrap_err();
    assert!(
        err.to_string().contains("has no output projection"),
        "{err}"
    );
    type Two = Stacked<Cell<f32, 5, 7>, Cell<f32, 7, 7>>;
    let two = Two::from_safetensors(&common::fixture_bytes("layers2_f32"), &auto()).unwrap();
    let err = two.to_safetensors(lstm::Naming::Keras, "").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot save: Keras LSTM holds a single forward layer; load stacked or bidirectional LSTMs \
         from PyTorch nn.LSTM files (`weight_ih_l1`, `weight_ih_l0_reverse`)"
    );
}

/// The same models declared with the derive: its `Weights<Spec>` and `State<Spec>` are the types
/// written out above, so they load the same files and give the same results.
mod derived {
    use super::{F32, auto, check, common};
    use lstm::{Lstm, LstmSpec, Weights};

    #[derive(Lstm)]
    #[lstm(input = 1, hidden = 32, layers = 2, bias = "double")]
    struct Audio;

    #[derive(Lstm)]
    #[lstm(input = 10, hidden = 16, bidirectional, bias = "double")]
    struct Tagger;

    #[derive(Lstm)]
    #[lstm(
        input = 5,
        hidden = 8,
        layers = 2,
        bidirectional,
        proj = 3,
        bias = "double"
    )]
    struct Projected;

    #[test]
    fn derived_specs_are_the_written_types() {
        let lstm_only = auto().prefix("lstm.");
        let (result, _) =
            common::layer_parity::<f32, Weights<Audio>, 1, 32>("audio_model_f32", &lstm_only);
        check("derive: audio 2 layers", &result, F32);
        let (result, _) =
            common::layer_parity::<f32, Weights<Tagger>, 10, 32>("tagger_model_f32", &lstm_only);
        check("derive: tagger bidirectional", &result, F32);
        let (result, _) =
            common::layer_parity::<f32, Weights<Projected>, 5, 6>("proj_bidir2_f32", &auto());
        check("derive: proj+bidir+2 layers", &result, F32);
        // The counts PyTorch reports in each fixture's metadata.
        assert_eq!(
            Audio::PARAM_COUNT,
            4 * 32 * (1 + 32 + 2) + 4 * 32 * (32 + 32 + 2)
        );
        assert_eq!(<Tagger as LstmSpec>::OUTPUT, 32);
        assert_eq!(Projected::OUTPUT, 6);
    }
}

/// Many independent streams share one set of weights, each with its own state: 1,000 streams of
/// a 1 -> 32 two-layer model, stepped interleaved, give exactly what each stream gives alone.
#[test]
fn a_thousand_streams_share_one_set_of_weights() {
    type Audio = Stacked<Cell<f32, 1, 32>, Cell<f32, 32, 32>>;
    let bytes = common::fixture_bytes("audio_model_f32");
    let model = Audio::from_safetensors(&bytes, &LoadOptions::new().prefix("lstm.")).unwrap();
    let signal = |stream: usize, t: usize| [((stream * 31 + t * 7) as f32 * 0.01).sin()];
    let mut states = vec![model.zero_state(); 1000];
    let mut last = vec![[0.0f32; 32]; 1000];
    for t in 0..20 {
        for (stream, state) in states.iter_mut().enumerate() {
            last[stream] = model.step(&signal(stream, t), state);
        }
    }
    for stream in [0, 1, 499, 999] {
        let mut alone = model.zero_state();
        let mut output = [0.0f32; 32];
        for t in 0..20 {
            output = model.step(&signal(stream, t), &mut alone);
        }
        assert_eq!(output, last[stream], "stream {stream}");
        assert_eq!(alone, states[stream]);
    }
    // A state is a plain value: saved, restored, and continued exactly.
    let saved = states[7];
    let next = model.step(&[0.5], &mut states[7]);
    let mut restored = saved;
    assert_eq!(model.step(&[0.5], &mut restored), next);
}

/// The batch path against PyTorch's batch: all 8 sequences of `batch8_layers2_f32` in one call,
/// from PyTorch's initial states, equal to PyTorch's outputs and to 8 separate calls.
#[test]
fn one_batch_call_equals_pytorch_and_separate_calls() {
    type Two = Stacked<Cell<f32, 3, 5>, Cell<f32, 5, 5>>;
    let bytes = common::fixture_bytes("batch8_layers2_f32");
    let model = Two::from_safetensors(&bytes, &auto()).unwrap();
    let (shape, input) = common::data::<f32>(&bytes, "input");
    let (_, expected) = common::data::<f32>(&bytes, "output");
    let (_, h0) = common::data::<f32>(&bytes, "h0");
    let (_, c0) = common::data::<f32>(&bytes, "c0");
    let (batch, steps) = (shape[0], shape[1]);
    let inputs: Vec<[f32; 3]> = input
        .chunks_exact(3)
        .map(|x| x.try_into().unwrap())
        .collect();
    let mut states: Vec<_> = (0..batch)
        .map(|sequence| {
            let mut state = model.zero_state();
            let mut cell = 0;
            state.for_each_cell_mut(&mut |h, c| {
                h.copy_from_slice(&h0[(cell * batch + sequence) * 5..][..5]);
                c.copy_from_slice(&c0[(cell * batch + sequence) * 5..][..5]);
                cell += 1;
            });
            state
        })
        .collect();
    let initial = states.clone();
    let mut outputs = vec![[0.0f32; 5]; batch * steps];
    let mut workspace = Default::default();
    model
        .run_batch_with(&inputs, &mut outputs, &mut states, &mut workspace)
        .unwrap();
    let error = outputs
        .iter()
        .flatten()
        .zip(&expected)
        .map(|(a, b)| f64::from((a - b).abs()))
        .fold(0.0, f64::max);
    println!(
        "{:<30} max |ours - reference|: outputs {error:.3e}",
        "batch call, 8 x 2 layers"
    );
    assert!(error <= F32);
    for (sequence, mut state) in initial.into_iter().enumerate() {
        let range = sequence * steps..(sequence + 1) * steps;
        let mut alone = vec![[0.0f32; 5]; steps];
        model
            .run_with(
                &inputs[range.clone()],
                &mut alone,
                &mut state,
                &mut workspace,
            )
            .unwrap();
        assert_eq!(alone, outputs[range]);
        assert_eq!(state, states[sequence]);
    }
}

/// A whole model as one type: the derived LSTM stacked with its head, both loaded from the same
/// PyTorch `state_dict` file (`lstm.*` and `head.*`), run as one layer, equal to PyTorch's
/// `head(lstm(x))`.
#[test]
fn a_whole_model_is_one_type() -> Result<(), Box<dyn std::error::Error>> {
    use lstm::{Lstm, Weights};

    #[derive(Lstm)]
    #[lstm(input = 10, hidden = 16, bidirectional, bias = "double")]
    struct TaggerLstm;

    /// The LSTM and its 32 -> 5 head: a 16-input head would not compile.
    type Tagger = Stacked<Weights<TaggerLstm>, Linear<f32, 32, 5>>;

    let bytes = common::fixture_bytes("tagger_model_f32");
    let tagger: Tagger = Stacked::new(
        Weights::<TaggerLstm>::from_safetensors(&bytes, &auto().prefix("lstm."))?,
        Linear::from_safetensors(&bytes, "head.", &auto())?,
    );
    let (shape, input) = common::data::<f32>(&bytes, "input");
    let (_, expected) = common::data::<f32>(&bytes, "head_output");
    let inputs: Vec<[f32; 10]> = input
        .chunks_exact(10)
        .map(|x| x.try_into().unwrap())
        .collect();
    let mut scores = vec![[0.0f32; 5]; inputs.len()];
    let mut states = vec![tagger.zero_state(); shape[0]];
    tagger.run_batch(&inputs, &mut scores, &mut states)?;
    let error = scores
        .iter()
        .flatten()
        .zip(&expected)
        .map(|(a, b)| f64::from((a - b).abs()))
        .fold(0.0, f64::max);
    println!(
        "{:<30} max |ours - reference|: {error:.3e}",
        "tagger model as one type"
    );
    assert!(error <= F32);
    Ok(())
}
