// `hidden` is required too; the error names it.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100)]
struct Encoder;

fn main() {}
