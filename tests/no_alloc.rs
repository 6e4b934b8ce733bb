//! A step allocates nothing, and neither do a sequence or batch call given a workspace that has
//! grown to the sequence: a counting global allocator sees zero allocations while they run, for
//! `f32` and `f64`, through a derived spec's weights, a derived weight struct and stacks.
//!
//! The count is per thread: the test harness allocates on its own threads while a test runs,
//! and those allocations are not the step's.
#![allow(
    unsafe_code,
    reason = "a global allocator is an unsafe trait; it only delegates to System"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use lstm::prelude::*;
use lstm::{Lstm, LstmState, LstmWorkspace, Matrix, Vector, Weights};

/// Counts allocations (and reallocations) made through the global allocator, per thread.
struct CountingAllocator;

thread_local! {
    // Const-initialised and without a destructor, so the allocator may touch it at any time.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with` rather than `with`: an allocation while this thread is shutting down must not
    // panic inside the allocator.
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

// SAFETY: every method forwards to `System` with the arguments it was given, so the allocator
// upholds exactly `System`'s guarantees; the counter has no effect on the memory returned.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged; the caller upholds `alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: forwarded unchanged; the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; the caller upholds `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// The number of allocations `work` makes.
fn allocations_during(work: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    work();
    ALLOCATIONS.with(Cell::get) - before
}

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 5)]
struct SmallCell {
    w_i: Matrix<f64, 5, 3>,
    u_i: Matrix<f64, 5, 5>,
    b_i: Vector<f64, 5>,
    w_f: Matrix<f64, 5, 3>,
    u_f: Matrix<f64, 5, 5>,
    b_f: Vector<f64, 5>,
    w_c: Matrix<f64, 5, 3>,
    u_c: Matrix<f64, 5, 5>,
    b_c: Vector<f64, 5>,
    w_o: Matrix<f64, 5, 3>,
    u_o: Matrix<f64, 5, 5>,
    b_o: Vector<f64, 5>,
}

