//! The safetensors header, read before the `safetensors` crate reads it, for what that crate
//! lets through or reports without a name: a tensor name given twice (its map keeps one entry
//! silently), a size that does not fit shape x dtype (reported without the tensor's name), and
//! a header over this library's limit.

use std::collections::HashSet;
use std::fmt;

use safetensors::tensor::{Dtype, SafeTensors};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

use super::LoadError;
use super::error::{format_error, shape_text};

/// The largest safetensors header the loader reads, in bytes (16 MiB). A header is a JSON
/// table of about 100 bytes per tensor: 16 MiB holds some 150,000 tensors, far more than any
/// model this library runs has, while a length field of a damaged or foreign file (which may
/// say anything up to 2^64) is refused before a byte of it is parsed.
///
/// ```
/// use lstm_core::{LoadError, LoadOptions, LstmLayer, MAX_HEADER_BYTES, WeightFile};
/// let mut bytes = (MAX_HEADER_BYTES as u64 + 1).to_le_bytes().to_vec();
/// bytes.extend(b"{}");
/// let err = LstmLayer::<f32, 3, 2>::from_safetensors(&bytes, &LoadOptions::new()).unwrap_err();
/// assert!(matches!(err, LoadError::HeaderTooLarge { .. }));
/// ```
pub const MAX_HEADER_BYTES: usize = 16 << 20;

/// Parses a weight file: a safetensors file (its header checked for what the parser would let
/// pass), or a JSON `state_dict` or a PyTorch `.pt` file, converted into `converted` first.
/// Any other kind of file is named as what it is.
pub(crate) fn open<'a>(
    bytes: &'a [u8],
    converted: &'a mut Vec<u8>,
) -> Result<SafeTensors<'a>, LoadError> {
    let bytes = match kind(bytes) {
        Kind::Safetensors => bytes,
        Kind::Json => {
            *converted = super::json::to_safetensors(bytes)?;
            converted
        }
        Kind::Torch => {
            *converted = super::torch::to_safetensors(bytes)?;
            converted
        }
        #[cfg(feature = "keras")]
        Kind::Hdf5 => {
            *converted = super::keras::hdf5_to_safetensors(bytes)?;
            converted
        }
        Kind::Other(what) => return Err(LoadError::OtherFormat { what }),
    };
    check_header(bytes)?;
    SafeTensors::deserialize(bytes).map_err(|error| format_error(&error))
}

/// What a file is, from its first bytes.
enum Kind {
    Safetensors,
    Json,
    /// A zip archive: PyTorch's `torch.save` format, or a Keras `.keras` file.
    Torch,
    /// HDF5: Keras' `.weights.h5`.
    #[cfg(feature = "keras")]
    Hdf5,
    Other(&'static str),
}

fn kind(bytes: &[u8]) -> Kind {
    // A safetensors file: a length, then the header's JSON object. (Its first byte is the
    // length's lowest, which may be anything, `{` included: so this comes first.)
    let header_follows = bytes.get(8) == Some(&b'{')
        && bytes
            .get(..8)
            .and_then(|length| length.try_into().ok())
            .is_some_and(|length| u64::from_le_bytes(length) <= (bytes.len() - 8) as u64);
    if header_follows {
        return Kind::Safetensors;
    }
    if bytes.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'{') {
        return Kind::Json;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Kind::Torch;
    }
    #[cfg(feature = "keras")]
    if bytes.starts_with(super::keras::SIGNATURE) {
        return Kind::Hdf5;
    }
    let signatures: [(&[u8], &'static str); 3] = [
        (
            b"\x89HDF\r\n\x1a\n",
            "an HDF5 file (a Keras `.h5` or `.weights.h5` file), which this build does not read: \
             enable the `keras` feature, or save the weights as safetensors",
        ),
        (
            b"\x80\x02",
            "a Python pickle (a PyTorch file saved in the legacy format), which is never read: \
             loading a pickle can run code",
        ),
        (
            b"\x80\x04",
            "a Python pickle (a PyTorch file saved in the legacy format), which is never read: \
             loading a pickle can run code",
        ),
    ];
    signatures
        .into_iter()
        .find(|(signature, _)| bytes.starts_with(signature))
        .map_or(Kind::Safetensors, |(_, what)| Kind::Other(what))
}

/// Refuses a header over the limit, a duplicated name and a size that does not fit its shape.
/// Anything it cannot read (a short file, a header that is not JSON, a foreign dtype) is left
/// to the parser, which reports it.
fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    let Some(length) = bytes.get(..8) else {
        return Ok(());
    };
    let length = u64::from_le_bytes(length.try_into().unwrap_or([0; 8]));
    if length > MAX_HEADER_BYTES as u64 {
        return Err(LoadError::HeaderTooLarge {
            size: length,
            limit: MAX_HEADER_BYTES,
        });
    }
    // Below the limit, so it fits `usize` on every target that can hold the limit.
    let Some(header) = usize::try_from(length)
        .ok()
        .and_then(|length| bytes.get(8..8usize.checked_add(length)?))
    else {
        return Ok(());
    };
    let Ok(Header(entries)) = serde_json::from_slice::<Header>(header) else {
        return Ok(());
    };
    let mut names = HashSet::with_capacity(entries.len());
    for (name, _) in &entries {
        if !names.insert(name.as_str()) {
            return Err(LoadError::DuplicateTensor { name: name.clone() });
        }
    }
    for (name, entry) in &entries {
        entry.check_size(name)?;
    }
    Ok(())
}

/// The header's tensors in the file's order, duplicates kept (`__metadata__` left out).
struct Header(Vec<(String, Entry)>);

/// One tensor's entry, as the header writes it.
#[derive(Deserialize)]
struct Entry {
    dtype: Dtype,
    shape: Vec<usize>,
    data_offsets: (usize, usize),
}

impl Entry {
    fn check_size(&self, name: &str) -> Result<(), LoadError> {
        let (start, end) = self.data_offsets;
        let corrupt = |why: String| LoadError::Corrupt {
            reason: format!("tensor `{name}`: {why}"),
        };
        let shape = shape_text(&self.shape);
        let dtype = self.dtype;
        let Some(bits) = self
            .shape
            .iter()
            .try_fold(dtype.bitsize(), |bits, &dim| bits.checked_mul(dim))
        else {
            return Err(corrupt(format!(
                "shape {shape} of {dtype:?} overflows the size of a buffer"
            )));
        };
        let Some(held) = end.checked_sub(start) else {
            return Err(corrupt(format!(
                "its data_offsets [{start}, {end}] end before they start"
            )));
        };
        // Sub-byte types (4-bit and smaller) are the parser's to judge; the loader refuses them
        // as an unsupported dtype in any case.
        if bits % 8 == 0 && bits / 8 != held {
            return Err(corrupt(format!(
                "shape {shape} of {dtype:?} is {} bytes, its data_offsets [{start}, {end}] hold \
                 {held}",
                bits / 8
            )));
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Header;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a safetensors header")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
                let mut entries = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    if name == "__metadata__" {
                        map.next_value::<IgnoredAny>()?;
                    } else {
                        entries.push((name, map.next_value::<Entry>()?));
                    }
                }
                Ok(Header(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}
