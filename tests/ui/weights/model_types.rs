// A model compiles weights in only where the macro can read every field's sizes: layer types
// written out with literal sizes (not an alias, not a const parameter), and one size per model.
use lstm::{Linear, Lstm, LstmLayer, Model, Weights};

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, bias = "double")]
struct Spec;

#[derive(Model)]
#[model(weights = "../../../../tests/ui/weights/lstm_1_4.safetensors")]
struct Aliased {
    lstm: Weights<Spec>,
    head: Linear<f32, 4, 1>,
}

#[derive(Model)]
#[model(weights = "../../../../tests/ui/weights/lstm_1_4.safetensors")]
struct Sized<const H: usize> {
    lstm: LstmLayer<f32, 1, H, 2>,
}

#[derive(Model)]
#[model(weights = "../../../../tests/ui/weights/lstm_1_4.safetensors")]
enum Choice {
    Small(Aliased),
}

fn main() {}
