// A struct may have any name, including the ones the generated code uses for its own generic
// parameters (issue 15, item 5: `__LstmNext` failed to compile).
use lstm::{Feeds, Lstm, LstmSpec};

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4)]
#[allow(non_camel_case_types)]
struct __LstmNext;

#[derive(Lstm)]
#[lstm(input = 4, hidden = 2)]
struct Head;

fn feeds<A: Feeds<B>, B: LstmSpec>() {}

fn main() {
    feeds::<__LstmNext, Head>();
}
