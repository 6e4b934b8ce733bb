// A weight file that is not there is a compile error on the `weights` literal naming the path
// it looked for (relative to the crate's `Cargo.toml`), not a macro panic; the constructor
// still exists, so its use adds no error.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, weights = "tests/ui/weights/no_such_file.safetensors")]
struct Missing;

fn main() {
    let _ = Missing::compiled();
}
