// Sizes are `usize`; a literal with another suffix is reported rather than silently converted.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100u8, hidden = 256usize)]
struct Encoder;

fn main() {}
