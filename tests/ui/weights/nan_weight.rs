// A NaN weight is refused as at run time: the error names the tensor, the index and the value.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, bias = "double", weights = "../../../../tests/ui/weights/nan_weight.safetensors")]
struct NotANumber;

fn main() {
    let _ = NotANumber::compiled();
}
