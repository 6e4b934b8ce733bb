//! What a weight file holds, read without a type: each LSTM, linear head and embedding table
//! found by its tensor names, its sizes and parameter count, and the Rust that loads it. The
//! engine of `lstm-cli inspect`.

use std::fmt;

use lstm_naming::{CellSlot, Naming};
use safetensors::tensor::SafeTensors;

use super::LoadError;
use super::header;

/// One layer found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// An LSTM: PyTorch `nn.LSTM` / `nn.LSTMCell` or Keras `LSTM`.
    Lstm {
        /// The prefix its names share (`"encoder.lstm."`).
        prefix: String,
        /// Its naming.
        naming: Naming,
        /// The input size of its first layer.
        input: usize,
        /// The hidden size.
        hidden: usize,
        /// The projection size, if projected (PyTorch's `proj_size`).
        proj: Option<usize>,
        /// How many layers are stacked.
        layers: usize,
        /// Whether each layer has a reverse cell.
        bidirectional: bool,
        /// Bias sets per cell: 0, 1 (Keras) or 2 (PyTorch).
        bias_sets: usize,
        /// The elements of all its tensors.
        parameters: usize,
    },
    /// A fully connected layer: PyTorch `nn.Linear` (`weight` `(O, I)`, `bias`) or Keras `Dense`
    /// (`kernel` `(I, O)`, `bias`).
    Linear {
        /// The prefix of its two tensors.
        prefix: String,
        /// Input size.
        input: usize,
        /// Output size.
        output: usize,
        /// Whether it is Keras' `Dense` (a `kernel`).
        keras: bool,
    },
    /// An embedding table: Keras' `embeddings` `(V, D)`, or a PyTorch `weight` `(V, D)` with no
    /// bias beside it (which a bias-free `nn.Linear(D, V)` would also be).
    Embedding {
        /// The prefix of the table.
        prefix: String,
        /// Vocabulary size.
        vocabulary: usize,
        /// Vector width.
        width: usize,
    },
}

/// Everything [`inspect`] found in a file, and the tensors no layer took. Its `Display` is the
/// report `lstm-cli inspect` prints: a line per layer and the declarations that load it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// The layers, in the order of their prefixes.
    pub layers: Vec<Found>,
    /// The other tensors, with their shapes.
    pub other: Vec<(String, Vec<usize>)>,
}

/// Reads a weight file (safetensors, a PyTorch `.pt` or a JSON `state_dict`, told from its
/// first bytes) and finds its layers by their names and shapes.
///
/// # Errors
/// As loading: a file that is not one of those, or is damaged.
///
/// ```
/// use lstm_core::{Found, LstmLayer, Naming, WeightFile, inspect};
/// let bytes = LstmLayer::<f32, 3, 8, 2>::zeros().to_safetensors(Naming::PyTorch, "rnn.")?;
/// let inspection = inspect(&bytes)?;
/// assert!(matches!(
///     &inspection.layers[..],
///     [Found::Lstm { input: 3, hidden: 8, layers: 1, bias_sets: 2, parameters: 416, .. }]
/// ));
/// assert!(inspection.to_string().contains("#[lstm(input = 3, hidden = 8, bias = \"double\")]"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn inspect(bytes: &[u8]) -> Result<Inspection, LoadError> {
    let mut converted = Vec::new();
    let file = header::open(bytes, &mut converted)?;
    let shape = |name: &str| file.tensor(name).ok().map(|view| view.shape().to_vec());
    let mut taken: Vec<String> = Vec::new();
    let mut layers = Vec::new();
    let mut names: Vec<String> = file.names().into_iter().map(str::to_owned).collect();
    names.sort();
    for naming in Naming::ALL {
        let Ok(first) = naming.cell_names(CellSlot::FIRST) else {
            continue;
        };
        for name in &names {
            let Some(prefix) = name.strip_suffix(first.input.as_str()) else {
                continue;
            };
            if taken.contains(name) {
                continue;
            }
            if let Some(found) = lstm_at(&file, prefix, naming, &mut taken) {
                layers.push(found);
            }
        }
    }
    for name in &names {
        if taken.contains(name) {
            continue;
        }
        let (prefix, last) = match name.rfind(['.', '/']) {
            Some(at) => (&name[..=at], &name[at + 1..]),
            None => ("", name.as_str()),
        };
        let bias = format!("{prefix}bias");
        let two_d = |dims: Vec<usize>| <[usize; 2]>::try_from(dims).ok();
        let found = match (last, shape(name).and_then(two_d), shape(&bias)) {
            ("weight", Some([output, input]), Some(b)) if b == [output] => Some(Found::Linear {
                prefix: prefix.to_owned(),
                input,
                output,
                keras: false,
            }),
            ("kernel", Some([input, output]), Some(b)) if b == [output] => Some(Found::Linear {
                prefix: prefix.to_owned(),
                input,
                output,
                keras: true,
            }),
            ("embeddings", Some([vocabulary, width]), _)
            | ("weight", Some([vocabulary, width]), None) => Some(Found::Embedding {
                prefix: prefix.to_owned(),
                vocabulary,
                width,
            }),
            _ => None,
        };
        if let Some(found) = found {
            taken.push(name.clone());
            if matches!(found, Found::Linear { .. }) {
                taken.push(bias);
            }
            layers.push(found);
        }
    }
    layers.sort_by(|a, b| a.prefix().cmp(b.prefix()));
    let other = names
        .iter()
        .filter(|name| !taken.contains(name))
        .map(|name| (name.clone(), shape(name).unwrap_or_default()))
        .collect();
    Ok(Inspection { layers, other })
}

