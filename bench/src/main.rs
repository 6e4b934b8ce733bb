//! The benchmark of `lstm`: ns per step in scenarios S1-S4 and a scaling sweep, against the
//! machine's roofline (measured here) and against other implementations measured in the same
//! run, and what 100 derived specs add to a crate's debug build. See BENCHMARKS.md for the
//! command and the last results.
//!
//! ```text
//! cargo run --release --manifest-path bench/Cargo.toml -- [--quick] [--write]
//! ```
//!
//! `--quick` takes fewer samples and shorter sequences (under 2 minutes on 2 cores); `--write`
//! rewrites BENCHMARKS.md and the charts in bench/charts/.

mod compile_time;
mod peers;
mod report;
mod roofline;

use std::hint::black_box;
use std::time::Instant;

use lstm::prelude::*;
use lstm::{Bf16, F16, Kernel, LstmLayer, LstmState, LstmWeights, Role};
use nalgebra::{DMatrix, DVector};
use ndarray::Array1;

use peers::{Candle, Naive, Nalgebra, Ndarray, weight};

/// How long one timed sample runs, and how many samples a measurement takes (median kept).
struct Settings {
    quick: bool,
    samples: usize,
    sample_seconds: f64,
}

/// One scenario's cost model and results.
pub(crate) struct Scenario {
    pub(crate) name: String,
    pub(crate) description: String,
    /// Input, hidden and batch sizes.
    pub(crate) sizes: (usize, usize, usize),
    /// The roofline bound in ns per step and what sets it.
    pub(crate) bound_ns: f64,
    pub(crate) bound_by: &'static str,
    /// The read bandwidth measured for this scenario's weights, bytes per second.
    pub(crate) bandwidth: f64,
    /// (implementation, ns per step), ours first.
    pub(crate) results: Vec<(String, f64)>,
}

/// Median seconds per call of `f` over `settings.samples` samples.
fn seconds_per_call(settings: &Settings, mut f: impl FnMut()) -> f64 {
    seconds_per_call_each(settings, &mut [&mut f])[0]
}

