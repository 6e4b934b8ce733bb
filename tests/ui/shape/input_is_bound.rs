// Generic code that accepts only specs with input 100, given one with input 128: the error names
// the spec and the size in plain numbers, not as type-level binary.
use lstm::{InputIs, Lstm};

#[derive(Lstm)]
#[lstm(input = 128, hidden = 256)]
struct Decoder;

fn feature_model<S: InputIs<100>>() {}

fn main() {
    feature_model::<Decoder>();
}
