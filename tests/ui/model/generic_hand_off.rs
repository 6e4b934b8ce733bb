// A model generic over its hidden size still checks each hand-off: a head of a fixed 32 inputs
// after an LSTM of `H` is an error on the head's field.
use lstm::{Linear, LstmLayer, Model};

#[derive(Model)]
struct Amp<const H: usize> {
    rec: LstmLayer<f32, 1, H>,
    head: Linear<f32, 32, 1>,
}

fn main() {}
