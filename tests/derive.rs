//! What `#[derive(Lstm)]` generates, checked at run time: constants, tensor tables in the three
//! layouts, the summary text, the type-level dimensions, the bounds, and the forward step of a
//! user's weight struct agreeing exactly with the core weights.

use lstm::prelude::*;
use lstm::typenum::Unsigned;
use lstm::{
    Feeds, Gate, HiddenIs, InputIs, Lstm, LstmLayer, LstmSpec, LstmState, LstmWeights, Matrix,
    Role, State, Vector, Weights,
};

/// The forum question's LSTM.
#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
pub struct Encoder;

#[derive(Lstm)]
#[lstm(input = 256, hidden = 64)]
struct Decoder;

/// Odd sizes and hexadecimal literals are read like any integer.
#[derive(Lstm)]
#[lstm(input = 0x25, hidden = 61usize)]
struct Odd;

#[test]
fn seed_counts() {
    assert_eq!(Encoder::INPUT, 100);
    assert_eq!(Encoder::HIDDEN, 256);
    assert_eq!(Encoder::PARAM_COUNT, 365_568);
    assert_eq!(<Encoder as LstmSpec>::PARAM_COUNT, 365_568);
    assert_eq!(Odd::INPUT, 37);
    assert_eq!(Odd::PARAM_COUNT, 4 * 61 * (37 + 61 + 1));
}

#[test]
fn seed_tensor_table() {
    let names: Vec<&str> = Encoder::TENSORS.iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "W_i", "U_i", "b_i", "W_f", "U_f", "b_f", "W_c", "U_c", "b_c", "W_o", "U_o", "b_o"
        ]
    );
    for tensor in &Encoder::TENSORS {
        let expected: (&[usize], usize) = match tensor.name.as_bytes()[0] {
            b'W' => (&[256, 100], 25_600),
            b'U' => (&[256, 256], 65_536),
            _ => (&[256], 256),
        };
        assert_eq!((tensor.shape, tensor.count), expected, "{}", tensor.name);
    }
    let sum: usize = Encoder::TENSORS.iter().map(|t| t.count).sum();
    assert_eq!(sum, Encoder::PARAM_COUNT);
    assert_eq!(<Encoder as LstmSpec>::TENSORS, &Encoder::TENSORS[..]);
}

#[test]
fn pytorch_and_keras_layouts() {
    let pytorch: Vec<(&str, &[usize])> = Encoder::PYTORCH_TENSORS
        .iter()
        .map(|t| (t.name, t.shape))
        .collect();
    assert_eq!(
        pytorch,
        [
            ("weight_ih_l0", &[1024, 100][..]),
            ("weight_hh_l0", &[1024, 256][..]),
            ("bias_ih_l0", &[1024][..]),
            ("bias_hh_l0", &[1024][..]),
        ]
    );
    let pytorch_total: usize = Encoder::PYTORCH_TENSORS.iter().map(|t| t.count).sum();
    assert_eq!(pytorch_total, 366_592, "PyTorch keeps two biases");

    let keras: Vec<(&str, &[usize])> = Encoder::KERAS_TENSORS
        .iter()
        .map(|t| (t.name, t.shape))
        .collect();
    assert_eq!(
        keras,
        [
            ("kernel", &[100, 1024][..]),
            ("recurrent_kernel", &[256, 1024][..]),
            ("bias", &[1024][..])
        ]
    );
    let keras_total: usize = Encoder::KERAS_TENSORS.iter().map(|t| t.count).sum();
    assert_eq!(keras_total, Encoder::PARAM_COUNT);
}

#[test]
fn summary_prints_the_table() {
    let text = Encoder::summary().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Encoder: LSTM, input 100, hidden 256, one bias per gate"
    );
    assert_eq!(lines[1], "tensor  shape        params  description");
    assert_eq!(
        lines[3],
        "W_i     (256, 100)   25,600  input gate, input weights"
    );
    assert_eq!(lines[5], "b_i     (256,)          256  input gate, bias");
    assert_eq!(lines.last(), Some(&"total               365,568"));
    assert_eq!(lines.len(), 3 + 12 + 1);
    assert_eq!(<Encoder as LstmSpec>::summary(), Encoder::summary());
}

#[test]
fn type_level_dimensions() {
    assert_eq!(<Encoder as LstmSpec>::Input::USIZE, 100);
    assert_eq!(<Encoder as LstmSpec>::Hidden::USIZE, 256);
    assert_eq!(<Odd as LstmSpec>::Input::USIZE, 37);
    assert_eq!(<Odd as LstmSpec>::Hidden::USIZE, 61);
    // Equal to typenum's own spelling, so `LstmSpec<Input = U100>` bounds hold.
    fn input_is_u100<S: LstmSpec<Input = lstm::typenum::U100>>() -> usize {
        S::INPUT
    }
    assert_eq!(input_is_u100::<Encoder>(), 100);
    // typenum arithmetic on the dimensions: I + H, as a type.
    type Concatenated =
        lstm::typenum::Sum<<Encoder as LstmSpec>::Input, <Encoder as LstmSpec>::Hidden>;
    assert_eq!(Concatenated::USIZE, 356);
}

