// Compile-time weights' generated code names everything by absolute path: it compiles without
// the prelude and beside user types that shadow `Option`, `Some` and `f32`'s friends.
#![no_implicit_prelude]

extern crate lstm;

#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct Some;
#[allow(dead_code)]
struct Vec;

#[derive(lstm::Lstm)]
#[lstm(
    input = 1,
    hidden = 4,
    bias = "double",
    weights = "../../../../tests/ui/weights/lstm_1_4.safetensors",
    storage = "bf16"
)]
struct Spec;

#[derive(lstm::Model)]
#[model(residual, weights = "../../../../tests/ui/weights/lstm_1_4.safetensors")]
struct Model {
    #[model(rename = "lstm")]
    rec: lstm::LstmLayer<f32, 1, 4, 2>,
    #[model(rename = "lstm")]
    act: lstm::Activation<lstm::Tanh, f32, 4>,
}

fn main() {
    use lstm::prelude::*;
    let spec = Spec::compiled();
    let _ = spec.step(&[0.5], &mut spec.zero_state());
    let _ = Model::compiled();
}
