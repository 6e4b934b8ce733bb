//! The rules between the attribute and the struct, and the sizes they imply.
//!
//! Every derived number is computed here, once, with checked arithmetic; `expand` only writes
//! them out as literals, so the core crate never needs `generic_const_exprs`.

use syn::{Expr, ExprLit, Field, GenericArgument, Ident, Lit, PathArguments, Type};

use crate::ast::Body;
use crate::ast::Container;
use crate::attr::BiasMode;
use crate::ctxt::Ctxt;
use crate::symbol::{self, BIAS_MODES, BIDIRECTIONAL, HIDDEN, INPUT, LAYERS, PROJ};

/// The checked sizes of one LSTM cell and every count derived from them.
pub(crate) struct Shape {
    pub(crate) input: usize,
    pub(crate) hidden: usize,
    pub(crate) bias: BiasMode,
    /// `R`: the size of `h`, the projection's `P` or else `H`.
    pub(crate) output: usize,
    /// Whether `h` is projected (`proj = P`).
    pub(crate) projected: bool,
    /// `4 * H`: rows of PyTorch's stacked tensors, columns of Keras' kernels.
    pub(crate) gates_hidden: usize,
    /// `H * R`, the size of one `U`.
    pub(crate) recurrent_weights: usize,
    /// `R * H`, the size of the projection `W_hr` (counted only if there is one).
    pub(crate) projection_weights: usize,
    /// `4 * H * R`, PyTorch's `weight_hh` and Keras' `recurrent_kernel`.
    pub(crate) stacked_recurrent_weights: usize,
    /// Every parameter of every layer and direction: per cell `4 * H * (I_k + R + B)`, plus
    /// `R * H` with a projection.
    pub(crate) param_count: usize,
    /// `L`, PyTorch's `num_layers`.
    pub(crate) layers: usize,
    /// `D`: 2 if bidirectional, else 1.
    pub(crate) directions: usize,
    /// `D * R`: the width of each step's output, and the input of every layer after the first.
    pub(crate) sequence_output: usize,
    /// The input-side sizes of each layer: layer 0 takes `I`, the others `D * R`.
    pub(crate) layer_inputs: Vec<LayerInput>,
}

/// The sizes that depend on a layer's input width.
pub(crate) struct LayerInput {
    /// `I_k`: `I` for layer 0, `D * R` after it.
    pub(crate) size: usize,
    /// `H * I_k`, one `W`.
    pub(crate) input_weights: usize,
    /// `4 * H * I_k`, PyTorch's `weight_ih_l{k}`.
    pub(crate) stacked_input_weights: usize,
}

/// The keys that shape the stack around the cell.
#[derive(Clone, Copy)]
pub(crate) struct StackKeys {
    pub(crate) proj: Option<usize>,
    pub(crate) layers: usize,
    pub(crate) directions: usize,
}

