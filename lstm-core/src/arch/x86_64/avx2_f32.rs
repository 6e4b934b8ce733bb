//! The `f32` kernels for AVX2 with FMA, written with intrinsics.
//!
//! The generic kernels (`kernel/generic.rs`) are vectorised by the compiler. On a 16-register AVX2
//! machine it kept too few independent sums in registers for a batch (measured on a Zen 3 at
//! input 100, hidden 256, 32 sequences: 530 us a step, 43% of the FMA peak, now about 262 us).
//! Here the register blocking is explicit: a block of `NB` sequences and `V` of the 8 vectors
//! of a packed row are summed in `NB x V` registers, each weight loaded once for the block and
//! each input broadcast once for the `V` vectors (for one sequence over weights in cache, four
//! inputs come from one load, broadcast by shuffles):
//!
//! | sequences | vectors per pass | sums in registers | used for |
//! |---|---|---|---|
//! | 1 | 8 (the whole row) | 8 | one sequence: `step`, `run`, the hoisted recurrence |
//! | 2, 3 | 4 | 8, 12 | small batches (a batch is split into blocks of at most 6, |
//! | 4, 5, 6 | 2 | 8, 10, 12 | of sizes differing by at most one: 32 as 6, 6, 5, 5, 5, 5) |
//!
//! The cell updates then run as blocks of independent work (two tiles, or two sequences, with
//! the activations of several units computed in step), weights beyond L2 are prefetched far
//! ahead, and a single sequence's steps over weights a few times the size of L2 walk the
//! tiles forwards and backwards in turn, so that each starts on tiles still in L2.
//!
//! Each lane's sum still runs in the order of the generic kernels (bias or projected input,
//! then `x` in order, then `h` in order, one FMA each), so a batch gives exactly the results
//! of separate calls and the hoisted calls exactly those of `run`.
//!
//! Everything here is `#[target_feature(enable = "avx2,fma,f16c")]`: safe to call only where AVX2,
//! FMA and F16C were detected, which only [`Avx2`](super::Avx2) proves (`x86_64/mod.rs`).

use core::arch::asm;
use core::arch::x86_64::{
    __m256, _MM_HINT_T0, _mm_loadu_ps, _mm_loadu_si128, _mm_prefetch, _mm256_add_ps,
    _mm256_and_si256, _mm256_castps_si256, _mm256_castsi256_ps, _mm256_cvtph_ps, _mm256_div_ps,
    _mm256_fmadd_ps, _mm256_fmsub_ps, _mm256_fnmsub_ps, _mm256_loadu_ps, _mm256_loadu_si256,
    _mm256_max_ps, _mm256_min_ps, _mm256_mul_ps, _mm256_permute_ps, _mm256_permute2f128_ps,
    _mm256_permutevar8x32_ps, _mm256_set_m128, _mm256_set1_epi32, _mm256_set1_ps, _mm256_setr_ps,
    _mm256_setzero_ps, _mm256_shuffle_ps, _mm256_slli_epi32, _mm256_srli_epi32, _mm256_storeu_ps,
    _mm256_sub_ps, _mm256_unpackhi_ps, _mm256_unpacklo_ps,
};

use super::f32_array;
use crate::kernel::{StepInput, TILE};
use crate::{Bf16, F16, Float, LstmState};

/// `f32` lanes in a vector.
const LANES: usize = 8;
/// Elements of a packed row: 4 gates x `TILE` lanes.
const ROW: usize = 4 * TILE;
/// Vectors in a packed row; vector `2 g + j` holds gate `g`, lanes `8 j .. 8 j + 8`.
const ROW_VECTORS: usize = ROW / LANES;
/// Sequences (or time steps, in the input projection) that share each weight load.
const BLOCK: usize = 6;

/// A packed weight the kernels can load as `f32` lanes, sixteen (one gate of a tile) at a time.
pub(super) trait Weight: Copy {
    /// Whether [`load_pair`](Self::load_pair) gives the even lanes, then the odd ones, instead
    /// of lanes 0-7, then 8-15.
    const INTERLEAVED: bool;

    /// Sixteen values as two vectors of `f32` lanes.
    ///
    /// # Safety
    /// The CPU must have AVX2 and F16C.
    unsafe fn load_pair(lanes: &[Self; 2 * LANES]) -> [__m256; 2];
}

impl Weight for f32 {
    const INTERLEAVED: bool = false;

    #[inline(always)]
    unsafe fn load_pair(lanes: &[f32; 2 * LANES]) -> [__m256; 2] {
        // SAFETY: `lanes` is 16 readable floats; the caller guarantees AVX2.
        unsafe {
            [
                _mm256_loadu_ps(lanes.as_ptr()),
                _mm256_loadu_ps(lanes.as_ptr().add(LANES)),
            ]
        }
    }
}

impl Weight for Bf16 {
    const INTERLEAVED: bool = true;

    /// A bf16 is the top half of an `f32`. One 256-bit load holds sixteen: shifted left by 16
    /// bits, each 32-bit lane is its even bf16 as an `f32`; masked, its odd one. Two
    /// operations for sixteen weights, where zero-extending eight at a time took two loads and
    /// four operations (S1, input 100 and hidden 256, went from 18.1 to 13.5 us a step).
    #[inline(always)]
    unsafe fn load_pair(lanes: &[Bf16; 2 * LANES]) -> [__m256; 2] {
        // SAFETY: `Bf16` is `repr(transparent)` over `u16`, so `lanes` is the 32 readable bytes
        // of one unaligned 256-bit load; the caller guarantees AVX2.
        unsafe {
            let bits = _mm256_loadu_si256(lanes.as_ptr().cast());
            let high = _mm256_set1_epi32(0xFFFF_0000_u32.cast_signed());
            [
                _mm256_castsi256_ps(_mm256_slli_epi32::<16>(bits)),
                _mm256_castsi256_ps(_mm256_and_si256(bits, high)),
            ]
        }
    }
}

impl Weight for F16 {
    const INTERLEAVED: bool = false;

    /// Eight half-precision values per conversion (F16C), exactly.
    #[inline(always)]
    unsafe fn load_pair(lanes: &[F16; 2 * LANES]) -> [__m256; 2] {
        // SAFETY: `F16` is `repr(transparent)` over `u16`, so `lanes` is 32 readable bytes,
        // two unaligned 128-bit loads; the caller guarantees AVX2 and F16C.
        unsafe {
            let low = _mm_loadu_si128(lanes.as_ptr().cast());
            let high = _mm_loadu_si128(lanes.as_ptr().add(LANES).cast());
            [_mm256_cvtph_ps(low), _mm256_cvtph_ps(high)]
        }
    }
}

