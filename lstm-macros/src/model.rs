//! `#[derive(Model)]`: a struct whose fields are layers, run one after the other and loaded
//! from one file, each field from the tensors under its name. Parse (the attributes), check
//! (the shape of the struct), expand, as for `#[derive(Lstm)]`; every error collected and
//! spanned on the user's tokens.
//!
//! The generated `Layer` impl runs the fields as a chain of borrowed layers, the core's
//! `Stacked<&A, Stacked<&B, &C>>` (wrapped in `Residual` for `#[model(residual)]`), whose types
//! are spelled once as a type alias inside the generated `const _` block. Each hand-off is
//! also checked on its own, spanned on the field that receives it, so that a size mismatch
//! points at the user's field.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, Ident, LitStr, Type};

use crate::compiled;
use crate::ctxt::Ctxt;

/// The attribute: `#[model(..)]`.
const MODEL: &str = "model";
/// `#[model(residual)]` on the struct: the model's input is added to its output.
const RESIDUAL: &str = "residual";
/// `#[model(rename = "lin")]` on a field: the name its tensors are under in the file.
const RENAME: &str = "rename";

/// One layer of the model.
struct Part<'a> {
    ident: &'a Ident,
    ty: &'a Type,
    /// The name its tensors are under: the field's name unless renamed.
    name: String,
}

/// One candidate of a model enum: `Small(AmpSmall)`.
struct Variant<'a> {
    ident: &'a Ident,
    ty: &'a Type,
}

/// The model as the expansion needs it: a struct's layers, or an enum's variants.
struct Model<'a> {
    ident: &'a Ident,
    vis: &'a syn::Visibility,
    /// A struct's const parameters (`struct Amp<const H: usize>`); none on an enum.
    generics: &'a syn::Generics,
    residual: bool,
    /// `weights = ".."`: the file compiled into the program.
    weights: Option<LitStr>,
    parts: Vec<Part<'a>>,
    variants: Vec<Variant<'a>>,
}

pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let model = parse(&mut cx, input);
    let errors = cx.finish();
    match model {
        Some(model) if errors.is_empty() && model.parts.is_empty() => expand_enum(&model),
        Some(model) if errors.is_empty() => expand(&model),
        _ => {
            let errors = errors.iter().map(syn::Error::to_compile_error);
            quote!(#(#errors)*)
        }
    }
}

/// Reads the struct and its attributes; `None` when there is nothing to expand.
fn parse<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Model<'a>> {
    let (residual, weights) = struct_attrs(cx, &input.attrs);
    // Const parameters are sizes (`struct Amp<const H: usize>`, one model for every hidden
    // size); a type or lifetime parameter would make the layers' own types unknown.
    let only_sizes = matches!(input.data, Data::Struct(_))
        && input.generics.where_clause.is_none()
        && input
            .generics
            .params
            .iter()
            .all(|param| matches!(param, syn::GenericParam::Const(_)));
    if !only_sizes {
        cx.reject_generics(
            &input.generics,
            "`#[derive(Model)]` takes const parameters only, on a struct (`struct Amp<const H: \
             usize>`): no type or lifetime parameters, no `where` clause, no parameters on an \
             enum of models; a model's layers are concrete types, their sizes in the types",
        );
    }
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => &named.named,
            Fields::Unnamed(unnamed) => {
                cx.error_spanned_by(
                    unnamed,
                    "`#[derive(Model)]` needs named fields, one per layer (the name is where its \
                     tensors are in the file), found a tuple struct",
                );
                return None;
            }
            Fields::Unit => {
                cx.error_spanned_by(
                    &input.ident,
                    "`#[derive(Model)]` needs at least one layer: a struct with a named field per \
                     layer, in the order they run",
                );
                return None;
            }
        },
        Data::Enum(data) => {
            if residual {
                for attr in input
                    .attrs
                    .iter()
                    .filter(|attr| attr.path().is_ident(MODEL))
                {
                    cx.error_spanned_by(
                        attr,
                        "`#[model(residual)]` belongs on a model struct; on an enum of models, \
                         put it on each variant's struct",
                    );
                }
            }
            if let Some(weights) = &weights {
                cx.error_spanned_by(
                    weights,
                    "`weights` compiles one model's file in; on an enum of models, put it on \
                     each variant's struct",
                );
            }
            let variants = parse_variants(cx, data)?;
            return Some(Model {
                ident: &input.ident,
                vis: &input.vis,
                generics: &input.generics,
                residual,
                weights: None,
                parts: Vec::new(),
                variants,
            });
        }
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "`#[derive(Model)]` needs a struct whose fields are the layers, found a union",
            );
            return None;
        }
    };
    if fields.is_empty() {
        cx.error_spanned_by(
            &input.ident,
            "`#[derive(Model)]` needs at least one layer: a named field per layer, in the order \
             they run",
        );
        return None;
    }
    let parts = fields
        .iter()
        .filter_map(|field| {
            let ident = field.ident.as_ref()?;
            let rename = field_attrs(cx, &field.attrs);
            let name = rename.unwrap_or_else(|| syn::ext::IdentExt::unraw(ident).to_string());
            Some(Part {
                ident,
                ty: &field.ty,
                name,
            })
        })
        .collect();
    Some(Model {
        ident: &input.ident,
        vis: &input.vis,
        generics: &input.generics,
        residual,
        weights,
        parts,
        variants: Vec::new(),
    })
}