impl Shape {
    /// The sizes for the attribute's values, or `None` if any count overflows `usize`.
    fn new(input: usize, hidden: usize, bias: BiasMode, keys: StackKeys) -> Option<Self> {
        let StackKeys {
            proj,
            layers,
            directions,
        } = keys;
        let output = proj.unwrap_or(hidden);
        let gates_hidden = hidden.checked_mul(4)?;
        let recurrent_weights = hidden.checked_mul(output)?;
        let projection_weights = output.checked_mul(hidden)?;
        let stacked_input_weights = gates_hidden.checked_mul(input)?;
        let stacked_recurrent_weights = gates_hidden.checked_mul(output)?;
        let mut weights = stacked_input_weights.checked_add(stacked_recurrent_weights)?;
        if proj.is_some() {
            weights = weights.checked_add(projection_weights)?;
        }
        // One cell of layer 0 must fit on its own, as the tables list it.
        weights.checked_add(gates_hidden.checked_mul(2)?)?;
        let sequence_output = output.checked_mul(directions)?;
        let mut layer_inputs = Vec::with_capacity(layers);
        // Per cell: the input weights, then everything that does not depend on the input. The
        // PyTorch layout printed beside it has two bias sets, so that total must fit too.
        let cell_rest = stacked_recurrent_weights.checked_add(if proj.is_some() {
            projection_weights
        } else {
            0
        })?;
        let (mut param_count, mut pytorch_count) = (0usize, 0usize);
        for layer in 0..layers {
            let size = if layer == 0 { input } else { sequence_output };
            let stacked = gates_hidden.checked_mul(size)?;
            let cell = stacked.checked_add(cell_rest)?;
            let ours = cell.checked_add(gates_hidden.checked_mul(bias.sets)?)?;
            let theirs = cell.checked_add(gates_hidden.checked_mul(2)?)?;
            param_count = param_count.checked_add(ours.checked_mul(directions)?)?;
            pytorch_count = pytorch_count.checked_add(theirs.checked_mul(directions)?)?;
            layer_inputs.push(LayerInput {
                size,
                input_weights: hidden.checked_mul(size)?,
                stacked_input_weights: stacked,
            });
        }
        Some(Shape {
            layers,
            directions,
            sequence_output,
            layer_inputs,
            input,
            hidden,
            bias,
            output,
            projected: proj.is_some(),
            projection_weights,
            gates_hidden,
            recurrent_weights,
            stacked_recurrent_weights,
            param_count,
        })
    }
}

/// The three kinds of tensor in a cell, with the shape each must have.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `W`: hidden x input.
    Input,
    /// `U`: hidden x hidden.
    Recurrent,
    /// `b`: hidden; the number is the bias set.
    Bias(usize),
    /// `W_hr`: output x hidden.
    Projection,
}

/// The four gates in order: their description and the letters their fields may use (`g` is
/// PyTorch's name for the candidate).
pub(crate) const GATES: [(&str, &[char]); 4] = [
    ("input gate", &['i']),
    ("forget gate", &['f']),
    ("candidate", &['c', 'g']),
    ("output gate", &['o']),
];

/// One tensor of a weight struct: which gate, which kind, and the field names it may have.
pub(crate) struct Slot {
    pub(crate) gate: usize,
    pub(crate) kind: Kind,
    /// The canonical name first (`w_c`), then the accepted alternative (`w_g`).
    pub(crate) names: Vec<String>,
}

/// The tensors of a cell with `bias`, in the seed's order: per gate `W`, `U`, then its biases;
/// last the projection `w_hr`, if `projected`.
pub(crate) fn slots(bias: BiasMode, projected: bool) -> Vec<Slot> {
    let mut slots = Vec::new();
    for (gate, (_, letters)) in GATES.iter().enumerate() {
        let names = |prefix: &str| {
            letters
                .iter()
                .map(|letter| format!("{prefix}{letter}"))
                .collect()
        };
        slots.push(Slot {
            gate,
            kind: Kind::Input,
            names: names("w_"),
        });
        slots.push(Slot {
            gate,
            kind: Kind::Recurrent,
            names: names("u_"),
        });
        for set in 0..bias.sets {
            // PyTorch's names for its two biases: `b_ii` (with the input) and `b_hi` (with `h`).
            let prefix = match (bias.sets, set) {
                (1, _) => "b_",
                (_, 0) => "b_i",
                _ => "b_h",
            };
            slots.push(Slot {
                gate,
                kind: Kind::Bias(set),
                names: names(prefix),
            });
        }
    }
    if projected {
        let names = vec!["w_hr".to_owned()];
        slots.push(Slot {
            gate: GATES.len() - 1,
            kind: Kind::Projection,
            names,
        });
    }
    slots
}

/// The fields of a user's weight struct, one per slot of [`slots`], in that order.
pub(crate) struct WeightFields<'a> {
    pub(crate) fields: Vec<&'a Field>,
}

/// The most layers a spec may stack. The weights' and state's types nest one level per layer:
/// at 2,000 layers a build took 94 s and 668 MB, at 5,000 rustc overflowed its stack. PyTorch
/// models rarely stack more than a handful; 64 compiles in well under a second.
const MAX_LAYERS: usize = 64;

