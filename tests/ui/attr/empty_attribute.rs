// An empty `#[lstm()]` beside a real one says nothing and is refused, on the empty attribute.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm()]
#[lstm(input = 3, hidden = 4)]
struct Encoder;

fn main() {}
