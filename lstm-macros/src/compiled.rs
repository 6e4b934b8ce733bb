//! Compile-time weights: `weights = "models/amp.safetensors"` in `#[lstm(..)]` or
//! `#[model(..)]`.
//!
//! The macro reads the file when the user's crate compiles (its path relative to the crate's
//! `CARGO_MANIFEST_DIR`), reads and checks it with the run-time loader's own code
//! (`lstm_core::compile`, the same names, shapes, value checks and messages), packs each LSTM
//! into the kernels' tiles with the core's packing code, and writes every array as a byte
//! string in a 64-byte-aligned `static`: read-only data in the program, viewed in place by
//! `lstm::cast` (no copy, no heap). A file that does not fit the declared type is a compile
//! error on the `weights` literal, in the loader's words.
//!
//! The expression that builds a layer is written from the field's (or spec's) type as the
//! macro reads it ([`Layout`]): the layer types with their sizes spelled as literals.

use std::path::PathBuf;

use lstm_core::compile::{CellShape, CompiledCell, CompiledPart, Element, PartShape, Stored};
use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::{GenericArgument, LitStr, PathArguments, Type};

/// The key: `weights = ".."`.
pub(crate) use crate::symbol::WEIGHTS;

/// The largest weight file compiled in: 256 MiB, 64M `f32` parameters, an LSTM of 4,000 units.
/// Beyond it the program's image, and the compiler's memory while it holds the bytes, grow
/// past what an embedded target or a build machine has; such a model loads at run time.
pub(crate) const MAX_FILE_BYTES: u64 = 256 << 20;

/// A weight file read at compile time.
pub(crate) struct WeightsFile {
    /// The literal as written, where every error about the file is reported.
    pub(crate) literal: LitStr,
    /// Its absolute path, for `include_bytes!` (so that the build re-runs when it changes).
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

/// Reads the file `literal` names, relative to the crate being compiled.
pub(crate) fn read(literal: &LitStr) -> syn::Result<WeightsFile> {
    let written = literal.value();
    let error = |message: String| syn::Error::new(literal.span(), message);
    if written.is_empty() {
        return Err(error(
            "`weights` names a file, relative to the crate's `Cargo.toml`: `weights = \
             \"models/amp.safetensors\"`"
                .to_owned(),
        ));
    }
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let path = match base {
        Some(base) => base.join(&written),
        None => PathBuf::from(&written),
    };
    let shown = path.display().to_string();
    let metadata = std::fs::metadata(&path)
        .map_err(|io| error(format!("cannot read weights file `{shown}`: {io}")))?;
    if !metadata.is_file() {
        return Err(error(format!("weights file `{shown}` is not a file")));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(error(format!(
            "weights file `{shown}` is {} bytes, over the {} MiB that compile-time weights \
             take; load a model this large at run time (`load`)",
            metadata.len(),
            MAX_FILE_BYTES >> 20
        )));
    }
    let bytes = std::fs::read(&path)
        .map_err(|io| error(format!("cannot read weights file `{shown}`: {io}")))?;
    let Some(path) = path.to_str().map(str::to_owned) else {
        return Err(error(format!(
            "the path of weights file `{shown}` is not UTF-8, which `include_bytes!` needs"
        )));
    };
    Ok(WeightsFile {
        literal: literal.clone(),
        path,
        bytes,
    })
}

impl WeightsFile {
    /// The loader's error, on the literal, naming the file.
    pub(crate) fn error(&self, error: &lstm_core::LoadError) -> syn::Error {
        let file = self.literal.value();
        let message = match non_finite(error) {
            // The loader's advice (`LoadOptions::allow_non_finite`) is for run time.
            Some((name, index, value)) => {
                // A finite f64 beyond the element type's range: in scientific notation.
                let value = if value.is_finite() {
                    format!("{value:e}")
                } else {
                    value.to_string()
                };
                format!(
                    "weights file `{file}`: tensor `{name}` holds {value} at element {index}; \
                     compile-time weights take finite values only"
                )
            }
            None => format!("weights file `{file}`: {error}"),
        };
        syn::Error::new(self.literal.span(), message)
    }

