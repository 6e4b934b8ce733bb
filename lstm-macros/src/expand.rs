//! Writes the code: inherent constants, the `LstmSpec` impl, the size bounds and, for a weight
//! struct, the forward step.
//!
//! Generated code names everything by absolute path (`::core::..`, `::lstm::__private::..`), so
//! it compiles under `#![no_implicit_prelude]` and beside user types called `Option` or `usize`.

use lstm_naming::{CellSlot, Naming};
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::ast::{Body, Container};
use crate::check::{self, GATES, Kind, Shape, WeightFields};
use crate::compiled;
use crate::ctxt::Ctxt;
use lstm_core::compile::{Element, Stored};

/// Parse, check, expand. Errors become `compile_error!`s beside a stub of the generated items
/// (see [`stub`]), so that one mistake in the attribute is one error, not one per use.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let container = Container::from_ast(&mut cx, input);
    let shape = check::shape(&mut cx, &container);
    let weight_fields = match &container.body {
        Body::Weights(fields) => {
            // With a rejected `bias` value the fields are still checked, as for the default.
            let bias = container.attrs.bias.unwrap_or_default();
            let projected = container.attrs.proj_seen;
            check::weight_fields(
                &mut cx,
                container.ident,
                fields,
                shape.as_ref(),
                bias,
                projected,
            )
        }
        Body::Spec | Body::Invalid => None,
    };
    let valid_body = !matches!(container.body, Body::Invalid);
    let mut errors = cx.finish().into_iter();
    let first_error = errors.next().map(|error| error.to_compile_error());
    let other_errors = errors.map(|error| error.to_compile_error());

    let items = match (shape, first_error) {
        (Some(shape), first_error) if valid_body && input.generics.params.is_empty() => {
            match (&container.body, weight_fields, first_error) {
                // Incomplete fields: the methods cannot name them, so their bodies carry the first
                // error and calls to them add no errors of their own.
                (Body::Weights(fields), None, Some(poison)) => {
                    let element_type = check::written_element_type(fields);
                    expand(
                        &container,
                        &shape,
                        &WeightsBody::Poisoned {
                            element_type,
                            poison,
                        },
                    )
                }
                // Errors that leave every generated item well-formed (an attribute on a field, a
                // field shape read as wrong) are reported beside the full output.
                (Body::Weights(_), Some(fields), first_error) => {
                    let items = expand(&container, &shape, &WeightsBody::Checked(fields));
                    quote!(#items #first_error)
                }
                (_, _, first_error) => {
                    let items = expand(&container, &shape, &WeightsBody::None);
                    quote!(#items #first_error)
                }
            }
        }
        (_, Some(poison)) => stub(input, &container, poison),
        // A shape exists only when the checks passed; reaching here without an error would be
        // a bug in `check`, so report it rather than emit nothing.
        (None, None) | (Some(_), None) => {
            syn::Error::new(Span::call_site(), "lstm derive: internal inconsistency")
                .to_compile_error()
        }
    };
    quote! {
        #items
        #(#other_errors)*
    }
}

/// What to write for the forward step of a weight struct.
enum WeightsBody<'a> {
    /// A unit spec: no fields, no methods.
    None,
    /// All twelve fields found.
    Checked(WeightFields<'a>),
    /// Fields missing or unknown: methods whose bodies are the first error.
    Poisoned {
        element_type: Option<&'a syn::Type>,
        poison: TokenStream,
    },
}

fn private() -> TokenStream {
    quote!(::lstm::__private)
}

fn usize_lit(value: usize) -> Literal {
    Literal::usize_unsuffixed(value)
}

/// The items written when the attribute could not be read: the inherent constants, with each
/// known size as written and every unknown one tied to `PARAM_COUNT`, whose value is the first
/// error. rustc reports that error once and accepts every use of the constants without further
/// errors.
fn stub(input: &DeriveInput, container: &Container<'_>, poison: TokenStream) -> TokenStream {
    let ident = &input.ident;
    let vis = container.vis;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let size = |size: Option<crate::attr::Size>| match size {
        Some(size) => {
            let value = usize_lit(size.value);
            quote!(#value)
        }
        None => quote!(Self::PARAM_COUNT),
    };
    let (input_size, hidden_size) = (size(container.attrs.input), size(container.attrs.hidden));
    let output_size = match (container.attrs.proj_seen, container.attrs.proj) {
        (false, _) => hidden_size.clone(),
        (true, proj) => size(proj),
    };
    quote! {
        #[automatically_derived]
        #[allow(dead_code)]
        impl #impl_generics #ident #type_generics #where_clause {
            #vis const INPUT: ::core::primitive::usize = #input_size;
            #vis const HIDDEN: ::core::primitive::usize = #hidden_size;
            #vis const OUTPUT: ::core::primitive::usize = #output_size;
            #vis const PARAM_COUNT: ::core::primitive::usize = #poison;
        }
    }
}

fn expand(container: &Container<'_>, shape: &Shape, body: &WeightsBody<'_>) -> TokenStream {
    let private = private();
    let ident = container.ident;
    let vis = container.vis;
    let name = ident.to_string();
    let (input, hidden) = (usize_lit(shape.input), usize_lit(shape.hidden));
    // Each step's output: `D * R`, the width a next spec must take.
    let output = usize_lit(shape.sequence_output);
    let output_type = typenum(shape.sequence_output);
    // The `Feeds` impl's parameter: named after the struct (and longer than its name), so that it
    // never is the struct's own name, whatever the user calls the struct.
    let next = quote::format_ident!("{}Next", ident.unraw());
    let param_count = usize_lit(shape.param_count);
    let weights_type = weights_type(shape);
    let state_type = state_type(shape);
    let tensors = seed_tensors(shape);
    let pytorch_tensors = pytorch_tensors(shape);
    let keras_tensors = keras_tensors(shape);
    let input_type = typenum(shape.input);
    let hidden_type = typenum(shape.hidden);
    let methods = forward_methods(container, shape, body);
    let compiled = compiled_method(container, shape);

    let bias_sets = usize_lit(shape.bias.sets);
    let bias_words = match shape.bias.sets {
        0 => "no bias",
        1 => "one bias per gate",
        _ => "two biases per gate",
    };
    let (recurrent_size, projection_term, projection_words) = if shape.projected {
        ("P", " + P * H", format!(", projection {}", shape.output))
    } else {
        ("H", "", String::new())
    };
    let stack_words = match (shape.layers, shape.directions) {
        (1, 1) => String::new(),
        (1, _) => ", bidirectional".to_owned(),
        (layers, 1) => format!(", {layers} layers"),
        (layers, _) => format!(", {layers} layers, bidirectional"),
    };
    let count_formula = if (shape.layers, shape.directions) == (1, 1) {
        format!(
            "4 * H * (I + {recurrent_size} + {}){projection_term}",
            shape.bias.sets
        )
    } else {
        format!(
            "sum over layers k and directions of 4 * H * (I_k + {recurrent_size} + {}){}, with \
             I_0 = I and I_k = D * {recurrent_size} after it",
            shape.bias.sets, projection_term
        )
    };
    let title = format!(
        "{name}: LSTM, input {}, hidden {}{projection_words}{stack_words}, {bias_words}",
        shape.input, shape.hidden
    );
    let input_doc = format!("Input size `I`: each `x_t` has {} elements.", shape.input);
    let hidden_doc = format!("Hidden size `H`: `c_t` has {} elements.", shape.hidden);
    let output_doc = format!(
        "Output size: each step's output has {} elements (the projection size if `proj` is \
         given, else `H`; twice that if bidirectional).",
        shape.sequence_output
    );
    let count_doc = format!(
        "Number of parameters, `{count_formula}` = {} ({bias_words}).",
        shape.param_count
    );
    let tensor_count = usize_lit(tensors.len());
    // Generic parameter names are chosen not to meet a user's type: a spec may well be called
    // `Next` or `T` (`tests/ui/pass/stacks.rs`).
    quote! {
        #[automatically_derived]
        impl #ident {
            #[doc = #input_doc]
            #vis const INPUT: ::core::primitive::usize = #input;
            #[doc = #hidden_doc]
            #vis const HIDDEN: ::core::primitive::usize = #hidden;
            #[doc = #output_doc]
            #vis const OUTPUT: ::core::primitive::usize = #output;
            #[doc = #count_doc]
            #vis const PARAM_COUNT: ::core::primitive::usize = #param_count;
            /// The parameters tensor by tensor, in the seed's notation: name, shape, count.
            #vis const TENSORS: [#private::TensorInfo; #tensor_count] = [#(#tensors),*];

            /// The parameter table, printable like Keras' `model.summary()`.
            #[must_use]
            #vis fn summary() -> #private::Summary {
                #private::Summary::new(#title, &Self::TENSORS)
            }

            #methods

            #compiled
        }

        #[automatically_derived]
        impl #private::LstmSpec for #ident {
            const NAME: &'static ::core::primitive::str = #name;
            const INPUT: ::core::primitive::usize = #input;
            const HIDDEN: ::core::primitive::usize = #hidden;
            const OUTPUT: ::core::primitive::usize = #output;
            const PARAM_COUNT: ::core::primitive::usize = #param_count;
            const BIAS_SETS: ::core::primitive::usize = #bias_sets;
            const TENSORS: &'static [#private::TensorInfo] = &[#(#tensors),*];
            const PYTORCH_TENSORS: &'static [#private::TensorInfo] = &[#(#pytorch_tensors),*];
            const KERAS_TENSORS: &'static [#private::TensorInfo] = &[#(#keras_tensors),*];
            type Input = #input_type;
            type Hidden = #hidden_type;
            type Output = #output_type;
            type Weights<T: #private::Float> = #weights_type;
            type State<T: #private::Float> = #state_type;

            fn summary() -> #private::Summary {
                #private::Summary::new(#title, <Self as #private::LstmSpec>::TENSORS)
            }
        }

        #[automatically_derived]
        impl #private::InputIs<#input> for #ident {}

        #[automatically_derived]
        impl #private::HiddenIs<#hidden> for #ident {}

        #[automatically_derived]
        impl<#next: #private::InputIs<#output>> #private::Feeds<#next> for #ident {}
    }
}

