// `bias` takes one of three strings. A typo gets the closest mode, a library's word gets ours
// ("pytorch" is "double"), and a number, a bare key or a repeated key are each reported with the
// choices.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, bias = "singel")]
struct Typo;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, bias = "pytorch")]
struct LibraryWord;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, bias = 2)]
struct Number;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, bias)]
struct NoValue;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, bias = "none", bias = "double")]
struct Twice;

fn main() {}
