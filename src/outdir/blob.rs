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

/// The most of a file held in memory; a larger one is read from disk a piece at a time.
const IN_MEMORY: u64 = 8 << 20;

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

    /// The planned content's bytes: a template rendered into memory up to [`IN_MEMORY`] and
    /// past that into an unnamed temporary file (in memory if none can be made), anything
    /// else in memory.
    pub fn of(content: &Content) -> Blob {
        if !matches!(content, Content::Template(_)) {
            return content.bytes().into_owned().into();
        }
        let mut spool = Spool {
            memory: Vec::new(),
            file: None,
        };
        let written = content.write_to(&mut spool).and_then(|()| spool.flush());
        match (written, spool.file) {
            (Ok(()), Some(file)) => match file.into_inner() {
                Ok(file) => {
                    Blob::file(file).unwrap_or_else(|_| content.bytes().into_owned().into())
                }
                Err(_) => content.bytes().into_owned().into(),
            },
            (Ok(()), None) => spool.memory.into(),
            (Err(_), _) => content.bytes().into_owned().into(),
        }
    }

    /// An old file: in memory up to [`IN_MEMORY`], else kept open. A directory of many
    /// accounts has a template each, and each open file is a descriptor.
    pub fn open(path: &std::path::Path) -> io::Result<Blob> {
        let file = File::open(path)?;
        if file.metadata()?.len() > IN_MEMORY {
            return Blob::file(file);
        }
        let mut bytes = Vec::new();
        (&file).read_to_end(&mut bytes)?;
        Ok(bytes.into())
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
        let done = self.fill_at(start, &mut out)?;
        out.truncate(done);
        Ok(out)
    }

    /// Fills `buf` from `pos`, short only at the end; how many bytes it read.
    pub fn fill_at(&self, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match self.read_at(pos + done as u64, &mut buf[done..])? {
                0 => break,
                n => done += n,
            }
        }
        Ok(done)
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

/// A writer into memory that moves to an unnamed temporary file past [`IN_MEMORY`].
struct Spool {
    memory: Vec<u8>,
    file: Option<io::BufWriter<File>>,
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && (self.memory.len() + buf.len()) as u64 > IN_MEMORY {
            let mut file = io::BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        match &mut self.file {
            Some(file) => file.write(buf),
            None => self.memory.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
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

    /// A large old file is kept open, and still reads its old bytes once a build has renamed
    /// a new file over it; a small one is read into memory.
    #[test]
    fn a_large_old_file_is_held_open_across_a_rename() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tf.json");
        let old = vec![b'o'; IN_MEMORY as usize + 1];
        std::fs::write(&path, &old).unwrap();
        let held = Blob::open(&path).unwrap();
        assert!(held.in_memory().is_none());
        let new = dir.path().join("new");
        std::fs::write(&new, b"new").unwrap();
        std::fs::rename(&new, &path).unwrap();
        let mut read = Vec::new();
        held.reader().read_to_end(&mut read).unwrap();
        assert!(read == old, "the old bytes, not the renamed file's");
        assert_eq!(Blob::open(&path).unwrap().in_memory(), Some(&b"new"[..]));
    }

    #[test]
    fn a_spool_moves_to_a_file_past_the_limit() {
        let mut small = Spool {
            memory: Vec::new(),
            file: None,
        };
        small.write_all(b"abc").unwrap();
        assert!(small.file.is_none() && small.memory == b"abc");
        let mut large = Spool {
            memory: Vec::new(),
            file: None,
        };
        let piece = vec![b'x'; 1 << 20];
        for _ in 0..9 {
            large.write_all(&piece).unwrap();
        }
        large.flush().unwrap();
        assert!(large.memory.is_empty());
        let blob = Blob::file(large.file.unwrap().into_inner().unwrap()).unwrap();
        assert_eq!(blob.len(), 9 << 20);
        assert_eq!(blob.range(0, 4).unwrap(), b"xxxx");
    }
}
