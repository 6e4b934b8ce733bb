//! PyTorch `.pt` / `.pth` files, as `torch.save(model.state_dict(), path)` writes them: a zip
//! archive (entries stored, not compressed) holding `<name>/data.pkl`, a pickle of the
//! `state_dict`, and each tensor's storage as `<name>/data/<key>`.
//!
//! A pickle is a program for a stack machine that may call any Python function. This reader
//! runs none: it knows the few opcodes a `state_dict` uses and the four callables it names
//! (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` and `_rebuild_parameter`, and
//! the storage types), builds plain values from them, and refuses anything else with the
//! opcode or callable it met. The tensors become an in-memory safetensors file, loaded and
//! checked as any other.

use std::collections::HashMap;
use std::rc::Rc;

use safetensors::Dtype;

use super::LoadError;

/// The tensors of a PyTorch zip file as the bytes of a safetensors file.
pub(super) fn to_safetensors(bytes: &[u8]) -> Result<Vec<u8>, LoadError> {
    let archive = Zip::read(bytes)?;
    #[cfg(feature = "keras")]
    if let Some(converted) = super::keras::archive_to_safetensors(&archive) {
        return converted;
    }
    // The pickle (the first by name, should a damaged archive hold several).
    let (root, pickle) = archive
        .entries
        .iter()
        .filter_map(|(name, data)| Some((name.strip_suffix("data.pkl")?, *data)))
        .min_by_key(|(root, _)| *root)
        .ok_or(LoadError::OtherFormat {
            what: KERAS_OR_OTHER_ZIP,
        })?;
    let value = Unpickler::new(pickle).run()?;
    let tensors = state_dict(value)?;
    let mut owned = Vec::with_capacity(tensors.len());
    for (name, tensor) in tensors {
        let key = format!("{root}data/{}", tensor.storage.key);
        let data = archive.entries.get(key.as_str()).ok_or_else(|| {
            invalid(format!(
                "tensor `{name}`: its storage `{key}` is not in the archive"
            ))
        })?;
        let bytes = tensor
            .gather(data)
            .map_err(|why| invalid(format!("tensor `{name}`: {why}")))?;
        owned.push((name, Owned(tensor.storage.dtype, tensor.shape, bytes)));
    }
    safetensors::serialize(owned, None).map_err(|error| invalid(error.to_string()))
}

#[cfg(feature = "keras")]
const KERAS_OR_OTHER_ZIP: &str =
    "a zip archive with neither `data.pkl` (PyTorch) nor `model.weights.h5` (Keras)";
#[cfg(not(feature = "keras"))]
const KERAS_OR_OTHER_ZIP: &str = "a zip archive without `data.pkl`: not a PyTorch file (a Keras \
                                  `.keras` file?), which this build does not read: enable the \
                                  `keras` feature, or save the weights as safetensors";

fn invalid(reason: String) -> LoadError {
    LoadError::Torch { reason }
}

/// A tensor's bytes, for the safetensors writer.
pub(super) struct Owned(pub(super) Dtype, pub(super) Vec<usize>, pub(super) Vec<u8>);

impl safetensors::View for Owned {
    fn dtype(&self) -> Dtype {
        self.0
    }
    fn shape(&self) -> &[usize] {
        &self.1
    }
    fn data(&self) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Borrowed(&self.2)
    }
    fn data_len(&self) -> usize {
        self.2.len()
    }
}

/// The stored entries of a zip archive, by name.
pub(super) struct Zip<'a> {
    pub(super) entries: HashMap<&'a str, &'a [u8]>,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_le_bytes(
        bytes.get(at..at.checked_add(2)?)?.try_into().ok()?,
    )))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u32::from_le_bytes(
        bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
    .ok()
}