/// Validates the container; `None` when something is wrong (the reason is in `cx`).
pub(crate) fn shape(cx: &mut Ctxt, container: &Container<'_>) -> Option<Shape> {
    let attrs = &container.attrs;
    let Some(attribute) = &attrs.attribute else {
        cx.error_spanned_by(
            container.ident,
            "missing `#[lstm(input = .., hidden = ..)]` attribute: `#[derive(Lstm)]` needs the \
             input and hidden sizes",
        );
        return None;
    };
    for (key, seen) in [(INPUT, attrs.input_seen), (HIDDEN, attrs.hidden_seen)] {
        if !seen && !attrs.suggested.contains(&key) {
            cx.error_spanned_by(attribute, format_args!("missing lstm attribute `{key}`"));
        }
    }
    let (input, hidden, bias) = (attrs.input?, attrs.hidden?, attrs.bias?);
    if attrs.proj_seen && attrs.proj.is_none() {
        return None; // the value was rejected; the error is recorded
    }
    if (attrs.layers_seen && attrs.layers.is_none()) || attrs.bidirectional_invalid {
        return None; // a value was rejected; the error is recorded
    }
    if let Some(layers) = attrs.layers
        && layers.value > MAX_LAYERS
    {
        cx.syn_error(syn::Error::new(
            layers.span,
            format_args!(
                "`{LAYERS}` must be at most {MAX_LAYERS}, found {}: the weights' type nests one \
                 `Stacked` per layer, and deeper types exhaust the compiler",
                layers.value
            ),
        ));
        return None;
    }
    let stack_key = attrs
        .layers
        .filter(|layers| layers.value > 1)
        .map(|layers| (LAYERS, layers.span))
        .or(attrs.bidirectional.map(|span| (BIDIRECTIONAL, span)));
    if let (Body::Weights(_), Some((key, span))) = (&container.body, stack_key) {
        cx.syn_error(syn::Error::new(
            span,
            format_args!(
                "`{key}` is for a spec (a unit struct): a weight struct holds the tensors of one \
                 cell; declare the stack as `struct Spec;` and use `lstm::Weights<Spec>`"
            ),
        ));
        return None;
    }
    if let (Body::Weights(_), Some(weights)) = (&container.body, &attrs.weights) {
        cx.error_spanned_by(
            weights,
            "`weights` compiles a file into a spec (a unit struct, `struct Encoder;`); a weight \
             struct holds its own tensors",
        );
    }
    if let (None, Some((_, storage))) = (&attrs.weights, &attrs.storage) {
        cx.error_spanned_by(
            storage,
            "`storage` says how compiled-in weights are stored: it needs `weights = \"..\"`",
        );
    }
    if let Some(proj) = attrs.proj
        && proj.value >= hidden.value
    {
        cx.syn_error(syn::Error::new(
            proj.span,
            format_args!(
                "`{PROJ}` must be less than `hidden` ({}), found {}: the projection maps the \
                 {} hidden units to fewer outputs, as PyTorch's `proj_size` does",
                hidden.value, proj.value, hidden.value
            ),
        ));
        return None;
    }
    let keys = StackKeys {
        proj: attrs.proj.map(|proj| proj.value),
        layers: attrs.layers.map_or(1, |layers| layers.value),
        directions: if attrs.bidirectional.is_some() { 2 } else { 1 },
    };
    let shape = Shape::new(input.value, hidden.value, bias, keys);
    if shape.is_none() {
        let error = syn::Error::new(
            input.span,
            format_args!(
                "parameter count overflows `usize`: input = {} and hidden = {} give more than {} \
                 parameters",
                input.value,
                hidden.value,
                usize::MAX
            ),
        );
        cx.syn_error(error);
    }
    shape
}

