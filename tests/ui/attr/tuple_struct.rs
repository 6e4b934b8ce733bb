// A tuple struct is neither a spec (unit struct) nor a weight struct (named fields).
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder(u8);

fn main() {}
