// The largest sizes the derive takes (65,536) compile, and their counts are computed, not
// wrapped: 4 * 65536 * (65536 + 65536 + 2) for PyTorch's two biases, per direction and layer.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 65536, hidden = 65536, bias = "double", proj = 65535, layers = 64, bidirectional)]
struct Largest;

fn main() {
    assert!(Largest::PARAM_COUNT > 64 * 2 * 4 * 65536 * 65536);
}