/// Matches the fields of a weight struct to the cell's tensors and checks every written shape.
/// `None` when a field is missing, unknown, duplicated or of a shape the derive read as wrong
/// (the errors are recorded): the generated code then cannot name the fields.
pub(crate) fn weight_fields<'a>(
    cx: &mut Ctxt,
    ident: &Ident,
    fields: &[&'a Field],
    shape: Option<&Shape>,
    bias: BiasMode,
    projected: bool,
) -> Option<WeightFields<'a>> {
    let slots = slots(bias, projected);
    let mut found: Vec<Option<&'a Field>> = vec![None; slots.len()];
    let mut complete = true;
    for &field in fields {
        let Some(name) = &field.ident else { continue };
        let name_text = name.to_string();
        match slots
            .iter()
            .position(|slot| slot.names.contains(&name_text))
        {
            Some(index) => match found[index] {
                Some(first) => {
                    complete = false;
                    let first = first
                        .ident
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    cx.error_spanned_by(
                        name,
                        format_args!(
                            "field `{name_text}` is the same tensor as `{first}`; the candidate \
                             gate is named `c` or `g`, not both"
                        ),
                    );
                }
                None => found[index] = Some(field),
            },
            None => {
                complete = false;
                cx.error_spanned_by(name, unknown_field_message(&name_text, &slots, bias));
            }
        }
    }
    for (slot, field) in slots.iter().zip(&found) {
        if field.is_none() {
            complete = false;
            let expected = shape
                .map(|shape| expected_type(slot.kind, shape))
                .unwrap_or_default();
            cx.error_spanned_by(
                ident,
                format_args!("missing field `{}`{expected}", slot.names[0]),
            );
        }
    }
    if let Some(shape) = shape {
        for (slot, field) in slots.iter().zip(&found) {
            if let Some(field) = field {
                // A shape already reported here must not reach the type checker as well.
                complete &= check_field_shape(cx, field, slot.kind, shape);
            }
        }
    }
    if !complete {
        return None;
    }
    Some(WeightFields {
        fields: found.into_iter().flatten().collect(),
    })
}

