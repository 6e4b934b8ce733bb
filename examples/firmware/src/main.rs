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

#[entry]
fn main() -> ! {
    let amp = Amp::compiled();
    let mut state = amp.zero_state();
    let mut checksum = 0.0f32;
    for n in 0..SAMPLES {
        let [out] = amp.step(&[signal(n)], &mut state);
        checksum += out;
        #[cfg(feature = "semihosting")]
        if n % 373 == 0 {
            cortex_m_semihosting::hprintln!("y[{}] = {:e}", n, out);
        }
    }
    #[cfg(feature = "semihosting")]
    {
        cortex_m_semihosting::hprintln!("checksum = {:e}", checksum);
        cortex_m_semihosting::debug::exit(cortex_m_semihosting::debug::EXIT_SUCCESS);
    }
    // On a board: keep the result observable, then idle.
    core::hint::black_box(checksum);
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
