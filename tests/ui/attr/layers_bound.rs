// `layers` is bounded: each layer nests the weights' type one level deeper, so a typo such as
// `layers = 18446744073709551615` must be a spanned error at once, not a panic in the derive,
// unbounded memory or a compiler stack overflow. 64 is the most; 65 is refused.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, layers = 18446744073709551615)]
struct Huge;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, layers = 65)]
struct JustOver;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, layers = 1e12)]
struct Float;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4, layers = 64)]
struct Deepest;

fn main() {
    assert_eq!(Deepest::PARAM_COUNT, 4 * 4 * (3 + 4 + 1) + 63 * 4 * 4 * (4 + 4 + 1));
}