/// Median seconds per call of each of `calls`, their samples taken in turn (a sample of each,
/// then the next round), so that on a shared machine, where a neighbour's load comes and goes,
/// they all meet the same conditions and their ratios hold.
fn seconds_per_call_each(settings: &Settings, calls: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let repetitions: Vec<usize> = calls
        .iter_mut()
        .map(|f| repetitions(settings, *f))
        .collect();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); calls.len()];
    for _ in 0..settings.samples {
        for ((f, &reps), samples) in calls.iter_mut().zip(&repetitions).zip(&mut samples) {
            let start = Instant::now();
            for _ in 0..reps {
                f();
            }
            samples.push(start.elapsed().as_secs_f64() / reps as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut samples| {
            samples.sort_by(f64::total_cmp);
            samples[samples.len() / 2]
        })
        .collect()
}

/// Calls of `f` per sample: enough for a quarter of `settings.sample_seconds`, after a warm-up.
fn repetitions(settings: &Settings, f: &mut dyn FnMut()) -> usize {
    for _ in 0..3 {
        f();
    }
    let mut reps = 1usize;
    loop {
        let start = Instant::now();
        for _ in 0..reps {
            f();
        }
        if start.elapsed().as_secs_f64() > settings.sample_seconds / 4.0 || reps >= 1 << 26 {
            return reps;
        }
        reps *= 2;
    }
}

/// The benchmark's weights as logical tensors (for the reference step and for packing with a
/// chosen kernel).
fn logical<const I: usize, const H: usize>() -> LstmWeights<f32, I, H> {
    LstmWeights::from_fn(element)
}

/// The benchmark's weights as the type a user gets: `Weights<Spec>` of a spec with input `I`
/// and hidden `H` is `LstmLayer<f32, I, H>`, built (as `Weights::<Spec>::from_fn` builds it)
/// with the kernel the library chooses.
fn default_type<const I: usize, const H: usize>() -> LstmLayer<f32, I, H> {
    LstmLayer::from_fn(element)
}

/// The row of the type a user gets, and of the reference step (`CellRef`, the obvious
/// implementation the tests hold the kernels to).
pub(crate) const DEFAULT_ROW: &str = "lstm default (Weights<Spec>)";
pub(crate) const REFERENCE_ROW: &str = "lstm reference step (CellRef)";
/// The rows of `run_batch_parallel` (S4), which use more than one core: not compared with the
/// one-core bound or with the peers.
pub(crate) const PARALLEL_ROW: &str = "lstm default, run_batch_parallel";

/// Element `(row, col)` of the benchmark's tensor `role` of `gate`: varied and deterministic.
fn element(gate: lstm::Gate, role: Role, row: usize, col: usize) -> f32 {
    let role = match role {
        Role::Input => 0,
        Role::Recurrent => 7,
        Role::Bias(_) | Role::Projection => 13,
    };
    weight(gate.index() * 1_000_003 + row * 1009 + col + role)
}

fn input<const I: usize>() -> [f32; I] {
    core::array::from_fn(|k| ((k as f32) * 0.37).sin())
}

/// Ours: the default type's step (what `Weights<Spec>` gives), the step with every kernel this
/// CPU has, and the reference step; and the read bandwidth for a buffer of the weights' size.
/// Every kernel's step, the default type's, the steps with bf16 and f16 weights and that read
/// probe are sampled in turn, so that the bound, the kernel choice's ratios and the
/// half-precision ratios meet the conditions of the step they are compared with (steps that
/// read their weights from a shared L3 varied by 30% from run to run, and so did the probe,
/// each on its own).
fn ours_step<const I: usize, const H: usize>(settings: &Settings) -> (Vec<(String, f64)>, f64) {
    let weights = logical::<I, H>();
    let x = input::<I>();
    let mut results = Vec::new();
    let probe = roofline::ReadProbe::new(weight_bytes(I, H));
    let (bf16, f16) = (weights.pack_as::<Bf16>(), weights.pack_as::<F16>());
    let default = default_type::<I, H>();
    // Every kernel, the default type, the half-precision steps and the read probe sampled in
    // turn, so that each meets the same cache state and load (the probe evicts the caches as
    // a step beyond them does; a kernel timed alone, warm, was up to 19% faster than the same
    // kernel timed in turn with the probe).
    let kernels: Vec<Kernel> = Kernel::ALL
        .into_iter()
        .rev()
        .filter(|kernel| kernel.is_available())
        .collect();
    let layers: Vec<LstmLayer<f32, I, H>> = kernels
        .iter()
        .map(|&kernel| weights.pack().with_kernel(kernel).expect("available"))
        .collect();
    let mut states = vec![LstmState::zeros(); layers.len() + 3];
    let (layer_states, other_states) = states.split_at_mut(layers.len());
    let [default_state, bf16_state, f16_state] = other_states else {
        unreachable!("three states beside the kernels'")
    };
    let mut kernel_steps: Vec<Box<dyn FnMut() + '_>> = layers
        .iter()
        .zip(layer_states.iter_mut())
        .map(|(layer, state)| {
            Box::new(move || {
                black_box(layer.step(black_box(&x), state));
            }) as Box<dyn FnMut()>
        })
        .collect();
    let mut default_step = || {
        black_box(default.step(black_box(&x), default_state));
    };
    let mut bf16_step = || {
        black_box(bf16.step(black_box(&x), bf16_state));
    };
    let mut f16_step = || {
        black_box(f16.step(black_box(&x), f16_state));
    };
    let mut read = || probe.run();
    let mut calls: Vec<&mut dyn FnMut()> = kernel_steps
        .iter_mut()
        .map(|step| step.as_mut() as &mut dyn FnMut())
        .collect();
    calls.extend([
        &mut default_step as &mut dyn FnMut(),
        &mut bf16_step,
        &mut f16_step,
        &mut read,
    ]);
    let seconds = seconds_per_call_each(settings, &mut calls);
    let n = kernels.len();
    let (default_ns, bf16_ns, f16_ns) =
        (seconds[n] * 1e9, seconds[n + 1] * 1e9, seconds[n + 2] * 1e9);
    let bandwidth = probe.bytes_per_run() / seconds[n + 3];
    for (kernel, seconds) in kernels.iter().zip(&seconds) {
        results.push((format!("lstm packed {kernel:?}"), seconds * 1e9));
    }
    results.insert(0, (DEFAULT_ROW.to_owned(), default_ns));
    // A whole sequence in one `run_with` call (which hoists the input projection where that
    // pays), per step (100 steps per call).
    let inputs = [x; 100];
    let mut outputs = vec![[0.0f32; H]; 100];
    let mut workspace = lstm::LstmWorkspace::default();
    let mut state = LstmState::zeros();
    let seconds = seconds_per_call(settings, || {
        default
            .run_with(black_box(&inputs), &mut outputs, &mut state, &mut workspace)
            .expect("lengths");
    });
    let path = if LstmLayer::<f32, I, H>::hoists(1) {
        "hoisted"
    } else {
        "streamed"
    };
    results.push((
        format!("lstm default, whole sequence ({path})"),
        seconds / 100.0 * 1e9,
    ));
    results.push((
        format!("lstm packed {:?} bf16 weights", bf16.kernel()),
        bf16_ns,
    ));
    results.push((
        format!("lstm packed {:?} f16 weights", f16.kernel()),
        f16_ns,
    ));
    let mut state = LstmState::zeros();
    let reference = weights.as_cell();
    let seconds = seconds_per_call(settings, || {
        black_box(reference.step(black_box(&x), &mut state));
    });
    results.push((REFERENCE_ROW.to_owned(), seconds * 1e9));
    (results, bandwidth)
}

/// The peers, one step of one sequence.
fn peers_step(settings: &Settings, input: usize, hidden: usize) -> Vec<(String, f64)> {
    let x: Vec<f32> = (0..input).map(|k| ((k as f32) * 0.37).sin()).collect();
    let mut results = Vec::new();

    let mut naive = Naive::new(input, hidden);
    let (mut h, mut c) = (vec![0.0f32; hidden], vec![0.0f32; hidden]);
    let seconds = seconds_per_call(settings, || naive.step(black_box(&x), &mut h, &mut c));
    results.push(("naive runtime-shaped".to_owned(), seconds * 1e9));

    let mut nalgebra = Nalgebra::new(input, hidden, 1);
    let x_vector = DVector::from_column_slice(&x);
    let (mut h, mut c) = (DVector::zeros(hidden), DVector::zeros(hidden));
    let seconds = seconds_per_call(settings, || {
        nalgebra.step(black_box(&x_vector), &mut h, &mut c)
    });
    results.push(("nalgebra".to_owned(), seconds * 1e9));

    let mut ndarray = Ndarray::new(input, hidden);
    let x_array = Array1::from_vec(x.clone());
    let (mut h, mut c) = (Array1::zeros(hidden), Array1::zeros(hidden));
    let seconds = seconds_per_call(settings, || {
        ndarray.step(black_box(&x_array), &mut h, &mut c)
    });
    results.push(("ndarray".to_owned(), seconds * 1e9));

    match Candle::new(input, hidden) {
        Ok(candle) => {
            let x_tensor = candle.inputs(&x, 1).expect("tensor");
            let mut state = candle.zero_state(1).expect("state");
            let seconds = seconds_per_call(settings, || {
                state = candle.step(black_box(&x_tensor), &state).expect("step");
            });
            results.push(("candle-nn".to_owned(), seconds * 1e9));
        }
        Err(error) => eprintln!("candle-nn unavailable: {error}"),
    }
    results
}

/// A batch of `BATCH` sequences, one time step: ours in one batch call and as separate calls,
/// the peers with their own batch operations where they have them.
fn batch_step<const I: usize, const H: usize, const BATCH: usize>(
    settings: &Settings,
) -> Vec<(String, f64)> {
    let weights = logical::<I, H>();
    let inputs = [input::<I>(); BATCH];
    let mut results = Vec::new();

    let mut outputs = [[0.0f32; H]; BATCH];
    let mut states = [LstmState::zeros(); BATCH];
    let seconds = seconds_per_call(settings, || {
        weights
            .as_cell()
            .run_batch_with(black_box(&inputs), &mut outputs, &mut states, &mut ())
            .expect("lengths");
    });
    results.push((format!("{REFERENCE_ROW}, one batch call"), seconds * 1e9));

    let packed = default_type::<I, H>();
    // 100 steps of every sequence in one batch call (which hoists where that pays), per time
    // step (as PyTorch's sequence call is measured).
    let sequences: Vec<[f32; I]> = vec![inputs[0]; BATCH * 100];
    let mut sequence_outputs = vec![[0.0f32; H]; BATCH * 100];
    let mut workspace = lstm::LstmWorkspace::default();
    let seconds = seconds_per_call(settings, || {
        packed
            .run_batch_with(
                black_box(&sequences),
                &mut sequence_outputs,
                &mut states,
                &mut workspace,
            )
            .expect("lengths");
    });
    let path = if LstmLayer::<f32, I, H>::hoists(BATCH) {
        "hoisted"
    } else {
        "streamed"
    };
    results.push((
        format!("lstm default, {BATCH} x whole sequence ({path})"),
        seconds / 100.0 * 1e9,
    ));
    // One batch step by a layer, for the default type and for each kernel forced.
    let mut batch_call = |layer: &LstmLayer<f32, I, H>| {
        seconds_per_call(settings, || {
            layer
                .run_batch_with(
                    black_box(&inputs),
                    &mut outputs,
                    &mut states,
                    &mut workspace,
                )
                .expect("lengths");
        })
    };
    let default_seconds = batch_call(&packed);
    let mut forced = Vec::new();
    for kernel in Kernel::ALL
        .into_iter()
        .filter(|kernel| kernel.is_available())
    {
        let chosen = weights.pack().with_kernel(kernel).expect("available");
        forced.push((
            format!("lstm packed {kernel:?}, one batch call"),
            batch_call(&chosen) * 1e9,
        ));
    }
    results.splice(
        0..0,
        [(
            format!("{DEFAULT_ROW}, one batch call ({:?})", packed.kernel()),
            default_seconds * 1e9,
        )]
        .into_iter()
        .chain(forced.into_iter().rev()),
    );
    let seconds = seconds_per_call(settings, || {
        for (x, state) in inputs.iter().zip(states.iter_mut()) {
            black_box(packed.step(black_box(x), state));
        }
    });
    results.push((
        format!("lstm packed {:?}, {BATCH} calls", packed.kernel()),
        seconds * 1e9,
    ));
    // The batch spread over threads (`run_batch_parallel`, the `rayon` feature), on 1 and on
    // 2 threads, side by side (issue 14's goal: 1.8x on 2 cores): 100 steps of every sequence,
    // per time step. (One time step alone is too little work to share: each thread reads all
    // the weights, and a pool thread on the other core starts with them out of its cache;
    // `bench/src/bin/parprobe.rs` measures both.)
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let seconds = seconds_per_call(settings, || {
            pool.install(|| {
                packed
                    .run_batch_parallel(black_box(&sequences), &mut sequence_outputs, &mut states)
                    .expect("lengths")
            });
        });
        results.push((
            format!(
                "{PARALLEL_ROW}, {BATCH} x whole sequence, {threads} thread{}",
                if threads == 1 { "" } else { "s" }
            ),
            seconds / 100.0 * 1e9,
        ));
    }

    let mut naive = Naive::new(I, H);
    let x: Vec<f32> = inputs[0].to_vec();
    let mut hs = vec![vec![0.0f32; H]; BATCH];
    let mut cs = vec![vec![0.0f32; H]; BATCH];
    let seconds = seconds_per_call(settings, || {
        for (h, c) in hs.iter_mut().zip(cs.iter_mut()) {
            naive.step(black_box(&x), h, c);
        }
    });
    results.push(("naive runtime-shaped".to_owned(), seconds * 1e9));

    let mut nalgebra = Nalgebra::new(I, H, BATCH);
    let x_matrix = DMatrix::from_fn(I, BATCH, |row, _| inputs[0][row]);
    let (mut h, mut c) = (DMatrix::zeros(H, BATCH), DMatrix::zeros(H, BATCH));
    let seconds = seconds_per_call(settings, || {
        nalgebra.batch_step(black_box(&x_matrix), &mut h, &mut c)
    });
    results.push(("nalgebra (gemm)".to_owned(), seconds * 1e9));

    let mut ndarray = Ndarray::new(I, H);
    let x_array = Array1::from_vec(x.clone());
    let mut hs = vec![Array1::zeros(H); BATCH];
    let mut cs = vec![Array1::zeros(H); BATCH];
    let seconds = seconds_per_call(settings, || {
        for (h, c) in hs.iter_mut().zip(cs.iter_mut()) {
            ndarray.step(black_box(&x_array), h, c);
        }
    });
    results.push(("ndarray".to_owned(), seconds * 1e9));

    if let Ok(candle) = Candle::new(I, H) {
        let values: Vec<f32> = inputs.iter().flatten().copied().collect();
        let x_tensor = candle.inputs(&values, BATCH).expect("tensor");
        let mut state = candle.zero_state(BATCH).expect("state");
        let seconds = seconds_per_call(settings, || {
            state = candle.step(black_box(&x_tensor), &state).expect("step");
        });
        results.push(("candle-nn (batch tensor)".to_owned(), seconds * 1e9));
    }
    results
}

