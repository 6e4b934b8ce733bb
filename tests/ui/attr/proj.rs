// `proj` is PyTorch's `proj_size`: it must be a positive integer below `hidden`, since the
// projection maps the hidden units to fewer outputs. Each mistake names the value at fault.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, proj = 256)]
struct NotSmaller;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, proj = 0)]
struct Zero;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, proj_size = 64)]
struct PyTorchName;

fn main() {
    // The constants still resolve, so these lines add no errors of their own.
    let _ = [0.0f32; NotSmaller::OUTPUT];
    let _ = [0.0f32; Zero::OUTPUT];
}
