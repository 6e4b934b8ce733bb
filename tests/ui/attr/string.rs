// A quoted number is a string; the message says to drop the quotes.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = "100", hidden = 256)]
struct Encoder;

fn main() {}
