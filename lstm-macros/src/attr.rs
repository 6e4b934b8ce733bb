//! Reads `#[lstm(input = I, hidden = H)]` on the struct.
//!
//! Each key's value is checked on its own here (an integer literal, positive, fits `usize`);
//! rules that involve several keys or the struct live in `check`.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, ExprUnary, Lit, UnOp};

use crate::ctxt::Ctxt;
use crate::symbol::{
    self, BIAS, BIAS_MODES, BIDIRECTIONAL, HIDDEN, INPUT, KEYS, LAYERS, LSTM, PROJ, STORAGE,
    STORAGES, WEIGHTS,
};

/// The largest `input`, `hidden` or `proj`. The state (`h` and `c`) and each step's input and
/// output are arrays passed on the stack: at 65,536 an `f64` state is 1 MiB, half of the 2 MiB a
/// spawned thread's stack has by default, so the limit is where a larger size would overflow
/// one. The weights of `input = hidden = 65536` would be 137 GB in `f32`, beyond any trained
/// LSTM (the largest published ones have 8,192 units); `layers` has its own limit (`check`).
pub(crate) const MAX_SIZE: usize = 1 << 16;

/// A size given in the attribute, with the span of its literal for later errors.
#[derive(Clone, Copy)]
pub(crate) struct Size {
    pub(crate) value: usize,
    pub(crate) span: Span,
}

/// The `bias = ".."` mode, as the number of bias sets per gate.
#[derive(Clone, Copy)]
pub(crate) struct BiasMode {
    /// `"single"`, `"double"` or `"none"`.
    pub(crate) name: &'static str,
    /// 1, 2 or 0.
    pub(crate) sets: usize,
}

impl Default for BiasMode {
    fn default() -> Self {
        BiasMode {
            name: BIAS_MODES[0].0,
            sets: BIAS_MODES[0].1,
        }
    }
}