/// The roofline bound of one step: FLOPs at the FMA peak or weight bytes at the read bandwidth
/// for a working set of that size, whichever is slower. `bandwidth` is the one measured beside
/// our step ([`ours_step`]), or `None` to measure it here, best of `tries`.
fn bound(
    peak_flops: f64,
    (input, hidden, batch): (usize, usize, usize),
    bandwidth: Option<f64>,
    tries: usize,
) -> (f64, &'static str, f64) {
    let macs = 4 * hidden * (input + hidden) * batch;
    let flops = 2.0 * macs as f64;
    let bytes = weight_bytes(input, hidden);
    let bandwidth = bandwidth.unwrap_or_else(|| roofline::read_bandwidth(bytes, tries));
    let (compute, memory) = (flops / peak_flops, bytes as f64 / bandwidth);
    if compute >= memory {
        (compute * 1e9, "FMA peak", bandwidth)
    } else {
        (memory * 1e9, "read bandwidth", bandwidth)
    }
}

/// Bytes of packed `f32` weights at these sizes: 4 gates x `hidden` x (`input` + `hidden` + 1).
fn weight_bytes(input: usize, hidden: usize) -> usize {
    4 * 4 * hidden * (input + hidden + 1)
}

fn scenario(
    name: &str,
    description: &str,
    sizes: (usize, usize, usize),
    (bound_ns, bound_by, bandwidth): (f64, &'static str, f64),
    results: Vec<(String, f64)>,
) -> Scenario {
    Scenario {
        name: name.to_owned(),
        description: description.to_owned(),
        sizes,
        bound_ns,
        bound_by,
        bandwidth,
        results,
    }
}

/// An amp model as the amp-modelling tools train it, `lin(rec(x)) + x`: LSTM(1, H), a linear
/// head back to one sample, the input added.
#[derive(lstm::Model)]
#[model(residual)]
struct Amp<const H: usize> {
    rec: LstmLayer<f32, 1, H, 2>,
    lin: lstm::Linear<f32, H, 1>,
}

/// ns per sample of an amp model of hidden `H`, streamed one sample at a time as an audio
/// callback runs it: the model as `#[derive(Model)]` builds it (the best kernel) and with each
/// kernel the CPU has.
fn amp_step<const H: usize>(settings: &Settings) -> Vec<(String, f64)>
where
    Amp<H>: StreamingLayer<f32, Input = [f32; 1], Output = [f32; 1]>,
{
    // PyTorch's two bias sets, as the amp tools' models have.
    let rec = LstmWeights::<f32, 1, H, 2>::from_fn(element);
    let lin = lstm::Linear::new(
        lstm::Matrix::from_fn(|_, col| weight(col + 7)),
        lstm::Vector::from_fn(|_| 0.01),
    );
    let samples: Vec<f32> = (0..4096).map(|t| (t as f32 * 0.01).sin() * 0.5).collect();
    let mut results = Vec::new();
    let mut models = vec![(
        "lstm amp model (derive, default)".to_owned(),
        Kernel::best(),
    )];
    models.extend(
        Kernel::ALL
            .into_iter()
            .filter(|kernel| kernel.is_available())
            .map(|kernel| (format!("lstm amp model, {kernel:?} kernel"), kernel)),
    );
    for (name, kernel) in models {
        let amp = Amp::<H> {
            rec: rec.pack().with_kernel(kernel).expect("available"),
            lin: lin.clone(),
        };
        let mut state = amp.zero_state();
        let mut at = 0;
        let seconds = seconds_per_call(settings, || {
            at = (at + 1) % samples.len();
            black_box(amp.step(black_box(&[samples[at]]), &mut state));
        });
        results.push((name, seconds * 1e9));
    }
    results
}

macro_rules! amp_sweep {
    ($settings:expr, $peak:expr, $tries:expr, $($hidden:literal),*) => {{
        let mut rows = Vec::new();
        $(
            let sizes = (1, $hidden, 1);
            rows.push(scenario(
                concat!("amp H=", $hidden),
                "LSTM(1, H) + Linear(H, 1) + skip, streamed sample by sample",
                sizes,
                bound($peak, sizes, None, $tries),
                amp_step::<$hidden>($settings),
            ));
        )*
        rows
    }};
}

macro_rules! sweep {
    ($settings:expr, $peak:expr, $tries:expr, $($hidden:literal),*) => {{
        let mut rows = Vec::new();
        $(
            let (mut results, bandwidth) = ours_step::<$hidden, $hidden>($settings);
            results.extend(peers_step($settings, $hidden, $hidden));
            let sizes = ($hidden, $hidden, 1);
            rows.push(scenario(
                concat!("sweep H=", $hidden),
                "input = hidden",
                sizes,
                bound($peak, sizes, Some(bandwidth), $tries),
                results,
            ));
        )*
        rows
    }};
}

/// PyTorch's rows, from `bench/pytorch.json` if `bench/pytorch_bench.py` wrote one on this
/// machine (the file names the CPU model and the vector width PyTorch ran; a file from another
/// machine is left out, with a warning, rather than compared).
fn add_pytorch(scenarios: &mut [Scenario]) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/pytorch.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("no bench/pytorch.json: PyTorch is left out (run bench/pytorch_bench.py)");
        return;
    };
    let string = |key: &str| -> Option<String> {
        let value = text.split(&format!("\"{key}\":")).nth(1)?;
        Some(value.split('"').nth(1)?.to_owned())
    };
    let capability = match Kernel::best() {
        Kernel::Avx512 => "AVX512",
        Kernel::Avx2 => "AVX2",
        Kernel::Portable | Kernel::Neon => "DEFAULT",
    };
    let here = (report::cpu_model(), capability.to_owned());
    let there = (
        string("cpu").unwrap_or_default(),
        string("capability").unwrap_or_default(),
    );
    if here != there {
        eprintln!(
            "bench/pytorch.json was written on another machine ({} {}, this is {} {}): PyTorch \
             is left out; rerun bench/pytorch_bench.py here",
            there.0, there.1, here.0, here.1
        );
        return;
    }
    let number = |scenario: &str, key: &str| -> Option<f64> {
        let block = text.split(&format!("\"{scenario}\"")).nth(1)?;
        let value = block.split(&format!("\"{key}\":")).nth(1)?;
        value.split([',', '}', '\n']).next()?.trim().parse().ok()
    };
    for scenario in scenarios.iter_mut() {
        let name = scenario.name.clone();
        if let Some(ns) = number(&name, "step_ns") {
            scenario
                .results
                .push(("PyTorch nn.LSTM, one call per step (script)".to_owned(), ns));
        }
        if let Some(ns) = number(&name, "sequence_ns") {
            scenario
                .results
                .push(("PyTorch nn.LSTM, whole sequence (script)".to_owned(), ns));
        }
    }
}

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let quick = arguments.iter().any(|argument| argument == "--quick");
    let write = arguments.iter().any(|argument| argument == "--write");
    let settings = if quick {
        Settings {
            quick,
            samples: 5,
            sample_seconds: 0.02,
        }
    } else {
        Settings {
            quick,
            samples: 15,
            sample_seconds: 0.05,
        }
    };
    let tries = if quick { 3 } else { 7 };
    let started = Instant::now();

    let peak = roofline::fma_peak(tries);
    println!(
        "FMA peak: {:.1} GFLOP/s (best kernel: {:?})",
        peak / 1e9,
        Kernel::best()
    );

    let mut scenarios = Vec::new();
    let (mut s1, s1_bandwidth) = ours_step::<100, 256>(&settings);
    s1.extend(peers_step(&settings, 100, 256));
    scenarios.push(scenario(
        "S1",
        "input 100, hidden 256, batch 1, streaming",
        (100, 256, 1),
        bound(peak, (100, 256, 1), Some(s1_bandwidth), tries),
        s1,
    ));

    let (mut s2, s2_bandwidth) = ours_step::<1, 32>(&settings);
    s2.extend(peers_step(&settings, 1, 32));
    scenarios.push(scenario(
        "S2",
        "input 1, hidden 32 (audio), streaming",
        (1, 32, 1),
        bound(peak, (1, 32, 1), Some(s2_bandwidth), tries),
        s2,
    ));

    let (mut s3, s3_bandwidth) = ours_step::<512, 1024>(&settings);
    s3.extend(peers_step(&settings, 512, 1024));
    scenarios.push(scenario(
        "S3",
        "input 512, hidden 1024, batch 1, streaming",
        (512, 1024, 1),
        bound(peak, (512, 1024, 1), Some(s3_bandwidth), tries),
        s3,
    ));

    let s4 = batch_step::<100, 256, 32>(&settings);
    scenarios.push(scenario(
        "S4",
        "input 100, hidden 256, batch 32, one step of all 32",
        (100, 256, 32),
        bound(peak, (100, 256, 32), None, tries),
        s4,
    ));

    add_pytorch(&mut scenarios);
    scenarios.extend(amp_sweep!(&settings, peak, tries, 20, 32, 40, 64));

    let sweep = sweep!(&settings, peak, tries, 8, 16, 32, 64, 128, 256, 512, 1024);

    let compile_time = compile_time::measure(if quick { 3 } else { 5 })
        .inspect_err(|error| eprintln!("compile time not measured: {error}"))
        .ok();

    let report = report::Report {
        peak_flops: peak,
        quick: settings.quick,
        seconds: 0.0,
        scenarios,
        sweep,
        compile_time,
    };
    let report = report::Report {
        seconds: started.elapsed().as_secs_f64(),
        ..report
    };
    println!("{}", report.table());
    println!("{}", report.goals());
    if write {
        report.write().expect("write BENCHMARKS.md and charts");
    }
}
