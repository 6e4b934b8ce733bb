// Several mistakes in one attribute are all reported in one compilation, each on its own token:
// a zero, an unknown key, a duplicate and a string.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 0, hiden = 256, input = 100, hidden = "256")]
struct Encoder;

fn main() {}
