//! The rules between the attribute and the struct, and the sizes they imply.
//!
//! Every derived number is computed here, once, with checked arithmetic; `expand` only writes
//! them out as literals, so the core crate never needs `generic_const_exprs`.

use syn::{Expr, ExprLit, Field, GenericArgument, Ident, Lit, PathArguments, Type};

use crate::ast::Container;
use crate::ctxt::Ctxt;
use crate::symbol::{self, HIDDEN, INPUT};

/// The checked sizes of one LSTM cell and every count derived from them.
pub(crate) struct Shape {
    pub(crate) input: usize,
    pub(crate) hidden: usize,
    /// `4 * H`: rows of PyTorch's stacked tensors, columns of Keras' kernels.
    pub(crate) gates_hidden: usize,
    /// `H * I`, the size of one `W`.
    pub(crate) input_weights: usize,
    /// `H * H`, the size of one `U`.
    pub(crate) recurrent_weights: usize,
    /// `4 * H * I`, PyTorch's `weight_ih` and Keras' `kernel`.
    pub(crate) stacked_input_weights: usize,
    /// `4 * H * H`, PyTorch's `weight_hh` and Keras' `recurrent_kernel`.
    pub(crate) stacked_recurrent_weights: usize,
    /// `4 * H * (I + H + 1)`: one bias per gate.
    pub(crate) param_count: usize,
}

