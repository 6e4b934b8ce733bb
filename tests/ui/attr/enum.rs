// The derive describes a struct; an enum is rejected at its `enum` keyword.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
enum Encoder {
    Small,
}

fn main() {}
