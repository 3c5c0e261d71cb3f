//! A file's bytes where they may be too large to hold: in memory, or in an open file read a
//! piece at a time. `diff` compares a changed template of 100,000 grants (250 MB) with the
//! plan's; holding both was 30 times the configuration (issue 16).
//!
//! An old file is held open, not re-opened by name: a build replaces files by renaming new
//! ones over them, so the open file keeps the bytes that were read under the lock.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::Arc;

use crate::compile::plan::Content;

#[derive(Clone, Debug)]
pub enum Blob {
    Memory(Arc<Vec<u8>>),
    /// An open file and its length when it was opened.
    File(Arc<File>, u64),
}

impl PartialEq for Blob {
    fn eq(&self, other: &Blob) -> bool {
        match (self, other) {
            (Blob::Memory(a), Blob::Memory(b)) => a == b,
            (Blob::File(a, _), Blob::File(b, _)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Blob {}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Blob {
        Blob::Memory(Arc::new(bytes))
    }
}

impl Blob {
    /// An open file, to be read from its start.
    pub fn file(file: File) -> io::Result<Blob> {
        let len = file.metadata()?.len();
        Ok(Blob::File(Arc::new(file), len))
    }

    /// The planned content's bytes: a template rendered into an unnamed temporary file (in
    /// memory if none can be made), anything else in memory.
    pub fn of(content: &Content) -> Blob {
        if !matches!(content, Content::Template(_)) {
            return content.bytes().into_owned().into();
        }
        let spooled = tempfile::tempfile().and_then(|file| {
            let mut out = io::BufWriter::with_capacity(1 << 16, &file);
            content.write_to(&mut out)?;
            out.flush()?;
            drop(out);
            Blob::file(file)
        });
        spooled.unwrap_or_else(|_| content.bytes().into_owned().into())
    }

    pub fn len(&self) -> u64 {
        match self {
            Blob::Memory(b) => b.len() as u64,
            Blob::File(_, len) => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they are in memory.
    pub fn in_memory(&self) -> Option<&[u8]> {
        match self {
            Blob::Memory(b) => Some(b),
            Blob::File(..) => None,
        }
    }

    /// Reads from `pos` into `buf`; fewer bytes (0 at the end) as `Read::read`.
    pub fn read_at(&self, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
        let end = self.len();
        if pos >= end {
            return Ok(0);
        }
        let room = usize::try_from(end - pos)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let buf = &mut buf[..room];
        match self {
            Blob::Memory(b) => {
                let start = usize::try_from(pos).expect("in memory");
                buf.copy_from_slice(&b[start..start + room]);
                Ok(room)
            }
            Blob::File(file, _) => read_at(file, pos, buf),
        }
    }

    /// The bytes of `start..end`, read whole (short when the file shrank).
    pub fn range(&self, start: u64, end: u64) -> io::Result<Vec<u8>> {
        let mut out = vec![0; usize::try_from(end.saturating_sub(start)).unwrap_or(0)];
        let mut done = 0;
        while done < out.len() {
            match self.read_at(start + done as u64, &mut out[done..])? {
                0 => break,
                n => done += n,
            }
        }
        out.truncate(done);
        Ok(out)
    }

    /// A reader from the start.
    pub fn reader(&self) -> Reader<'_> {
        self.reader_at(0)
    }

    /// A reader from `pos`.
    pub fn reader_at(&self, pos: u64) -> Reader<'_> {
        Reader { blob: self, pos }
    }
}

/// Reads a [`Blob`] in order, each reader with its own position.
pub struct Reader<'b> {
    blob: &'b Blob,
    pos: u64,
}

impl Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.blob.read_at(self.pos, buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, pos)
}

#[cfg(windows)]
fn read_at(file: &File, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_blob_reads_like_its_bytes() {
        let bytes: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&bytes).unwrap();
        let (disk, memory) = (Blob::file(file).unwrap(), Blob::from(bytes.clone()));
        for blob in [&disk, &memory] {
            assert_eq!(blob.len(), bytes.len() as u64);
            let mut all = Vec::new();
            blob.reader().read_to_end(&mut all).unwrap();
            assert_eq!(all, bytes);
            assert_eq!(blob.range(7, 1_000).unwrap(), bytes[7..1_000]);
            assert_eq!(blob.range(399_990, 500_000).unwrap(), bytes[399_990..]);
        }
        assert_eq!(memory.in_memory(), Some(&bytes[..]));
        assert_eq!(disk.in_memory(), None);
    }
}