impl Shape {
    /// The sizes for `input` and `hidden`, or `None` if any count overflows `usize`.
    fn new(input: usize, hidden: usize) -> Option<Self> {
        let gates_hidden = hidden.checked_mul(4)?;
        let input_weights = hidden.checked_mul(input)?;
        let recurrent_weights = hidden.checked_mul(hidden)?;
        let stacked_input_weights = gates_hidden.checked_mul(input)?;
        let stacked_recurrent_weights = gates_hidden.checked_mul(hidden)?;
        let param_count = stacked_input_weights
            .checked_add(stacked_recurrent_weights)?
            .checked_add(gates_hidden)?;
        // PyTorch's layout has a second bias; its total must fit too, since it is printed.
        param_count.checked_add(gates_hidden)?;
        Some(Shape {
            input,
            hidden,
            gates_hidden,
            input_weights,
            recurrent_weights,
            stacked_input_weights,
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
    /// `b`: hidden.
    Bias,
}

/// The four gates in order, with the letters their fields may use (`g` is PyTorch's name for the
/// candidate).
pub(crate) const GATES: [(&str, &[char]); 4] = [
    ("input gate", &['i']),
    ("forget gate", &['f']),
    ("candidate", &['c', 'g']),
    ("output gate", &['o']),
];
pub(crate) const KINDS: [(Kind, char); 3] = [
    (Kind::Input, 'w'),
    (Kind::Recurrent, 'u'),
    (Kind::Bias, 'b'),
];

/// The twelve fields of a user's weight struct, in the core's order, each with the field found.
pub(crate) struct WeightFields<'a> {
    /// Indexed by `gate * 3 + kind`.
    pub(crate) slots: Vec<&'a Field>,
}

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
    let (input, hidden) = (attrs.input?, attrs.hidden?);
    let shape = Shape::new(input.value, hidden.value);
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

/// Matches the fields of a weight struct to the twelve tensors and checks every written shape.
/// `None` when a field is missing, unknown or duplicated; shape errors are recorded but the
/// fields still returned, so the generated code can name them.
pub(crate) fn weight_fields<'a>(
    cx: &mut Ctxt,
    ident: &Ident,
    fields: &[&'a Field],
    shape: Option<&Shape>,
) -> Option<WeightFields<'a>> {
    let mut slots: Vec<Option<&'a Field>> = vec![None; 12];
    let mut complete = true;
    for &field in fields {
        let Some(name) = &field.ident else { continue };
        let name_text = name.to_string();
        match slot_of(&name_text) {
            Some(slot) => {
                match slots[slot] {
                    Some(first) => {
                        complete = false;
                        cx.error_spanned_by(
                        name,
                        format_args!(
                            "field `{name_text}` is the same tensor as `{}`; the candidate gate is \
                             named `c` or `g`, not both",
                            first.ident.as_ref().map(ToString::to_string).unwrap_or_default()
                        ),
                    );
                    }
                    None => slots[slot] = Some(field),
                }
            }
            None => {
                complete = false;
                let suggestion = symbol::did_you_mean(&name_text, &FIELD_NAMES)
                    .map(|known| format!(", did you mean `{known}`?"))
                    .unwrap_or_default();
                cx.error_spanned_by(
                    name,
                    format_args!(
                        "unknown field `{name_text}` in an lstm weight struct{suggestion}\n\
                         expected the fields {}",
                        FIELD_NAMES.join(", ")
                    ),
                );
            }
        }
    }
    for (slot, found) in slots.iter().enumerate() {
        if found.is_none() {
            complete = false;
            let kind = KINDS[slot % 3].0;
            let expected = shape
                .map(|shape| expected_type(kind, shape))
                .unwrap_or_default();
            cx.error_spanned_by(
                ident,
                format_args!("missing field `{}`{expected}", FIELD_NAMES[slot]),
            );
        }
    }
    if let Some(shape) = shape {
        for (slot, field) in slots.iter().enumerate() {
            if let Some(field) = field {
                // A shape already reported here must not reach the type checker as well.
                complete &= check_field_shape(cx, field, KINDS[slot % 3].0, shape);
            }
        }
    }
    if !complete {
        return None;
    }
    Some(WeightFields {
        slots: slots.into_iter().flatten().collect(),
    })
}

/// The canonical field names, in the core's order.
pub(crate) const FIELD_NAMES: [&str; 12] = [
    "w_i", "u_i", "b_i", "w_f", "u_f", "b_f", "w_c", "u_c", "b_c", "w_o", "u_o", "b_o",
];

/// The slot (`gate * 3 + kind`) a field name stands for, accepting `g` for the candidate.
fn slot_of(name: &str) -> Option<usize> {
    let (kind_letter, gate_letter) = name.split_once('_')?;
    let mut kind_chars = kind_letter.chars();
    let mut gate_chars = gate_letter.chars();
    let (Some(kind_char), None, Some(gate_char), None) = (
        kind_chars.next(),
        kind_chars.next(),
        gate_chars.next(),
        gate_chars.next(),
    ) else {
        return None;
    };
    let kind = KINDS.iter().position(|&(_, letter)| letter == kind_char)?;
    let gate = GATES
        .iter()
        .position(|(_, letters)| letters.contains(&gate_char))?;
    Some(gate * 3 + kind)
}

/// ": `Matrix<T, 256, 100>` (hidden x input)", the type a missing field needs.
fn expected_type(kind: Kind, shape: &Shape) -> String {
    let (h, i) = (shape.hidden, shape.input);
    match kind {
        Kind::Input => format!(": `Matrix<T, {h}, {i}>` (hidden x input)"),
        Kind::Recurrent => format!(": `Matrix<T, {h}, {h}>` (hidden x hidden)"),
        Kind::Bias => format!(": `Vector<T, {h}>` (hidden)"),
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
    let name = field
        .ident
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let (h, i) = (shape.hidden, shape.input);
    let found = match (type_name.as_str(), dims.as_slice()) {
        ("Matrix", [Some(rows), Some(cols)]) => Written::Matrix(*rows, *cols),
        ("Vector", [Some(len)]) => Written::Vector(*len),
        _ => return true,
    };
    let message = match (kind, found) {
        (Kind::Input, Written::Matrix(rows, cols)) if (rows, cols) != (h, i) => {
            let hint = if (rows, cols) == (i, h) {
                "; that is the transposed (Keras `kernel`) orientation: `W` is hidden x input so \
                 that the gate computes `W x`"
            } else {
                ""
            };
            format!(
                "field `{name}` must be {h} x {i} (hidden x input), found {rows} x {cols}{hint}"
            )
        }
        (Kind::Recurrent, Written::Matrix(rows, cols)) if (rows, cols) != (h, h) => {
            format!("field `{name}` must be {h} x {h} (hidden x hidden), found {rows} x {cols}")
        }
        (Kind::Bias, Written::Vector(len)) if len != h => {
            format!("field `{name}` must have {h} elements (hidden), found {len}")
        }
        (Kind::Input | Kind::Recurrent, Written::Vector(len)) => {
            let cols = if kind == Kind::Input { i } else { h };
            format!("field `{name}` must be a {h} x {cols} `Matrix`, found a `Vector` of {len}")
        }
        (Kind::Bias, Written::Matrix(rows, cols)) => {
            format!("field `{name}` must be a `Vector` of {h}, found a {rows} x {cols} `Matrix`")
        }
        _ => return true,
    };
    cx.error_spanned_by(&field.ty, message);
    false
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

#[derive(Clone, Copy)]
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