/// `compiled()` for a spec with `weights = ".."`: the file read, checked and packed now, the
/// weights static data. An error is a `compile_error!` on the literal inside the function's
/// body, so that calls to it add none.
fn compiled_method(container: &Container<'_>, shape: &Shape) -> TokenStream {
    let (Some(weights), Body::Spec) = (&container.attrs.weights, &container.body) else {
        return TokenStream::new(); // no `weights`, or on a weight struct (an error in `check`)
    };
    let vis = container.vis;
    let (element, stored) = match container.attrs.storage.as_ref().map(|(name, _)| *name) {
        Some("f64") => (Element::F64, Stored::Element),
        Some("bf16") => (Element::F32, Stored::Bf16),
        Some("f16") => (Element::F32, Stored::F16),
        _ => (Element::F32, Stored::Element),
    };
    let layout = compiled::spec_layout(shape, element, stored);
    let weights_type = layout.type_tokens();
    let body = compiled::read(weights)
        .and_then(|file| {
            let Ok((part_shape, ..)) = layout.part() else {
                return Err(compiled::mismatch());
            };
            let part = lstm_core::compile::compile_lstm(&file.bytes, &part_shape, element, stored)
                .map_err(|error| file.error(&error))?;
            let value = layout.build(&part).ok_or_else(compiled::mismatch)?;
            let dependency = file.dependency();
            Ok(quote!(#dependency #value))
        })
        .unwrap_or_else(|error| error.to_compile_error());
    let doc = format!(
        "The weights of `{}`, read, checked and packed when this crate was compiled: static \
         data in the program, in the kernels' layout, no file, no heap, no copy. The build \
         re-runs when the file changes.",
        weights.value()
    );
    quote! {
        #[doc = #doc]
        #[must_use]
        #vis fn compiled() -> #weights_type {
            #body
        }
    }
}

/// `as_cell` and `pack` for a weight struct; nothing for a unit spec.
fn forward_methods(
    container: &Container<'_>,
    shape: &Shape,
    body: &WeightsBody<'_>,
) -> TokenStream {
    let private = private();
    let vis = container.vis;
    let (input, hidden) = (usize_lit(shape.input), usize_lit(shape.hidden));
    let output = usize_lit(shape.output);
    let bias_sets = usize_lit(shape.bias.sets);
    let (element, cell) = match body {
        WeightsBody::None => return TokenStream::new(),
        WeightsBody::Checked(fields) => {
            let element = match check::written_element_type(&fields.fields) {
                Some(element) => quote!(#element),
                None => {
                    let w_i = &fields.fields[0].ty;
                    // Spanned on the field's type, so that a field that is no tensor at all
                    // (`u8`) is reported there and not on `Lstm`.
                    quote_spanned!(w_i.span()=> <#w_i as #private::Tensor>::Elem)
                }
            };
            (element, cell_ref(&fields.fields, shape))
        }
        WeightsBody::Poisoned {
            element_type,
            poison,
        } => {
            let element = match element_type {
                Some(element) => quote!(#element),
                None => quote!(::core::primitive::f32),
            };
            (element, poison.clone())
        }
    };
    quote! {
        /// Borrows the twelve tensors as the view the reference step runs on.
        #[must_use]
        #vis fn as_cell(&self) -> #private::CellRef<'_, #element, #input, #hidden, #bias_sets, #output> {
            #cell
        }

        #private::if_std! {
        /// The weights packed into the cell that runs them, with the best kernel this CPU has:
        /// `pack().step(..)`, `pack().run(..)`.
        #[must_use]
        #vis fn pack(&self) -> #private::LstmLayer<#element, #input, #hidden, #bias_sets, #output> {
            self.as_cell().pack()
        }
        }
    }
}

/// The weights of layer `layer`: a cell, or a bidirectional pair of cells.
fn layer_type(shape: &Shape, layer: usize) -> TokenStream {
    let private = private();
    let input = usize_lit(shape.layer_inputs[layer].size);
    let (hidden, output) = (usize_lit(shape.hidden), usize_lit(shape.output));
    let (bias_sets, sequence_output) =
        (usize_lit(shape.bias.sets), usize_lit(shape.sequence_output));
    if shape.directions == 2 {
        quote!(#private::Bidirectional<#private::LstmLayer<T, #input, #hidden, #bias_sets, #output>, #sequence_output>)
    } else {
        quote!(#private::LstmLayer<T, #input, #hidden, #bias_sets, #output>)
    }
}

/// `Weights<T>`: one layer, or `Stacked<layer 0, Stacked<layer 1, ..>>`.
fn weights_type(shape: &Shape) -> TokenStream {
    let private = private();
    let mut stack = layer_type(shape, shape.layers - 1);
    for layer in (0..shape.layers - 1).rev() {
        let lower = layer_type(shape, layer);
        stack = quote!(#private::Stacked<#lower, #stack>);
    }
    stack
}

/// `State<T>`: a cell's state, a pair of them per bidirectional layer, nested pairs for a stack,
/// matching `Weights<T>`.
fn state_type(shape: &Shape) -> TokenStream {
    let private = private();
    let (hidden, output) = (usize_lit(shape.hidden), usize_lit(shape.output));
    let cell = quote!(#private::LstmState<T, #hidden, #output>);
    let layer = if shape.directions == 2 {
        quote!([#cell; 2])
    } else {
        cell
    };
    let mut stack = layer.clone();
    for _ in 1..shape.layers {
        stack = quote!((#layer, #stack));
    }
    stack
}

/// `CellRef { w_i: &self.w_i, .., biases: [GateBiasRefs { b_i: &self.b_i, .. }] }` for fields
/// in the order of `check::slots`: per gate `W` and `U`, then each bias set's four gates.
fn cell_ref(fields: &[&syn::Field], shape: &Shape) -> TokenStream {
    let private = private();
    // Spanned on the field's type: if a spelling the derive could not read (an alias, a
    // constant) has the wrong shape, the type error points at it.
    let borrow = |field: &syn::Field| {
        let name = &field.ident;
        quote_spanned!(field.ty.span()=> &self.#name)
    };
    let slots = check::slots(shape.bias, shape.projected);
    let mut projection = quote!(#private::Projection::none());
    let mut matrices = Vec::new();
    let mut bias_sets: Vec<Vec<TokenStream>> = vec![Vec::new(); shape.bias.sets];
    for (slot, field) in slots.iter().zip(fields) {
        let letter = GATES[slot.gate].1[0];
        let value = borrow(field);
        match slot.kind {
            Kind::Input => matrices.push((format_ident!("w_{letter}"), value)),
            Kind::Recurrent => matrices.push((format_ident!("u_{letter}"), value)),
            Kind::Bias(set) => {
                let name = format_ident!("b_{letter}");
                bias_sets[set].push(quote!(#name: #value));
            }
            Kind::Projection => projection = quote!(#private::Projection::new(#value)),
        }
    }
    let (matrix_names, matrix_values): (Vec<_>, Vec<_>) = matrices.into_iter().unzip();
    quote! {
        #private::CellRef {
            #(#matrix_names: #matrix_values,)*
            biases: [#(#private::GateBiasRefs { #(#bias_sets),* }),*],
            projection: #projection,
        }
    }
}

/// One `TensorInfo` literal.
fn tensor_info(name: &str, shape: &[usize], count: usize, description: &str) -> TokenStream {
    let private = private();
    let dims = shape.iter().copied().map(usize_lit);
    let count = usize_lit(count);
    quote! {
        #private::TensorInfo {
            name: #name,
            shape: &[#(#dims),*],
            count: #count,
            description: #description,
        }
    }
}

/// The cells of a spec in PyTorch's order: layer by layer, forward before reverse. Each comes
/// with its layer's index and the suffix of its names (`""` for a single cell, else
/// PyTorch's `_l{k}` and `_reverse`).
fn cells(shape: &Shape) -> Vec<(usize, bool, String)> {
    let single = (shape.layers, shape.directions) == (1, 1);
    let mut cells = Vec::new();
    for layer in 0..shape.layers {
        for reverse in [false, true].into_iter().take(shape.directions) {
            let suffix = match (single, reverse) {
                (true, _) => String::new(),
                (false, false) => format!("_l{layer}"),
                (false, true) => format!("_l{layer}_reverse"),
            };
            cells.push((layer, reverse, suffix));
        }
    }
    cells
}

/// "layer 1 reverse, " before a description, for a stack; nothing for a single cell.
fn cell_words(shape: &Shape, layer: usize, reverse: bool) -> String {
    match ((shape.layers, shape.directions), reverse) {
        ((1, 1), _) => String::new(),
        (_, false) => format!("layer {layer}, "),
        (_, true) => format!("layer {layer} reverse, "),
    }
}

/// The tensors in the seed's notation, in the order of `check::slots` for each cell. Two bias
/// sets take PyTorch's names `b_ii` (added with `W x`) and `b_hi` (added with `U h`).
fn seed_tensors(shape: &Shape) -> Vec<TokenStream> {
    let (h, r) = (shape.hidden, shape.output);
    let mut tensors = Vec::new();
    for (layer, reverse, suffix) in cells(shape) {
        let sizes = &shape.layer_inputs[layer];
        let words = cell_words(shape, layer, reverse);
        for slot in check::slots(shape.bias, shape.projected) {
            let (gate, letters) = GATES[slot.gate];
            let letter = letters[0];
            tensors.push(match slot.kind {
                Kind::Input => tensor_info(
                    &format!("W_{letter}{suffix}"),
                    &[h, sizes.size],
                    sizes.input_weights,
                    &format!("{words}{gate}, input weights"),
                ),
                Kind::Recurrent => tensor_info(
                    &format!("U_{letter}{suffix}"),
                    &[h, r],
                    shape.recurrent_weights,
                    &format!("{words}{gate}, recurrent weights"),
                ),
                Kind::Bias(set) => {
                    let (name, what) = match (shape.bias.sets, set) {
                        (1, _) => (format!("b_{letter}{suffix}"), "bias"),
                        (_, 0) => (format!("b_i{letter}{suffix}"), "input-side bias (bias_ih)"),
                        _ => (format!("b_h{letter}{suffix}"), "hidden-side bias (bias_hh)"),
                    };
                    tensor_info(&name, &[h], h, &format!("{words}{gate}, {what}"))
                }
                Kind::Projection => tensor_info(
                    &format!("W_hr{suffix}"),
                    &[r, h],
                    shape.projection_weights,
                    &format!("{words}output projection (weight_hr)"),
                ),
            });
        }
    }
    tensors
}

/// The same layers as PyTorch's `nn.LSTM` stores them, in its `state_dict` order: per cell
/// `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (PyTorch's `bias=True` always has both),
/// `weight_hr`; gates stacked by rows. Names and shapes are `lstm_naming`'s, which the loader
/// reads by.
fn pytorch_tensors(shape: &Shape) -> Vec<TokenStream> {
    let biases = match shape.bias.sets {
        0 => None,
        1 => Some([
            "b_i, b_f, b_g, b_o (b = bias_ih + bias_hh)",
            "the same (b = bias_ih + bias_hh)",
        ]),
        _ => Some(["b_ii, b_if, b_ig, b_io", "b_hi, b_hf, b_hg, b_ho"]),
    };
    naming_tensors(
        shape,
        Naming::PyTorch,
        [
            "W_i, W_f, W_g, W_o stacked by rows",
            "U_i, U_f, U_g, U_o stacked by rows",
        ],
        biases.as_ref().map(|pair| &pair[..]),
    )
}

/// The same layer as Keras stores it: kernels transposed, gates side by side, one bias unless
/// there is none (two bias sets are stored as their sum). Keras' `LSTM` holds one forward
/// cell without projection (`lstm_naming`'s rule, which the loader follows): for a stack, a
/// bidirectional or a projected LSTM the table is empty.
fn keras_tensors(shape: &Shape) -> Vec<TokenStream> {
    let bias = match shape.bias.sets {
        0 => None,
        1 => Some("b_i, b_f, b_c, b_o"),
        _ => Some("b_i, b_f, b_c, b_o (each b_ix + b_hx)"),
    };
    naming_tensors(
        shape,
        Naming::Keras,
        [
            "W_i, W_f, W_c, W_o transposed, side by side",
            "U_i, U_f, U_c, U_o transposed, side by side",
        ],
        bias.as_ref().map(core::slice::from_ref),
    )
}

/// The tensors of every cell of `shape` in `naming`, described by `weights` (input, then
/// recurrent) and `biases` (one per bias tensor the naming stores; `None` without biases).
/// Empty if the naming cannot hold the spec (a cell it has no names for, or a projection).
fn naming_tensors(
    shape: &Shape,
    naming: Naming,
    weights: [&str; 2],
    biases: Option<&[&str]>,
) -> Vec<TokenStream> {
    let (h, r, g) = (shape.hidden, shape.output, shape.gates_hidden);
    let mut tensors = Vec::new();
    for (layer, reverse, _) in cells(shape) {
        let slot = if reverse {
            CellSlot::reverse(layer)
        } else {
            CellSlot::forward(layer)
        };
        let Ok(names) = naming.cell_names(slot) else {
            return Vec::new();
        };
        let sizes = &shape.layer_inputs[layer];
        tensors.push(tensor_info(
            &names.input,
            &naming.stacked_shape(h, sizes.size),
            sizes.stacked_input_weights,
            weights[0],
        ));
        tensors.push(tensor_info(
            &names.recurrent,
            &naming.stacked_shape(h, r),
            shape.stacked_recurrent_weights,
            weights[1],
        ));
        if let Some(descriptions) = biases {
            for (name, description) in names.biases.iter().zip(descriptions) {
                tensors.push(tensor_info(name, &[g], g, description));
            }
        }
        if shape.projected {
            let Some(projection) = &names.projection else {
                return Vec::new();
            };
            tensors.push(tensor_info(
                projection,
                &[r, h],
                shape.projection_weights,
                "W_hr, the output projection",
            ));
        }
    }
    tensors
}

/// `n` as a typenum unsigned integer: `UInt<UInt<UTerm, B1>, B0>` is 2.
fn typenum(n: usize) -> TokenStream {
    let private = private();
    let mut ty = quote!(#private::typenum::UTerm);
    for bit in (0..usize::BITS - n.leading_zeros()).rev() {
        let digit = if (n >> bit) & 1 == 1 {
            format_ident!("B1")
        } else {
            format_ident!("B0")
        };
        ty = quote!(#private::typenum::UInt<#ty, #private::typenum::#digit>);
    }
    ty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typenum_spells_binary_most_significant_bit_first() {
        let two = typenum(2).to_string().replace(' ', "");
        assert_eq!(
            two,
            "::lstm::__private::typenum::UInt<::lstm::__private::typenum::UInt<\
             ::lstm::__private::typenum::UTerm,::lstm::__private::typenum::B1>,\
             ::lstm::__private::typenum::B0>"
        );
    }

    #[test]
    fn expansion_never_panics_on_odd_input() {
        for source in [
            "#[lstm(input = 100, hidden = 256)] struct A;",
            "#[lstm(input = 0, hidden = -1, hiden = 3, input = 2)] struct B;",
            "#[lstm(input = 18446744073709551615, hidden = 18446744073709551615)] struct C;",
            "#[lstm(input = \"x\", hidden = 1.5)] enum D { X }",
            "#[lstm] struct E(u8);",
            "#[lstm(input = 1, hidden = 1)] struct F<T> { w_i: T }",
            "#[lstm(input = 1, hidden = 1)] union G { a: u8 }",
            "#[lstm(input)] struct H;",
            "#[lstm(input = 1 + 2, hidden = N, bias(x))] struct I;",
            "struct J;",
        ] {
            let input: DeriveInput = syn::parse_str(source).expect(source);
            let _ = derive(&input);
        }
    }
}
