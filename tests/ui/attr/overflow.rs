// Sizes that fit `usize` but not the library (here 2^32, whose parameter count would not fit
// `usize` either): each key is refused on its own literal with the limit and why, never a
// wrapped count, a panic in the macro or an internal compiler error. 65,536 is the largest size
// taken (`tests/ui/pass/largest_sizes.rs`).
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 4294967296, hidden = 4294967296)]
struct Encoder;

#[derive(Lstm)]
#[lstm(input = 65537, hidden = 8, proj = 65537)]
struct JustOver;

fn main() {}
