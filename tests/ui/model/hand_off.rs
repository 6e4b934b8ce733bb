// An LSTM of 40 feeding a head that takes 32: the error is on the head's field.
use lstm::{Linear, LstmLayer, Model};

#[derive(Model)]
struct Amp {
    rec: LstmLayer<f32, 1, 40>,
    head: Linear<f32, 32, 1>,
}

fn main() {}
