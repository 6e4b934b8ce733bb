//! What the machine can do at best: fused multiply-adds per second, and bytes per second read
//! from a working set of a given size. A scenario's bound is the larger of its FLOPs at the FMA
//! peak and its weight bytes at the read bandwidth for that size.

use std::hint::black_box;
use std::time::Instant;

use lstm::Kernel;

/// Independent accumulator registers: enough to cover FMA latency on two FMA units.
const CHAINS: usize = 12;
/// Lanes of `f32` per vector in the bandwidth probe (one AVX-512 register).
const LANES: usize = 16;

/// FLOP/s of the widest FMA this CPU has (2 FLOPs per lane of a fused multiply-add), best of
/// `tries`. Written with explicit intrinsics on `CHAINS` independent registers: measuring the
/// peak is the one place where the compiler must not choose the code (left to it, it merged the
/// chains and measured 3.4 GFLOP/s).
pub(crate) fn fma_peak(tries: usize) -> f64 {
    let iterations = 4_000_000;
    let mut best = 0.0f64;
    for _ in 0..tries {
        let start = Instant::now();
        let (sink, lanes) = fma_probe(iterations);
        let seconds = start.elapsed().as_secs_f64();
        black_box(sink);
        let flops = (iterations * CHAINS * lanes * 2) as f64;
        best = best.max(flops / seconds);
    }
    best
}

/// Runs the probe; returns its result (to keep it alive) and the lanes per FMA.
fn fma_probe(iterations: usize) -> (f32, usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if Kernel::Avx512.is_available() {
            // SAFETY: AVX-512F was just detected on this CPU.
            return (unsafe { fma_probe_avx512(iterations) }, 16);
        }
        if Kernel::Avx2.is_available() {
            // SAFETY: AVX2 and FMA were just detected on this CPU.
            return (unsafe { fma_probe_avx2(iterations) }, 8);
        }
    }
    let mut acc = [0.0f32; CHAINS];
    let (a, b) = (black_box(0.999_999_9f32), black_box(1e-7f32));
    for _ in 0..iterations {
        for x in &mut acc {
            *x = *x * a + b;
        }
    }
    (acc.iter().sum(), 1)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn fma_probe_avx512(iterations: usize) -> f32 {
    use core::arch::x86_64::{
        _mm512_fmadd_ps, _mm512_reduce_add_ps, _mm512_set1_ps, _mm512_setzero_ps,
    };
    let (a, b) = (
        _mm512_set1_ps(black_box(0.999_999_9)),
        _mm512_set1_ps(black_box(1e-7)),
    );
    let mut acc = [_mm512_setzero_ps(); CHAINS];
    for _ in 0..iterations {
        for x in &mut acc {
            *x = _mm512_fmadd_ps(*x, a, b);
        }
    }
    acc.iter().map(|&x| _mm512_reduce_add_ps(x)).sum()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn fma_probe_avx2(iterations: usize) -> f32 {
    use core::arch::x86_64::{
        _mm256_fmadd_ps, _mm256_set1_ps, _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let (a, b) = (
        _mm256_set1_ps(black_box(0.999_999_9)),
        _mm256_set1_ps(black_box(1e-7)),
    );
    let mut acc = [_mm256_setzero_ps(); CHAINS];
    for _ in 0..iterations {
        for x in &mut acc {
            *x = _mm256_fmadd_ps(*x, a, b);
        }
    }
    let mut lanes = [0.0f32; 8];
    let mut sum = 0.0;
    for x in acc {
        // SAFETY: `lanes` holds the 8 floats the store writes.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), x) };
        sum += lanes.iter().sum::<f32>();
    }
    sum
}

/// Bytes per second read from a buffer of `bytes` that is read again and again (so it sits in
/// whichever cache level holds that size), best of `tries`.
pub(crate) fn read_bandwidth(bytes: usize, tries: usize) -> f64 {
    let probe = ReadProbe::new(bytes);
    probe.run(); // warm the caches
    let mut best = 0.0f64;
    for _ in 0..tries {
        let start = Instant::now();
        for _ in 0..probe.runs_per_256_mb() {
            probe.run();
        }
        let bytes = probe.runs_per_256_mb() as f64 * probe.bytes_per_run();
        best = best.max(bytes / start.elapsed().as_secs_f64());
    }
    best
}

/// A buffer of a scenario's weight size and the reads that measure its bandwidth: each
/// [`run`](Self::run) reads it as many times as make about 1 MB, so that a small buffer's
/// figure does not include the per-call overhead.
pub(crate) struct ReadProbe {
    buffer: Vec<f32>,
    start: usize,
    len: usize,
    passes: usize,
}

impl ReadProbe {
    pub(crate) fn new(bytes: usize) -> Self {
        // Whole blocks of 64 floats, from a 64-byte boundary, as the packed weights are laid
        // out (a vector load across two cache lines costs two).
        let len = bytes.div_ceil(4).next_multiple_of(64).max(64);
        let buffer = vec![1.0f32; len + 16];
        let start = buffer.as_ptr().align_offset(64).min(16);
        let passes = (1 << 20) / (4 * len) + 1;
        Self {
            buffer,
            start,
            len,
            passes,
        }
    }

    /// One timed unit: `passes` reads of the buffer.
    pub(crate) fn run(&self) {
        black_box(read_probe(
            &self.buffer[self.start..self.start + self.len],
            self.passes,
        ));
    }

    /// Bytes one [`run`](Self::run) reads.
    pub(crate) fn bytes_per_run(&self) -> f64 {
        (4 * self.len * self.passes) as f64
    }

    fn runs_per_256_mb(&self) -> usize {
        ((256 << 20) as f64 / self.bytes_per_run()).ceil() as usize
    }
}

/// `passes` reads of `values`, the accumulators kept in registers across passes, so that a
/// small buffer's figure does not include a reduction per pass.
fn read_probe(values: &[f32], passes: usize) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if Kernel::Avx512.is_available() {
            // SAFETY: AVX-512F was just detected on this CPU.
            return unsafe { read_avx512(values, passes) };
        }
        if Kernel::Avx2.is_available() {
            // SAFETY: AVX2 was just detected on this CPU.
            return unsafe { read_avx2(values, passes) };
        }
    }
    sum_lanes(values, passes)
}

