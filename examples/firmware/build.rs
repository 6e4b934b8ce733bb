//! Puts `memory.x` where cortex-m-rt's `link.x` finds it, links with `link.x` (here rather than
//! in `.cargo/config.toml`, where a `RUSTFLAGS` from the environment would replace it), and
//! rebuilds when `memory.x` changes.
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::copy("memory.x", out.join("memory.x")).expect("memory.x is beside Cargo.toml");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rerun-if-changed=memory.x");
}
