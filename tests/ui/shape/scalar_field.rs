// Fields of a scalar type (`u8`) are reported on each field, not on `Lstm` (issue 15, item 5).
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 3, hidden = 2)]
struct Cell {
    w_i: u8,
    u_i: u8,
    b_i: u8,
    w_f: u8,
    u_f: u8,
    b_f: u8,
    w_c: u8,
    u_c: u8,
    b_c: u8,
    w_o: u8,
    u_o: u8,
    b_o: u8,
}

fn main() {}