fn u64_at(bytes: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(
        bytes.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
    .ok()
}

impl<'a> Zip<'a> {
    pub(super) fn read(bytes: &'a [u8]) -> Result<Self, LoadError> {
        let corrupt = |what: &str| invalid(format!("a damaged zip archive: {what}"));
        // The end-of-central-directory record: the last `PK\x05\x06` within its reach.
        let search_from = bytes.len().saturating_sub(22 + 65_535);
        let end = (search_from..bytes.len().saturating_sub(21))
            .rev()
            .find(|&at| bytes[at..].starts_with(b"PK\x05\x06"))
            .ok_or_else(|| corrupt("no end of central directory"))?;
        let mut count = u16_at(bytes, end + 10).ok_or_else(|| corrupt("a short end record"))?;
        let mut directory = u32_at(bytes, end + 16).ok_or_else(|| corrupt("a short end record"))?;
        // Zip64: the locator just before points at the larger record.
        if end >= 20 && bytes[end - 20..].starts_with(b"PK\x06\x07") {
            let record = u64_at(bytes, end - 12).ok_or_else(|| corrupt("a zip64 locator"))?;
            if !bytes
                .get(record..)
                .is_some_and(|r| r.starts_with(b"PK\x06\x06"))
            {
                return Err(corrupt("a zip64 record"));
            }
            count = u64_at(bytes, record + 32).ok_or_else(|| corrupt("a zip64 record"))?;
            directory = u64_at(bytes, record + 48).ok_or_else(|| corrupt("a zip64 record"))?;
        }
        let mut entries = HashMap::new();
        let mut at = directory;
        for _ in 0..count {
            if !bytes
                .get(at..)
                .is_some_and(|e| e.starts_with(b"PK\x01\x02"))
            {
                return Err(corrupt("a central directory entry"));
            }
            let field = |offset: usize| u32_at(bytes, at + offset);
            let short = |offset: usize| u16_at(bytes, at + offset);
            let (Some(method), Some(mut size), Some(name_len), Some(extra_len), Some(comment_len)) =
                (short(10), field(24), short(28), short(30), short(32))
            else {
                return Err(corrupt("a short directory entry"));
            };
            let mut local = field(42).ok_or_else(|| corrupt("a short directory entry"))?;
            let name_at = at + 46;
            let name = bytes
                .get(name_at..name_at + name_len)
                .and_then(|name| std::str::from_utf8(name).ok())
                .ok_or_else(|| corrupt("an entry name"))?;
            // Zip64 extra field: the 64-bit sizes and offset, for those that overflowed.
            let extra = bytes
                .get(name_at + name_len..name_at + name_len + extra_len)
                .ok_or_else(|| corrupt("an extra field"))?;
            let mut cursor = 0;
            while cursor + 4 <= extra.len() {
                let (id, len) = (u16_at(extra, cursor), u16_at(extra, cursor + 2));
                let (Some(id), Some(len)) = (id, len) else {
                    break;
                };
                if id == 1 {
                    let mut next = cursor + 4;
                    let mut wide = |value: &mut usize| {
                        if *value == 0xFFFF_FFFF {
                            if let Some(wider) = u64_at(extra, next) {
                                *value = wider;
                            }
                            next += 8;
                        }
                    };
                    let mut uncompressed = field(24).unwrap_or(0);
                    wide(&mut uncompressed);
                    wide(&mut size);
                    wide(&mut local);
                }
                cursor += 4 + len;
            }
            if method != 0 {
                return Err(invalid(format!(
                    "entry `{name}` is compressed (method {method}); PyTorch and Keras store \
                     their entries uncompressed"
                )));
            }
            let local_name = u16_at(bytes, local + 26);
            let local_extra = u16_at(bytes, local + 28);
            let (true, Some(local_name), Some(local_extra)) = (
                bytes
                    .get(local..)
                    .is_some_and(|l| l.starts_with(b"PK\x03\x04")),
                local_name,
                local_extra,
            ) else {
                return Err(corrupt("a local header"));
            };
            let start = local + 30 + local_name + local_extra;
            let data = start
                .checked_add(size)
                .and_then(|end| bytes.get(start..end))
                .ok_or_else(|| invalid(format!("entry `{name}` runs past the end of the file")))?;
            entries.insert(name, data);
            at = name_at + name_len + extra_len + comment_len;
        }
        Ok(Zip { entries })
    }
}

/// A storage a tensor views: its element type, its entry's key and its length in elements.
#[derive(Clone, Debug)]
struct Storage {
    dtype: Dtype,
    key: Rc<str>,
    numel: usize,
}

/// A tensor: a view of a storage.
#[derive(Clone, Debug)]
struct Tensor {
    storage: Storage,
    offset: usize,
    shape: Vec<usize>,
    stride: Vec<usize>,
}

impl Tensor {
    /// The view's elements, in row-major order, as little-endian bytes.
    fn gather(&self, data: &[u8]) -> Result<Vec<u8>, String> {
        let width = self.storage.dtype.bitsize() / 8;
        let available = data.len() / width.max(1);
        if self.storage.numel > available {
            return Err(format!(
                "its storage holds {available} elements, the pickle says {}",
                self.storage.numel
            ));
        }
        let count = self
            .shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or("its shape overflows")?;
        // A broadcast view (a stride of 0) could name more elements than the file holds.
        if count > self.storage.numel {
            return Err(format!(
                "its view of {count} elements is larger than its storage of {}",
                self.storage.numel
            ));
        }
        let mut out = Vec::with_capacity(count * width);
        if count == 0 {
            return Ok(out);
        }
        // The last element the view reaches must be inside the storage.
        let last = self
            .shape
            .iter()
            .zip(&self.stride)
            .try_fold(self.offset, |at, (&d, &s)| {
                at.checked_add((d - 1).checked_mul(s)?)
            })
            .ok_or("its strides overflow")?;
        if last >= self.storage.numel {
            return Err(format!(
                "its view reaches element {last} of a storage of {}",
                self.storage.numel
            ));
        }
        let mut index = vec![0usize; self.shape.len()];
        for _ in 0..count {
            let at = self
                .stride
                .iter()
                .zip(&index)
                .fold(self.offset, |at, (s, i)| at + s * i);
            out.extend_from_slice(&data[at * width..(at + 1) * width]);
            for (i, &d) in index.iter_mut().zip(&self.shape).rev() {
                *i += 1;
                if *i < d {
                    break;
                }
                *i = 0;
            }
        }
        Ok(out)
    }
}

/// The callables a `state_dict` pickle names; no other is accepted.
#[derive(Clone, Debug)]
enum Global {
    OrderedDict,
    RebuildTensor,
    RebuildParameter,
    Storage(Dtype),
}

#[derive(Clone, Debug)]
enum Value {
    None,
    /// A boolean or a float: pickled beside tensors (`requires_grad`), never needed here.
    Scalar,
    Int(i64),
    // Shared, so that reading the memo (which a pickle may do for every instruction) copies
    // nothing: a hostile pickle cannot make the reader quadratic.
    Str(Rc<str>),
    Tuple(Rc<Vec<Value>>),
    List(Rc<Vec<Value>>),
    Dict(Rc<Vec<(Value, Value)>>),
    Global(Global),
    Storage(Storage),
    Tensor(Tensor),
    Mark,
}

/// The `state_dict`: the top-level dict of tensors, or one under a checkpoint's `state_dict`,
/// `model_state_dict` or `model` key. Entries that are not tensors are left out.
fn state_dict(value: Value) -> Result<Vec<(String, Tensor)>, LoadError> {
    nested_state_dict(value, 0)
}

/// [`state_dict`] at `depth` levels of checkpoint nesting (at most 4: a checkpoint of a
/// checkpoint is already rare, and a hostile file must not recurse without end).
fn nested_state_dict(value: Value, depth: usize) -> Result<Vec<(String, Tensor)>, LoadError> {
    let Value::Dict(items) = value else {
        return Err(invalid(
            "the pickle holds no dict: save `model.state_dict()`, not the model".to_owned(),
        ));
    };
    let tensors: Vec<(String, Tensor)> = items
        .iter()
        .filter_map(|(key, value)| match (key, value) {
            (Value::Str(name), Value::Tensor(tensor)) => Some((name.to_string(), tensor.clone())),
            _ => None,
        })
        .collect();
    if !tensors.is_empty() {
        return Ok(tensors);
    }
    for wanted in ["state_dict", "model_state_dict", "model"] {
        let nested = items.iter().find_map(|(key, value)| match key {
            Value::Str(name) if &**name == wanted => Some(value.clone()),
            _ => None,
        });
        if let (Some(nested @ Value::Dict(_)), true) = (nested, depth < 4) {
            return nested_state_dict(nested, depth + 1);
        }
    }
    Err(invalid("the pickle's dict holds no tensors".to_owned()))
}

/// A pickle reader that builds values and calls nothing.
struct Unpickler<'a> {
    bytes: &'a [u8],
    at: usize,
    stack: Vec<Value>,
    memo: HashMap<usize, Value>,
    /// Elements copied because the memo shared a dict or list being filled; bounded by a
    /// multiple of the pickle's length, so that memoizing after every item (which a
    /// `state_dict` never does) cannot make reading quadratic.
    copied: usize,
}