/// What the `#[lstm(..)]` attributes of one struct say.
pub(crate) struct Attrs {
    pub(crate) input: Option<Size>,
    pub(crate) hidden: Option<Size>,
    /// `None` if the value was rejected (the error is recorded); the default if absent.
    pub(crate) bias: Option<BiasMode>,
    /// `proj = P`, if given and valid.
    pub(crate) proj: Option<Size>,
    /// `layers = L`, if given and valid.
    pub(crate) layers: Option<Size>,
    /// `bidirectional`: the key's span if it is set to true; `None` if absent or `= false`.
    pub(crate) bidirectional: Option<Span>,
    /// The tokens of the first `#[lstm(..)]`, where a missing key is reported; `None` when the
    /// struct has no such attribute.
    pub(crate) attribute: Option<TokenStream>,
    /// Whether a key was present but its value rejected; `check` then does not also call it missing.
    pub(crate) input_seen: bool,
    pub(crate) hidden_seen: bool,
    pub(crate) proj_seen: bool,
    pub(crate) layers_seen: bool,
    /// Whether `bidirectional` was given a value that is not a bool (the error is recorded).
    pub(crate) bidirectional_invalid: bool,
    /// `weights = ".."`: the weight file to compile in, if given.
    pub(crate) weights: Option<syn::LitStr>,
    /// `storage = ".."`: one of [`STORAGES`] and the literal, if given and valid.
    pub(crate) storage: Option<(&'static str, syn::LitStr)>,
    /// Keys that an unknown key was taken for ("did you mean `hidden`?"); `check` does not also
    /// report them missing.
    pub(crate) suggested: Vec<&'static str>,
}

impl Attrs {
    pub(crate) fn from_ast(cx: &mut Ctxt, attrs: &[Attribute]) -> Self {
        let mut parsed = Attrs {
            input: None,
            hidden: None,
            bias: Some(BiasMode::default()),
            proj: None,
            layers: None,
            bidirectional: None,
            attribute: None,
            input_seen: false,
            hidden_seen: false,
            proj_seen: false,
            layers_seen: false,
            bidirectional_invalid: false,
            weights: None,
            storage: None,
            suggested: Vec::new(),
        };
        let (mut bias_seen, mut bidirectional_seen) = (false, false);
        for attr in attrs.iter().filter(|attr| attr.path().is_ident(LSTM)) {
            if parsed.attribute.is_none() {
                parsed.attribute = Some(attr.to_token_stream());
            }
            let list = match &attr.meta {
                syn::Meta::List(list) => list,
                syn::Meta::Path(_) | syn::Meta::NameValue(_) => {
                    cx.error_spanned_by(attr, "expected `#[lstm(input = .., hidden = ..)]`");
                    continue;
                }
            };
            // rustc accepts `#[lstm[..]]` and `#[lstm{..}]` for a derive helper; the attribute's
            // form is the parenthesized one, as every other derive's.
            if !matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) {
                let found = match list.delimiter {
                    syn::MacroDelimiter::Bracket(_) => "brackets `[..]`",
                    _ => "braces `{..}`",
                };
                cx.error_spanned_by(
                    attr,
                    format_args!(
                        "expected `#[lstm(input = .., hidden = ..)]` with parentheses, found {found}"
                    ),
                );
                // Its keys are still read, so that they are not also reported missing.
            }
            if list.tokens.is_empty() {
                cx.error_spanned_by(
                    attr,
                    "empty `#[lstm()]`: it says nothing; remove it or give it keys, as in \
                     `#[lstm(input = 100, hidden = 256)]`",
                );
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                // `r#input` names the key `input`, as a raw identifier names its plain one.
                let key = meta.path.get_ident().map(IdentExt::unraw);
                let is = |name: &str| key.as_ref().is_some_and(|key| key == name);
                if is(INPUT) {
                    parse_size(cx, &meta, INPUT, &mut parsed.input, &mut parsed.input_seen)
                } else if is(HIDDEN) {
                    parse_size(
                        cx,
                        &meta,
                        HIDDEN,
                        &mut parsed.hidden,
                        &mut parsed.hidden_seen,
                    )
                } else if is(PROJ) {
                    parse_size(cx, &meta, PROJ, &mut parsed.proj, &mut parsed.proj_seen)
                } else if is(LAYERS) {
                    parse_size(
                        cx,
                        &meta,
                        LAYERS,
                        &mut parsed.layers,
                        &mut parsed.layers_seen,
                    )
                } else if is(BIDIRECTIONAL) {
                    parse_flag(
                        cx,
                        &meta,
                        (&mut parsed.bidirectional, &mut parsed.bidirectional_invalid),
                        &mut bidirectional_seen,
                    )
                } else if is(BIAS) {
                    parse_bias(cx, &meta, &mut parsed.bias, &mut bias_seen)
                } else if is(WEIGHTS) {
                    parse_weights(cx, &meta, &mut parsed.weights)
                } else if is(STORAGE) {
                    parse_storage(cx, &meta, &mut parsed.storage)
                } else {
                    unknown_key(cx, &meta, &mut parsed.suggested)
                }
            });
            if let Err(error) = result {
                cx.syn_error(error);
            }
        }
        parsed
    }
}

/// Parses `weights = "path"`.
fn parse_weights(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    slot: &mut Option<syn::LitStr>,
) -> syn::Result<()> {
    let Some(value) = string_value(
        cx,
        meta,
        WEIGHTS,
        "a weight file, relative to the crate's `Cargo.toml`: `weights = \"models/amp.safetensors\"`",
    )?
    else {
        return Ok(());
    };
    if slot.is_some() {
        cx.error_spanned_by(
            &meta.path,
            format_args!("duplicate lstm attribute `{WEIGHTS}`"),
        );
    } else {
        *slot = Some(value);
    }
    Ok(())
}

/// Parses `storage = "f32" | "f64" | "bf16" | "f16"`.
fn parse_storage(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    slot: &mut Option<(&'static str, syn::LitStr)>,
) -> syn::Result<()> {
    let choices = "`storage = \"f32\"` (the default), `\"f64\"`, or `\"bf16\"` / `\"f16\"` (half \
                   the bytes, computed in `f32`)";
    let Some(value) = string_value(cx, meta, STORAGE, choices)? else {
        return Ok(());
    };
    let text = value.value();
    match STORAGES.iter().find(|name| **name == text) {
        Some(_) if slot.is_some() => {
            cx.error_spanned_by(
                &meta.path,
                format_args!("duplicate lstm attribute `{STORAGE}`"),
            );
        }
        Some(name) => *slot = Some((name, value)),
        None => {
            let suggestion = symbol::did_you_mean(&text, STORAGES)
                .map(|known| format!(", did you mean `\"{known}\"`?"))
                .unwrap_or_default();
            cx.error_spanned_by(
                &value,
                format_args!("unknown storage `\"{text}\"`{suggestion}\nexpected {choices}"),
            );
        }
    }
    Ok(())
}

/// The string literal of `key = ".."`, or `None` after recording why there is none.
fn string_value(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    key: &str,
    expected: &str,
) -> syn::Result<Option<syn::LitStr>> {
    if !meta.input.peek(syn::Token![=]) {
        cx.error_spanned_by(
            &meta.path,
            format_args!("`{key}` needs a value: {expected}"),
        );
        return Ok(None);
    }
    let mut expr: Expr = meta.value()?.parse()?;
    while let Expr::Group(group) = expr {
        expr = *group.expr;
    }
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(value),
            ..
        }) => Ok(Some(value)),
        other => {
            cx.error_spanned_by(&other, format_args!("`{key}` takes a string: {expected}"));
            Ok(None)
        }
    }
}

