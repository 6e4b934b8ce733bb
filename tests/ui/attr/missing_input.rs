// `input` is required: without it nothing about the spec can be computed. The error names the
// missing key and points at the attribute that should hold it.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(hidden = 256)]
struct Encoder;

fn main() {}
