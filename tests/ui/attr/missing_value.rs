// A key without `= value` is reported with an example of the form expected.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input, hidden = 256)]
struct Encoder;

fn main() {}