/// Lanes 0-7 and 8-15 of sixteen as their even and odd lanes: the order of
/// [`Weight::load_pair`] for interleaved storage.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn interleave([low, high]: [__m256; 2]) -> [__m256; 2] {
    let first = _mm256_permute2f128_ps::<0x20>(low, high); // 0-3 | 8-11
    let second = _mm256_permute2f128_ps::<0x31>(low, high); // 4-7 | 12-15
    [
        _mm256_shuffle_ps::<0b10_00_10_00>(first, second), // 0 2 4 6 | 8 10 12 14
        _mm256_shuffle_ps::<0b11_01_11_01>(first, second), // 1 3 5 7 | 9 11 13 15
    ]
}

/// The inverse of [`interleave`]: even and odd lanes back to lanes 0-7 and 8-15.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn deinterleave([even, odd]: [__m256; 2]) -> [__m256; 2] {
    let low = _mm256_unpacklo_ps(even, odd); // 0 1 2 3 | 8 9 10 11
    let high = _mm256_unpackhi_ps(even, odd); // 4 5 6 7 | 12 13 14 15
    [
        _mm256_permute2f128_ps::<0x20>(low, high),
        _mm256_permute2f128_ps::<0x31>(low, high),
    ]
}

/// The logistic function `1 / (1 + e^-x)` for each vector of `x`, `e^-x` as `2^(m/8) e^r`:
/// `m = round(-8 x log2 e)` comes from one FMA with `1.5 * 2^23`, whose low bits then hold
/// `m + 1016`: their top eight the exponent field of `2^floor(m/8)`, their low three the index
/// of `2^(j/8)` in a table of eight (one permute); `r = -x - m ln2/8` is within
/// `ln2/16`, where `1 + r + c2 r^2 + c3 r^3` is within 3.8e-8 of `e^r` (and the table within
/// 3.2e-8 of its powers: both from `scripts/exp_coefficients.py`). Against Cephes' degree-7
/// polynomial over `[-ln2/2, ln2/2]` (as `exp_f32` in `element.rs`) that is four fewer
/// FMA-unit operations and 4 cycles less on the chain; the activation test's maxima did not
/// move, S2 went from 180 to 174 ns and S4 from 264 to 261 us. Each step is taken for all the
/// vectors before the next: one activation is a chain of some fifteen dependent operations,
/// and the CPU's scheduler holds only a few chains' worth, so chains written one after another
/// ran one after another (the cell updates took 80 cycles per 8 units on a Zen 3). NaN stays
/// NaN.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
#[allow(
    clippy::excessive_precision,
    reason = "the constants as scripts/exp_coefficients.py prints them"
)]
fn logistic<const A: usize, const B: usize>(x: [[__m256; B]; A]) -> [[__m256; B]; A] {
    // `-x` within [-88.3, 87.3] keeps `floor(m/8)` in [-126, 127], where `2^floor(m/8)` is a
    // normal `f32` (and `e^-x` below the largest `f32`).
    // `min`/`max` return their second operand when either is NaN: written this way round, a NaN
    // argument passes through.
    let mut x = x;
    let (low, high) = (_mm256_set1_ps(-88.3), _mm256_set1_ps(87.3));
    for x in x.as_flattened_mut() {
        *x = _mm256_max_ps(low, _mm256_min_ps(high, *x));
    }
    // `shifted = 1.5 * 2^23 + 1016 + m`: adding 1.5 * 2^23 rounds to an integer, and the
    // mantissa's low bits are `m + 1016` (8 to 2035; 1016 = 8 * 127, the exponent bias).
    let (minus_8_log2_e, shift) = (
        _mm256_set1_ps(-8.0 * core::f32::consts::LOG2_E),
        _mm256_set1_ps(12_582_912.0 + 1016.0),
    );
    let mut shifted = x;
    for shifted in shifted.as_flattened_mut() {
        *shifted = _mm256_fmadd_ps(*shifted, minus_8_log2_e, shift);
    }
    // r = -x - m ln2/8 (`f32` holds ln2/8 to 2e-10 relative, which moves no result by 1e-9).
    let ln2_8 = _mm256_set1_ps(core::f32::consts::LN_2 / 8.0);
    let mut r = x;
    for ((r, &shifted), &x) in r
        .as_flattened_mut()
        .iter_mut()
        .zip(shifted.as_flattened())
        .zip(x.as_flattened())
    {
        let m = _mm256_sub_ps(shifted, shift);
        *r = _mm256_fnmsub_ps(m, ln2_8, x);
    }
    let one = _mm256_set1_ps(1.0);
    let (c2, c3) = (_mm256_set1_ps(0.500_078_201), _mm256_set1_ps(0.166_682_303));
    let eighths = _mm256_setr_ps(
        1.0,
        1.090_507_75,
        1.189_207_08,
        1.296_839_59,
        1.414_213_54,
        1.542_210_82,
        1.681_792_86,
        1.834_008_1,
    );
    let mut out = r;
    for ((out, &r), &shifted) in out
        .as_flattened_mut()
        .iter_mut()
        .zip(r.as_flattened())
        .zip(shifted.as_flattened())
    {
        let bits = _mm256_castps_si256(shifted);
        // The permute reads the low three bits of each lane's index.
        let eighth = _mm256_permutevar8x32_ps(eighths, bits);
        let power = _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_srli_epi32::<3>(bits)));
        let scale = _mm256_mul_ps(eighth, power);
        let r2 = _mm256_mul_ps(r, r);
        let e_r = _mm256_fmadd_ps(r2, _mm256_fmadd_ps(c3, r, c2), _mm256_add_ps(one, r));
        // 1 + e^-x = 1 + e^r 2^(m/8), the sum in the same FMA.
        *out = _mm256_div_ps(one, _mm256_fmadd_ps(e_r, scale, one));
    }
    out
}

/// The logistic function `1 / (1 + e^-x)`, absolute error below 1e-7 (one vector, for the
/// tests; the kernels take gates four at a time).
#[cfg(test)]
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn sigmoid(x: __m256) -> __m256 {
    let [[s]] = logistic([[x]]);
    s
}

