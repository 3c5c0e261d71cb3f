//! A file's bytes where they may be too large to hold: in memory, or in an open file read a
//! piece at a time. `diff` compares a changed template of 100,000 grants (250 MB) with the
//! plan's; holding both was 30 times the configuration (issue 16).
//!
//! An old file is held open, not re-opened by name: a build replaces files by renaming new
//! ones over them, so the open file keeps the bytes that were read under the lock.
//!
//! The old bytes `diff` keeps of small files, the report's entries and the template documents
//! the verdict needs go past 1 MiB into one shared unnamed temporary file per list ([`Spill`]),
//! each a slice of it: 100,000 changed policies are 150 MB.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::Arc;

use crate::compile::plan::Content;

/// The most of a file held in memory, and of a [`Spill`]'s list: past it a file is read from
/// disk a piece at a time, a rendering goes to a temporary file, a list to its file. At 8 MiB
/// a review held several such (the old template, the new one's rendering, each template
/// side's documents, the report's entries): a third of the bound at 20,000 grants and more
/// than all of it at 2,000 (issue 16). A slice of a file costs a `pwrite` when kept and a
/// `pread` when read; a file kept open costs a descriptor.
pub(crate) const IN_MEMORY: u64 = 1 << 20;

#[derive(Clone, Debug)]
pub enum Blob {
    Memory(Arc<Vec<u8>>),
    /// `len` bytes of an open file from `start`: a whole file (start 0, its length when it
    /// was opened), or one old file's bytes in an [`Spill`]'s shared file.
    File {
        file: Arc<File>,
        start: u64,
        len: u64,
    },
}

impl PartialEq for Blob {
    fn eq(&self, other: &Blob) -> bool {
        match (self, other) {
            (Blob::Memory(a), Blob::Memory(b)) => a == b,
            // The same bytes of the same file; slices of one spool differ by where they are.
            (
                Blob::File { file, start, len },
                Blob::File {
                    file: other,
                    start: other_start,
                    len: other_len,
                },
            ) => Arc::ptr_eq(file, other) && start == other_start && len == other_len,
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
        Ok(Blob::File {
            file: Arc::new(file),
            start: 0,
            len,
        })
    }

    /// The planned content's bytes: a template rendered into memory up to [`IN_MEMORY`]
    /// and past that into an unnamed temporary file (in memory if none can be made), anything
    /// else in memory. Rendered in memory up to 8 MiB, a 20,000-grant template took its
    /// review 12 MiB past the bound while the buffer doubled, and a change to every account's
    /// template kept each rendering (375 of 0.7 MB).
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
            Blob::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they are in memory.
    pub fn in_memory(&self) -> Option<&[u8]> {
        match self {
            Blob::Memory(b) => Some(b),
            Blob::File { .. } => None,
        }
    }

    /// All the bytes: borrowed when in memory, else read whole (a small policy's, say).
    pub fn bytes(&self) -> io::Result<Cow<'_, [u8]>> {
        if let Some(bytes) = self.in_memory() {
            return Ok(Cow::Borrowed(bytes));
        }
        let len = usize::try_from(self.len()).map_err(|_| io::ErrorKind::OutOfMemory)?;
        let mut out = vec![0; len];
        if self.fill_at(0, &mut out)? < len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(Cow::Owned(out))
    }

