// `HiddenIs<N>` reads as it is meant and fails with plain numbers.
use lstm::{HiddenIs, Lstm};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

fn head_of_width_128<S: HiddenIs<128>>() {}

fn main() {
    head_of_width_128::<Encoder>();
}
