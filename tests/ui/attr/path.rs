// A constant cannot be read by the derive: sizes are computed while expanding, before constants
// have values. The message says so, instead of a bare "expected literal".
use lstm::Lstm;

const FEATURES: usize = 100;

#[derive(Lstm)]
#[lstm(input = FEATURES, hidden = 2 * 128)]
struct Encoder;

fn main() {
    let _ = FEATURES;
}