/// `tanh x = 2 / (1 + e^-2x) - 1`, absolute error below 2e-7 (one vector, for the tests; the
/// kernels fold the last step into the cell update).
#[cfg(test)]
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn tanh(x: __m256) -> __m256 {
    let [[s]] = logistic([[_mm256_add_ps(x, x)]]);
    _mm256_fmsub_ps(_mm256_set1_ps(2.0), s, _mm256_set1_ps(1.0))
}

/// Adds `rows` times `inputs` to the sums of `NB` sequences, for vectors `group .. group + V`
/// of each row: per input element `k`, the `V` weight vectors are loaded once and each
/// sequence's `inputs[k]` broadcast once. `N` is a constant, so `inputs[k]` needs no check.
///
/// One sequence's whole rows from cache (a step over weights within [`FAR_BYTES`]) take four
/// inputs at a time from one load ([`broadcast_four`]): there the loads, not the FMAs, were
/// the limit (8 weight vectors and a broadcast per row against 8 FMAs, at 2 loads a cycle),
/// and at input 1, hidden 32 a step went from 170-171 to 162-163 ns on a Zen 3. The order of
/// each lane's FMAs is the same either way, so a step (one sequence, this path) and a batch
/// (the general path below) agree bit for bit, which the packed tests check.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn accumulate<W: Weight, const NB: usize, const V: usize, const N: usize, const FAR: bool>(
    acc: &mut [[__m256; V]; NB],
    (rows, inputs): Part<'_, W, N, NB>,
    group: usize,
) {
    let mut done = 0;
    if let ([sums], [inputs]) = (acc.as_mut_slice(), inputs.as_slice())
        && V == ROW_VECTORS
        && !FAR
    {
        let (quads, _) = rows.as_chunks::<4>();
        let (values, _) = inputs.as_chunks::<4>();
        for (quad, values) in quads.iter().zip(values) {
            for (row, broadcast) in quad.iter().zip(broadcast_four(values)) {
                let (pairs, _) = row.as_chunks::<{ 2 * LANES }>();
                // Indexed rather than zipped with `sums.as_chunks_mut()`: that form compiled
                // to a step of 167-168 ns.
                for (v, pair) in pairs.iter().enumerate() {
                    // SAFETY: compiled for AVX2, called only where it was detected.
                    let [w0, w1] = unsafe { W::load_pair(pair) };
                    sums[2 * v] = _mm256_fmadd_ps(w0, broadcast, sums[2 * v]);
                    sums[2 * v + 1] = _mm256_fmadd_ps(w1, broadcast, sums[2 * v + 1]);
                }
            }
        }
        done = 4 * quads.len();
    }
    for (k, row) in rows.iter().enumerate().skip(done) {
        let (vectors, _) = row.as_chunks::<LANES>();
        // This pass's cache lines some rows on: a pass over part of each row reads a stride
        // the hardware prefetcher follows too late, and weights from beyond L2 (`FAR`) need
        // more reads in flight than it keeps. (A whole-row pass over weights in cache reads
        // every line in order, which the hardware prefetches well.)
        if V < ROW_VECTORS || FAR {
            let ahead = if FAR { FAR_AHEAD } else { PREFETCH } * ROW;
            let per_line = (64 / size_of::<[W; LANES]>()).max(1);
            for vector in vectors[group..group + V].iter().step_by(per_line) {
                // A prefetch is a hint: it reads nothing and never faults, whatever the
                // address (`wrapping_add` computes it without claiming it is in bounds).
                _mm_prefetch::<_MM_HINT_T0>(vector.as_ptr().wrapping_add(ahead).cast());
            }
        }
        let (pairs, _) = row.as_chunks::<{ 2 * LANES }>();
        let mut weights = [_mm256_setzero_ps(); V];
        for (v, weight) in weights.as_chunks_mut::<2>().0.iter_mut().enumerate() {
            // SAFETY: this function is compiled for AVX2 and only called where it was detected.
            *weight = unsafe { W::load_pair(&pairs[(group + 2 * v) / 2]) };
        }
        for (sums, input) in acc.iter_mut().zip(inputs) {
            let broadcast = _mm256_set1_ps(input[k]);
            for (sum, &weight) in sums.iter_mut().zip(&weights) {
                *sum = _mm256_fmadd_ps(weight, broadcast, *sum);
            }
        }
    }
}

/// Each of `values` broadcast to a vector, from one 16-byte load and four in-lane shuffles
/// rather than four broadcast loads.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn broadcast_four(values: &[f32; 4]) -> [__m256; 4] {
    // SAFETY: compiled for AVX2 (detected by the caller); `values` is 4 readable floats.
    let four = unsafe { _mm_loadu_ps(values.as_ptr()) };
    let mut both = _mm256_set_m128(four, four);
    // The compiler would turn each shuffle of a loaded vector back into a broadcast load
    // (measured: 166-169 ns a step at input 1, hidden 32, against 162-163 ns with this block).
    // An empty block that may have changed `both` stops it.
    // SAFETY: the block has no instructions: it touches no memory, stack or flags, and leaves
    // the register it is given as it was.
    unsafe {
        asm!("/* {0} */", inout(ymm_reg) both, options(pure, nomem, nostack, preserves_flags));
    }
    [
        _mm256_permute_ps::<0x00>(both),
        _mm256_permute_ps::<0x55>(both),
        _mm256_permute_ps::<0xAA>(both),
        _mm256_permute_ps::<0xFF>(both),
    ]
}

/// How many rows ahead [`accumulate`] prefetches in a pass over part of each row.
const PREFETCH: usize = 8;

/// How many rows ahead [`accumulate`] prefetches in a whole-row pass over weights that come from
/// beyond L2 (`FAR`): 8 KB of f32 weights, enough reads in flight to cover L3 or memory latency.
/// At input 512, hidden 1024 a step took 595-640 us with it against 690-790 us without;
/// weights in L1 (input 1, hidden 32) lost to the extra instructions (200 -> 223 ns), hence
/// [`FAR_BYTES`].
const FAR_AHEAD: usize = 32;

/// Weights larger than this are read with far prefetches (see [`FAR_AHEAD`]): half a Zen 3 L2.
const FAR_BYTES: usize = 256 << 10;

/// Whether a whole-row pass over `tiles` should prefetch far ahead: the `FAR` of [`step`].
fn far<W>(tiles: &[W]) -> bool {
    size_of_val(tiles) > FAR_BYTES
}