/// The LSTM whose first cell's input weights are `{prefix}{input name}`, if its recurrent
/// weights are there too; every tensor it takes is added to `taken`.
fn lstm_at(
    file: &SafeTensors<'_>,
    prefix: &str,
    naming: Naming,
    taken: &mut Vec<String>,
) -> Option<Found> {
    let shape = |name: &str| file.tensor(name).ok().map(|view| view.shape().to_vec());
    let names = naming.cell_names(CellSlot::FIRST).ok()?;
    let input_shape = shape(&format!("{prefix}{}", names.input))?;
    let recurrent_shape = shape(&format!("{prefix}{}", names.recurrent))?;
    // PyTorch stores (4H, I) and (4H, R); Keras (I, 4H) and (H, 4H).
    let (input, hidden, recurrent_width) = match (naming, &input_shape[..], &recurrent_shape[..]) {
        (Naming::Keras, &[input, gates], &[width, _]) => (input, gates / 4, width),
        (_, &[gates, input], &[_, width]) => (input, gates / 4, width),
        _ => return None,
    };
    let proj = (recurrent_width != hidden).then_some(recurrent_width);
    let mut layers = 0;
    let mut bidirectional = false;
    let mut bias_sets = 0;
    let mut parameters = 0;
    for layer in 0.. {
        let mut any = false;
        for slot in [CellSlot::forward(layer), CellSlot::reverse(layer)] {
            let Ok(cell) = naming.cell_names(slot) else {
                continue;
            };
            let full = |name: &str| format!("{prefix}{name}");
            if shape(&full(&cell.input)).is_none() {
                continue;
            }
            any = true;
            bidirectional |= slot.is_reverse();
            let mut cell_names = vec![full(&cell.input), full(&cell.recurrent)];
            let biases: Vec<String> = cell.biases.iter().map(|b| full(b)).collect();
            let present = biases.iter().filter(|b| shape(b).is_some()).count();
            bias_sets = bias_sets.max(present);
            cell_names.extend(biases);
            cell_names.extend(cell.projection.as_deref().map(full));
            for name in cell_names {
                if let Some(dims) = shape(&name) {
                    parameters += dims.iter().product::<usize>();
                    taken.push(name);
                }
            }
        }
        if !any {
            break;
        }
        layers += 1;
        if naming != Naming::PyTorch {
            break; // one cell only
        }
    }
    Some(Found::Lstm {
        prefix: prefix.to_owned(),
        naming,
        input,
        hidden,
        proj,
        layers,
        bidirectional,
        bias_sets,
        parameters,
    })
}

