//! An amp model on a microcontroller: LSTM(1, 20) + Linear(20, 1) + the input added back, as
//! the guitar-amp tools train it, its weights compiled into the program's flash by
//! `#[model(weights = "..")]` (read, checked and packed when this crate compiles; a file that did
//! not fit the declared type would not compile). No heap, no file system, no `std`: the model is
//! static data, its state two arrays of 20 floats on the stack, and each sample one `step`.
//!
//! The program streams a test signal through the model, as an audio callback would, and keeps
//! a checksum of the outputs. With the `semihosting` feature (under QEMU:
//! `scripts/firmware-qemu.sh`) it prints the outputs, which the host's run of the same model
//! must reproduce.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use lstm::prelude::*;
use lstm::{Linear, LstmLayer, Model};

/// The model, as the amp tools' PyTorch module: `rec` (`nn.LSTM(1, 20)`, two bias sets),
/// `lin` (`nn.Linear(20, 1)`), and the skip connection. With the `half` feature the LSTM's
/// weights are kept in flash as IEEE half precision (`F16`, half the bytes), widened to `f32` as
/// the step reads them. (The storage is spelled in the field's type: the macro reads the type.)
#[derive(Model)]
#[model(residual, weights = "../../tests/fixtures/amp_lstm20.json")]
struct Amp {
    #[cfg(not(feature = "half"))]
    rec: LstmLayer<f32, 1, 20, 2>,
    #[cfg(feature = "half")]
    rec: LstmLayer<f32, 1, 20, 2, 20, lstm::F16>,
    lin: Linear<f32, 20, 1>,
}

/// Samples streamed: a tenth of a second at 48 kHz.
const SAMPLES: u32 = 4_800;

/// The test signal: a triangle wave of amplitude 0.5, with no `sin` (the target has no math
/// library): the same values on every machine.
fn signal(n: u32) -> f32 {
    let phase = (n % 200) as f32 / 200.0;
    (if phase < 0.5 { phase } else { 1.0 - phase }) * 2.0 - 0.5
}

/// With `semihosting` (under QEMU): how much stack the model's steps use, measured by painting
/// the stack below the current frame with a pattern and finding, after the run, the deepest
/// word that changed.
#[cfg(feature = "semihosting")]
mod stack {
    const PATTERN: u32 = 0x5A5A_5A5A;
    /// Bytes below the painter's frame that are painted: far more than a step can use.
    const DEPTH: usize = 16 * 1024;

    /// Paints the stack below this call's frame; returns the stack pointer it started from.
    #[inline(never)]
    pub fn paint() -> usize {
        let top = cortex_m::register::msp::read() as usize - 64;
        for address in (top - DEPTH..top).step_by(4) {
            // SAFETY: free stack below this frame (the stack grows down from the top of a 4 MiB
            // RAM, far from `DEPTH`); nothing lives there, and nothing reads it but `used`.
            unsafe { core::ptr::write_volatile(address as *mut u32, PATTERN) };
        }
        top + 64
    }

    /// The bytes of stack used below `top` since `paint`.
    pub fn used(top: usize) -> usize {
        let bottom = top - 64 - DEPTH;
        let deepest = (bottom..top)
            .step_by(4)
            // SAFETY: the words `paint` wrote, read back; aligned and inside the stack.
            .find(|&address| unsafe { core::ptr::read_volatile(address as *const u32) } != PATTERN)
            .unwrap_or(top);
        top - deepest
    }
}

#[entry]
fn main() -> ! {
    #[cfg(feature = "semihosting")]
    let stack_top = stack::paint();
    let amp = Amp::compiled();
    let mut state = amp.zero_state();
    let mut checksum = 0.0f32;
    // Every 373rd output, printed after the run (so that printing is not in the stack figure).
    let mut sampled = [0.0f32; SAMPLES.div_ceil(373) as usize];
    for n in 0..SAMPLES {
        let [out] = amp.step(&[signal(n)], &mut state);
        checksum += out;
        if n % 373 == 0 {
            sampled[(n / 373) as usize] = out;
        }
    }
    #[cfg(feature = "semihosting")]
    {
        let used = stack::used(stack_top);
        for (k, out) in sampled.iter().enumerate() {
            cortex_m_semihosting::hprintln!("y[{}] = {:e}", k * 373, out);
        }
        cortex_m_semihosting::hprintln!("checksum = {:e}", checksum);
        cortex_m_semihosting::hprintln!("stack used by the model: {} bytes", used);
        cortex_m_semihosting::debug::exit(cortex_m_semihosting::debug::EXIT_SUCCESS);
    }
    // On a board: keep the result observable, then idle.
    core::hint::black_box((checksum, sampled));
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