#[test]
fn bounds_in_generic_code() {
    fn takes_100<S: InputIs<100>>() -> usize {
        S::PARAM_COUNT
    }
    fn hidden_256<S: HiddenIs<256>>() -> usize {
        S::INPUT
    }
    fn stacked<A: Feeds<B>, B: LstmSpec>() -> usize {
        A::PARAM_COUNT + B::PARAM_COUNT
    }
    assert_eq!(takes_100::<Encoder>(), 365_568);
    assert_eq!(hidden_256::<Encoder>(), 100);
    assert_eq!(
        stacked::<Encoder, Decoder>(),
        365_568 + 4 * 64 * (256 + 64 + 1)
    );
}

#[test]
fn weights_and_state_aliases() {
    let weights: LstmLayer<f32, 100, 256> = Weights::<Encoder>::zeros();
    let state: LstmState<f64, 256> = State::<Encoder, f64>::zeros();
    let mut f32_state: State<Encoder> = LstmState::zeros();
    weights.step(&[0.0; 100], &mut f32_state);
    assert_eq!(state.h.len(), 256);
}

#[test]
fn spec_name_and_visibility() {
    assert_eq!(<Encoder as LstmSpec>::NAME, "Encoder");
    assert_eq!(<Odd as LstmSpec>::NAME, "Odd");
}

/// A user's weight struct naming the candidate `g`, as PyTorch does.
#[derive(Lstm)]
#[lstm(input = 7, hidden = 5)]
struct TorchCell {
    w_i: Matrix<f64, 5, 7>,
    u_i: Matrix<f64, 5, 5>,
    b_i: Vector<f64, 5>,
    w_f: Matrix<f64, 5, 7>,
    u_f: Matrix<f64, 5, 5>,
    b_f: Vector<f64, 5>,
    w_g: Matrix<f64, 5, 7>,
    u_g: Matrix<f64, 5, 5>,
    b_g: Vector<f64, 5>,
    w_o: Matrix<f64, 5, 7>,
    u_o: Matrix<f64, 5, 5>,
    b_o: Vector<f64, 5>,
}

fn element(gate: Gate, role: Role, row: usize, col: usize) -> f64 {
    let role = match role {
        Role::Input => 0,
        Role::Recurrent => 1,
        Role::Projection => 2,
        Role::Bias(set) => 3 + set,
    };
    let seed = (gate as usize * 5 + role) * 1009 + row * 31 + col * 7;
    ((seed % 97) as f64 - 48.0) / 100.0
}

#[test]
fn weight_struct_steps_exactly_like_core_weights() {
    let core = LstmWeights::<f64, 7, 5>::from_fn(element);
    let cell = TorchCell {
        w_i: core.w_i.clone(),
        u_i: core.u_i.clone(),
        b_i: core.biases[0].b_i.clone(),
        w_f: core.w_f.clone(),
        u_f: core.u_f.clone(),
        b_f: core.biases[0].b_f.clone(),
        w_g: core.w_c.clone(),
        u_g: core.u_c.clone(),
        b_g: core.biases[0].b_c.clone(),
        w_o: core.w_o.clone(),
        u_o: core.u_o.clone(),
        b_o: core.biases[0].b_o.clone(),
    };
    assert_eq!(TorchCell::PARAM_COUNT, 4 * 5 * (7 + 5 + 1));
    let inputs: Vec<[f64; 7]> = (0..12)
        .map(|t| core::array::from_fn(|k| ((t * 7 + k) as f64 * 0.37).sin()))
        .collect();
    let (mut core_state, mut cell_state) = (LstmState::zeros(), LstmState::zeros());
    for x in &inputs {
        assert_eq!(
            core.as_cell().step(x, &mut core_state),
            cell.as_cell().step(x, &mut cell_state)
        );
    }
    // Packed, the struct's weights are the core's, and run as the core's do.
    let (packed, core_packed) = (cell.pack(), core.pack());
    assert_eq!(packed, core_packed);
    let mut outputs = vec![[0.0; 5]; inputs.len()];
    let mut run_state = LstmState::zeros();
    packed.run(&inputs, &mut outputs, &mut run_state).unwrap();
    let mut core_outputs = vec![[0.0; 5]; inputs.len()];
    let mut core_run_state = LstmState::zeros();
    core_packed
        .run(&inputs, &mut core_outputs, &mut core_run_state)
        .unwrap();
    assert_eq!((outputs.clone(), run_state), (core_outputs, core_run_state));
    for (ours, reference) in run_state.h.iter().zip(&core_state.h) {
        assert!((ours - reference).abs() < 1e-12, "{ours} vs {reference}");
    }
    assert!(
        packed
            .run(&inputs, &mut outputs[1..], &mut run_state)
            .is_err()
    );
}
