// The file holds nn.LSTM(1, 4); a spec of hidden 5 is an error on the literal that names the
// tensor, the expected and the found shape, in the run-time loader's words. The same file in a
// model whose field is named otherwise says which name the file has.
use lstm::{Lstm, LstmLayer, Model};

#[derive(Lstm)]
#[lstm(input = 1, hidden = 5, bias = "double", weights = "../../../../tests/ui/weights/lstm_1_4.safetensors")]
struct Wider;

#[derive(Lstm)]
#[lstm(input = 1, hidden = 4, weights = "../../../../tests/ui/weights/lstm_1_4.safetensors")]
struct OneBias; // fits: PyTorch's two biases load summed into one set

#[derive(Model)]
#[model(weights = "../../../../tests/ui/weights/lstm_1_4.safetensors")]
struct Renamed {
    rec: LstmLayer<f32, 1, 4, 2>,
}

fn main() {
    let _ = (Wider::compiled(), OneBias::compiled(), Renamed::compiled());
}
