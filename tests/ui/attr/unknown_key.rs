// An unknown key gets the closest known one, and PyTorch's and Keras' names for the sizes are
// pointed at ours. A key with no close match lists the keys there are.
use lstm::Lstm;

#[derive(Lstm)]
#[lstm(input = 100, hiden = 256)]
struct Typo;

#[derive(Lstm)]
#[lstm(input_size = 100, hidden_size = 256)]
struct PyTorchNames;

#[derive(Lstm)]
#[lstm(input = 100, units = 256)]
struct KerasNames;

#[derive(Lstm)]
#[lstm(input = 100, hidden = 256, dropout = 0.5)]
struct Unrelated;

fn main() {}
