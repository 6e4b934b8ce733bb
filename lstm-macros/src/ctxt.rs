//! Collects errors so that one expansion reports every mistake at once.

use std::fmt::Display;

use quote::ToTokens;

/// The errors found so far. Stages push into it and carry on; [`Ctxt::finish`] hands them over.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    /// Records an error spanned on `tokens`.
    pub(crate) fn error_spanned_by(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.errors
            .push(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// Records an error that already carries its span.
    pub(crate) fn syn_error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// The recorded errors, in the order they were found.
    pub(crate) fn finish(self) -> Vec<syn::Error> {
        self.errors
    }
}
