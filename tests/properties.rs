//! Property tests (issue 15): for random weights, inputs, states, lengths and kernels, over
//! cells of several sizes, bias modes, projections, storages, stacks and bidirectional layers:
//!
//! - a batch equals separate calls, bit for bit;
//! - the packed layer equals the reference step to float precision;
//! - saving then loading gives the same weights.
//!
//! Sizes are part of the types, so "random sizes" is a list of types (below a tile, across
//! one, several tiles, odd sizes); what proptest draws is everything else.

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

use lstm::prelude::*;
use lstm::{
    Bf16, F16, Float, Kernel, LoadOptions, Lstm, LstmLayer, LstmState, LstmWeights, Naming,
    Storage, Weights,
};
use proptest::prelude::*;

/// Values in [-scale, scale], from a seed proptest draws (and shrinks).
impl Rng {
    fn value<T: Float>(&mut self, scale: f64) -> T {
        T::from_f64(((self.next() % 20_001) as f64 / 10_000.0 - 1.0) * scale)
    }
}

fn weights<T: Float, const I: usize, const H: usize, const B: usize, const R: usize>(
    seed: u64,
) -> LstmWeights<T, I, H, B, R> {
    let mut rng = Rng(seed | 1);
    LstmWeights::from_fn(|_, _, _, _| rng.value(0.8))
}

fn inputs<T: Float, const N: usize>(seed: u64, count: usize) -> Vec<[T; N]> {
    let mut rng = Rng(seed.rotate_left(17) | 1);
    (0..count)
        .map(|_| core::array::from_fn(|_| rng.value(2.0)))
        .collect()
}

fn states<T: Float, const H: usize, const R: usize>(
    seed: u64,
    count: usize,
) -> Vec<LstmState<T, H, R>> {
    let mut rng = Rng(seed.rotate_left(31) | 1);
    (0..count)
        .map(|_| {
            LstmState::new(
                core::array::from_fn(|_| rng.value(1.0)),
                core::array::from_fn(|_| rng.value(1.0)),
            )
        })
        .collect()
}

/// A batch call against one call per sequence, bit for bit, for any layer.
fn batch_equals_separate_calls<L: Layer<T>, T: Float>(
    layer: &L,
    inputs: &[L::Input],
    states: &[L::State],
    steps: usize,
) -> Result<(), TestCaseError>
where
    L::Output: PartialEq + core::fmt::Debug,
    L::State: PartialEq + core::fmt::Debug,
{
    let mut batch_states = states.to_vec();
    let mut batch_outputs = vec![L::zero_output(); inputs.len()];
    layer
        .run_batch(inputs, &mut batch_outputs, &mut batch_states)
        .map_err(|error| TestCaseError::fail(error.to_string()))?;
    for (sequence, state) in states.iter().enumerate() {
        let range = sequence * steps..(sequence + 1) * steps;
        let mut state = *state;
        let mut outputs = vec![L::zero_output(); steps];
        layer
            .run(&inputs[range.clone()], &mut outputs, &mut state)
            .map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(&outputs[..], &batch_outputs[range]);
        prop_assert_eq!(state, batch_states[sequence]);
    }
    Ok(())
}

/// The packed layer (a given kernel and storage) against the reference step of the weights it
/// stores, over a sequence.
fn packed_equals_reference<
    T: Float,
    const I: usize,
    const H: usize,
    const B: usize,
    const R: usize,
    S: Storage<T>,
>(
    layer: &LstmLayer<T, I, H, B, R, S>,
    inputs: &[[T; I]],
    state: LstmState<T, H, R>,
    tolerance: f64,
) -> Result<(), TestCaseError> {
    let reference_weights = layer.to_weights();
    let (mut ours, mut theirs) = (state, state);
    let mut ours_out = vec![[T::ZERO; R]; inputs.len()];
    let mut theirs_out = vec![[T::ZERO; R]; inputs.len()];
    layer.run(inputs, &mut ours_out, &mut ours).unwrap();
    reference_weights
        .as_cell()
        .run(inputs, &mut theirs_out, &mut theirs)
        .unwrap();
    let pairs = ours_out
        .iter()
        .flatten()
        .zip(theirs_out.iter().flatten())
        .chain(ours.c.iter().zip(&theirs.c));
    for (a, b) in pairs {
        let (a, b) = (a.to_f64(), b.to_f64());
        prop_assert!(
            (a - b).abs() <= tolerance * (1.0 + b.abs()),
            "{} against {}",
            a,
            b
        );
    }
    Ok(())
}

fn kernel(index: usize) -> Kernel {
    let available: Vec<Kernel> = Kernel::ALL
        .into_iter()
        .filter(|k| k.is_available())
        .collect();
    available[index % available.len()]
}

#[derive(Lstm)]
#[lstm(input = 3, hidden = 5, layers = 3, bias = "double")]
struct Deep;

#[derive(Lstm)]
#[lstm(input = 4, hidden = 9, bidirectional, proj = 2)]
struct BothWaysProjected;

#[derive(Lstm)]
#[lstm(input = 2, hidden = 17, layers = 2, bidirectional, bias = "none")]
struct WideBothWays;

