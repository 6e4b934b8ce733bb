// A truncated safetensors file: the loader's error, naming the file, never a macro panic.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, bias = "double", weights = "../../../../tests/ui/weights/truncated.safetensors")]
struct Cut;

fn main() {
    let _ = Cut::compiled();
}
