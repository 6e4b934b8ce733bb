//! Damaged and hostile weight files, replayed deterministically (issue 15): every committed
//! fixture, then thousands of mutations of the small ones (bit flips, bytes set to values
//! that break parsers, truncations, a header length that lies, spliced and duplicated ranges),
//! through every loader (`common/loaders.rs`, shared with the fuzz targets in `fuzz/`). No load
//! may panic; each must load or give an error that says what is wrong. `fuzz/run.sh` runs the
//! same loaders under libFuzzer for as long as one wants.

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

#[path = "common/loaders.rs"]
mod loaders;

use std::path::PathBuf;

/// The committed fixtures that are weight files (safetensors, PyTorch `.pt`, JSON state_dicts
/// and other JSON, Keras `.keras` and `.weights.h5`), smallest first.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&directory)
        .expect("tests/fixtures")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.extension().is_some_and(|ext| {
                ["safetensors", "json", "pt", "keras", "h5"].contains(&&*ext.to_string_lossy())
            })
        })
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("a readable fixture"))
        })
        .collect();
    files.sort_by_key(|(_, bytes)| bytes.len());
    files
}

/// Bytes that break parsers: JSON punctuation, digits, NUL, high bit, all ones.
const INTERESTING: [u8; 16] = [
    0, 0xff, 0x7f, 0x80, b'"', b'{', b'}', b'[', b']', b',', b':', b'0', b'9', b'-', b'e', b'\\',
];

/// One mutation of `bytes`, chosen by `rng`.
fn mutate(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    // Where the text to aim at ends: a safetensors header, or a whole JSON file.
    let header_end = if bytes.first() == Some(&b'{') {
        bytes.len()
    } else {
        usize::try_from(u64::from_le_bytes(bytes[..8].try_into().unwrap()))
            .ok()
            .and_then(|length| length.checked_add(8))
            .map_or(bytes.len(), |end| end.min(bytes.len()))
    };
    // Most mutations aim at the header, where the parsing is.
    let at = |rng: &mut Rng, len: usize| {
        if rng.below(4) == 0 {
            rng.below(len)
        } else {
            rng.below(header_end.min(len))
        }
    };
    match rng.below(8) {
        0 => {
            let i = at(rng, out.len());
            out[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = at(rng, out.len());
            out[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 => out.truncate(rng.below(out.len())),
        3 => {
            // A header length that lies, by a little or a lot.
            let length = u64::from_le_bytes(out[..8].try_into().unwrap());
            let lie = match rng.below(4) {
                0 => length.wrapping_add(1 + rng.below(16) as u64),
                1 => length.wrapping_sub(1 + rng.below(16) as u64),
                2 => u64::MAX - rng.below(16) as u64,
                _ => rng.next(),
            };
            out[..8].copy_from_slice(&lie.to_le_bytes());
        }
        4 => {
            // Duplicate a range of the header in place (names, entries, brackets twice).
            let start = 8 + rng.below(header_end - 8);
            let end = (start + 1 + rng.below(64)).min(header_end);
            let copy = out[start..end].to_vec();
            out.splice(start..start, copy);
        }
        5 => {
            // Remove a range of the header.
            let start = 8 + rng.below(header_end - 8);
            let end = (start + 1 + rng.below(32)).min(header_end);
            out.drain(start..end);
        }
        6 => {
            // Digits inside the header, where shapes and offsets are.
            let digits: Vec<usize> = (8..header_end)
                .filter(|&i| out[i].is_ascii_digit())
                .collect();
            if let Some(&i) = digits.get(rng.below(digits.len())) {
                out[i] = b'0' + rng.below(10) as u8;
                if rng.below(2) == 0 {
                    out.insert(i, b'9');
                }
            }
        }
        _ => {
            // Two mutations at once (the second only where the first left a header to aim at).
            out = mutate(&out, rng);
            let header_fits = out.len() >= 8
                && usize::try_from(u64::from_le_bytes(out[..8].try_into().unwrap()))
                    .ok()
                    .and_then(|length| length.checked_add(8))
                    .is_some_and(|end| end > 8 && end <= out.len());
            if header_fits {
                out = mutate(&out, rng);
            }
        }
    }
    out
}

#[test]
fn every_fixture_loads_or_errors_without_panicking() {
    let corpus = corpus();
    assert!(corpus.len() >= 30, "the fixtures are there");
    let loaded: usize = corpus
        .iter()
        .map(|(_, bytes)| loaders::load_everything(bytes))
        .sum();
    // Each fixture fits at least one of the loaders' types in some way.
    assert!(loaded >= 20, "{loaded} loads succeeded");
}

#[test]
fn thousands_of_mutations_load_or_error_without_panicking() {
    const MUTATIONS: usize = 6_000;
    let corpus: Vec<_> = corpus()
        .into_iter()
        .filter(|(_, bytes)| bytes.len() <= 16 << 10)
        .collect();
    let mut rng = Rng(0x1505_2026);
    let (mut loaded, mut ran) = (0, 0);
    for round in 0..MUTATIONS {
        let (name, bytes) = &corpus[round % corpus.len()];
        let mutated = mutate(bytes, &mut rng);
        let result = std::panic::catch_unwind(|| loaders::load_everything(&mutated));
        match result {
            Ok(count) => loaded += count,
            Err(_) => panic!(
                "mutation {round} of {name} panicked; its bytes: {:?}",
                String::from_utf8_lossy(&mutated[..mutated.len().min(400)])
            ),
        }
        ran += 1;
    }
    assert_eq!(ran, MUTATIONS);
    // Mutations of the data bytes still load: the replay reaches past the header.
    assert!(loaded > MUTATIONS / 10, "{loaded} loads succeeded");
}