impl<'a> Unpickler<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Unpickler {
            bytes,
            at: 0,
            stack: Vec::new(),
            memo: HashMap::new(),
            copied: 0,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], LoadError> {
        let bytes = self
            .at
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.at..end))
            .ok_or_else(|| invalid("the pickle ends in the middle of an instruction".to_owned()))?;
        self.at += n;
        Ok(bytes)
    }

    fn le(&mut self, n: usize) -> Result<usize, LoadError> {
        let bytes = self.take(n)?;
        let mut value = 0usize;
        for (shift, &byte) in bytes.iter().enumerate() {
            value |= usize::from(byte) << (8 * shift);
        }
        Ok(value)
    }

    fn line(&mut self) -> Result<String, LoadError> {
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| invalid("a pickle line without its end".to_owned()))?;
        self.at += end + 1;
        String::from_utf8(rest[..end].to_vec())
            .map_err(|_| invalid("a pickle line that is not text".to_owned()))
    }

    fn pop(&mut self) -> Result<Value, LoadError> {
        self.stack
            .pop()
            .ok_or_else(|| invalid("the pickle pops an empty stack".to_owned()))
    }

    /// The values down to the last mark, which is removed.
    fn pop_mark(&mut self) -> Result<Vec<Value>, LoadError> {
        let mark = self
            .stack
            .iter()
            .rposition(|value| matches!(value, Value::Mark))
            .ok_or_else(|| invalid("the pickle has no mark to pop to".to_owned()))?;
        let items = self.stack.split_off(mark + 1);
        self.stack.pop();
        Ok(items)
    }

    fn global(module: &str, name: &str) -> Result<Global, LoadError> {
        Ok(match (module, name) {
            ("collections", "OrderedDict") => Global::OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2") => Global::RebuildTensor,
            ("torch._utils", "_rebuild_parameter") => Global::RebuildParameter,
            ("torch", "FloatStorage") => Global::Storage(Dtype::F32),
            ("torch", "DoubleStorage") => Global::Storage(Dtype::F64),
            ("torch", "HalfStorage") => Global::Storage(Dtype::F16),
            ("torch", "BFloat16Storage") => Global::Storage(Dtype::BF16),
            ("torch", "LongStorage") => Global::Storage(Dtype::I64),
            ("torch", "IntStorage") => Global::Storage(Dtype::I32),
            _ => {
                return Err(invalid(format!(
                    "the pickle names `{module}.{name}`, which this reader never runs: it reads \
                     state_dicts of tensors only"
                )));
            }
        })
    }

    fn reduce(callable: Value, arguments: Value) -> Result<Value, LoadError> {
        let Value::Tuple(arguments) = arguments else {
            return Err(invalid("a call without an argument tuple".to_owned()));
        };
        let usizes = |value: &Value| -> Option<Vec<usize>> {
            match value {
                Value::Tuple(items) => items
                    .iter()
                    .map(|item| match item {
                        Value::Int(n) => usize::try_from(*n).ok(),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            }
        };
        match (callable, &arguments[..]) {
            (Value::Global(Global::OrderedDict), []) => Ok(Value::Dict(Rc::default())),
            (
                Value::Global(Global::RebuildTensor),
                [
                    Value::Storage(storage),
                    Value::Int(offset),
                    shape,
                    stride,
                    ..,
                ],
            ) => {
                let (Some(shape), Some(stride), Ok(offset)) =
                    (usizes(shape), usizes(stride), usize::try_from(*offset))
                else {
                    return Err(invalid(
                        "a tensor with a malformed shape or stride".to_owned(),
                    ));
                };
                if shape.len() != stride.len() {
                    return Err(invalid(
                        "a tensor whose shape and stride differ in length".into(),
                    ));
                }
                Ok(Value::Tensor(Tensor {
                    storage: storage.clone(),
                    offset,
                    shape,
                    stride,
                }))
            }
            (Value::Global(Global::RebuildParameter), [tensor @ Value::Tensor(_), ..]) => {
                Ok(tensor.clone())
            }
            (Value::Global(global), _) => Err(invalid(format!(
                "the pickle calls {global:?} with arguments a state_dict does not give it"
            ))),
            _ => Err(invalid(
                "the pickle calls something that is not a callable".to_owned(),
            )),
        }
    }

    fn run(mut self) -> Result<Value, LoadError> {
        loop {
            let at = self.at;
            let opcode = self.take(1)?[0];
            match opcode {
                0x80 => {
                    self.take(1)?; // PROTO
                }
                0x95 => {
                    self.take(8)?; // FRAME
                }
                b'c' => {
                    let (module, name) = (self.line()?, self.line()?);
                    self.stack
                        .push(Value::Global(Self::global(&module, &name)?));
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    let (Value::Str(module), Value::Str(name)) = (module, name) else {
                        return Err(invalid("a global named by non-strings".to_owned()));
                    };
                    self.stack
                        .push(Value::Global(Self::global(&module, &name)?));
                }
                b'q' | b'r' | 0x94 => {
                    let key = match opcode {
                        b'q' => self.le(1)?,
                        b'r' => self.le(4)?,
                        _ => self.memo.len(),
                    };
                    let top =
                        self.stack.last().cloned().ok_or_else(|| {
                            invalid("the pickle memoizes an empty stack".to_owned())
                        })?;
                    self.memo.insert(key, top);
                }
                b'h' | b'j' => {
                    let key = if opcode == b'h' {
                        self.le(1)?
                    } else {
                        self.le(4)?
                    };
                    let value = self.memo.get(&key).cloned().ok_or_else(|| {
                        invalid(format!("the pickle reads memo {key}, never written"))
                    })?;
                    self.stack.push(value);
                }
                b'(' => self.stack.push(Value::Mark),
                b')' => self.stack.push(Value::Tuple(Rc::default())),
                b't' => {
                    let items = self.pop_mark()?;
                    self.stack.push(Value::Tuple(Rc::new(items)));
                }
                0x85..=0x87 => {
                    let n = usize::from(opcode - 0x84);
                    let len = self.stack.len();
                    if len < n {
                        return Err(invalid("a tuple of more values than the stack has".into()));
                    }
                    let items = self.stack.split_off(len - n);
                    self.stack.push(Value::Tuple(Rc::new(items)));
                }
                b'X' | 0x8c => {
                    let len = if opcode == b'X' {
                        self.le(4)?
                    } else {
                        self.le(1)?
                    };
                    let text = std::str::from_utf8(self.take(len)?)
                        .map_err(|_| invalid("a pickle string that is not UTF-8".to_owned()))?;
                    self.stack.push(Value::Str(Rc::from(text)));
                }
                b'K' | b'M' | b'J' => {
                    let value = match opcode {
                        b'K' => i64::from(self.take(1)?[0]),
                        b'M' => i64::try_from(self.le(2)?).unwrap_or(0),
                        _ => i64::from(i32::from_le_bytes(
                            self.take(4)?.try_into().unwrap_or([0; 4]),
                        )),
                    };
                    self.stack.push(Value::Int(value));
                }
                0x8a => {
                    let len = self.le(1)?;
                    let bytes = self.take(len)?;
                    if len > 8 {
                        return Err(invalid("an integer wider than 64 bits".to_owned()));
                    }
                    let mut value: i64 = 0;
                    for (shift, &byte) in bytes.iter().enumerate() {
                        value |= i64::from(byte) << (8 * shift);
                    }
                    if len > 0 && len < 8 && bytes[len - 1] & 0x80 != 0 {
                        value -= 1 << (8 * len);
                    }
                    self.stack.push(Value::Int(value));
                }
                b'G' => {
                    self.take(8)?;
                    self.stack.push(Value::Scalar);
                }
                0x88 | 0x89 => self.stack.push(Value::Scalar),
                b'N' => self.stack.push(Value::None),
                b'}' => self.stack.push(Value::Dict(Rc::default())),
                b']' => self.stack.push(Value::List(Rc::default())),
                b'R' => {
                    let arguments = self.pop()?;
                    let callable = self.pop()?;
                    self.stack.push(Self::reduce(callable, arguments)?);
                }
                b'Q' => {
                    let Value::Tuple(id) = self.pop()? else {
                        return Err(invalid("a persistent id that is not a tuple".to_owned()));
                    };
                    let [
                        Value::Str(kind),
                        Value::Global(Global::Storage(dtype)),
                        Value::Str(key),
                        _,
                        Value::Int(numel),
                    ] = &id[..]
                    else {
                        return Err(invalid("a persistent id that is not a storage".to_owned()));
                    };
                    let numel = usize::try_from(*numel)
                        .map_err(|_| invalid("a storage of negative length".to_owned()))?;
                    if &**kind != "storage" {
                        return Err(invalid(format!("a persistent id of kind `{kind}`")));
                    }
                    self.stack.push(Value::Storage(Storage {
                        dtype: *dtype,
                        key: key.clone(),
                        numel,
                    }));
                }
                b's' | b'u' => {
                    let pairs = if opcode == b's' {
                        let value = self.pop()?;
                        let key = self.pop()?;
                        vec![key, value]
                    } else {
                        self.pop_mark()?
                    };
                    let budget = 4 * self.bytes.len();
                    let Some(Value::Dict(items)) = self.stack.last_mut() else {
                        return Err(invalid("the pickle sets items of a non-dict".to_owned()));
                    };
                    // Copies the dict only if the memo shares it (in a state_dict, while empty).
                    if Rc::strong_count(items) > 1 {
                        self.copied += items.len();
                        if self.copied > budget {
                            return Err(invalid("the pickle copies more than it holds".into()));
                        }
                    }
                    let items = Rc::make_mut(items);
                    let mut pairs = pairs.into_iter();
                    while let (Some(key), Some(value)) = (pairs.next(), pairs.next()) {
                        items.push((key, value));
                    }
                }
                b'a' | b'e' => {
                    let values = if opcode == b'a' {
                        vec![self.pop()?]
                    } else {
                        self.pop_mark()?
                    };
                    let budget = 4 * self.bytes.len();
                    let Some(Value::List(items)) = self.stack.last_mut() else {
                        return Err(invalid("the pickle appends to a non-list".to_owned()));
                    };
                    if Rc::strong_count(items) > 1 {
                        self.copied += items.len();
                        if self.copied > budget {
                            return Err(invalid("the pickle copies more than it holds".into()));
                        }
                    }
                    Rc::make_mut(items).extend(values);
                }
                b'b' => {
                    // BUILD: an object's state (the state_dict's `_metadata`); kept out.
                    self.pop()?;
                }
                b'.' => return self.pop(),
                other => {
                    return Err(invalid(format!(
                        "pickle opcode 0x{other:02x} at byte {at}, which a state_dict does not \
                         use: this reader takes state_dicts of tensors only"
                    )));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Unpickler;

    #[test]
    fn a_pickle_that_calls_anything_else_is_refused_by_name() {
        // `os.system('...')`, the classic: GLOBAL, the argument, TUPLE1, REDUCE.
        let evil = b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85R.";
        let err = Unpickler::new(evil).run().unwrap_err().to_string();
        assert!(
            err.contains("`os.system`, which this reader never runs"),
            "{err}"
        );
        let err = Unpickler::new(b"\x80\x02(").run().unwrap_err().to_string();
        assert!(err.contains("ends in the middle"), "{err}");
        let err = Unpickler::new(b"\x80\x02d.").run().unwrap_err().to_string();
        assert!(err.contains("opcode 0x64"), "{err}");
    }

    #[test]
    fn memoizing_after_every_item_cannot_make_reading_quadratic() {
        // A dict, then 20,000 times: memoize it, set one item. Each set would copy the dict.
        let mut pickle = b"\x80\x02}".to_vec();
        for key in 0..20_000u16 {
            pickle.extend(b"q\x00M");
            pickle.extend(key.to_le_bytes());
            pickle.extend(b"Ns");
        }
        pickle.push(b'.');
        let err = Unpickler::new(&pickle).run().unwrap_err().to_string();
        assert!(err.contains("copies more than it holds"), "{err}");
    }
}