/// Why `name` is not a field of a weight struct with `bias`: a typo, or the field of another
/// bias mode.
fn unknown_field_message(name: &str, slots: &[Slot], bias: BiasMode) -> String {
    let canonical: Vec<&str> = slots.iter().map(|slot| slot.names[0].as_str()).collect();
    if name == "w_hr" {
        return format!(
            "field `w_hr` is the output projection of a weight struct with `{PROJ} = ..`; add \
             `{PROJ} = P` to the attribute or remove the field"
        );
    }
    let other_mode = BIAS_MODES.iter().find(|&&(mode, sets)| {
        mode != bias.name
            && self::slots(BiasMode { name: mode, sets }, false)
                .iter()
                .any(|slot| {
                    matches!(slot.kind, Kind::Bias(_)) && slot.names.iter().any(|n| n == name)
                })
    });
    if let Some((mode, _)) = other_mode {
        let have = match bias.sets {
            0 => "no bias fields".to_owned(),
            _ => format!(
                "the bias fields {}",
                slots
                    .iter()
                    .filter(|slot| matches!(slot.kind, Kind::Bias(_)))
                    .map(|slot| format!("`{}`", slot.names[0]))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return format!(
            "field `{name}` belongs to a weight struct with `bias = \"{mode}\"`; with \
             `bias = \"{}\"` the struct has {have}",
            bias.name
        );
    }
    let suggestion = symbol::did_you_mean(name, &canonical)
        .map(|known| format!(", did you mean `{known}`?"))
        .unwrap_or_default();
    format!(
        "unknown field `{name}` in an lstm weight struct{suggestion}\nexpected the fields {}",
        canonical.join(", ")
    )
}

/// The shape a tensor of `kind` must have, and what its dimensions are in words.
fn expected_shape(kind: Kind, shape: &Shape) -> (Written, &'static str) {
    let (i, h, r) = (shape.input, shape.hidden, shape.output);
    match kind {
        Kind::Input => (Written::Matrix(h, i), "hidden x input"),
        Kind::Recurrent if shape.projected => (Written::Matrix(h, r), "hidden x projection"),
        Kind::Recurrent => (Written::Matrix(h, h), "hidden x hidden"),
        Kind::Bias(_) => (Written::Vector(h), "hidden"),
        Kind::Projection => (Written::Matrix(r, h), "projection x hidden"),
    }
}

/// ": `Matrix<T, 256, 100>` (hidden x input)", the type a missing field needs.
fn expected_type(kind: Kind, shape: &Shape) -> String {
    match expected_shape(kind, shape) {
        (Written::Matrix(rows, cols), words) => format!(": `Matrix<T, {rows}, {cols}>` ({words})"),
        (Written::Vector(len), words) => format!(": `Vector<T, {len}>` ({words})"),
    }
}

/// Compares a field's written type with the shape it must have, when the type is written as
/// `Matrix<_, R, C>` or `Vector<_, N>` with literal sizes. Other spellings (aliases, constants)
/// are left to the type checker, which the generated `as_cell` engages on the same field.
/// Returns whether the field passed (or could not be read).
fn check_field_shape(cx: &mut Ctxt, field: &Field, kind: Kind, shape: &Shape) -> bool {
    let Some((type_name, dims)) = written_dims(&field.ty) else {
        return true;
    };
    let found = match (type_name.as_str(), dims.as_slice()) {
        ("Matrix", [Some(rows), Some(cols)]) => Written::Matrix(*rows, *cols),
        ("Vector", [Some(len)]) => Written::Vector(*len),
        _ => return true,
    };
    let (expected, words) = expected_shape(kind, shape);
    let name = field
        .ident
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let message = match (expected, found) {
        (expected, found) if expected == found => return true,
        (Written::Matrix(rows, cols), Written::Matrix(found_rows, found_cols)) => {
            let hint = if kind == Kind::Input && (found_rows, found_cols) == (cols, rows) {
                "; that is the transposed (Keras `kernel`) orientation: `W` is hidden x input so \
                 that the gate computes `W x`"
            } else {
                ""
            };
            format!(
                "field `{name}` must be {rows} x {cols} ({words}), found {found_rows} x \
                 {found_cols}{hint}"
            )
        }
        (Written::Vector(len), Written::Vector(found_len)) => {
            format!("field `{name}` must have {len} elements ({words}), found {found_len}")
        }
        (Written::Matrix(rows, cols), Written::Vector(found_len)) => format!(
            "field `{name}` must be a {rows} x {cols} `Matrix`, found a `Vector` of {found_len}"
        ),
        (Written::Vector(len), Written::Matrix(found_rows, found_cols)) => format!(
            "field `{name}` must be a `Vector` of {len}, found a {found_rows} x {found_cols} \
             `Matrix`"
        ),
    };
    cx.error_spanned_by(&field.ty, message);
    false
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Written {
    Matrix(usize, usize),
    Vector(usize),
}

/// For a type written `path::Name<T, A, B>`, the name and the literal sizes after the element
/// type (`None` where a size is not a literal).
fn written_dims(ty: &Type) -> Option<(String, Vec<Option<usize>>)> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    let dims = arguments
        .args
        .iter()
        .skip(1)
        .map(|argument| match argument {
            GenericArgument::Const(expr) => literal_usize(expr),
            _ => None,
        })
        .collect();
    Some((last.ident.to_string(), dims))
}

/// The value of a size written as a literal (`256`); anything else is left to the type checker.
fn literal_usize(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => int.base10_parse().ok(),
        _ => None,
    }
}

/// The element type as written in the first field spelled `Matrix<T, ..>` or `Vector<T, ..>`, so
/// that one field of another type does not hide the element type from the rest.
pub(crate) fn written_element_type<'a>(fields: &[&'a Field]) -> Option<&'a Type> {
    fields.iter().find_map(|field| {
        let Type::Path(path) = &field.ty else {
            return None;
        };
        let last = path.path.segments.last()?;
        if last.ident != "Matrix" && last.ident != "Vector" {
            return None;
        }
        let PathArguments::AngleBracketed(arguments) = &last.arguments else {
            return None;
        };
        match arguments.args.first()? {
            GenericArgument::Type(element) => Some(element),
            _ => None,
        }
    })
}