/// Parses `bias = "single" | "double" | "none"`.
fn parse_bias(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    slot: &mut Option<BiasMode>,
    seen: &mut bool,
) -> syn::Result<()> {
    let choices = "`bias = \"single\"` (one bias per gate, as Keras), `\"double\"` (PyTorch's \
                   `bias_ih` and `bias_hh`) or `\"none\"`";
    if *seen {
        cx.error_spanned_by(
            &meta.path,
            format_args!("duplicate lstm attribute `{BIAS}`"),
        );
    }
    let duplicate = std::mem::replace(seen, true);
    if !meta.input.peek(syn::Token![=]) {
        cx.error_spanned_by(&meta.path, format_args!("`bias` needs a value: {choices}"));
        *slot = None;
        return Ok(());
    }
    let mut expr: Expr = meta.value()?.parse()?;
    while let Expr::Group(group) = expr {
        expr = *group.expr;
    }
    let Expr::Lit(ExprLit {
        lit: Lit::Str(value),
        ..
    }) = &expr
    else {
        cx.error_spanned_by(&expr, format_args!("`bias` takes a string: {choices}"));
        *slot = None;
        return Ok(());
    };
    let text = value.value();
    match BIAS_MODES.iter().find(|(name, _)| *name == text) {
        Some(&(name, sets)) if !duplicate => *slot = Some(BiasMode { name, sets }),
        Some(_) => {}
        None => {
            let names: Vec<&str> = BIAS_MODES.iter().map(|(name, _)| *name).collect();
            let suggestion = symbol::did_you_mean(&text, &names)
                .map(|known| format!(", did you mean `\"{known}\"`?"))
                .unwrap_or_default();
            cx.error_spanned_by(
                value,
                format_args!("unknown bias mode `\"{text}\"`{suggestion}\nexpected {choices}"),
            );
            *slot = None;
        }
    }
    Ok(())
}

/// Parses `key = <value>` into `slot`, recording (not returning) errors about the value so that
/// the rest of the attribute is still read.
fn parse_size(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    key: &str,
    slot: &mut Option<Size>,
    seen: &mut bool,
) -> syn::Result<()> {
    let duplicate = *seen;
    if duplicate {
        cx.error_spanned_by(&meta.path, format_args!("duplicate lstm attribute `{key}`"));
    }
    *seen = true;
    if !meta.input.peek(syn::Token![=]) {
        cx.error_spanned_by(
            &meta.path,
            format_args!("`{key}` needs a value, as in `{key} = {}`", example(key)),
        );
        return Ok(());
    }
    let expr: Expr = meta.value()?.parse()?;
    // The value is checked even when the key is a duplicate, so its own mistakes show too.
    if let Some(size) = size_from_expr(cx, key, &expr)
        && !duplicate
    {
        *slot = Some(size);
    }
    Ok(())
}

fn example(key: &str) -> usize {
    match key {
        INPUT => 100,
        PROJ => 64,
        LAYERS => 2,
        _ => 256,
    }
}

