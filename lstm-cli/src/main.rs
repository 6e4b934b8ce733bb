//! `lstm-cli inspect FILE`: what a weight file holds (each LSTM, linear head and embedding
//! table, with its sizes and parameter count) and the Rust declarations that load it. Reads
//! safetensors, PyTorch `.pt` files and JSON `state_dict`s, told from the first bytes.
//!
//!     cargo run -p lstm-cli -- inspect tests/fixtures/torch_model.pt

use std::process::ExitCode;

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [command, path] = &arguments[..] else {
        eprintln!("usage: lstm-cli inspect FILE");
        return ExitCode::from(2);
    };
    if command != "inspect" {
        eprintln!("unknown command `{command}`; usage: lstm-cli inspect FILE");
        return ExitCode::from(2);
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("cannot read `{path}`: {error}");
            return ExitCode::FAILURE;
        }
    };
    match lstm_core::inspect(&bytes) {
        Ok(inspection) => {
            print!("{path}:\n{inspection}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{path}: {error}");
            ExitCode::FAILURE
        }
    }
}