/// Random weights for any weight type, through its own file format (the only constructor every
/// weight type shares): the tensors a PyTorch file of the type holds, each element random.
fn random_model<W: WeightFile + Zeros>(seed: u64) -> W {
    let bytes = W::zeros()
        .to_safetensors(Naming::PyTorch, "")
        .expect("every weight type saves in PyTorch's naming");
    let file = safetensors::SafeTensors::deserialize(&bytes).expect("just written");
    let mut rng = Rng(seed | 1);
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            let data = view
                .data()
                .chunks_exact(4)
                .flat_map(|_| rng.value::<f32>(0.8).to_le_bytes())
                .collect();
            (name, view.shape().to_vec(), data)
        })
        .collect();
    let views = tensors.iter().map(|(name, shape, data)| {
        (
            name.clone(),
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), data)
                .expect("a valid view"),
        )
    });
    let random = safetensors::serialize(views, None).expect("serializes");
    W::from_safetensors(&random, &LoadOptions::new()).expect("loads")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_batch_equals_separate_calls(
        seed in any::<u64>(),
        batch in 0usize..5,
        steps in 0usize..5,
        kernel_index in 0usize..3,
    ) {
        let k = kernel(kernel_index);
        macro_rules! cell {
            ($t:ty, $i:literal, $h:literal, $b:literal, $r:literal, $s:ty) => {{
                let layer = weights::<$t, $i, $h, $b, $r>(seed).pack_as::<$s>().with_kernel(k).unwrap();
                let inputs = inputs::<$t, $i>(seed, batch * steps);
                batch_equals_separate_calls(&layer, &inputs, &states::<$t, $h, $r>(seed, batch), steps)?;
            }};
        }
        cell!(f32, 3, 5, 1, 5, f32);
        cell!(f32, 2, 17, 2, 17, f32);
        cell!(f32, 7, 33, 0, 33, f32);
        cell!(f32, 3, 6, 2, 2, f32);
        cell!(f32, 3, 20, 1, 20, Bf16);
        cell!(f32, 5, 12, 2, 12, F16);
        cell!(f64, 2, 11, 2, 11, f64);
        let deep: Weights<Deep> = random_model(seed);
        batch_equals_separate_calls(&deep, &inputs::<f32, 3>(seed, batch * steps), &vec![deep.zero_state(); batch], steps)?;
        let both: Weights<BothWaysProjected> = random_model(seed);
        batch_equals_separate_calls(&both, &inputs::<f32, 4>(seed, batch * steps), &vec![both.zero_state(); batch], steps)?;
        let wide: Weights<WideBothWays> = random_model(seed);
        batch_equals_separate_calls(&wide, &inputs::<f32, 2>(seed, batch * steps), &vec![wide.zero_state(); batch], steps)?;
    }

    #[test]
    fn the_packed_layer_equals_the_reference_step(
        seed in any::<u64>(),
        steps in 1usize..8,
        kernel_index in 0usize..3,
    ) {
        let k = kernel(kernel_index);
        macro_rules! cell {
            ($t:ty, $i:literal, $h:literal, $b:literal, $r:literal, $s:ty, $tolerance:expr) => {{
                let layer = weights::<$t, $i, $h, $b, $r>(seed).pack_as::<$s>().with_kernel(k).unwrap();
                let [state] = states::<$t, $h, $r>(seed, 1)[..] else { unreachable!() };
                packed_equals_reference(&layer, &inputs::<$t, $i>(seed, steps), state, $tolerance)?;
            }};
        }
        cell!(f32, 3, 5, 1, 5, f32, 1e-5);
        cell!(f32, 2, 17, 2, 17, f32, 1e-5);
        cell!(f32, 7, 33, 0, 33, f32, 1e-5);
        cell!(f32, 3, 6, 2, 2, f32, 1e-5);
        cell!(f32, 1, 40, 1, 40, f32, 1e-5);
        cell!(f64, 2, 11, 2, 11, f64, 1e-12);
    }

    #[test]
    fn saving_then_loading_gives_the_same_weights(seed in any::<u64>(), naming_index in 0usize..3) {
        let naming = Naming::ALL[naming_index];
        let prefix = ["", "model.lstm.", "encoder/"][naming_index];
        let single = weights::<f32, 3, 5, 1, 5>(seed);
        let bytes = single.to_safetensors(naming, prefix).unwrap();
        prop_assert_eq!(&LstmWeights::<f32, 3, 5>::from_safetensors(&bytes, &LoadOptions::new()).unwrap(), &single);
        prop_assert_eq!(LstmLayer::<f32, 3, 5>::from_safetensors(&bytes, &LoadOptions::new()).unwrap(), single.pack());
        let narrow = weights::<f32, 4, 9, 1, 9>(seed).pack_as::<Bf16>();
        let bytes = narrow.to_safetensors(naming, prefix).unwrap();
        prop_assert_eq!(LstmLayer::<f32, 4, 9, 1, 9, Bf16>::from_safetensors(&bytes, &LoadOptions::new()).unwrap(), narrow);
        if naming != Naming::Keras {
            let double = weights::<f64, 2, 7, 2, 7>(seed);
            let bytes = double.to_safetensors(naming, prefix).unwrap();
            prop_assert_eq!(LstmWeights::<f64, 2, 7, 2>::from_safetensors(&bytes, &LoadOptions::new()).unwrap(), double);
        }
        if naming == Naming::PyTorch {
            let deep: Weights<Deep> = random_model(seed);
            let bytes = deep.to_safetensors(naming, prefix).unwrap();
            prop_assert_eq!(Weights::<Deep>::from_safetensors(&bytes, &LoadOptions::new()).unwrap(), deep);
            let both: Weights<BothWaysProjected> = random_model(seed);
            let bytes = both.to_safetensors(naming, prefix).unwrap();
            prop_assert_eq!(Weights::<BothWaysProjected>::from_safetensors(&bytes, &LoadOptions::new()).unwrap(), both);
        }
    }
}
