// A broken attribute is one error, not one per use: the derive still writes the constants, tied
// to the first error, so code that uses `Encoder::HIDDEN` or `Encoder::PARAM_COUNT` adds nothing.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 0)]
struct Encoder;

static BUFFER: [f32; Encoder::PARAM_COUNT] = [0.0; Encoder::PARAM_COUNT];

fn main() {
    let h = [0.0f32; Encoder::HIDDEN];
    let x: [f32; Encoder::INPUT] = [0.0; 100];
    let _ = (h, x, &BUFFER);
}
