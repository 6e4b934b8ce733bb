// `#[lstm]` and `#[lstm = ..]` are not the attribute's form; both are reported, with the form
// that is expected.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm]
#[lstm = "input 100"]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

fn main() {}
