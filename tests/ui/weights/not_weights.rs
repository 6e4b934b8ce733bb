// A file of another format (text) is the loader's own error, on the literal, naming the file.
// (trybuild compiles the cases in `target/tests/trybuild/lstm`, hence the `../`s.)
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, weights = "../../../../tests/ui/weights/not_weights.txt")]
struct Text;

fn main() {
    let _ = Text::compiled();
}
