//! A long list of report entries kept out of memory. When every one of 100,000 grants changes,
//! the report holds a verdict per principal and grant and a diff per file, 80 MB of text; held
//! as values it broke the memory bound (issue 16). Each entry is written as JSON into a buffer
//! that moves to an unnamed temporary file past [`IN_MEMORY`], and read back one at a time, in
//! the order of the key it was pushed with; only the keys and offsets stay in memory.

use std::fmt;
use std::fs::File;
use std::io;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};

/// The most of a list held in memory; past it the entries go to a temporary file.
const IN_MEMORY: usize = 8 << 20;

/// Entries written to the file in pieces of this size.
const CHUNK: usize = 1 << 20;

/// Where the entries' bytes are: a buffer, or a temporary file and the bytes not yet in it.
enum Store {
    Memory(Vec<u8>),
    File {
        file: File,
        written: u64,
        pending: Vec<u8>,
    },
}

impl Store {
    fn len(&self) -> u64 {
        match self {
            Store::Memory(b) => b.len() as u64,
            Store::File {
                written, pending, ..
            } => written + pending.len() as u64,
        }
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Store::Memory(b) = self
            && b.len() + bytes.len() > IN_MEMORY
        {
            // No temporary file (a read-only or full temp directory): stay in memory.
            if let Ok(file) = tempfile::tempfile() {
                let pending = std::mem::take(b);
                *self = Store::File {
                    file,
                    written: 0,
                    pending,
                };
            }
        }
        match self {
            Store::Memory(b) => b.extend_from_slice(bytes),
            Store::File { pending, .. } => {
                pending.extend_from_slice(bytes);
                if pending.len() >= CHUNK {
                    self.flush()?;
                }
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Store::File {
            file,
            written,
            pending,
        } = self
        {
            write_all_at(file, pending, *written)?;
            *written += pending.len() as u64;
            pending.clear();
        }
        Ok(())
    }

    fn read(&self, start: u64, len: usize, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        match self {
            Store::Memory(b) => {
                let start = usize::try_from(start).expect("in memory");
                buf.extend_from_slice(&b[start..start + len]);
            }
            Store::File { file, .. } => {
                buf.resize(len, 0);
                read_exact_at(file, buf, start)?;
            }
        }
        Ok(())
    }
}

/// Entries being written; [`SpoolWriter::finish`] orders them by key.
pub struct SpoolWriter<T> {
    store: Store,
    index: Vec<(String, u64, usize)>,
    /// The first error writing the temporary file, reported when the entries are read.
    failed: Option<io::Error>,
    kind: PhantomData<fn(T)>,
}

impl<T: Serialize> Default for SpoolWriter<T> {
    fn default() -> Self {
        SpoolWriter {
            store: Store::Memory(Vec::new()),
            index: Vec::new(),
            failed: None,
            kind: PhantomData,
        }
    }
}

impl<T: Serialize> SpoolWriter<T> {
    /// Adds `item`, to be read back in the order of `key` (pushes with equal keys in the order
    /// they were pushed).
    pub fn push(&mut self, key: &str, item: &T) {
        let bytes = serde_json::to_vec(item).expect("report entries always serialize");
        let start = self.store.len();
        if let Err(e) = self.store.append(&bytes) {
            self.failed.get_or_insert(e);
        }
        self.index.push((key.to_owned(), start, bytes.len()));
    }

    pub fn finish(mut self) -> Spooled<T> {
        if let Err(e) = self.store.flush() {
            self.failed.get_or_insert(e);
        }
        self.index.sort_by(|a, b| a.0.cmp(&b.0));
        Spooled {
            store: self.store,
            index: self.index.into_iter().map(|(_, s, l)| (s, l)).collect(),
            failed: self.failed.map(|e| e.to_string()),
            kind: PhantomData,
        }
    }
}

/// A finished list: read back in key order, one entry at a time.
pub struct Spooled<T> {
    store: Store,
    index: Vec<(u64, usize)>,
    failed: Option<String>,
    kind: PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned> Spooled<T> {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The entries in key order; an error when the temporary file cannot be read back.
    pub fn iter(&self) -> impl Iterator<Item = io::Result<T>> + '_ {
        let mut buf = Vec::new();
        self.index.iter().map(move |&(start, len)| {
            if let Some(e) = &self.failed {
                return Err(io::Error::other(format!(
                    "the report's temporary file failed: {e}"
                )));
            }
            self.store.read(start, len, &mut buf)?;
            serde_json::from_slice(&buf).map_err(io::Error::other)
        })
    }

    /// Every entry, read back whole (for tests and small reports).
    pub fn to_vec(&self) -> io::Result<Vec<T>> {
        self.iter().collect()
    }
}

impl<T: Serialize + DeserializeOwned> From<Vec<T>> for Spooled<T> {
    fn from(items: Vec<T>) -> Spooled<T> {
        let mut w = SpoolWriter::default();
        for (i, item) in items.iter().enumerate() {
            w.push(&format!("{i:020}"), item);
        }
        w.finish()
    }
}

impl<T> fmt::Debug for Spooled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Spooled({} entries)", self.index.len())
    }
}

/// A JSON array written an entry at a time.
impl<T: Serialize + DeserializeOwned> Serialize for Spooled<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self.iter() {
            seq.serialize_element(&item.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, buf: &[u8], pos: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, pos)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, pos)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut buf: &[u8], mut pos: u64) -> io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, buf, pos)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        (buf, pos) = (&buf[n..], pos + n as u64);
    }
    Ok(())
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut pos: u64) -> io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, buf, pos)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        (buf, pos) = (&mut buf[n..], pos + n as u64);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries come back in key order, equal keys in push order, from memory and from the
    /// temporary file alike, and serialize as the array they stand for.
    #[test]
    fn entries_come_back_in_key_order_past_the_memory_limit() {
        let mut w = SpoolWriter::default();
        let big = "x".repeat(4096);
        let n = 2 * IN_MEMORY / big.len() + 7;
        for i in (0..n).rev() {
            w.push(&format!("{:08}", i / 2), &(i, big.clone()));
        }
        let s = w.finish();
        assert!(matches!(s.store, Store::File { .. }), "past the limit");
        assert_eq!(s.len(), n);
        let got: Vec<(usize, String)> = s.to_vec().unwrap();
        let keys: Vec<usize> = got.iter().map(|(i, _)| *i / 2).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "sorted by key");
        // Pushed in reverse, so within a key the larger number came first.
        assert_eq!(got[0].0, 1);
        assert_eq!(got[1].0, 0);
        assert!(got.iter().all(|(_, b)| *b == big));
        let small: Spooled<u32> = vec![3, 1, 2].into();
        assert_eq!(serde_json::to_string(&small).unwrap(), "[3,1,2]");
        assert_eq!(small.to_vec().unwrap(), vec![3, 1, 2]);
    }
}
