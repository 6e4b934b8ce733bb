// The inherent constants work in every const context with no import: array lengths, statics,
// const items, const generics, and the typenum dimensions agree with them.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256)]
pub struct Encoder;

static BUFFER: [f32; Encoder::PARAM_COUNT] = [0.0; Encoder::PARAM_COUNT];
const TOTAL: usize = Encoder::PARAM_COUNT + Encoder::INPUT + Encoder::HIDDEN;
const _: () = assert!(Encoder::PARAM_COUNT == 365_568);
const _: () = assert!(Encoder::TENSORS.len() == 12);

struct Buffer<const N: usize>([f32; N]);

fn main() {
    use lstm::typenum::Unsigned;
    use lstm::LstmSpec;
    assert_eq!(BUFFER.len(), 365_568);
    assert_eq!(TOTAL, 365_568 + 356);
    let buffer = Buffer([0.0; Encoder::HIDDEN]);
    assert_eq!(buffer.0.len(), 256);
    assert_eq!(<Encoder as LstmSpec>::Input::USIZE, 100);
    assert_eq!(<Encoder as LstmSpec>::Hidden::USIZE, 256);
    assert_eq!(<Encoder as LstmSpec>::NAME, "Encoder");
}
