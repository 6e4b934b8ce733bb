//! `#[derive(Lstm)]`: the derive of the [`lstm`](https://docs.rs/lstm) crate.
//!
//! Use it through `lstm`, which re-exports it and the types the generated code names. The work is
//! split by stage, as in `serde_derive`: `attr` reads `#[lstm(..)]`, `ast` reads the struct,
//! `check` applies the rules between them and computes every size, `expand` writes the code.
//! Every stage collects its errors in `ctxt::Ctxt` and all of them are reported together.

mod ast;
mod attr;
mod check;
mod compiled;
mod ctxt;
mod expand;
mod model;
mod symbol;

use proc_macro::TokenStream;

/// Derives the sizes, parameter counts, type-level dimensions and forward step of an LSTM from
/// `#[lstm(input = I, hidden = H)]`. See the `lstm` crate for the full documentation.
#[proc_macro_derive(Lstm, attributes(lstm))]
pub fn derive_lstm(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// Derives a whole model from a struct whose fields are its layers, run in field order and
/// loaded from one file, each from the tensors under its field's name. See the `lstm` crate
/// for the full documentation.
#[proc_macro_derive(Model, attributes(model))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    model::derive(&input).into()
}