/// The variants of a model enum: each a tuple variant holding one model.
fn parse_variants<'a>(cx: &mut Ctxt, data: &'a syn::DataEnum) -> Option<Vec<Variant<'a>>> {
    if data.variants.is_empty() {
        cx.error_spanned_by(
            data.enum_token,
            "`#[derive(Model)]` on an enum needs at least one variant, each holding one model \
             (`Small(AmpSmall)`)",
        );
        return None;
    }
    let mut variants = Vec::new();
    for variant in &data.variants {
        for attr in variant
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident(MODEL))
        {
            cx.error_spanned_by(attr, "`#[model(..)]` takes no keys on an enum's variant");
        }
        match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => variants.push(Variant {
                ident: &variant.ident,
                ty: &fields.unnamed[0].ty,
            }),
            _ => cx.error_spanned_by(
                variant,
                "each variant of a `#[derive(Model)]` enum holds one model: `Small(AmpSmall)`",
            ),
        }
    }
    Some(variants)
}

/// `#[model(residual, weights = "..")]`; any other key is an error.
fn struct_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> (bool, Option<LitStr>) {
    let mut residual = false;
    let mut weights: Option<LitStr> = None;
    each_key(cx, attrs, |meta| {
        if meta.path.is_ident(RESIDUAL) {
            if residual {
                return Err(meta.error("`residual` is given twice"));
            }
            residual = true;
            Ok(())
        } else if meta.path.is_ident(compiled::WEIGHTS) {
            let value: LitStr = meta.value()?.parse()?;
            if weights.is_some() {
                return Err(syn::Error::new(value.span(), "`weights` is given twice"));
            }
            weights = Some(value);
            Ok(())
        } else if meta.path.is_ident(RENAME) {
            Err(meta.error("`rename` belongs on a field: the name of that layer in the file"))
        } else {
            Err(meta.error(format!(
                "unknown key `{}`: `#[model(..)]` on the struct takes `residual` (the model's \
                 input added to its output) and `weights = \"..\"` (a weight file compiled in)",
                path_text(&meta.path)
            )))
        }
    });
    (residual, weights)
}

/// `#[model(rename = "..")]` on a field.
fn field_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> Option<String> {
    let mut rename: Option<String> = None;
    each_key(cx, attrs, |meta| {
        if meta.path.is_ident(RENAME) {
            let value: LitStr = meta.value()?.parse()?;
            if rename.is_some() {
                return Err(syn::Error::new(value.span(), "`rename` is given twice"));
            }
            let name = value.value();
            if name.ends_with(['.', '/']) {
                return Err(syn::Error::new(
                    value.span(),
                    "`rename` is the layer's name without a separator: `\"lin\"` finds \
                     `lin.weight` (PyTorch) and `lin/kernel` (Keras)",
                ));
            }
            rename = Some(name);
            Ok(())
        } else if meta.path.is_ident(RESIDUAL) {
            Err(meta.error(
                "`residual` belongs on the struct; a residual around one layer is the field \
                 type `Residual<L>`",
            ))
        } else {
            Err(meta.error(format!(
                "unknown key `{}`: `#[model(..)]` on a field takes `rename = \"..\"` (where its \
                 tensors are in the file)",
                path_text(&meta.path)
            )))
        }
    });
    rename
}

