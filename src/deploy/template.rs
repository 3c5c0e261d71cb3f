//! A deployable template as the plan holds it: the packed policies of one account, rendered
//! only where its bytes are used, straight into a file or a comparison. The Terraform file of
//! 100,000 grants is 250 MB and a 30 MB configuration's can reach a gigabyte; held as bytes
//! (or as a `serde` tree before that) it broke the memory target (issue 16).

use std::io::{self, Write};
use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::pack::Packed;
use super::{cloudformation, template_file, terraform};
use crate::compile::config::Format;

/// One template file: `format`'s rendering of some of the packed policies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    format: Format,
    packed: Arc<Vec<Packed>>,
    /// The policies of its account, by index into `packed`, in packing order.
    members: Vec<usize>,
}

impl Template {
    /// Writes the file's bytes to `out`, buffered.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        let policies: Vec<&Packed> = self.members.iter().map(|i| &self.packed[*i]).collect();
        match self.format {
            Format::CloudFormation => cloudformation::write(&policies, out),
            Format::Terraform => terraform::write(&policies, out),
            Format::Json => Ok(()),
        }
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out)
            .expect("writing into memory never fails");
        out
    }

    /// Whether the file's bytes are exactly `bytes`, without holding them: rendering stops at
    /// the first difference.
    pub fn is(&self, bytes: &[u8]) -> bool {
        let mut rest = Compare { rest: bytes };
        self.write_to(&mut rest).is_ok() && rest.rest.is_empty()
    }

    /// Whether `input` holds exactly the template, read a piece at a time: a build that
    /// changes nothing never holds the old template whole.
    pub fn is_read(&self, input: impl io::Read) -> io::Result<bool> {
        let mut file = CompareFile {
            file: io::BufReader::with_capacity(1 << 16, input),
            piece: Vec::new(),
            failed: None,
        };
        let same = self.write_to(&mut file).is_ok();
        if let Some(e) = file.failed {
            return Err(e);
        }
        let mut rest = [0u8; 1];
        Ok(same && io::Read::read(&mut file.file, &mut rest)? == 0)
    }
}

/// A writer that accepts exactly the next bytes of `file` and fails on anything else,
/// keeping a read error apart from a difference.
struct CompareFile<R> {
    file: io::BufReader<R>,
    piece: Vec<u8>,
    failed: Option<io::Error>,
}

impl<R: io::Read> Write for CompareFile<R> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.piece.resize(buf.len(), 0);
        match io::Read::read_exact(&mut self.file, &mut self.piece) {
            Ok(()) if self.piece == buf => Ok(buf.len()),
            Ok(()) => Err(io::Error::other("differs")),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(e),
            Err(e) => {
                let message = io::Error::other("unreadable");
                self.failed = Some(e);
                Err(message)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that accepts exactly the prefix of `rest` and fails on anything else.
struct Compare<'a> {
    rest: &'a [u8],
}

impl Write for Compare<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.rest.strip_prefix(buf) {
            Some(tail) => {
                self.rest = tail;
                Ok(buf.len())
            }
            None => Err(io::Error::other("differs")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Every template of `format`: one per account, with its file name.
pub fn render(format: Format, packed: &Arc<Vec<Packed>>) -> Vec<(String, Template)> {
    if format == Format::Json {
        return Vec::new();
    }
    let mut by_place: std::collections::BTreeMap<_, Vec<usize>> = Default::default();
    for (i, p) in packed.iter().enumerate() {
        by_place.entry(&p.place).or_default().push(i);
    }
    let single = by_place.len() == 1;
    by_place
        .into_iter()
        .map(|(place, members)| {
            let template = Template {
                format,
                packed: packed.clone(),
                members,
            };
            (template_file(format, place, single), template)
        })
        .collect()
}

/// 4-space indented JSON with a trailing newline, like the policy files, into `out`.
pub(super) fn write_pretty<T: Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let mut buf = io::BufWriter::with_capacity(1 << 16, out);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    value.serialize(&mut ser).map_err(io::Error::from)?;
    buf.write_all(b"\n")?;
    buf.flush()
}

/// Map keys in map order, each with the index of the value it came from; of equal keys the
/// last is kept, as collecting into (or inserting into) a `BTreeMap` keeps it.
pub(super) fn sorted(keys: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut all: Vec<(String, usize)> = keys.zip(0..).collect();
    all.sort_unstable();
    let mut out: Vec<(String, usize)> = Vec::with_capacity(all.len());
    for entry in all {
        match out.last_mut() {
            Some(last) if last.0 == entry.0 => *last = entry,
            _ => out.push(entry),
        }
    }
    out
}

/// A map serialized like a `BTreeMap` of `keys` (from [`sorted`]) to `value(index)`, one value
/// built at a time.
pub(super) struct Map<F>(pub Vec<(String, usize)>, pub F);

impl<F, V> Serialize for Map<F>
where
    F: Fn(usize) -> V,
    V: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, i) in &self.0 {
            map.serialize_entry(key, &(self.1)(*i))?;
        }
        map.end()
    }
}
