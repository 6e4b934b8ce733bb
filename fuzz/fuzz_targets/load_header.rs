//! Structure-aware: the input is a safetensors header's JSON text and the data after it, split
//! at the first NUL byte, with the length field written to fit. Byte-level mutations of a whole
//! file mostly break the length field; here every mutation reaches the JSON and the checks
//! behind it (names, dtypes, shapes, offsets, duplicates).
#![no_main]

#[path = "../../tests/common/loaders.rs"]
mod loaders;

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    let split = input.iter().position(|&byte| byte == 0).unwrap_or(input.len());
    let (header, data) = input.split_at(split);
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(header);
    file.extend_from_slice(data.get(1..).unwrap_or_default());
    loaders::load_everything(&file);
});
