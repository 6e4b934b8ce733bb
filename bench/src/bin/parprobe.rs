//! What limits `run_batch_parallel` here: S4-shaped work (input 100, hidden 256, 32 sequences)
//! for one time step and for 100, run serially (`run_batch`) and spread over 1 and 2 threads,
//! best of 15 calls each; and a plain FMA loop on 1 and 2 threads, which says whether the
//! machine's two cores each have their own multiply-add units.
//!
//!     cargo run --release --manifest-path bench/Cargo.toml --bin parprobe
use std::hint::black_box;
use std::time::Instant;

use lstm::prelude::*;
use lstm::{LstmLayer, LstmState};

fn best(mut call: impl FnMut()) -> f64 {
    call();
    (0..15)
        .map(|_| {
            let start = Instant::now();
            call();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// 2^24 dependent-chain-free multiply-adds in 8 independent accumulators, per thread.
fn fma_work(seed: f32) -> f32 {
    let mut acc = [seed; 8];
    for _ in 0..(1 << 21) {
        for a in &mut acc {
            *a = a.mul_add(0.999_999, 1e-7);
        }
    }
    acc.iter().sum()
}

fn main() {
    let layer = LstmLayer::<f32, 100, 256>::from_fn(|gate, _, row, col| {
        ((gate.index() * 13 + row * 7 + col * 3) % 17) as f32 * 0.001 - 0.008
    });
    let pools: Vec<_> = [1, 2]
        .map(|threads| {
            lstm::rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool")
        })
        .into();
    for steps in [1, 100] {
        let inputs = vec![[0.25f32; 100]; 32 * steps];
        let mut outputs = vec![[0.0f32; 256]; 32 * steps];
        let mut states = [LstmState::zeros(); 32];
        let serial = best(|| {
            layer
                .run_batch(black_box(&inputs), &mut outputs, &mut states)
                .expect("lengths");
        });
        let parallel: Vec<f64> = pools
            .iter()
            .map(|pool| {
                best(|| {
                    pool.install(|| {
                        layer
                            .run_batch_parallel(black_box(&inputs), &mut outputs, &mut states)
                            .expect("lengths")
                    });
                })
            })
            .collect();
        println!(
            "{steps:>3} step(s) of 32 sequences: serial {:.1} us, parallel 1 thread {:.1} us, \
             2 threads {:.1} us ({:.2}x serial, {:.2}x 1 thread)",
            serial * 1e6,
            parallel[0] * 1e6,
            parallel[1] * 1e6,
            serial / parallel[1],
            parallel[0] / parallel[1]
        );
    }
    let one = best(|| {
        black_box(fma_work(black_box(1.0)));
    });
    let two = best(|| {
        std::thread::scope(|scope| {
            let other = scope.spawn(|| black_box(fma_work(black_box(2.0))));
            black_box(fma_work(black_box(1.0)));
            other.join().expect("joined");
        });
    });
    println!(
        "FMA loop: 1 thread {:.2} ms, the same work on each of 2 threads {:.2} ms ({:.2}x the \
         throughput)",
        one * 1e3,
        two * 1e3,
        2.0 * one / two
    );
}
