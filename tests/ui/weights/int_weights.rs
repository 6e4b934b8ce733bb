// Integer weights cannot convert to floats: the error names the tensor and its element type.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, bias = "double", weights = "../../../../tests/ui/weights/int_weights.safetensors")]
struct Ints;

fn main() {
    let _ = Ints::compiled();
}
