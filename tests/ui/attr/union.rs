// A union is rejected at its `union` keyword.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
union Encoder {
    bits: u32,
}

fn main() {}
