//! Which compiled form of the kernels runs, chosen once.
//!
//! The kernels are written once, generically ([`generic`]), and instantiated per instruction
//! set: [`portable`] for any target, and in `arch/` the sets that need `#[target_feature]`
//! (`arch/x86_64/avx2.rs`, `arch/x86_64/avx512.rs`, `arch/aarch64/neon.rs`). Each set hands out its entry points as an
//! [`Ops`] table of plain function pointers, and only after detecting its CPU features: the
//! table is the proof that they may run, so a layer holds one, chosen when it is built, and
//! calls through it with no check and no `match` per call. All `unsafe` lives in `arch/`.
//!
//! Adding an instruction set is a file in `arch/` that implements its entry points and a
//! variant of [`Kernel`] with one line in [`Kernel::ops`].
#![forbid(unsafe_code)]

pub(crate) mod generic;
pub(crate) mod portable;
#[cfg(test)]
mod tests;

use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::{Float, LstmState, Storage};

/// Hidden units per tile: one AVX-512 register of `f32`, two AVX2 registers.
pub const TILE: usize = 16;

/// Bytes to which the packed weights are aligned: a cache line, and an AVX-512 register.
pub(crate) const ALIGN: usize = 64;

// Sequences per block of a projected batch (`Ops::step_block`).
pub(crate) use generic::BLOCK;

/// Which compiled form of the kernels runs.
///
/// ```
/// use lstm_core::Kernel;
/// let available: Vec<Kernel> = Kernel::ALL.into_iter().filter(|k| k.is_available()).collect();
/// assert!(available.contains(&Kernel::best()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Plain Rust, compiled for the build's target: runs everywhere.
    Portable,
    /// 64-bit Arm with NEON (every AArch64 CPU): the generic kernels with fused multiply-adds,
    /// blocked for NEON's 32 registers.
    Neon,
    /// x86-64 with AVX2, FMA and F16C (every CPU with the first two has the third).
    Avx2,
    /// x86-64 with AVX-512F.
    Avx512,
}

impl Kernel {
    /// Every kernel, fastest last (of those one CPU can have: NEON is Arm's, the others x86's).
    pub const ALL: [Kernel; 4] = [Kernel::Portable, Kernel::Neon, Kernel::Avx2, Kernel::Avx512];

    /// The kernel's entry points for these types and sizes, if this CPU can run it: the one
    /// place that maps a kernel to its instruction set.
    pub(crate) fn ops<T: Float, S: Storage<T>, const I: usize, const H: usize, const R: usize>(
        self,
    ) -> Option<Ops<T, S, I, H, R>> {
        match self {
            Kernel::Portable => Some(portable::ops()),
            Kernel::Neon => crate::arch::neon(),
            Kernel::Avx2 => crate::arch::avx2(),
            Kernel::Avx512 => crate::arch::avx512(),
        }
    }

    /// Whether this CPU can run the kernel.
    ///
    /// ```
    /// assert!(lstm_core::Kernel::Portable.is_available());
    /// ```
    #[must_use]
    pub fn is_available(self) -> bool {
        self.ops::<f32, f32, 1, 1, 1>().is_some()
    }

    /// The fastest kernel this CPU can run.
    ///
    /// ```
    /// assert!(lstm_core::Kernel::best().is_available());
    /// ```
    #[must_use]
    pub fn best() -> Kernel {
        Kernel::ALL
            .into_iter()
            .rev()
            .find(|kernel| kernel.is_available())
            .unwrap_or(Kernel::Portable)
    }
}

/// A kernel was asked for that this CPU cannot run.
///
/// ```
/// use lstm_core::{Kernel, KernelUnavailable};
/// let error = KernelUnavailable(Kernel::Avx512);
/// assert_eq!(error.to_string(), "this CPU cannot run the Avx512 kernel");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelUnavailable(pub Kernel);

impl fmt::Display for KernelUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "this CPU cannot run the {:?} kernel", self.0)
    }
}

impl core::error::Error for KernelUnavailable {}