fn varied(seed: usize) -> f32 {
    ((seed * 7919 % 1000) as f32 / 1000.0 - 0.5) * 0.2
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the other tests: a counter that never counts would make them pass vacuously.
    let counted = allocations_during(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(counted, 1);
}

#[test]
fn f32_step_and_sequence_allocate_nothing() {
    let weights = Weights::<Encoder>::from_fn(|_, _, row, col| varied(row * 131 + col));
    let inputs: Vec<[f32; 100]> = (0..50)
        .map(|t| core::array::from_fn(|k| varied(t * 100 + k)))
        .collect();
    let mut outputs = vec![[0.0f32; 256]; 50];
    let mut state = LstmState::zeros();
    // Input 100, hidden 256 hoists its input projection: the first call sizes the workspace.
    let mut workspace = LstmWorkspace::default();
    weights
        .run_with(&inputs, &mut outputs, &mut state, &mut workspace)
        .unwrap();

    let counted = allocations_during(|| {
        for x in &inputs {
            std::hint::black_box(weights.step(x, &mut state));
        }
        weights
            .run_with(&inputs, &mut outputs, &mut state, &mut workspace)
            .unwrap();
        std::hint::black_box(&outputs);
    });
    assert_eq!(counted, 0);
    assert!(
        outputs.iter().flatten().any(|&h| h != 0.0),
        "the steps really ran"
    );
}

#[test]
fn f64_weight_struct_allocates_nothing() {
    let cell = SmallCell {
        w_i: Matrix::from_fn(|r, c| 0.1 * (r + c) as f64),
        u_i: Matrix::from_fn(|r, c| 0.05 * (r as f64 - c as f64)),
        b_i: Vector::from_fn(|r| 0.01 * r as f64),
        w_f: Matrix::from_fn(|r, c| 0.02 * (r * c) as f64),
        u_f: Matrix::zeros(),
        b_f: Vector::from_fn(|_| 1.0),
        w_c: Matrix::from_fn(|r, c| 0.3 - 0.1 * (r + c) as f64),
        u_c: Matrix::from_fn(|r, c| 0.01 * (r + 2 * c) as f64),
        b_c: Vector::zeros(),
        w_o: Matrix::from_fn(|r, c| 0.07 * (r as f64 - 1.5 * c as f64)),
        u_o: Matrix::zeros(),
        b_o: Vector::zeros(),
    };
    let inputs = [[0.5, -1.0, 2.0]; 20];
    let mut outputs = [[0.0f64; 5]; 20];
    let mut state = LstmState::zeros();
    let packed = cell.pack();
    let mut workspace = LstmWorkspace::default();
    packed
        .run_with(&inputs, &mut outputs, &mut state, &mut workspace)
        .unwrap();
    let counted = allocations_during(|| {
        std::hint::black_box(cell.as_cell().step(&[1.0, 2.0, 3.0], &mut state));
        cell.as_cell()
            .run(&inputs, &mut outputs, &mut state)
            .unwrap();
        std::hint::black_box(packed.step(&[1.0, 2.0, 3.0], &mut state));
        packed
            .run_with(&inputs, &mut outputs, &mut state, &mut workspace)
            .unwrap();
        std::hint::black_box(&outputs);
    });
    assert_eq!(counted, 0);
}

/// A stack's sequence and batch calls allocate nothing once their workspace has grown to the
/// longest sequence it is given.
#[test]
fn stack_calls_with_a_reused_workspace_allocate_nothing() {
    use lstm::{Bidirectional, LstmLayer, Stacked};
    type Model = Stacked<Bidirectional<LstmLayer<f32, 3, 4>, 8>, LstmLayer<f32, 8, 4>>;
    let model = Model::zeros();
    let inputs = vec![[0.5f32; 3]; 40];
    let mut outputs = vec![[0.0f32; 4]; 40];
    let mut states = vec![model.zero_state(); 4];
    let mut workspace = Default::default();
    // The first calls size the workspace.
    model
        .run_with(&inputs, &mut outputs, &mut states[0], &mut workspace)
        .unwrap();
    model
        .run_batch_with(&inputs, &mut outputs, &mut states, &mut workspace)
        .unwrap();
    let counted = allocations_during(|| {
        model
            .run_with(
                &inputs[..10],
                &mut outputs[..10],
                &mut states[0],
                &mut workspace,
            )
            .unwrap();
        model
            .run_batch_with(&inputs, &mut outputs, &mut states, &mut workspace)
            .unwrap();
    });
    assert_eq!(counted, 0);
}

/// The packed cell allocates nothing: a step, a sequence call (hoisted, at input 100 and hidden
/// 256) and a batch call with a grown workspace, with f32 and bf16 storage (the layout is built
/// once, by `pack`, before).
#[test]
fn packed_calls_allocate_nothing() {
    use lstm::{Bf16, LstmWeights};
    let weights = LstmWeights::<f32, 100, 256>::from_fn(|_, _, row, col| varied(row * 131 + col));
    let (packed, narrow) = (weights.pack(), weights.pack_as::<Bf16>());
    let inputs: Vec<[f32; 100]> = (0..12)
        .map(|t| core::array::from_fn(|k| varied(t * 100 + k)))
        .collect();
    let mut outputs = vec![[0.0f32; 256]; 12];
    let mut states = vec![LstmState::zeros(); 6];
    let mut workspace = LstmWorkspace::default();
    packed
        .run_with(&inputs, &mut outputs, &mut states[1], &mut workspace)
        .unwrap();
    let counted = allocations_during(|| {
        std::hint::black_box(packed.step(&inputs[0], &mut states[0]));
        packed
            .run_with(&inputs, &mut outputs, &mut states[1], &mut workspace)
            .unwrap();
        packed
            .run_batch_with(&inputs, &mut outputs, &mut states, &mut workspace)
            .unwrap();
        std::hint::black_box(narrow.step(&inputs[0], &mut states[0]));
        narrow
            .run_batch_with(&inputs, &mut outputs, &mut states, &mut workspace)
            .unwrap();
    });
    assert_eq!(counted, 0);
}