    /// Reads from `pos` into `buf`; fewer bytes (0 at the end) as `Read::read`. A slice of a
    /// file reads only its own bytes, never its neighbour's.
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
            Blob::File { file, start, .. } => read_at(file, start + pos, buf),
        }
    }

    /// The bytes of `start..end`, read whole (short past the end, or when the file shrank).
    pub fn range(&self, start: u64, end: u64) -> io::Result<Vec<u8>> {
        let end = end.min(self.len());
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

/// Keeps many small byte strings (the old bytes of the files `diff` shows, the report's
/// entries): in memory up to a total (by default [`IN_MEMORY`]), past that appended to one shared
/// unnamed temporary file, each a [`Blob::File`] slice of it. 100,000 changed policies of
/// 1.4 KB were 150 MB held; now each is a few dozen bytes.
/// Without a temporary file (none can be made, or the disk is full) the bytes stay in memory:
/// the read never fails for that.
#[derive(Debug)]
pub struct Spill {
    /// The bytes kept so far, in memory or not.
    kept: u64,
    /// How many of them are held in memory before the rest go to the file.
    memory: u64,
    file: SpoolFile,
}

impl Default for Spill {
    fn default() -> Self {
        Spill::with_memory(IN_MEMORY)
    }
}

#[derive(Debug, Default)]
enum SpoolFile {
    #[default]
    NotYet,
    /// The shared file and where its next slice starts.
    Open(Arc<File>, u64),
    /// It could not be made or written: the rest stays in memory, not tried again per file.
    Unavailable,
}

impl Spill {
    /// A spill that holds the first `memory` bytes in memory ([`IN_MEMORY`] by default).
    pub fn with_memory(memory: u64) -> Spill {
        Spill {
            kept: 0,
            memory,
            file: SpoolFile::NotYet,
        }
    }

    /// `bytes` as a blob, in memory or in the shared file.
    pub fn keep(&mut self, mut bytes: Vec<u8>) -> Blob {
        let len = bytes.len() as u64;
        self.kept = self.kept.saturating_add(len);
        if self.kept <= self.memory {
            // A serialized entry's spare capacity would double what is held.
            bytes.shrink_to_fit();
            return bytes.into();
        }
        match self.append(&bytes) {
            Ok(blob) => blob,
            Err(_) => {
                self.file = SpoolFile::Unavailable;
                bytes.into()
            }
        }
    }

    /// `blob` kept: its bytes as [`Spill::keep`] keeps them when it is in memory, else as it is
    /// (an open file).
    pub fn keep_blob(&mut self, blob: Blob) -> Blob {
        match blob {
            Blob::Memory(bytes) => {
                self.keep(Arc::try_unwrap(bytes).unwrap_or_else(|shared| (*shared).clone()))
            }
            file @ Blob::File { .. } => file,
        }
    }

    /// Writes `bytes` at the end of the shared file, made on first use. Written in place, not
    /// buffered: a slice handed out is readable at once.
    fn append(&mut self, bytes: &[u8]) -> io::Result<Blob> {
        if matches!(self.file, SpoolFile::NotYet) {
            self.file = SpoolFile::Open(Arc::new(tempfile::tempfile()?), 0);
        }
        let SpoolFile::Open(file, end) = &mut self.file else {
            return Err(io::ErrorKind::Unsupported.into());
        };
        let len = bytes.len() as u64;
        let next = end.checked_add(len).ok_or(io::ErrorKind::FileTooLarge)?;
        write_all_at(file, *end, bytes)?;
        let blob = Blob::File {
            file: Arc::clone(file),
            start: *end,
            len,
        };
        *end = next;
        Ok(blob)
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

#[cfg(unix)]
fn write_all_at(file: &File, pos: u64, buf: &[u8]) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, pos)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut pos: u64, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, buf, pos) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                buf = &buf[n..];
                pos += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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

    /// Bytes of `len` that differ from every other `i`'s.
    fn old_bytes(i: usize, len: usize) -> Vec<u8> {
        (0..len).map(|j| (i * 31 + j * 7 % 251) as u8).collect()
    }

    #[test]
    fn old_bytes_past_the_limit_are_slices_of_one_file_that_read_back_whole() {
        let mut spool = Spill::default();
        let (mut kept, mut blobs) = (0, Vec::new());
        for i in 0..200 {
            let bytes = old_bytes(i, 60_000 + i * 13);
            kept += bytes.len() as u64;
            blobs.push((spool.keep(bytes.clone()), bytes, kept <= IN_MEMORY));
        }
        assert!(blobs[0].2 && !blobs[199].2, "the test crosses the limit");
        let mut shared = None;
        for (blob, bytes, in_memory) in &blobs {
            assert_eq!(blob.len(), bytes.len() as u64);
            assert_eq!(blob.in_memory().is_some(), *in_memory);
            assert_eq!(blob.bytes().unwrap().as_ref(), &bytes[..]);
            assert!(matches!(blob.bytes().unwrap(), Cow::Borrowed(_)) == *in_memory);
            assert_eq!(blob.range(0, blob.len()).unwrap(), *bytes);
            assert_eq!(blob.range(100, u64::MAX).unwrap(), bytes[100..]);
            let mut all = Vec::new();
            blob.reader().read_to_end(&mut all).unwrap();
            assert_eq!(all, *bytes);
            if let Blob::File { file, .. } = blob {
                let first = shared.get_or_insert_with(|| Arc::clone(file));
                assert!(Arc::ptr_eq(first, file), "one shared file");
            }
        }
    }

    #[test]
    fn a_slice_never_reads_its_neighbour() {
        let mut spool = Spill::with_memory(0);
        let (a, b) = (spool.keep(vec![b'a'; 1_000]), spool.keep(vec![b'b'; 500]));
        assert!(a.in_memory().is_none() && b.in_memory().is_none());
        let mut buf = [0; 4_096];
        assert_eq!(a.read_at(990, &mut buf).unwrap(), 10);
        assert_eq!(buf[..10], [b'a'; 10]);
        assert_eq!(a.read_at(1_000, &mut buf).unwrap(), 0);
        assert_eq!(a.read_at(1_001, &mut buf).unwrap(), 0);
        assert_eq!(a.fill_at(0, &mut buf).unwrap(), 1_000);
        assert_eq!(b.fill_at(0, &mut buf).unwrap(), 500);
        assert_eq!(buf[..500], [b'b'; 500]);
        assert_eq!(b.read_at(500, &mut buf).unwrap(), 0);
        assert_eq!(a.range(900, 1_100).unwrap(), [b'a'; 100]);
    }

    #[test]
    fn slices_of_one_spool_are_equal_only_where_they_are_the_same_bytes() {
        let mut spool = Spill::with_memory(0);
        let (a, b) = (spool.keep(b"same".to_vec()), spool.keep(b"same".to_vec()));
        assert!(a.in_memory().is_none() && b.in_memory().is_none());
        assert_ne!(a, b, "the same bytes at another offset");
        assert_eq!(a, a.clone());
        let Blob::File { file, start, .. } = &a else {
            panic!("spooled");
        };
        let shorter = Blob::File {
            file: Arc::clone(file),
            start: *start,
            len: 3,
        };
        assert_ne!(a, shorter);
        assert_ne!(a, Blob::from(b"same".to_vec()));
    }

    /// Without a temporary file the bytes stay in memory: the read does not fail for that.
    #[test]
    fn without_a_spool_file_old_bytes_stay_in_memory() {
        let mut spool = Spill {
            file: SpoolFile::Unavailable,
            ..Spill::with_memory(0)
        };
        let blob = spool.keep(b"old".to_vec());
        assert_eq!(blob.in_memory(), Some(&b"old"[..]));
        assert_eq!(blob.bytes().unwrap().as_ref(), b"old");
    }

    #[test]
    fn a_whole_file_blob_reads_back_whole() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"whole").unwrap();
        let blob = Blob::file(file).unwrap();
        assert_eq!(blob.bytes().unwrap().as_ref(), b"whole");
        assert_eq!(blob, blob.clone());
    }
}
