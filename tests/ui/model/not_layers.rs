// A model is a struct with a named field per layer: not a tuple struct, a unit struct, an
// empty struct, or a generic one.
use lstm::{Linear, LstmLayer, Model};

#[derive(Model)]
struct Tuple(LstmLayer<f32, 1, 8>, Linear<f32, 8, 1>);

#[derive(Model)]
struct Unit;

#[derive(Model)]
struct Empty {}

#[derive(Model)]
struct Generic<L> {
    rec: L,
}

#[derive(Model)]
union Union {
    rec: u8,
}

fn main() {}
