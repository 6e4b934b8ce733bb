// A negative size is reported with the value as written.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = -256)]
struct Encoder;

fn main() {}