/// Calls `read` on every key of every `#[model(..)]` in `attrs`, recording each error and
/// going on to the next key, so that all mistakes are reported at once. A key's value
/// (`= ..`) that `read` did not take is skipped.
fn each_key(
    cx: &mut Ctxt,
    attrs: &[Attribute],
    mut read: impl FnMut(&syn::meta::ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(MODEL)) {
        let parsed = attr.parse_nested_meta(|meta| {
            if let Err(error) = read(&meta) {
                cx.syn_error(error);
            }
            if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
        if let Err(error) = parsed {
            cx.syn_error(error);
        }
    }
}

fn path_text(path: &syn::Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}

fn expand(model: &Model<'_>) -> TokenStream {
    let private = quote!(::lstm::__private);
    let Model {
        ident,
        vis,
        parts,
        generics,
        ..
    } = model;
    if parts.is_empty() {
        return quote!();
    }
    let (impl_generics, ty_generics, _) = generics.split_for_impl();
    // The chain's type alias takes the struct's const parameters after its lifetime.
    let params = &generics.params;
    let args: Vec<&Ident> = generics.const_params().map(|param| &param.ident).collect();
    let chain_of = |lifetime: TokenStream| quote!(__LstmModelChain<#lifetime #(, #args)*>);
    let chain_a = chain_of(quote!('a));
    let chain_any = chain_of(quote!('_));
    let title = ident.to_string();
    let first = parts[0].ty;
    let float = quote!(<#first as #private::Module>::Float);

    // The chain of borrowed fields, its type and its value, and the chain's own types
    // (computed field by field as `Stacked` computes them, so that they exist even when two
    // fields do not fit together).
    let layer = |ty: &Type, item: &str| {
        let item = syn::Ident::new(item, proc_macro2::Span::call_site());
        quote!(<#ty as #private::Layer<#float>>::#item)
    };
    let mut chain = None;
    for part in parts.iter().rev() {
        let (ty, field) = (part.ty, part.ident);
        let (state, workspace) = (layer(ty, "State"), layer(ty, "Workspace"));
        chain = Some(match chain {
            None => (quote!(&'a #ty), quote!(&self.#field), state, workspace),
            Some((upper_type, upper_value, upper_state, upper_workspace)) => {
                let between = layer(ty, "Output");
                (
                    quote!(#private::Stacked<&'a #ty, #upper_type>),
                    quote!(#private::Stacked::new(&self.#field, #upper_value)),
                    quote!((#state, #upper_state)),
                    quote!(#private::StackWorkspace<
                        #between, #state, #upper_state, #workspace, #upper_workspace
                    >),
                )
            }
        });
    }
    let Some((mut chain_type, mut chain_value, state_type, workspace_type)) = chain else {
        return quote!();
    };
    if model.residual {
        chain_type = quote!(#private::Residual<#chain_type>);
        chain_value = quote!(#private::Residual::new(#chain_value));
    }
    let input_type = layer(first, "Input");
    let last = parts[parts.len() - 1].ty;
    let output_type = layer(last, "Output");

    // Each hand-off checked on the receiving field, so that the error points there.
    let hand_offs = parts.windows(2).map(|pair| {
        let (lower, upper) = (pair[0].ty, pair[1].ty);
        quote_spanned! {upper.span()=>
            let _ = #private::hand_off::<#float, #lower, #upper>;
        }
    });
    let counts = parts.iter().map(|part| {
        let ty = part.ty;
        quote!(<#ty as #private::Module>::PARAM_COUNT)
    });
    let counts_for_module = counts.clone();
    let rows = parts.iter().map(|part| {
        let ty = part.ty;
        let field = part.ident.to_string();
        quote! {
            (#field, <#ty as #private::Module>::describe(),
             <#ty as #private::Module>::PARAM_COUNT)
        }
    });
    let reads = parts.iter().map(|part| {
        let (field, name) = (part.ident, &part.name);
        let field_text = field.to_string();
        quote! {
            #field: #private::read_part(file, scope, #name, #field_text)?
        }
    });

    let compiled = model
        .weights
        .as_ref()
        .map(|weights| compiled_constructor(model, weights));
    quote! {
        #compiled

        #[allow(non_local_definitions)]
        const _: () = {
            type __LstmModelChain<'a, #params> = #chain_type;

            #[automatically_derived]
            #[allow(dead_code)]
            impl #impl_generics #ident #ty_generics {
                /// The model's parameters, the sum over its layers: PyTorch's
                /// `sum(p.numel())` and Keras' `count_params()` for the same model.
                #vis const PARAM_COUNT: ::core::primitive::usize = 0 #(+ #counts)*;

                #private::if_std! {
                /// One row per layer (its field, what it is, its parameters) and the total,
                /// printed like Keras' `model.summary()`.
                #vis fn summary() -> #private::ModelSummary {
                    #private::ModelSummary::new(
                        #title,
                        <[_]>::into_vec(#private::Box::new([#(#rows),*])),
                    )
                }

                /// Loads the whole model from the bytes of a weight file (safetensors,
                /// PyTorch `.pt`, a JSON `state_dict`), each layer from the tensors under its
                /// field's name; [`LoadOptions::prefix`](::lstm::LoadOptions::prefix) names
                /// the model's own scope in the file.
                ///
                /// # Errors
                /// A [`LoadError`](::lstm::LoadError) naming the layer and the tensor at fault.
                #vis fn from_safetensors(
                    bytes: &[::core::primitive::u8],
                    options: &#private::LoadOptions,
                ) -> ::core::result::Result<Self, #private::LoadError> {
                    #private::read_model(bytes, options)
                }

                /// Reads a weight file and loads it with `from_safetensors`.
                ///
                /// # Errors
                /// As `from_safetensors`, or [`LoadError::Io`](::lstm::LoadError::Io).
                #vis fn load(
                    path: impl ::core::convert::AsRef<#private::Path>,
                    options: &#private::LoadOptions,
                ) -> ::core::result::Result<Self, #private::LoadError> {
                    #private::load_model(path.as_ref(), options)
                }
                }
            }

            #[automatically_derived]
            impl #impl_generics #private::Module for #ident #ty_generics {
                type Float = #float;
                const PARAM_COUNT: ::core::primitive::usize = 0 #(+ #counts_for_module)*;

                #private::if_std! {
                fn describe() -> #private::String {
                    <#private::String as ::core::convert::From<&::core::primitive::str>>::from(#title)
                }

                fn read(
                    file: &mut #private::ModelFile<'_>,
                    scope: &::core::primitive::str,
                ) -> ::core::result::Result<Self, #private::LoadError> {
                    ::core::result::Result::Ok(#ident { #(#reads,)* })
                }
            }
            }

            /// Runs where the layers fit together (each hand-off is checked below).
            #[automatically_derived]
            impl #impl_generics #private::Layer<#float> for #ident #ty_generics
            where
                for<'a> #chain_a: #private::RunChain<
                    #float, #input_type, #output_type, #state_type, #workspace_type
                >,
            {
                type Input = #input_type;
                type Output = #output_type;
                type State = #state_type;
                type Workspace = #workspace_type;

                fn zero_output() -> Self::Output {
                    <#last as #private::Layer<#float>>::zero_output()
                }

                fn zero_state(&self) -> Self::State {
                    let chain: #chain_any = #chain_value;
                    #private::RunChain::<#float, _, _, _, _>::zero_state_chain(&chain)
                }

                fn run_with(
                    &self,
                    inputs: &[Self::Input],
                    outputs: &mut [Self::Output],
                    state: &mut Self::State,
                    workspace: &mut Self::Workspace,
                ) -> ::core::result::Result<(), #private::SequenceLengthError> {
                    let chain: #chain_any = #chain_value;
                    #private::RunChain::<#float, _, _, _, _>::run_chain(
                        &chain, inputs, outputs, state, workspace,
                    )
                }

                fn run_batch_with(
                    &self,
                    inputs: &[Self::Input],
                    outputs: &mut [Self::Output],
                    states: &mut [Self::State],
                    workspace: &mut Self::Workspace,
                ) -> ::core::result::Result<(), #private::BatchLengthError> {
                    let chain: #chain_any = #chain_value;
                    #private::RunChain::<#float, _, _, _, _>::run_batch_chain(
                        &chain, inputs, outputs, states, workspace,
                    )
                }
            }

            /// Streams where every layer does (not with a bidirectional layer).
            #[automatically_derived]
            impl #impl_generics #private::StreamingLayer<#float> for #ident #ty_generics
            where
                for<'a> #chain_a: #private::RunChain<
                    #float, #input_type, #output_type, #state_type, #workspace_type
                >,
                for<'a> #chain_a: #private::StepChain<
                    #float, #input_type, #state_type, #output_type
                >,
            {
                fn step(&self, x: &Self::Input, state: &mut Self::State) -> Self::Output {
                    let chain: #chain_any = #chain_value;
                    #private::StepChain::<#float, _, _, _>::step_chain(&chain, x, state)
                }
            }

            // Generic, so that a model's const parameters are in scope; never called, only
            // type-checked.
            #[allow(dead_code)]
            fn __lstm_model_hand_offs #impl_generics () {
                #(#hand_offs)*
            }
        };
    }
}

/// `compiled()` for `#[model(weights = "..")]`: the file read, checked and packed now, each
/// field built from static data. Any error is a `compile_error!` on the literal (or on the
/// field whose type cannot be read), inside the function's body, so that calls to it add none.
fn compiled_constructor(model: &Model<'_>, weights: &LitStr) -> TokenStream {
    let Model { ident, vis, .. } = model;
    let doc = format!(
        "The model with the weights of `{}`, read, checked and packed when this crate was \
         compiled: static data in the program, in the kernels' layout, no file, no heap, \
         no copy. The build re-runs when the file changes.",
        weights.value()
    );
    if !model.generics.params.is_empty() {
        return syn::Error::new(
            weights.span(),
            "`weights` needs a model of one size: a model with const parameters takes its \
             sizes from its user, who compiles weights into a struct of fixed sizes",
        )
        .to_compile_error();
    }
    let body = match compiled_body(model, weights) {
        Ok(body) => body,
        Err(error) => error.to_compile_error(),
    };
    quote! {
        #[automatically_derived]
        impl #ident {
            #[doc = #doc]
            #[must_use]
            #vis fn compiled() -> Self {
                #body
            }
        }
    }
}

fn compiled_body(model: &Model<'_>, weights: &LitStr) -> syn::Result<TokenStream> {
    let mut errors: Option<syn::Error> = None;
    let mut layouts = Vec::new();
    let mut parts = Vec::new();
    for part in &model.parts {
        let read = compiled::layout(part.ty).and_then(|layout| {
            let (shape, element, stored) = layout.part()?;
            Ok((layout, shape, element, stored))
        });
        match read {
            Ok((layout, shape, element, stored)) => {
                layouts.push(layout);
                parts.push(lstm_core::compile::Part {
                    field: Box::leak(part.ident.to_string().into_boxed_str()),
                    name: part.name.clone(),
                    shape,
                    element,
                    stored,
                });
            }
            Err(message) => {
                let error = syn::Error::new(part.ty.span(), message);
                match &mut errors {
                    Some(errors) => errors.combine(error),
                    None => errors = Some(error),
                }
            }
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    let file = compiled::read(weights)?;
    let compiled_parts = lstm_core::compile::compile_model(&file.bytes, &parts)
        .map_err(|error| file.error(&error))?;
    let fields = model
        .parts
        .iter()
        .zip(&layouts)
        .zip(&compiled_parts)
        .map(|((part, layout), compiled_part)| {
            let field = part.ident;
            let value = layout.build(compiled_part).ok_or_else(compiled::mismatch)?;
            Ok(quote!(#field: #value))
        })
        .collect::<syn::Result<Vec<_>>>()?;
    let ident = model.ident;
    let dependency = file.dependency();
    Ok(quote! {
        #dependency
        #ident { #(#fields,)* }
    })
}

/// An enum of models: the first variant the file fits is loaded; the enum runs as the model it
/// holds, with a state enum and a workspace struct generated beside it.
fn expand_enum(model: &Model<'_>) -> TokenStream {
    let private = quote!(::lstm::__private);
    let Model {
        ident,
        vis,
        variants,
        ..
    } = model;
    let Some(first) = variants.first() else {
        return quote!();
    };
    let title = ident.to_string();
    let first_ty = first.ty;
    let float = quote!(<#first_ty as #private::Module>::Float);
    let layer = |ty: &Type, item: &str| {
        let item = syn::Ident::new(item, proc_macro2::Span::call_site());
        quote!(<#ty as #private::Layer<#float>>::#item)
    };
    let input_type = layer(first_ty, "Input");
    let output_type = layer(first_ty, "Output");
    let state_ident = quote::format_ident!("{}State", ident);
    let workspace_ident = quote::format_ident!("{}Workspace", ident);
    let names: Vec<&Ident> = variants.iter().map(|variant| variant.ident).collect();
    let types: Vec<&Type> = variants.iter().map(|variant| variant.ty).collect();
    let name_texts: Vec<String> = names.iter().map(ToString::to_string).collect();
    let slots: Vec<Ident> = (0..variants.len())
        .map(|index| quote::format_ident!("variant_{}", index))
        .collect();
    let states: Vec<TokenStream> = types.iter().map(|ty| layer(ty, "State")).collect();
    let workspaces: Vec<TokenStream> = types.iter().map(|ty| layer(ty, "Workspace")).collect();
    let run_bounds = types
        .iter()
        .zip(&states)
        .zip(&workspaces)
        .map(|((ty, state), workspace)| {
            quote! {
                for<'a> &'a #ty: #private::RunChain<
                    #float, #input_type, #output_type, #state, #workspace
                >
            }
        });
    let run_bounds: Vec<TokenStream> = run_bounds.collect();
    let step_bounds = types.iter().zip(&states).map(|(ty, state)| {
        quote! {
            for<'a> &'a #ty: #private::StepChain<#float, #input_type, #state, #output_type>
        }
    });
    let same_io = types.iter().skip(1).map(|ty| {
        quote_spanned! {ty.span()=>
            let _ = #private::same_io::<#float, #first_ty, #ty>;
        }
    });
    let run = |method: TokenStream| quote!(#private::RunChain::<#float, #input_type, #output_type, _, _>::#method);
    let zero_state = run(quote!(zero_state_chain));
    let run_chain = run(quote!(run_chain));
    let step_chain =
        quote!(#private::StepChain::<#float, #input_type, _, #output_type>::step_chain);
    let first_name = first.ident;

    let doc_state = format!(
        "The state of a [`{title}`]: the state of the model it holds. Its default is the first \
         variant's zero state; a state of another variant than the model's starts from the \
         model's zero state."
    );
    let doc_workspace = format!("The buffers a [`{title}`] reuses between calls, per variant.");

    // An enum of models reads its file to choose: `std` only (the `std` feature of `lstm`).
    quote! { #private::if_std! {
        #[doc = #doc_state]
        #[derive(::core::clone::Clone, ::core::marker::Copy)]
        #vis enum #state_ident {
            #(
                #[doc = ::core::concat!("The state of `", #name_texts, "`.")]
                #names(#states),
            )*
        }

        impl ::core::default::Default for #state_ident {
            fn default() -> Self {
                #state_ident::#first_name(::core::default::Default::default())
            }
        }

        #[doc = #doc_workspace]
        #vis struct #workspace_ident {
            #(
                #slots: (#workspaces, #private::Vec<#states>),
            )*
        }

        impl ::core::default::Default for #workspace_ident {
            fn default() -> Self {
                #workspace_ident {
                    #(
                        #slots: (
                            ::core::default::Default::default(),
                            #private::Vec::new(),
                        ),
                    )*
                }
            }
        }

        #[allow(non_local_definitions)]
        const _: () = {
            #[automatically_derived]
            #[allow(dead_code)]
            impl #ident {
                /// The variants, in the order loading tries them.
                #vis const CANDIDATES: &'static [&'static ::core::primitive::str] =
                    &[#(#name_texts),*];

                /// The variant this value holds.
                #vis fn variant(&self) -> &'static ::core::primitive::str {
                    match self {
                        #( #ident::#names(_) => #name_texts, )*
                    }
                }

                /// The parameters of the model this value holds.
                #vis fn param_count(&self) -> ::core::primitive::usize {
                    match self {
                        #( #ident::#names(_) => <#types as #private::Module>::PARAM_COUNT, )*
                    }
                }

                /// Loads the first variant whose model the file fits (in declaration order),
                /// from the bytes of a weight file.
                ///
                /// # Errors
                /// [`LoadError::NoCandidate`](::lstm::LoadError::NoCandidate), listing every
                /// variant and why the file did not fit it, or the file's own error.
                #vis fn from_safetensors(
                    bytes: &[::core::primitive::u8],
                    options: &#private::LoadOptions,
                ) -> ::core::result::Result<Self, #private::LoadError> {
                    #private::read_first_fit(bytes, options, #title, &[
                        #(
                            (#name_texts, |file, scope| ::core::result::Result::Ok(
                                #ident::#names(<#types as #private::Module>::read(file, scope)?)
                            )),
                        )*
                    ])
                }

                /// Reads a weight file and loads it with `from_safetensors`.
                ///
                /// # Errors
                /// As `from_safetensors`, or [`LoadError::Io`](::lstm::LoadError::Io).
                #vis fn load(
                    path: impl ::core::convert::AsRef<#private::Path>,
                    options: &#private::LoadOptions,
                ) -> ::core::result::Result<Self, #private::LoadError> {
                    #private::load_first_fit(path.as_ref(), options, #title, &[
                        #(
                            (#name_texts, |file, scope| ::core::result::Result::Ok(
                                #ident::#names(<#types as #private::Module>::read(file, scope)?)
                            )),
                        )*
                    ])
                }
            }

            /// Runs the model the value holds. Every variant takes and gives the same types
            /// (checked below, on each variant).
            #[automatically_derived]
            #[allow(unreachable_patterns)]
            impl #private::Layer<#float> for #ident
            where
                #(#run_bounds,)*
            {
                type Input = #input_type;
                type Output = #output_type;
                type State = #state_ident;
                type Workspace = #workspace_ident;

                fn zero_output() -> Self::Output {
                    <#first_ty as #private::Layer<#float>>::zero_output()
                }

                fn zero_state(&self) -> #state_ident {
                    match self {
                        #( #ident::#names(model) => #state_ident::#names(#zero_state(&model)), )*
                    }
                }

                fn run_with(
                    &self,
                    inputs: &[Self::Input],
                    outputs: &mut [Self::Output],
                    state: &mut #state_ident,
                    workspace: &mut #workspace_ident,
                ) -> ::core::result::Result<(), #private::SequenceLengthError> {
                    match self {
                        #(
                            #ident::#names(model) => {
                                let mut own = match *state {
                                    #state_ident::#names(own) => own,
                                    _ => #zero_state(&model),
                                };
                                let result = #run_chain(
                                    &model, inputs, outputs, &mut own, &mut workspace.#slots.0,
                                );
                                *state = #state_ident::#names(own);
                                result
                            }
                        )*
                    }
                }

                fn run_batch_with(
                    &self,
                    inputs: &[Self::Input],
                    outputs: &mut [Self::Output],
                    states: &mut [#state_ident],
                    workspace: &mut #workspace_ident,
                ) -> ::core::result::Result<(), #private::BatchLengthError> {
                    match self {
                        #(
                            #ident::#names(model) => {
                                let (buffers, gathered) = &mut workspace.#slots;
                                #private::run_batch_variant(
                                    &model,
                                    inputs,
                                    outputs,
                                    states,
                                    gathered,
                                    buffers,
                                    |state| match state {
                                        #state_ident::#names(own) => ::core::option::Option::Some(own),
                                        _ => ::core::option::Option::None,
                                    },
                                    #state_ident::#names,
                                )
                            }
                        )*
                    }
                }
            }

            /// Streams where every variant does.
            #[automatically_derived]
            #[allow(unreachable_patterns)]
            impl #private::StreamingLayer<#float> for #ident
            where
                #(#run_bounds,)*
                #(#step_bounds,)*
            {
                fn step(&self, x: &Self::Input, state: &mut #state_ident) -> Self::Output {
                    match self {
                        #(
                            #ident::#names(model) => {
                                if !::core::matches!(state, #state_ident::#names(_)) {
                                    *state = #state_ident::#names(#zero_state(&model));
                                }
                                match state {
                                    #state_ident::#names(own) => #step_chain(&model, x, own),
                                    // Set just above; a value the compiler cannot see is set.
                                    _ => <#first_ty as #private::Layer<#float>>::zero_output(),
                                }
                            }
                        )*
                    }
                }
            }

            const _: () = {
                #(#same_io)*
            };
        };
    } }
}
