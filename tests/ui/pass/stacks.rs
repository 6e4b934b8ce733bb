// Stacked, bidirectional and projected specs: the weight and state types the derive writes, the
// sizes as constants, streaming a unidirectional stack, and a whole sequence through a
// bidirectional one into a head of the right width.
use lstm::prelude::*;
use lstm::{Feeds, Linear, LstmSpec, Lstm, State, Weights};

#[derive(Lstm)]
#[lstm(input = 1, hidden = 32, layers = 2)]
struct Audio;

#[derive(Lstm)]
#[lstm(input = 10, hidden = 16, bidirectional, layers = 2, proj = 8)]
struct Tagger;

#[derive(Lstm)]
#[lstm(input = 16, hidden = 4, bidirectional = false)]
struct Next;

fn stacked<A: Feeds<B>, B: LstmSpec>() {}

fn main() {
    // PyTorch: nn.LSTM(1, 32, num_layers=2) has 4*32*(1+32+2) + 4*32*(32+32+2) = 12,928.
    assert_eq!(<Audio as LstmSpec>::PARAM_COUNT, 4 * 32 * (1 + 32 + 1) + 4 * 32 * (32 + 32 + 1));
    assert_eq!(Audio::OUTPUT, 32);
    assert_eq!(Tagger::OUTPUT, 16);
    stacked::<Tagger, Next>();

    let audio = Weights::<Audio>::zeros();
    let mut state: State<Audio> = audio.zero_state();
    let y: [f32; 32] = audio.step(&[0.5], &mut state);
    assert_eq!(y, [0.0; 32]);

    let tagger = Weights::<Tagger>::from_safetensors(
        &Weights::<Tagger>::zeros().to_safetensors(lstm::Naming::PyTorch, "").unwrap(),
        &lstm::LoadOptions::new(),
    )
    .unwrap();
    let head = Linear::<f32, 16, 5>::zeros();
    let inputs = [[0.1f32; 10]; 6];
    let mut outputs = [[0.0f32; 16]; 6];
    tagger.run(&inputs, &mut outputs, &mut tagger.zero_state()).unwrap();
    let tags: [f32; 5] = head.step(&outputs[0], &mut ());
    assert_eq!(tags, [0.0; 5]);
}