/// Whether steps over `bytes` of weights should walk the tiles back and forth (the `reverse`
/// of [`step`]): weights beyond half of L2 but within 8 times that, where the tiles a step
/// reads last are still in L2 when the next one starts on them. Input 100, hidden 256 with
/// bf16 weights (0.73 MB) took 11.3-11.6 us a step that way against 12.3-13.3 us always
/// forwards; at input 512, hidden 1024 (25 MB) it lost 1-2%, starting tiles without the far
/// prefetch of their first rows, and at input 1, hidden 32 the flag cost 9 ns of 180.
pub(super) fn alternates(bytes: usize) -> bool {
    bytes > FAR_BYTES && bytes <= 8 * FAR_BYTES
}

/// `N` packed rows and, for each of `NB` sequences, the `N` inputs they multiply.
type Part<'a, W, const N: usize, const NB: usize> = (&'a [[W; ROW]; N], [&'a [f32; N]; NB]);

/// The 4 gates x `TILE` sums of one tile for `NB` sequences: each sequence's sums start from its
/// row of `starts` (the bias, or its projected input), then add `W x` and `U h` where given,
/// `V` vectors of the row at a time.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn tile_sums<
    W: Weight,
    X: Weight,
    const NB: usize,
    const V: usize,
    const I: usize,
    const R: usize,
    const FAR: bool,
>(
    starts: [&[X; ROW]; NB],
    x: Option<Part<'_, W, I, NB>>,
    h: Option<Part<'_, W, R, NB>>,
    sums: &mut [[__m256; ROW_VECTORS]; NB],
) {
    for group in (0..ROW_VECTORS).step_by(V) {
        let acc = &mut starts.map(|start| load_row::<W, X, V>(start, group));
        if let Some(part) = x {
            accumulate::<W, NB, V, I, FAR>(acc, part, group);
        }
        if let Some(part) = h {
            accumulate::<W, NB, V, R, FAR>(acc, part, group);
        }
        for (whole, part) in sums.iter_mut().zip(acc) {
            in_unit_order::<W, V>(part);
            whole[group..group + V].copy_from_slice(part);
        }
    }
}

/// Vectors `group .. group + V` of a row of sums' starting values (`start`, the bias or a
/// projected input, stored as `X`), in the lane order of `W`'s loads.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn load_row<W: Weight, X: Weight, const V: usize>(start: &[X; ROW], group: usize) -> [__m256; V] {
    let mut sums = [_mm256_setzero_ps(); V];
    let (pairs, _) = start.as_chunks::<{ 2 * LANES }>();
    for (v, sums) in sums.as_chunks_mut::<2>().0.iter_mut().enumerate() {
        // SAFETY: compiled for AVX2, called only where it was detected.
        *sums = unsafe { X::load_pair(&pairs[(group + 2 * v) / 2]) };
        if W::INTERLEAVED && !X::INTERLEAVED {
            *sums = interleave(*sums);
        }
    }
    sums
}

/// Sums accumulated in the lane order of `W`'s loads, put back in the order of the units
/// (only [`Weight::INTERLEAVED`] loads change it).
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn in_unit_order<W: Weight, const V: usize>(sums: &mut [__m256; V]) {
    if W::INTERLEAVED {
        for pair in sums.as_chunks_mut::<2>().0 {
            *pair = deinterleave(*pair);
        }
    }
}

/// One tile's cell update for one sequence: its gate sums, and the tile's units of `c` and of
/// the output `h = o * tanh(c)` (as many as the tile has real units, up to `TILE`).
struct Cells<'a> {
    sums: &'a [__m256; ROW_VECTORS],
    c: &'a mut [f32],
    out: &'a mut [f32],
}

/// The units of `TILES` tiles from `tile` on in `values` (fewer than `TILES * TILE` where the
/// last tile is partial).
#[inline(always)]
fn tile_units<const TILES: usize>(values: &mut [f32], tile: usize) -> &mut [f32] {
    let first = (tile * TILE).min(values.len());
    let end = (first + TILES * TILE).min(values.len());
    &mut values[first..end]
}

/// Eight units of `values` from `first`, zeros past the end.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn load_units(values: &[f32], first: usize) -> __m256 {
    if let Some(whole) = values.get(first..first + LANES) {
        // SAFETY: compiled for AVX2 (detected by the caller); `whole` is 8 readable floats.
        return unsafe { _mm256_loadu_ps(whole.as_ptr()) };
    }
    // The last units of a partial tile, through a full-width copy.
    let mut lanes = [0.0f32; LANES];
    let rest = values.get(first..).unwrap_or(&[]);
    lanes[..rest.len()].copy_from_slice(rest);
    // SAFETY: as above; `lanes` is 8 readable floats.
    unsafe { _mm256_loadu_ps(lanes.as_ptr()) }
}

/// Stores the lanes of `vector` that fall in `values` from `first` on.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn store_units(values: &mut [f32], first: usize, vector: __m256) {
    if let Some(whole) = values.get_mut(first..first + LANES) {
        // SAFETY: compiled for AVX2 (detected by the caller); `whole` is 8 writable floats.
        unsafe { _mm256_storeu_ps(whole.as_mut_ptr(), vector) };
        return;
    }
    let mut lanes = [0.0f32; LANES];
    // SAFETY: as above; `lanes` is 8 writable floats.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), vector) };
    let rest = values.get_mut(first..).unwrap_or(&mut []);
    let count = rest.len();
    rest.copy_from_slice(&lanes[..count]);
}