/// Explicit loads into 8 independent accumulators, for the same reason as the FMA probe: the
/// compiler's own version of this loop read at 49 GB/s where the LSTM step itself streamed its
/// weights at 81 GB/s.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn read_avx512(values: &[f32], passes: usize) -> f32 {
    use core::arch::x86_64::{
        _mm512_add_ps, _mm512_loadu_ps, _mm512_reduce_add_ps, _mm512_setzero_ps,
    };
    let mut acc = [_mm512_setzero_ps(); 8];
    for _ in 0..passes {
        // Opaque each pass, so that the reads cannot be merged across passes.
        let (blocks, _) = black_box(values).as_chunks::<{ 8 * 16 }>();
        for block in blocks {
            for (chain, sum) in acc.iter_mut().enumerate() {
                // SAFETY: `block` holds 128 floats, so the 16 read from `chain * 16` are in it.
                let loaded = unsafe { _mm512_loadu_ps(block.as_ptr().add(chain * 16)) };
                *sum = _mm512_add_ps(*sum, loaded);
            }
        }
    }
    acc.iter().map(|&x| _mm512_reduce_add_ps(x)).sum()
}

/// The AVX2 probe, with explicit loads for the same reason as the AVX-512 one: the compiled
/// `sum_lanes` read 127 GB/s from a 17 KB buffer on a Zen 3, below what the LSTM step's own
/// loads reach there.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn read_avx2(values: &[f32], passes: usize) -> f32 {
    use core::arch::x86_64::{_mm256_add_ps, _mm256_loadu_ps, _mm256_setzero_ps, _mm256_storeu_ps};
    let mut acc = [_mm256_setzero_ps(); 8];
    for _ in 0..passes {
        // Opaque each pass, so that the reads cannot be merged across passes.
        let (blocks, _) = black_box(values).as_chunks::<{ 8 * 8 }>();
        for block in blocks {
            for (chain, sum) in acc.iter_mut().enumerate() {
                // SAFETY: `block` holds 64 floats, so the 8 read from `chain * 8` are in it.
                let loaded = unsafe { _mm256_loadu_ps(block.as_ptr().add(chain * 8)) };
                *sum = _mm256_add_ps(*sum, loaded);
            }
        }
    }
    let mut lanes = [0.0f32; 8];
    let mut total = 0.0;
    for sum in acc {
        // SAFETY: `lanes` holds the 8 floats the store writes.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
        total += lanes.iter().sum::<f32>();
    }
    total
}

/// Sums with four independent vectors of lanes, so that loads, not additions, limit it.
#[inline(always)]
fn sum_lanes(values: &[f32], passes: usize) -> f32 {
    let mut acc = [[0.0f32; LANES]; 4];
    for _ in 0..passes {
        let (blocks, _) = black_box(values).as_chunks::<{ 4 * LANES }>();
        for block in blocks {
            for (chain, lanes) in acc.iter_mut().enumerate() {
                for (lane, sum) in lanes.iter_mut().enumerate() {
                    *sum += block[chain * LANES + lane];
                }
            }
        }
    }
    acc.iter().flatten().sum()
}
