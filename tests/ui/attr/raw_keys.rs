// Raw identifiers name the same keys (`r#input` is `input`); a raw unknown key is still unknown,
// and is reported without its `r#`.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(r#input = 3, r#hidden = 4, r#bias = "double", r#hiden = 5)]
struct Encoder;

fn main() {}