/// The activations and cell updates of `N` tiles (of one sequence or several) as one block of
/// independent work: per half tile, its gates i, f and g in step ([`logistic`]), then every
/// unit's o and `tanh(c)`. Done one half after another, each waited on the last's chain (exp's
/// polynomial, a division, then `tanh(c)`): at input 1, hidden 32 the step took 235 ns that
/// way, 200 ns with this order (179 ns since the shorter [`logistic`]); a batch's updates
/// (input 100, hidden 256, 32 sequences) went from about 30 to 26 us of a 270 us step. Gates
/// of both halves in step (eight chains) spilled registers and measured slower (207 ns), and
/// so did one sequence at a time in a batch (S4 267 us against 262) and three at a time
/// showed no difference. Kept out of line: inlined into the step at input 1, hidden 32 it
/// took 167-172 ns against 162.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline(never)]
fn finish<const N: usize>(cells: [Cells<'_>; N]) {
    const HALVES: usize = TILE / LANES;
    let zero = _mm256_setzero_ps();
    let mut c_new = [[zero; HALVES]; N];
    let mut o = [[zero; HALVES]; N];
    for ((c_new, o), cell) in c_new.iter_mut().zip(&mut o).zip(&cells) {
        for (half, (c_new, o)) in c_new.iter_mut().zip(o).enumerate() {
            // i and f are `1 / (1 + e^-x)`; c~ = tanh x = 2 / (1 + e^-2x) - 1: three chains
            // of the same operations, taken in step. (o waits: see below.)
            let [[i, f, g]] = logistic([[
                cell.sums[half],
                cell.sums[2 + half],
                _mm256_add_ps(cell.sums[4 + half], cell.sums[4 + half]),
            ]]);
            // c = f c_old + i c~ = f c_old + (2 i g - i), one step shorter than forming c~.
            let c_old = load_units(cell.c, half * LANES);
            let input = _mm256_fmsub_ps(_mm256_add_ps(i, i), g, i);
            *c_new = _mm256_fmadd_ps(f, c_old, input);
            *o = cell.sums[6 + half];
        }
    }
    // Every unit's tanh(c) in step too, as `o tanh c = 2 o s - o` with `s = 1 / (1 + e^-2c)`.
    let mut doubled = c_new;
    for c in doubled.as_flattened_mut() {
        *c = _mm256_add_ps(*c, *c);
    }
    // `o` is needed only for `h`, so its chains run here, beside those of tanh(c), rather
    // than with the gates `c` waits for: at input 1, hidden 32 a step took 157 ns against
    // 160 ns with o among the gates (158-160 with o after tanh(c)).
    let o = logistic(o);
    let s = logistic(doubled);
    for (((cell, c_new), o), s) in cells.into_iter().zip(&c_new).zip(&o).zip(&s) {
        for (half, ((&c_new, &o), &s)) in c_new.iter().zip(o).zip(s).enumerate() {
            store_units(cell.c, half * LANES, c_new);
            store_units(
                cell.out,
                half * LANES,
                _mm256_fmsub_ps(_mm256_add_ps(o, o), s, o),
            );
        }
    }
}

/// A tile's rows: `I` rows for `x`, `R` rows for `h`, and the bias row (`None` only for a
/// slice too short to be a tile, which the callers never pass).
type TileRows<'a, W, const I: usize, const R: usize> =
    (&'a [[W; ROW]; I], &'a [[W; ROW]; R], &'a [W; ROW]);

#[inline(always)]
fn split_tile<W, const I: usize, const R: usize>(tile: &[W]) -> Option<TileRows<'_, W, I, R>> {
    let (rows, _) = tile.as_chunks::<ROW>();
    let (x_rows, rows) = rows.split_first_chunk::<I>()?;
    let (h_rows, rows) = rows.split_first_chunk::<R>()?;
    Some((x_rows, h_rows, rows.first()?))
}

/// The length of a packed tile with `I` inputs and `R` recurrent inputs.
const fn tile_len(inputs: usize, recurrent: usize) -> usize {
    (inputs + recurrent + 1) * ROW
}

/// [`step`], prefetching far ahead where the weights are beyond L2 ([`far`]) and, where
/// [`alternates`] says so, taking the tiles last to first when `reverse()` (asked only then).
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn step_any<W: Weight, const I: usize, const H: usize, const R: usize>(
    tiles: &[W],
    input: &StepInput<'_, f32, I>,
    h: &[f32; R],
    c: &mut [f32; H],
    out: &mut [f32; H],
    reverse: impl FnOnce() -> bool,
) {
    // Its exact length, a constant the compiler sees (see `generic::exact`).
    let tiles = tiles
        .get(..H.div_ceil(TILE) * tile_len(I, R))
        .unwrap_or_default();
    if far(tiles) {
        let reverse = alternates(size_of_val(tiles)) && reverse();
        step::<W, I, H, R, true>(tiles, input, h, c, out, reverse);
    } else {
        step::<W, I, H, R, false>(tiles, input, h, c, out, false);
    }
}

/// One step of one sequence: the cell update of every unit, writing `c` and the units'
/// `o * tanh(c)` to `out`. Tiles go in pairs: both tiles' sums, then both cell updates as
/// one block of independent work (an odd count leaves one tile, updated alone). `FAR`:
/// prefetch far ahead, for weights beyond L2 ([`far`]); `reverse`: take the tiles last to
/// first ([`alternates`]).
///
/// Each function below has one call site, so the compiler inlines them all (but [`finish`])
/// the same way in every program: with a second call site for the sums of a
/// tile, some builds kept them out of line, and a step at input 1, hidden 32 took 173 ns
/// against 163 ns.
#[target_feature(enable = "avx2,fma,f16c")]
fn step<W: Weight, const I: usize, const H: usize, const R: usize, const FAR: bool>(
    tiles: &[W],
    input: &StepInput<'_, f32, I>,
    h: &[f32; R],
    c: &mut [f32; H],
    out: &mut [f32; H],
    reverse: bool,
) {
    let tile_len = tile_len(I, R);
    let pairs = tiles.chunks_exact(2 * tile_len);
    let (single, count) = (pairs.remainder(), pairs.len());
    // Slot `count` is the tile without a pair, if any.
    let slots = count + usize::from(!single.is_empty());
    for k in 0..slots {
        let slot = if reverse { slots - 1 - k } else { k };
        let first = 2 * slot;
        match tiles.get(first * tile_len..(first + 2) * tile_len) {
            Some(pair) => step_tiles::<W, I, H, R, FAR, 2>(pair, first, input, h, c, out),
            None => step_tiles::<W, I, H, R, FAR, 1>(single, first, input, h, c, out),
        }
    }
}

/// Tiles `first .. first + N` of [`step`] (`N` is 1 or 2), `data`: their sums, then their
/// cell updates as one block ([`finish`]).
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn step_tiles<
    W: Weight,
    const I: usize,
    const H: usize,
    const R: usize,
    const FAR: bool,
    const N: usize,
>(
    data: &[W],
    first: usize,
    input: &StepInput<'_, f32, I>,
    h: &[f32; R],
    c: &mut [f32; H],
    out: &mut [f32; H],
) {
    let mut sums = [[_mm256_setzero_ps(); ROW_VECTORS]; N];
    let tiles = data.chunks_exact(tile_len(I, R));
    if tiles.len() != N {
        return; // never: `step` passes whole tiles
    }
    for (k, (tile, sums)) in tiles.zip(&mut sums).enumerate() {
        let Some(tile_sums) = step_sums::<W, I, R, FAR>(tile, first + k, input, h) else {
            return;
        };
        *sums = tile_sums;
    }
    let (mut c, mut out) = (
        tile_units::<N>(c, first).chunks_mut(TILE),
        tile_units::<N>(out, first).chunks_mut(TILE),
    );
    finish(core::array::from_fn::<_, N, _>(|k| Cells {
        sums: &sums[k],
        c: c.next().unwrap_or_default(),
        out: out.next().unwrap_or_default(),
    }));
}

/// One tile's sums for [`step`] (`None` for a slice too short to be a tile): from the bias,
/// plus `W x`, or from the projected input; then plus `U h`.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn step_sums<W: Weight, const I: usize, const R: usize, const FAR: bool>(
    data: &[W],
    tile: usize,
    input: &StepInput<'_, f32, I>,
    h: &[f32; R],
) -> Option<[__m256; ROW_VECTORS]> {
    let (x_rows, h_rows, bias) = split_tile::<W, I, R>(data)?;
    let mut sums = [match *input {
        StepInput::Projected(projected) => {
            load_row::<W, f32, ROW_VECTORS>(projected.as_chunks::<ROW>().0.get(tile)?, 0)
        }
        StepInput::X(_) => load_row::<W, W, ROW_VECTORS>(bias, 0),
    }];
    if let StepInput::X(x) = *input {
        accumulate::<W, 1, ROW_VECTORS, I, FAR>(&mut sums, (x_rows, [x]), 0);
    }
    accumulate::<W, 1, ROW_VECTORS, R, FAR>(&mut sums, (h_rows, [h]), 0);
    let [mut sums] = sums;
    in_unit_order::<W, ROW_VECTORS>(&mut sums);
    Some(sums)
}

