// A field that is not a layer (a bare array) is reported on the field.
use lstm::{Linear, Model};

#[derive(Model)]
struct Model2 {
    head: Linear<f32, 8, 1>,
    scale: [f32; 1],
}

fn main() {}