/// Parses `bidirectional` or `bidirectional = true | false`.
fn parse_flag(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    (slot, invalid): (&mut Option<Span>, &mut bool),
    seen: &mut bool,
) -> syn::Result<()> {
    if std::mem::replace(seen, true) {
        cx.error_spanned_by(
            &meta.path,
            format_args!("duplicate lstm attribute `{BIDIRECTIONAL}`"),
        );
    }
    let span = meta.path.span();
    if !meta.input.peek(syn::Token![=]) {
        *slot = Some(span);
        return Ok(());
    }
    let mut expr: Expr = meta.value()?.parse()?;
    while let Expr::Group(group) = expr {
        expr = *group.expr;
    }
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(value),
            ..
        }) => {
            *slot = value.value.then_some(span);
        }
        _ => {
            cx.error_spanned_by(
                &expr,
                format_args!(
                    "`{BIDIRECTIONAL}` is a flag: write `{BIDIRECTIONAL}` (or \
                     `{BIDIRECTIONAL} = true`), found `{}`",
                    tokens_text(&expr)
                ),
            );
            *invalid = true;
        }
    }
    Ok(())
}

/// The size an expression denotes, or `None` after recording why it is not one.
fn size_from_expr(cx: &mut Ctxt, key: &str, expr: &Expr) -> Option<Size> {
    let lit = match expr {
        // A value passed through `macro_rules!` as an `$x:expr` arrives in an invisible group.
        Expr::Group(group) => return size_from_expr(cx, key, &group.expr),
        Expr::Lit(ExprLit { lit, .. }) => lit,
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_), ..
        }) => {
            cx.error_spanned_by(
                expr,
                format_args!(
                    "`{key}` must be a positive integer, found `{}`",
                    tokens_text(expr)
                ),
            );
            return None;
        }
        Expr::Path(path) => {
            cx.error_spanned_by(
                expr,
                format_args!(
                    "`{key}` must be an integer literal, found the path `{}`; the derive computes \
                     sizes while expanding, before constants have values",
                    tokens_text(path)
                ),
            );
            return None;
        }
        _ => {
            cx.error_spanned_by(
                expr,
                format_args!(
                    "`{key}` must be an integer literal, as in `{key} = {}`",
                    example(key)
                ),
            );
            return None;
        }
    };
    let int = match lit {
        Lit::Int(int) => int,
        Lit::Float(float) => {
            cx.error_spanned_by(
                float,
                format_args!("`{key}` must be an integer, found the float `{}`", float),
            );
            return None;
        }
        Lit::Str(string) => {
            cx.error_spanned_by(
                string,
                format_args!(
                    "`{key}` must be an integer, found a string; write `{key} = {}` without quotes",
                    example(key)
                ),
            );
            return None;
        }
        other => {
            cx.error_spanned_by(
                other,
                format_args!(
                    "`{key}` must be an integer literal, as in `{key} = {}`",
                    example(key)
                ),
            );
            return None;
        }
    };
    if !matches!(int.suffix(), "" | "usize") {
        cx.error_spanned_by(
            int,
            format_args!(
                "`{key}` is a `usize`, found the suffix `{}`; write it without a suffix",
                int.suffix()
            ),
        );
        return None;
    }
    let Ok(value) = int.base10_parse::<usize>() else {
        cx.error_spanned_by(
            int,
            format_args!("`{key}` = {} is too large for `usize`", int.base10_digits()),
        );
        return None;
    };
    if value == 0 {
        cx.error_spanned_by(int, format_args!("`{key}` must be greater than 0"));
        return None;
    }
    if key != LAYERS && value > MAX_SIZE {
        cx.error_spanned_by(
            int,
            format_args!(
                "`{key}` must be at most {MAX_SIZE}, found {value}: the state and each step's \
                 input and output are arrays on the stack, and larger ones overflow a thread's \
                 stack"
            ),
        );
        return None;
    }
    Some(Size {
        value,
        span: int.span(),
    })
}

/// Records an unknown key and skips its value, so that the keys after it are still read.
fn unknown_key(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    suggested: &mut Vec<&'static str>,
) -> syn::Result<()> {
    let name = match meta.path.get_ident() {
        Some(ident) => ident.unraw().to_string(),
        None => tokens_text(&meta.path),
    };
    let message = match symbol::did_you_mean(&name, KEYS) {
        Some(known) => {
            suggested.push(known);
            format!("unknown lstm attribute `{name}`, did you mean `{known}`?")
        }
        None => format!(
            "unknown lstm attribute `{name}`, expected one of: {}",
            KEYS.iter()
                .map(|key| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    cx.error_spanned_by(&meta.path, message);
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}

/// Source-like text of some tokens, without the spaces `to_string` puts between them.
fn tokens_text(tokens: &impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}