/// Where a batch step finds each sequence's inputs: `inputs[sequence * steps + t]`, or, when
/// hoisted, its projected inputs at `projected[(sequence * steps + t) * step_len ..]`.
pub(super) struct BatchInputs<'a, T, const I: usize> {
    pub(super) inputs: &'a [[T; I]],
    pub(super) projected: Option<&'a [f32]>,
    pub(super) steps: usize,
    pub(super) t: usize,
}

/// Step `t` of a batch of sequences without projection (`R == H`), tile by tile: each tile's
/// weights serve every block of sequences while in cache, each weight load a block of up to
/// `BLOCK`. Each sequence's `h` goes to its output slot for step `t`; `state.h` is left for
/// the caller to update once every tile has read it.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn batch<T: Float, W: Weight, const I: usize, const H: usize, const R: usize>(
    tiles: &[W],
    inputs: &BatchInputs<'_, T, I>,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
) {
    // Its exact length, a constant the compiler sees (see `generic::exact`).
    let tiles = tiles
        .get(..H.div_ceil(TILE) * tile_len(I, R))
        .unwrap_or_default();
    // The first block of sequences reads a tile from beyond L2 when the weights are large;
    // the others find it in L2, where far prefetches only cost (S4 268 -> 275 us with them).
    let far = far(tiles);
    // Every block's sums, in one buffer: a block's own array, zeroed and copied out of
    // `tile_sums` each time, took 2% of the step (S4).
    let mut sums = [[_mm256_setzero_ps(); ROW_VECTORS]; BLOCK];
    for (tile, data) in tiles.chunks_exact(tile_len(I, R)).enumerate() {
        let Some(rows) = split_tile::<W, I, R>(data) else {
            return;
        };
        let mut first = 0;
        for count in block_sizes(states.len()) {
            let block = Block { rows, tile, first };
            let (b, i, s, o) = (&block, inputs, &mut *states, &mut *outputs);
            if far && first == 0 {
                batch_block_sized::<T, W, I, H, R, true>(count, b, i, s, o, &mut sums);
            } else {
                batch_block_sized::<T, W, I, H, R, false>(count, b, i, s, o, &mut sums);
            }
            first += count;
        }
    }
}

/// [`batch_block`] for a block of `count` sequences, in the register blocking for that count.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn batch_block_sized<
    T: Float,
    W: Weight,
    const I: usize,
    const H: usize,
    const R: usize,
    const FAR: bool,
>(
    count: usize,
    b: &Block<'_, W, I, R>,
    i: &BatchInputs<'_, T, I>,
    s: &mut [LstmState<T, H, R>],
    o: &mut [[T; R]],
    sums: &mut [[__m256; ROW_VECTORS]; BLOCK],
) {
    match count {
        6 => batch_block::<T, W, 6, 2, I, H, R, FAR>(b, i, s, o, sums),
        5 => batch_block::<T, W, 5, 2, I, H, R, FAR>(b, i, s, o, sums),
        4 => batch_block::<T, W, 4, 2, I, H, R, FAR>(b, i, s, o, sums),
        3 => batch_block::<T, W, 3, 4, I, H, R, FAR>(b, i, s, o, sums),
        2 => batch_block::<T, W, 2, 4, I, H, R, FAR>(b, i, s, o, sums),
        _ => batch_block::<T, W, 1, 8, I, H, R, FAR>(b, i, s, o, sums),
    }
}

/// `count` sequences (or steps) split into as few blocks of at most `BLOCK` as can hold them,
/// of sizes differing by at most one: 32 as 6, 6, 5, 5, 5, 5, so that no block is left with
/// too few sums to hide the FMA latency (blocks of 6 and one of 2 measured 278 us a step at
/// input 100, hidden 256, 32 sequences).
fn block_sizes(count: usize) -> impl Iterator<Item = usize> {
    let blocks = count.div_ceil(BLOCK);
    (0..blocks).map(move |block| count / blocks + usize::from(block < count % blocks))
}

/// Which sequences of which tile a batch block covers.
struct Block<'a, W, const I: usize, const R: usize> {
    rows: TileRows<'a, W, I, R>,
    tile: usize,
    first: usize,
}

