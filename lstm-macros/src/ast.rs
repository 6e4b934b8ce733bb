//! The struct the derive is applied to, as the later stages need it.

use syn::{Data, DeriveInput, Field, Fields, Ident, Visibility};

use crate::attr::Attrs;
use crate::ctxt::Ctxt;
use crate::symbol::LSTM;

/// A struct deriving `Lstm`.
pub(crate) struct Container<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) attrs: Attrs,
    pub(crate) body: Body<'a>,
}

/// What the struct's body makes it.
pub(crate) enum Body<'a> {
    /// `struct Encoder;`: a spec; its weights are the core's `LstmWeights`.
    Spec,
    /// `struct Cell { w_i: .., .. }`: the user's own weight struct, checked field by field.
    Weights(Vec<&'a Field>),
    /// Something the derive rejected; the error is recorded.
    Invalid,
}

impl<'a> Container<'a> {
    pub(crate) fn from_ast(cx: &mut Ctxt, input: &'a DeriveInput) -> Self {
        let attrs = Attrs::from_ast(cx, &input.attrs);
        let body = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Unit => Body::Spec,
                Fields::Named(named) => {
                    for field in &named.named {
                        for attr in field.attrs.iter().filter(|attr| attr.path().is_ident(LSTM)) {
                            cx.error_spanned_by(
                                attr,
                                "`#[lstm(..)]` belongs on the struct, not on a field",
                            );
                        }
                    }
                    Body::Weights(named.named.iter().collect())
                }
                Fields::Unnamed(unnamed) => {
                    cx.error_spanned_by(
                        unnamed,
                        "`#[derive(Lstm)]` needs a unit struct (`struct Encoder;`) or a struct \
                         with named weight fields (`w_i`, `u_i`, `b_i`, ..), found a tuple struct",
                    );
                    Body::Invalid
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Lstm)]` needs a struct, found an enum",
                );
                Body::Invalid
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[derive(Lstm)]` needs a struct, found a union",
                );
                Body::Invalid
            }
        };
        cx.reject_generics(
            &input.generics,
            "`#[derive(Lstm)]` does not take generic parameters or a `where` clause: the sizes \
             come from `#[lstm(..)]` and the element type from the fields",
        );
        Container {
            ident: &input.ident,
            vis: &input.vis,
            attrs,
            body,
        }
    }
}
