// A size beyond `usize::MAX` (here 2^64) is an error naming the key, not a wrapped number.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 18446744073709551616, hidden = 256)]
struct Encoder;

fn main() {}