/// The `f32` views of `NB` arrays, `array(0)` to `array(NB - 1)`: `None` if one is missing or
/// `T` is not `f32`.
#[inline(always)]
fn f32_arrays<'a, T: Float, const N: usize, const NB: usize>(
    mut array: impl FnMut(usize) -> Option<&'a [T; N]>,
) -> Option<[&'a [f32; N]; NB]> {
    let first = f32_array(array(0)?)?;
    let mut views = [first; NB];
    for (b, view) in views.iter_mut().enumerate().skip(1) {
        *view = f32_array(array(b)?)?;
    }
    Some(views)
}

/// One tile for sequences `first .. first + NB` of a batch step.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn batch_block<
    T: Float,
    W: Weight,
    const NB: usize,
    const V: usize,
    const I: usize,
    const H: usize,
    const R: usize,
    const FAR: bool,
>(
    block: &Block<'_, W, I, R>,
    inputs: &BatchInputs<'_, T, I>,
    states: &mut [LstmState<T, H, R>],
    outputs: &mut [[T; R]],
    sums: &mut [[__m256; ROW_VECTORS]; BLOCK],
) {
    let (x_rows, h_rows, bias) = block.rows;
    let slot = |b: usize| (block.first + b) * inputs.steps + inputs.t;
    let (Some(hs), Some(sums)) = (
        f32_arrays::<T, R, NB>(|b| states.get(block.first + b).map(|s| &s.h)),
        sums.first_chunk_mut::<NB>(),
    ) else {
        return; // `T` is `f32` wherever this runs, the block's sequences exist, `NB <= BLOCK`
    };
    match inputs.projected {
        Some(projected) => {
            let step_len = H.div_ceil(TILE) * ROW;
            let mut starts = [&[0.0; ROW]; NB];
            for (b, start) in starts.iter_mut().enumerate() {
                let (rows, _) = projected[slot(b) * step_len..].as_chunks::<ROW>();
                let Some(row) = rows.get(block.tile) else {
                    return;
                };
                *start = row;
            }
            tile_sums::<W, f32, NB, V, I, R, FAR>(starts, None, Some((h_rows, hs)), sums);
        }
        None => {
            let Some(xs) = f32_arrays::<T, I, NB>(|b| inputs.inputs.get(slot(b))) else {
                return;
            };
            let (x, h) = (Some((x_rows, xs)), Some((h_rows, hs)));
            tile_sums::<W, W, NB, V, I, R, FAR>([bias; NB], x, h, sums);
        }
    }
    // Two sequences' cell updates at a time, as one block of independent work.
    let mut b = 0;
    while b < NB {
        let (first, at) = (block.first + b, slot(b));
        if b + 1 < NB {
            let (Ok([state_a, state_b]), Ok([out_a, out_b])) = (
                states.get_disjoint_mut([first, first + 1]),
                outputs.get_disjoint_mut([at, slot(b + 1)]),
            ) else {
                return; // distinct sequences, and `t < steps`
            };
            let (Some(c_a), Some(c_b), Some(out_a), Some(out_b)) = (
                T::as_f32s_mut(&mut state_a.c),
                T::as_f32s_mut(&mut state_b.c),
                T::as_f32s_mut(out_a),
                T::as_f32s_mut(out_b),
            ) else {
                return;
            };
            finish([
                Cells {
                    sums: &sums[b],
                    c: tile_units::<1>(c_a, block.tile),
                    out: tile_units::<1>(out_a, block.tile),
                },
                Cells {
                    sums: &sums[b + 1],
                    c: tile_units::<1>(c_b, block.tile),
                    out: tile_units::<1>(out_b, block.tile),
                },
            ]);
            b += 2;
        } else {
            let (Some(c), Some(out)) = (
                T::as_f32s_mut(&mut states[first].c),
                T::as_f32s_mut(&mut outputs[at]),
            ) else {
                return;
            };
            finish([Cells {
                sums: &sums[b],
                c: tile_units::<1>(c, block.tile),
                out: tile_units::<1>(out, block.tile),
            }]);
            b += 1;
        }
    }
}

/// `b + W x_t` for every step of `inputs` into `projected` (per step, per tile, 4 x `TILE`):
/// tile by tile, steps in blocks of `BLOCK` sharing each weight load.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn project<T: Float, W: Weight, const I: usize, const R: usize>(
    tiles: &[W],
    inputs: &[[T; I]],
    projected: &mut [f32],
) {
    let tile_len = tile_len(I, R);
    let step_len = tiles.len() / tile_len * ROW;
    let far = far(tiles);
    for (tile, data) in tiles.chunks_exact(tile_len).enumerate() {
        let Some((x_rows, _, bias)) = split_tile::<W, I, R>(data) else {
            return;
        };
        let mut first = 0;
        for count in block_sizes(inputs.len()) {
            let steps = &inputs[first..first + count];
            let out = &mut projected[first * step_len + tile * ROW..];
            // Far prefetches for the first block only, as in `batch`.
            if far && first == 0 {
                project_sized::<T, W, I, true>(count, x_rows, bias, steps, step_len, out);
            } else {
                project_sized::<T, W, I, false>(count, x_rows, bias, steps, step_len, out);
            }
            first += count;
        }
    }
}

/// [`project_block`] for a block of `count` steps, in the register blocking for that count.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn project_sized<T: Float, W: Weight, const I: usize, const FAR: bool>(
    count: usize,
    x_rows: &[[W; ROW]; I],
    bias: &[W; ROW],
    steps: &[[T; I]],
    step_len: usize,
    out: &mut [f32],
) {
    let (x, b) = (x_rows, bias);
    match count {
        6 => project_block::<T, W, 6, 2, I, FAR>(x, b, steps, step_len, out),
        5 => project_block::<T, W, 5, 2, I, FAR>(x, b, steps, step_len, out),
        4 => project_block::<T, W, 4, 2, I, FAR>(x, b, steps, step_len, out),
        3 => project_block::<T, W, 3, 4, I, FAR>(x, b, steps, step_len, out),
        2 => project_block::<T, W, 2, 4, I, FAR>(x, b, steps, step_len, out),
        _ => project_block::<T, W, 1, 8, I, FAR>(x, b, steps, step_len, out),
    }
}

/// One tile's `b + W x` for `NB` consecutive steps, written `step_len` apart from `out[0]`.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn project_block<
    T: Float,
    W: Weight,
    const NB: usize,
    const V: usize,
    const I: usize,
    const FAR: bool,
