// `#[lstm[..]]` and `#[lstm{..}]` are not the attribute's form (issue 15, item 5): rustc would
// take them, so the derive must refuse them, each on its own token.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm[input = 3, hidden = 4]]
struct Brackets;

#[derive(Lstm)]
#[lstm{input = 3, hidden = 4}]
struct Braces;

fn main() {}
