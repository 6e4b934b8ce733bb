//! Byte-level: any bytes, through every loader and type of `tests/common/loaders.rs` (the same
//! list the mutation replay in `cargo test` runs). Seeded with the committed fixtures.
#![no_main]

#[path = "../../tests/common/loaders.rs"]
mod loaders;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    loaders::load_everything(bytes);
});
