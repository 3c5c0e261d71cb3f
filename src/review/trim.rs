//! Where two files differ, found a block at a time: their common lines at the start and the
//! end are skipped, and only the middle is diffed. Myers' algorithm (as `similar` runs it)
//! begins by trimming the same lines, so the diff is the one of the whole files, hunk
//! headers shifted (tested against the untrimmed diff). A template of 100,000 grants is
//! 250 MB, and a one-grant edit changes a few hundred bytes of it.

use std::io;
use std::ops::Range;

use crate::outdir::Blob;

const BLOCK: usize = 1 << 16;

/// The differing lines of two files, with `context` equal lines either side.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Middle {
    /// The byte ranges of the middle in the old and in the new file.
    pub old: Range<u64>,
    pub new: Range<u64>,
    /// How many lines come before it (the same in both).
    pub lines_before: usize,
}

/// Where the common lines end at the start (`prefix`, the same in both files) and begin at
/// the end (`old_end`, `new_end`): found once, whatever context is asked of them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ends {
    prefix: u64,
    old_end: u64,
    new_end: u64,
}

pub(super) fn ends(old: &Blob, new: &Blob) -> io::Result<Ends> {
    let bytes = common_prefix(old, new)?;
    let prefix = line_start(old, bytes)?;
    let limit = old.len().min(new.len()) - prefix;
    let tail = common_suffix(old, new, limit)?;
    let (mut os, mut ns) = (old.len() - tail, new.len() - tail);
    let at_start = |blob: &Blob, pos: u64| -> io::Result<bool> {
        Ok(pos == prefix || byte_at(blob, pos - 1)? == b'\n')
    };
    if !(at_start(old, os)? && at_start(new, ns)?) {
        // The common bytes begin inside a line: the suffix starts after its end.
        let skip = match find_newline(old, os..old.len())? {
            Some(at) => at + 1 - os,
            None => tail,
        };
        (os, ns) = (os + skip, ns + skip);
    }
    Ok(Ends {
        prefix,
        old_end: os,
        new_end: ns,
    })
}

impl Ends {
    /// The middle with `context` equal lines either side (fewer at a file's ends).
    pub(super) fn middle(self, old: &Blob, context: usize) -> io::Result<Middle> {
        let start = lines_back(old, self.prefix, context)?;
        let ahead = lines_forward(old, self.old_end, context)? - self.old_end;
        Ok(Middle {
            old: start..self.old_end + ahead,
            new: start..self.new_end + ahead,
            lines_before: count_newlines(old, 0..start)?,
        })
    }
}

#[cfg(test)]
pub(super) fn middle(old: &Blob, new: &Blob, context: usize) -> io::Result<Middle> {
    ends(old, new)?.middle(old, context)
}