>(
    x_rows: &[[W; ROW]; I],
    bias: &[W; ROW],
    steps: &[[T; I]],
    step_len: usize,
    out: &mut [f32],
) {
    let Some(xs) = f32_arrays::<T, I, NB>(|b| steps.get(b)) else {
        return; // `T` is `f32` wherever this runs, and there are `NB` steps
    };
    let mut sums = [[_mm256_setzero_ps(); ROW_VECTORS]; NB];
    tile_sums::<W, W, NB, V, I, 0, FAR>([bias; NB], Some((x_rows, xs)), None, &mut sums);
    for (b, sums) in sums.iter().enumerate() {
        let Some(lanes) = out.get_mut(b * step_len..b * step_len + ROW) else {
            return;
        };
        for (vector, &sum) in lanes.as_chunks_mut::<LANES>().0.iter_mut().zip(sums) {
            // SAFETY: compiled for AVX2 (detected by the caller); `vector` is 8 writable floats.
            unsafe { _mm256_storeu_ps(vector.as_mut_ptr(), sum) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{LANES, sigmoid, tanh};
    use crate::{Bf16, F16};
    use crate::{Compute, Kernel, LstmLayer, LstmState, LstmWeights, Storage, StreamingLayer};
    use core::arch::x86_64::{_mm256_loadu_ps, _mm256_storeu_ps};

    #[derive(Clone, Copy)]
    enum Activation {
        Sigmoid,
        Tanh,
    }
    use Activation::{Sigmoid, Tanh};

    /// The activation on eight lanes.
    #[target_feature(enable = "avx2,fma,f16c")]
    fn lanes(activation: Activation, values: [f32; LANES]) -> [f32; LANES] {
        let mut out = [0.0; LANES];
        // SAFETY: AVX2 is enabled here; both arrays hold the 8 floats loaded and stored.
        unsafe {
            let x = _mm256_loadu_ps(values.as_ptr());
            let y = match activation {
                Sigmoid => sigmoid(x),
                Tanh => tanh(x),
            };
            _mm256_storeu_ps(out.as_mut_ptr(), y);
        }
        out
    }

    /// Calls [`lanes`] where the CPU has AVX2, FMA and F16C, `None` elsewhere.
    fn on_cpu(activation: Activation, values: [f32; LANES]) -> Option<[f32; LANES]> {
        // SAFETY: `lanes` needs AVX2, FMA and F16C, which `Kernel::Avx2` checks for.
        Kernel::Avx2
            .is_available()
            .then(|| unsafe { lanes(activation, values) })
    }

    /// The vector activations against `f64` libm over a dense sweep of -20..20, the extremes
    /// and NaN, to the accuracy the generic kernels promise.
    #[test]
    fn activations_are_accurate() {
        let (mut sigmoid_error, mut tanh_error) = (0.0f64, 0.0f64);
        for start in (-200_000..200_000).step_by(LANES) {
            let xs: [f32; LANES] = core::array::from_fn(|k| (start + k as i32) as f32 * 1e-4);
            let (Some(s), Some(t)) = (on_cpu(Sigmoid, xs), on_cpu(Tanh, xs)) else {
                return; // no AVX2 here: the generic kernels run instead
            };
            for ((&x, s), t) in xs.iter().zip(s).zip(t) {
                let x = f64::from(x);
                sigmoid_error = sigmoid_error.max((f64::from(s) - 1.0 / (1.0 + (-x).exp())).abs());
                tanh_error = tanh_error.max((f64::from(t) - x.tanh()).abs());
            }
        }
        assert!(sigmoid_error < 1e-7, "sigmoid {sigmoid_error:e}");
        assert!(tanh_error < 2e-7, "tanh {tanh_error:e}");
        let extremes = [f32::MAX, 1e30, 100.0, -100.0, -1e30, f32::MIN, 0.0, -0.0];
        let (Some(s), Some(t)) = (on_cpu(Sigmoid, extremes), on_cpu(Tanh, extremes)) else {
            return;
        };
        // Saturated, never past the range (sigmoid of -100 is 4e-39 here, 4e-44 exactly).
        let expected_s = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.5];
        let expected_t = [1.0, 1.0, 1.0, -1.0, -1.0, -1.0, 0.0, 0.0];
        for ((s, t), (es, et)) in s.iter().zip(t).zip(expected_s.iter().zip(expected_t)) {
            assert!(
                (0.0..=1.0).contains(s) && (s - es).abs() < 1e-7,
                "{s} vs {es}"
            );
            assert!(
                (-1.0..=1.0).contains(&t) && (t - et).abs() < 1e-7,
                "{t} vs {et}"
            );
        }
        let nan = [f32::NAN; LANES];
        let (Some(s), Some(t)) = (on_cpu(Sigmoid, nan), on_cpu(Tanh, nan)) else {
            return;
        };
        assert!(s.iter().chain(&t).all(|v| v.is_nan()), "NaN in, NaN out");
    }

    /// Weights of a size where the AVX2 step walks the tiles forwards and backwards in turn
    /// (13 tiles: the odd one out comes last one way, first the other): the same step from
    /// the same state gives the same bits either way, in `f32` and with bf16 storage.
    #[test]
    fn walking_the_tiles_either_way_gives_the_same_step() {
        fn both_ways<S: Storage<f32>>(packed: &LstmLayer<f32, 40, 200, 1, 200, S>) {
            let Ok(packed) = packed.clone().with_kernel(Kernel::Avx2) else {
                return; // no AVX2 here: the walk is the AVX2 kernel's
            };
            let bytes = size_of_val(packed.tiles());
            assert!(super::alternates(bytes), "{bytes} bytes do not alternate");
            let x: [f32; 40] = core::array::from_fn(|k| (k as f32 * 0.37).sin());
            let steps: Vec<LstmState<f32, 200>> = (0..3)
                .map(|_| {
                    let mut state = LstmState::new([0.15; 200], [-0.3; 200]);
                    packed.step(&x, &mut state);
                    state
                })
                .collect();
            assert_eq!(steps[0], steps[1]);
            assert_eq!(steps[1], steps[2]);
        }
        let narrow = LstmWeights::<f32, 40, 200>::from_fn(|_, _, row, col| {
            (((row * 17 + col * 3) % 61) as f32 - 30.0) / 64.0
        });
        both_ways(&narrow.pack());
        both_ways(&narrow.pack_as::<Bf16>());
        both_ways(&narrow.pack_as::<F16>());
    }
}
