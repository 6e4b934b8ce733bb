// A size of 0 is no LSTM: each zero is reported on its own literal.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 0, hidden = 0)]
struct Encoder;

fn main() {}
