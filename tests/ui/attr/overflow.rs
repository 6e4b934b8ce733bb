// Both sizes fit `usize`, but the parameter count does not: an error that says so, never a
// wrapped count, a panic in the macro or an internal compiler error.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 4294967296, hidden = 4294967296)]
struct Encoder;

fn main() {}
