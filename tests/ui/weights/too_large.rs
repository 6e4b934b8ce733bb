// A file over the size compile-time weights take (256 MiB) is an error before it is read; the
// test creates `huge.safetensors` as a sparse file of 257 MiB and removes it after.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, weights = "../../../../tests/ui/weights/huge.safetensors")]
struct Huge;

fn main() {
    let _ = Huge::compiled();
}