/// Whether the bytes of `range` are UTF-8, read a block at a time.
pub(super) fn is_utf8(blob: &Blob, range: Range<u64>) -> io::Result<bool> {
    let mut buf = vec![0; BLOCK];
    let (mut pos, mut carry) = (range.start, 0);
    while pos < range.end {
        let want = usize::try_from(range.end - pos)
            .unwrap_or(BLOCK)
            .min(BLOCK - carry);
        let n = blob.read_at(pos, &mut buf[carry..carry + want])?;
        if n == 0 {
            break;
        }
        pos += n as u64;
        let filled = carry + n;
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            // An incomplete character at the end of the block continues in the next.
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
    Ok(carry == 0)
}

fn byte_at(blob: &Blob, pos: u64) -> io::Result<u8> {
    let mut b = [0];
    blob.read_at(pos, &mut b)?;
    Ok(b[0])
}

/// How many bytes the two files share at their start.
fn common_prefix(old: &Blob, new: &Blob) -> io::Result<u64> {
    let (mut a, mut b) = (vec![0; BLOCK], vec![0; BLOCK]);
    let end = old.len().min(new.len());
    let mut pos = 0;
    while pos < end {
        let n = usize::try_from(end - pos).unwrap_or(BLOCK).min(BLOCK);
        let (x, y) = (
            old.fill_at(pos, &mut a[..n])?,
            new.fill_at(pos, &mut b[..n])?,
        );
        let same = a[..x.min(y)]
            .iter()
            .zip(&b[..x.min(y)])
            .take_while(|(p, q)| p == q)
            .count();
        pos += same as u64;
        if same < n {
            break;
        }
    }
    Ok(pos)
}

/// How many bytes (at most `limit`) the two files share at their end.
fn common_suffix(old: &Blob, new: &Blob, limit: u64) -> io::Result<u64> {
    let (mut a, mut b) = (vec![0; BLOCK], vec![0; BLOCK]);
    let mut done = 0;
    while done < limit {
        let n = usize::try_from(limit - done).unwrap_or(BLOCK).min(BLOCK);
        let x = old.fill_at(old.len() - done - n as u64, &mut a[..n])?;
        let y = new.fill_at(new.len() - done - n as u64, &mut b[..n])?;
        let same = a[..x.min(y)]
            .iter()
            .rev()
            .zip(b[..x.min(y)].iter().rev())
            .take_while(|(p, q)| p == q)
            .count();
        done += same as u64;
        if same < n {
            break;
        }
    }
    Ok(done)
}

/// The start of the line that holds the byte before `pos` ends: `pos` itself when a line
/// ends there, else just after the last newline before it.
fn line_start(blob: &Blob, pos: u64) -> io::Result<u64> {
    if pos == 0 || byte_at(blob, pos - 1)? == b'\n' {
        return Ok(pos);
    }
    Ok(rfind_newline(blob, 0..pos)?.map_or(0, |at| at + 1))
}

/// The start of the line `n` lines before the line start `pos` (or the file's start).
fn lines_back(blob: &Blob, mut pos: u64, n: usize) -> io::Result<u64> {
    for _ in 0..n {
        if pos == 0 {
            break;
        }
        pos = rfind_newline(blob, 0..pos - 1)?.map_or(0, |at| at + 1);
    }
    Ok(pos)
}

/// The start of the line `n` lines after the line start `pos` (or the file's end).
fn lines_forward(blob: &Blob, mut pos: u64, n: usize) -> io::Result<u64> {
    for _ in 0..n {
        match find_newline(blob, pos..blob.len())? {
            Some(at) => pos = at + 1,
            None => return Ok(blob.len()),
        }
    }
    Ok(pos)
}

/// Calls `f` with each block of `range` in order (its offset and bytes) until it returns
/// `Some`.
fn scan<T>(
    blob: &Blob,
    range: Range<u64>,
    mut f: impl FnMut(u64, &[u8]) -> Option<T>,
) -> io::Result<Option<T>> {
    let mut buf = vec![0; BLOCK];
    let mut pos = range.start;
    while pos < range.end {
        let n = usize::try_from(range.end - pos).unwrap_or(BLOCK).min(BLOCK);
        let got = blob.fill_at(pos, &mut buf[..n])?;
        if let Some(found) = f(pos, &buf[..got]) {
            return Ok(Some(found));
        }
        if got < n {
            break;
        }
        pos += n as u64;
    }
    Ok(None)
}

fn find_newline(blob: &Blob, range: Range<u64>) -> io::Result<Option<u64>> {
    scan(blob, range, |pos, block| {
        let i = block.iter().position(|b| *b == b'\n')?;
        Some(pos + i as u64)
    })
}

fn rfind_newline(blob: &Blob, range: Range<u64>) -> io::Result<Option<u64>> {
    let mut buf = vec![0; BLOCK];
    let mut end = range.end;
    while end > range.start {
        let n = usize::try_from(end - range.start)
            .unwrap_or(BLOCK)
            .min(BLOCK);
        let got = blob.fill_at(end - n as u64, &mut buf[..n])?;
        if let Some(i) = buf[..got].iter().rposition(|b| *b == b'\n') {
            return Ok(Some(end - n as u64 + i as u64));
        }
        end -= n as u64;
    }
    Ok(None)
}

fn count_newlines(blob: &Blob, range: Range<u64>) -> io::Result<usize> {
    let mut count = 0;
    scan(blob, range, |_, block| -> Option<()> {
        count += block.iter().filter(|b| **b == b'\n').count();
        None
    })?;
    Ok(count)
}