    /// An item that makes the build depend on the file (the compiler re-runs the macro when
    /// it changes) without putting its bytes in the program.
    pub(crate) fn dependency(&self) -> TokenStream {
        let path = &self.path;
        quote!(
            const _: &[::core::primitive::u8] = ::core::include_bytes!(#path);
        )
    }
}

/// The tensor, index and value of a non-finite weight, wherever in a model it was found.
fn non_finite(error: &lstm_core::LoadError) -> Option<(&str, usize, f64)> {
    match error {
        lstm_core::LoadError::NonFinite { name, index, value } => Some((name, *index, *value)),
        lstm_core::LoadError::InLayer { source, .. } => non_finite(source),
        _ => None,
    }
}

/// One LSTM cell's types, as literals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CellTypes {
    pub(crate) element: Element,
    pub(crate) stored: Stored,
    pub(crate) shape: CellShape,
}

/// A layer as the macro reads its type: what to read from the file and how to build it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `LstmLayer<T, I, H, B, R, S>`.
    Cell(CellTypes),
    /// `Bidirectional<LstmLayer<..>, O>`.
    Bidirectional(CellTypes, usize),
    /// `Stacked<Lower, Upper>` of LSTM layers (PyTorch's `num_layers`).
    Stacked(Box<Layout>, Box<Layout>),
    /// `Linear<T, I, O>`.
    Linear(Element, usize, usize),
    /// `Embedding<T, V, D>`.
    Embedding(Element, usize, usize),
    /// `Activation<F, T, N>`: no weights.
    Activation,
    /// `Residual<L>`: `L`'s weights.
    Residual(Box<Layout>),
}

impl Layout {
    /// The LSTM cells of a stack, in `nn.LSTM`'s order, and whether its layers are
    /// bidirectional; `None` if this is not an LSTM, or mixes one- and two-direction layers.
    fn cells(&self) -> Option<(Vec<CellTypes>, bool)> {
        match self {
            Layout::Cell(cell) => Some((vec![*cell], false)),
            Layout::Bidirectional(cell, _) => Some((vec![*cell], true)),
            Layout::Stacked(lower, upper) => {
                let (mut cells, lower_both) = lower.cells()?;
                let (upper_cells, upper_both) = upper.cells()?;
                cells.extend(upper_cells);
                (lower_both == upper_both).then_some((cells, lower_both))
            }
            _ => None,
        }
    }

    /// What `lstm_core::compile` reads for this layer: its shape, element type and storage.
    pub(crate) fn part(&self) -> Result<(PartShape, Element, Stored), String> {
        match self {
            Layout::Linear(element, input, output) => Ok((
                PartShape::Linear {
                    input: *input,
                    output: *output,
                },
                *element,
                Stored::Element,
            )),
            Layout::Embedding(element, vocabulary, width) => Ok((
                PartShape::Embedding {
                    vocabulary: *vocabulary,
                    width: *width,
                },
                *element,
                Stored::Element,
            )),
            Layout::Activation => Ok((PartShape::Stateless, Element::F32, Stored::Element)),
            Layout::Residual(inner) => inner.part(),
            Layout::Cell(_) | Layout::Bidirectional(..) | Layout::Stacked(..) => {
                let mixed = "compile-time weights read a `Stacked` field as PyTorch's \
                             `num_layers`: LSTM layers, all one-direction or all bidirectional, \
                             of one element type and storage";
                let (cells, bidirectional) = self.cells().ok_or(mixed)?;
                let first = cells[0];
                if cells
                    .iter()
                    .any(|cell| (cell.element, cell.stored) != (first.element, first.stored))
                {
                    return Err(mixed.to_owned());
                }
                Ok((
                    PartShape::Lstm {
                        layers: cells.iter().map(|cell| cell.shape).collect(),
                        bidirectional,
                    },
                    first.element,
                    first.stored,
                ))
            }
        }
    }

