// Each variant of a model enum holds one model; an empty enum, a unit or struct variant, two
// fields, an attribute on a variant and `residual` on the enum are each reported.
use lstm::{Linear, Model};

#[derive(Model)]
enum Empty {}

#[derive(Model)]
#[model(residual)]
enum Heads {
    Small(Linear<f32, 4, 1>),
    Unit,
    Named { head: Linear<f32, 4, 1> },
    Two(Linear<f32, 4, 1>, Linear<f32, 4, 1>),
    #[model(rename = "large")]
    Large(Linear<f32, 4, 1>),
}

fn main() {}
