// A key given twice is reported on its second occurrence, also across two attributes.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, input = 128)]
#[lstm(hidden = 256)]
struct Encoder;

fn main() {}
