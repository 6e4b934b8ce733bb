// A `where` clause (with no generic parameters) is reported on the clause, not on `Lstm`.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 4)]
struct Encoder
where
    u8: Copy;

fn main() {}
