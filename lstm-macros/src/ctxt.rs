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

    /// Records `message` if `generics` has parameters or a `where` clause, spanned on the
    /// parameters, or on the clause when it stands alone (`Generics` prints only its `<..>`).
    pub(crate) fn reject_generics(&mut self, generics: &syn::Generics, message: &str) {
        if generics.params.is_empty() && generics.where_clause.is_none() {
            return;
        }
        let spanned: &dyn ToTokens = match &generics.where_clause {
            Some(clause) if generics.params.is_empty() => clause,
            _ => generics,
        };
        self.error_spanned_by(spanned, message);
    }

    /// The recorded errors, in the order they were found.
    pub(crate) fn finish(self) -> Vec<syn::Error> {
        self.errors
    }
}
