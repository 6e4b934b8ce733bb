// Every mistake in `#[model(..)]` is reported at once, each on its own token.
use lstm::{Linear, LstmLayer, Model};

#[derive(Model)]
#[model(residual, residual, skip)]
#[model(rename = "amp")]
struct Amp {
    #[model(rename = "rec.")]
    rec: LstmLayer<f32, 1, 8>,
    #[model(residual)]
    #[model(rename = "lin", rename = "head", prefix = "lin.")]
    lin: Linear<f32, 8, 1>,
}

fn main() {}