/// What a step reads besides the state: the input `x`, or one step's projected inputs
/// `b + W x` (4 gates x [`TILE`] per tile) when they were computed beforehand.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StepInput<'a, T, const I: usize> {
    /// The input `x`.
    X(&'a [T; I]),
    /// The projected inputs of one step.
    Projected(&'a [T]),
}

/// What a batch step reads: every sequence's inputs (`inputs[sequence * steps + t]`), or their
/// projected inputs (`(sequence * steps + t) * step_len` on).
#[derive(Clone, Copy, Debug)]
pub(crate) enum BatchInput<'a, T, const I: usize> {
    /// The inputs `x`.
    X(&'a [[T; I]]),
    /// The projected inputs.
    Projected(&'a [T]),
}

/// One call into a kernel, over the packed tiles of element type `T` and sizes `I`, `H`, `R`.
#[derive(Debug)]
pub(crate) enum Call<'a, T, const I: usize, const H: usize, const R: usize> {
    /// The gates and cell update of every unit for one sequence: `state.c` updated, each
    /// unit's `o * tanh(c)` written to `out`, or with `None` (only without a projection, where
    /// `R == H`) to `state.h`: the kernel then keeps the old `h` for as long as its sums read
    /// it. (Copying a buffer into `h` outside the kernel was a call to the C library's
    /// `memmove`: the amp model at input 1, hidden 40 took 181-187 ns a sample that way, and
    /// 173-176 ns with the kernel writing `h`.)
    Step {
        input: StepInput<'a, T, I>,
        state: &'a mut LstmState<T, H, R>,
        out: Option<&'a mut [T; H]>,
        #[cfg_attr(
            not(target_arch = "x86_64"),
            expect(dead_code, reason = "only the AVX2 kernel walks the tiles both ways")
        )]
        direction: &'a Direction,
    },
    /// [`Step`](Self::Step) for a block of [`BLOCK`] sequences from `x`, each weight loaded
    /// once for the block where the set has the registers (the order used with a projection).
    Block {
        xs: [&'a [T; I]; BLOCK],
        states: &'a mut [LstmState<T, H, R>; BLOCK],
        out: &'a mut [[T; H]; BLOCK],
    },
    /// Step `t` of a batch without projection, `steps` per sequence: each unit's `h` written to
    /// its output slot, `state.h` left for the caller.
    Batch {
        input: BatchInput<'a, T, I>,
        steps: usize,
        t: usize,
        states: &'a mut [LstmState<T, H, R>],
        outputs: &'a mut [[T; R]],
    },
    /// `b + W x_t` for every step into `projected` (per step, per tile, 4 gates x [`TILE`]).
    Project {
        inputs: &'a [[T; I]],
        projected: &'a mut [T],
    },
}

/// One kernel's entry point for element type `T`, storage `S` and sizes `I`, `H`, `R`: it runs
/// a [`Call`] over the packed tiles. Only an instruction set that found its CPU features makes
/// one, so holding it is the proof that it may run.
pub(crate) struct Ops<T, S, const I: usize, const H: usize, const R: usize> {
    /// Which kernel this is.
    pub(crate) kernel: Kernel,
    /// Runs a call over the tiles.
    pub(crate) run: fn(&[S], Call<'_, T, I, H, R>),
}

// By hand: a derive would require `T: Clone` and `S: Clone`, but only pointers are copied.
impl<T, S, const I: usize, const H: usize, const R: usize> Clone for Ops<T, S, I, H, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, S, const I: usize, const H: usize, const R: usize> Copy for Ops<T, S, I, H, R> {}

impl<T, S, const I: usize, const H: usize, const R: usize> fmt::Debug for Ops<T, S, I, H, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ops({:?})", self.kernel)
    }
}

/// Which way the next step walks the tiles, for steps whose weights are a little larger than
/// L2: walking them back and forth, a step starts on the tiles the last one read last, which
/// are still in L2. A hint, shared by every caller of the layer (a relaxed atomic, so that a
/// layer stays `Sync`); the tiles' results do not depend on their order. Only the AVX2 `f32`
/// kernel reads it.
#[derive(Debug, Default)]
pub(crate) struct Direction(AtomicBool);

impl Clone for Direction {
    fn clone(&self) -> Self {
        Self(AtomicBool::new(self.0.load(Ordering::Relaxed)))
    }
}

impl Direction {
    /// Whether this step walks the tiles backwards; the next one goes the other way.
    #[cfg_attr(
        not(target_arch = "x86_64"),
        expect(dead_code, reason = "only the AVX2 kernel walks the tiles both ways")
    )]
    pub(crate) fn next(&self) -> bool {
        let reverse = self.0.load(Ordering::Relaxed);
        self.0.store(!reverse, Ordering::Relaxed);
        reverse
    }
}
