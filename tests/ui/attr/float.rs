// A float is not a size, even a round one.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100.0, hidden = 256)]
struct Encoder;

fn main() {}
