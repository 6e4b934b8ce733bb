// The models of an enum are alternatives for one slot: a model that takes 2 inputs where the
// first takes 1 is an error on its variant.
use lstm::{Linear, Model};

#[derive(Model)]
enum Heads {
    Mono(Linear<f32, 1, 1>),
    Stereo(Linear<f32, 2, 1>),
}

fn main() {}