    /// The expression that builds this layer from its compiled part, referring to statics
    /// declared inside it.
    pub(crate) fn build(&self, part: &CompiledPart) -> Option<TokenStream> {
        let private = quote!(::lstm::__private);
        match (self, part) {
            (
                Layout::Cell(_) | Layout::Bidirectional(..) | Layout::Stacked(..),
                CompiledPart::Lstm(cells),
            ) => {
                let mut cells = cells.iter();
                let built = self.build_cells(&mut cells)?;
                cells.next().is_none().then_some(built)
            }
            (Layout::Linear(element, input, output), CompiledPart::Linear { weight, bias }) => {
                let t = element_type(*element);
                let weight = array(weight, &quote!([#t; #input]), *output);
                let bias = array(bias, &t, *output);
                Some(quote! {
                    #private::Linear::new(
                        #private::Matrix::from_static(#weight),
                        #private::Vector::from_static(#bias),
                    )
                })
            }
            (Layout::Embedding(element, vocabulary, width), CompiledPart::Embedding { table }) => {
                let t = element_type(*element);
                let table = array(table, &quote!([#t; #width]), *vocabulary);
                Some(quote!(#private::Embedding::new(#private::Matrix::from_static(#table))))
            }
            (Layout::Activation, CompiledPart::Stateless) => {
                Some(quote!(#private::Activation::new()))
            }
            (Layout::Residual(inner), part) => {
                let inner = inner.build(part)?;
                Some(quote!(#private::Residual::new(#inner)))
            }
            _ => None,
        }
    }

    /// The type of an LSTM layout (a cell, a pair, a stack), spelled with absolute paths.
    pub(crate) fn type_tokens(&self) -> TokenStream {
        let private = quote!(::lstm::__private);
        match self {
            Layout::Cell(types) => cell_type(types),
            Layout::Bidirectional(types, output) => {
                let cell = cell_type(types);
                quote!(#private::Bidirectional<#cell, #output>)
            }
            Layout::Stacked(lower, upper) => {
                let (lower, upper) = (lower.type_tokens(), upper.type_tokens());
                quote!(#private::Stacked<#lower, #upper>)
            }
            // Not the layout of a spec; a model's fields are built into their declared types.
            _ => quote!(_),
        }
    }

    fn build_cells<'a>(
        &self,
        cells: &mut impl Iterator<Item = &'a CompiledCell>,
    ) -> Option<TokenStream> {
        let private = quote!(::lstm::__private);
        match self {
            Layout::Cell(types) => Some(cell(cells.next()?, types)),
            Layout::Bidirectional(types, _) => {
                let forward = cell(cells.next()?, types);
                let reverse = cell(cells.next()?, types);
                Some(quote!(#private::Bidirectional::new(#forward, #reverse)))
            }
            Layout::Stacked(lower, upper) => {
                let lower = lower.build_cells(cells)?;
                let upper = upper.build_cells(cells)?;
                Some(quote!(#private::Stacked::new(#lower, #upper)))
            }
            _ => None,
        }
    }
}

fn element_type(element: Element) -> TokenStream {
    match element {
        Element::F32 => quote!(::core::primitive::f32),
        Element::F64 => quote!(::core::primitive::f64),
    }
}

fn stored_type(types: &CellTypes) -> TokenStream {
    match types.stored {
        Stored::Element => element_type(types.element),
        Stored::Bf16 => quote!(::lstm::__private::Bf16),
        Stored::F16 => quote!(::lstm::__private::F16),
    }
}

/// `{ static BYTES: Aligned<[u8; N]> = ..; cast::<E, N, M>(&BYTES) }`: `M` elements of type
/// `E` from `bytes`, borrowed for `'static`.
fn array(bytes: &[u8], element: &TokenStream, len: usize) -> TokenStream {
    let private = quote!(::lstm::__private);
    let count = bytes.len();
    let literal = Literal::byte_string(bytes);
    quote! {{
        static BYTES: #private::Aligned<[::core::primitive::u8; #count]> =
            #private::Aligned(*#literal);
        #private::cast::<#element, #count, #len>(&BYTES)
    }}
}

/// One cell: `LstmLayer::from_compiled(tiles, biases, projection, limits)`.
/// `LstmLayer<T, I, H, B, R, S>` of a cell's types.
fn cell_type(types: &CellTypes) -> TokenStream {
    let (t, s) = (element_type(types.element), stored_type(types));
    let CellShape {
        input,
        hidden,
        biases,
        output,
    } = types.shape;
    quote!(::lstm::__private::LstmLayer<#t, #input, #hidden, #biases, #output, #s>)
}

fn cell(compiled: &CompiledCell, types: &CellTypes) -> TokenStream {
    let t = element_type(types.element);
    let s = stored_type(types);
    let CellShape {
        hidden,
        biases,
        output,
        ..
    } = types.shape;
    let layer = cell_type(types);
    let tiles = array(&compiled.tiles, &s, compiled.tile_elements);
    let bias_bytes: Vec<u8> = compiled
        .biases
        .iter()
        .flat_map(|set| set.iter().flatten().copied())
        .collect();
    let bias_sets = array(&bias_bytes, &quote!([[#t; #hidden]; 4]), biases);
    let projection = match &compiled.projection {
        Some(bytes) => {
            let projection = array(bytes, &quote!([#t; #hidden]), output);
            quote!(::core::option::Option::Some(#projection))
        }
        None => quote!(::core::option::Option::None),
    };
    let [input_limit, output_limit] = compiled.limits.map(f64::to_bits);
    quote! {
        <#layer>::from_compiled(
            #tiles,
            #bias_sets,
            #projection,
            [
                ::core::primitive::f64::from_bits(#input_limit),
                ::core::primitive::f64::from_bits(#output_limit),
            ],
        )
    }
}

/// The layout of a `#[derive(Lstm)]` spec's weights: a cell per layer (a pair when
/// bidirectional), stacked as `Weights<Spec>` stacks them.
pub(crate) fn spec_layout(shape: &crate::check::Shape, element: Element, stored: Stored) -> Layout {
    let layer = |k: usize| {
        let cell = CellTypes {
            element,
            stored,
            shape: CellShape {
                input: shape.layer_inputs[k].size,
                hidden: shape.hidden,
                biases: shape.bias.sets,
                output: shape.output,
            },
        };
        if shape.directions == 2 {
            Layout::Bidirectional(cell, shape.sequence_output)
        } else {
            Layout::Cell(cell)
        }
    };
    let mut stack = layer(shape.layers - 1);
    for k in (0..shape.layers - 1).rev() {
        stack = Layout::Stacked(Box::new(layer(k)), Box::new(stack));
    }
    stack
}

/// Reads a field's type as a [`Layout`]: the layer types, their sizes written as literals.
pub(crate) fn layout(ty: &Type) -> Result<Layout, String> {
    let unsupported = || {
        format!(
            "compile-time weights need each field's type written out with literal sizes: \
             `LstmLayer<f32, 1, 20, 2>`, `Bidirectional<LstmLayer<..>, O>`, `Stacked<A, B>` of \
             those, `Linear<f32, 20, 1>`, `Embedding<f32, V, D>`, `Activation<F, f32, N>` or \
             `Residual<L>`; found `{}`",
            quote!(#ty).to_string().replace(' ', "")
        )
    };
    let Type::Path(path) = ty else {
        return Err(unsupported());
    };
    let Some(segment) = path.path.segments.last() else {
        return Err(unsupported());
    };
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return Err(unsupported());
    };
    let arguments: Vec<&GenericArgument> = arguments.args.iter().collect();
    let size = |at: usize| -> Result<usize, String> {
        let found = || {
            format!(
                "compile-time weights need the sizes of `{}` written as integer literals",
                segment.ident
            )
        };
        match arguments.get(at) {
            Some(GenericArgument::Const(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(int),
                ..
            }))) => int.base10_parse().map_err(|_| found()),
            _ => Err(found()),
        }
    };
    let type_name = |at: usize| -> Option<String> {
        match arguments.get(at) {
            Some(GenericArgument::Type(Type::Path(path))) => path
                .path
                .segments
                .last()
                .map(|segment| segment.ident.to_string()),
            _ => None,
        }
    };
    let element = |at: usize| -> Result<Element, String> {
        match type_name(at).as_deref() {
            Some("f32") => Ok(Element::F32),
            Some("f64") => Ok(Element::F64),
            _ => Err(format!(
                "compile-time weights need the element type of `{}` written as `f32` or `f64`",
                segment.ident
            )),
        }
    };
    let inner = |at: usize| -> Result<Layout, String> {
        match arguments.get(at) {
            Some(GenericArgument::Type(ty)) => layout(ty),
            _ => Err(unsupported()),
        }
    };
    match segment.ident.to_string().as_str() {
        "LstmLayer" => {
            let element = element(0)?;
            let (input, hidden) = (size(1)?, size(2)?);
            let biases = if arguments.len() > 3 { size(3)? } else { 1 };
            let output = if arguments.len() > 4 {
                size(4)?
            } else {
                hidden
            };
            let stored = match (arguments.len() > 5, type_name(5).as_deref(), element) {
                (false, _, _) => Stored::Element,
                (true, Some("f32"), Element::F32) | (true, Some("f64"), Element::F64) => {
                    Stored::Element
                }
                (true, Some("Bf16"), Element::F32) => Stored::Bf16,
                (true, Some("F16"), Element::F32) => Stored::F16,
                _ => {
                    return Err(
                        "compile-time weights store an LSTM as its element type, or an `f32` one \
                         as `Bf16` or `F16`"
                            .to_owned(),
                    );
                }
            };
            Ok(Layout::Cell(CellTypes {
                element,
                stored,
                shape: CellShape {
                    input,
                    hidden,
                    biases,
                    output,
                },
            }))
        }
        "Bidirectional" => match inner(0)? {
            Layout::Cell(cell) => Ok(Layout::Bidirectional(cell, size(1)?)),
            _ => Err(unsupported()),
        },
        "Stacked" => Ok(Layout::Stacked(Box::new(inner(0)?), Box::new(inner(1)?))),
        "Linear" => Ok(Layout::Linear(element(0)?, size(1)?, size(2)?)),
        "Embedding" => Ok(Layout::Embedding(element(0)?, size(1)?, size(2)?)),
        "Activation" => Ok(Layout::Activation),
        "Residual" => Ok(Layout::Residual(Box::new(inner(0)?))),
        _ => Err(unsupported()),
    }
}

/// A span-less error for an internal inconsistency between the layout and what was compiled.
pub(crate) fn mismatch() -> syn::Error {
    syn::Error::new(
        Span::call_site(),
        "lstm derive: compiled weights do not match the layer's layout (internal error)",
    )
}
