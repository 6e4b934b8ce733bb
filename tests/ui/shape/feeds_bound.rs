// Generic code that stacks two specs requires the first's hidden size to equal the second's
// input size; Decoder (hidden 64) cannot feed Encoder (input 100).
use lstm::{Feeds, LstmSpec, Lstm};

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
struct Encoder;

#[derive(Lstm)]
#[lstm(input = 256, hidden = 64)]
struct Decoder;

fn stacked<A: Feeds<B>, B: LstmSpec>() {}

fn main() {
    stacked::<Encoder, Decoder>();
    stacked::<Decoder, Encoder>();
}