impl Found {
    /// The layer's parameter count: every element of its tensors.
    ///
    /// ```
    /// use lstm_core::Found;
    /// let head = Found::Linear { prefix: "head.".into(), input: 4, output: 2, keras: false };
    /// assert_eq!(head.parameters(), 10);
    /// ```
    #[must_use]
    pub fn parameters(&self) -> usize {
        match self {
            Found::Lstm { parameters, .. } => *parameters,
            Found::Linear { input, output, .. } => input * output + output,
            Found::Embedding {
                vocabulary, width, ..
            } => vocabulary * width,
        }
    }

    /// The prefix the layer's tensors share.
    #[must_use]
    pub fn prefix(&self) -> &str {
        match self {
            Found::Lstm { prefix, .. }
            | Found::Linear { prefix, .. }
            | Found::Embedding { prefix, .. } => prefix,
        }
    }
}

/// A Rust type name for a prefix: `encoder.lstm.` becomes `EncoderLstm`, `lstm.` `LstmSpec`.
fn type_name(prefix: &str, fallback: &str) -> String {
    let name: String = prefix
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    match name.chars().next() {
        // `Lstm` alone would read as the derive's name.
        Some(_) if name == "Lstm" => "LstmSpec".to_owned(),
        Some(first) if first.is_ascii_alphabetic() => name,
        _ => fallback.to_owned(),
    }
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.layers.is_empty() {
            writeln!(f, "no LSTM, linear or embedding layer found")?;
        }
        for found in &self.layers {
            match found {
                Found::Lstm {
                    prefix,
                    naming,
                    input,
                    hidden,
                    proj,
                    layers,
                    bidirectional,
                    bias_sets,
                    parameters,
                } => {
                    writeln!(
                        f,
                        "`{prefix}`: LSTM ({naming}), input {input}, hidden {hidden}{}{}{}, \
                         {parameters} parameters",
                        proj.map(|p| format!(", projected to {p}"))
                            .unwrap_or_default(),
                        if *layers > 1 {
                            format!(", {layers} layers")
                        } else {
                            String::new()
                        },
                        if *bidirectional {
                            ", bidirectional"
                        } else {
                            ""
                        },
                    )?;
                    let mut keys = format!("input = {input}, hidden = {hidden}");
                    match bias_sets {
                        0 => keys.push_str(", bias = \"none\""),
                        2 => keys.push_str(", bias = \"double\""),
                        _ => {}
                    }
                    if let Some(p) = proj {
                        keys.push_str(&format!(", proj = {p}"));
                    }
                    if *layers > 1 {
                        keys.push_str(&format!(", layers = {layers}"));
                    }
                    if *bidirectional {
                        keys.push_str(", bidirectional");
                    }
                    let name = type_name(prefix, "LstmSpec");
                    writeln!(f, "    #[derive(Lstm)]")?;
                    writeln!(f, "    #[lstm({keys})]")?;
                    writeln!(f, "    struct {name};")?;
                    writeln!(
                        f,
                        "    let lstm = Weights::<{name}>::from_safetensors(&bytes, &LoadOptions::new().prefix({prefix:?}))?;"
                    )?;
                }
                Found::Linear {
                    prefix,
                    input,
                    output,
                    keras,
                } => {
                    let kind = if *keras { "Keras Dense" } else { "nn.Linear" };
                    writeln!(
                        f,
                        "`{prefix}`: linear ({kind}), {input} -> {output}, {} parameters",
                        found.parameters()
                    )?;
                    writeln!(
                        f,
                        "    let head = Linear::<f32, {input}, {output}>::from_safetensors(&bytes, {prefix:?}, &LoadOptions::new())?;"
                    )?;
                }
                Found::Embedding {
                    prefix,
                    vocabulary,
                    width,
                } => {
                    writeln!(
                        f,
                        "`{prefix}`: embedding, {vocabulary} tokens of {width}, {} parameters",
                        found.parameters()
                    )?;
                    writeln!(
                        f,
                        "    let embedding = Embedding::<f32, {vocabulary}, {width}>::from_safetensors(&bytes, {prefix:?}, &LoadOptions::new())?;"
                    )?;
                }
            }
        }
        if !self.other.is_empty() {
            let listed: Vec<String> = self
                .other
                .iter()
                .map(|(name, shape)| format!("{name} {shape:?}"))
                .collect();
            writeln!(f, "other tensors: {}", listed.join(", "))?;
        }
        Ok(())
    }
}
