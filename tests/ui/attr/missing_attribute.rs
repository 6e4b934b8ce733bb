// A derive without any `#[lstm(..)]` attribute: the error says which attribute to add.
use lstm::Lstm;

#[derive(Lstm)]
struct Encoder;

fn main() {}
