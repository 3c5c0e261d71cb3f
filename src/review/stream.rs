//! The diff of two large files, read a window at a time. Equal lines are skipped as they are
//! read; at a difference, windows of lines ahead on both sides are searched for the nearest
//! place where [`SYNC`] lines agree again, and only the lines before it are diffed exactly.
//! A one-grant edit of a 250 MB template changes lines near its start and near its end
//! (the policy and its attachment), so trimming the common ends alone left it whole.
//!
//! The result is a correct diff (applying it to the old file gives the new: tested), though
//! not always the smallest; files whose changes fit in the budget ([`super::diff::budget`])
//! after trimming never come here.

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Read};

use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::trim::Middle;
use crate::outdir::Blob;

/// How many lines must agree for the sides to be back in step.
const SYNC: usize = 8;
/// A line found more often than this in a window does not start a search (`},` would make
/// it quadratic); the lines after it still count.
const COMMON: usize = 8;
/// The most each window holds before the search gives up.
const WINDOW_BYTES: usize = 8 << 20;

pub(super) type Line = Vec<u8>;

/// One step of the diff, with line numbers from 0 in the old and the new file.
#[derive(Debug)]
pub(super) enum Op {
    /// `len` equal lines: the first three and the last three (all of them when six or fewer).
    Equal {
        old: usize,
        new: usize,
        len: usize,
        head: Vec<Line>,
        tail: VecDeque<Line>,
    },
    Delete(usize, usize, Line),
    Insert(usize, usize, Line),
}

/// The lines of one side of the middle, with a window of lines read ahead.
struct Side<R> {
    lines: R,
    ahead: VecDeque<Line>,
    bytes: usize,
    eof: bool,
    /// The number of the first line in `ahead`.
    number: usize,
    /// A line that is not UTF-8 was read.
    binary: bool,
}

impl<R: BufRead> Side<R> {
    fn fill(&mut self, n: usize) -> io::Result<()> {
        while self.ahead.len() < n && !self.eof {
            let mut line = Vec::new();
            if self.lines.read_until(b'\n', &mut line)? == 0 {
                self.eof = true;
            } else {
                self.binary |= std::str::from_utf8(&line).is_err();
                self.bytes += line.len();
                self.ahead.push_back(line);
            }
        }
        Ok(())
    }

    fn at_end(&mut self) -> io::Result<bool> {
        self.fill(1)?;
        Ok(self.ahead.is_empty())
    }

    fn pop(&mut self) -> Option<Line> {
        let line = self.ahead.pop_front()?;
        self.bytes -= line.len();
        self.number += 1;
        Some(line)
    }
}

fn side(blob: &Blob, range: std::ops::Range<u64>, number: usize) -> Side<impl BufRead> {
    let lines = blob.reader_at(range.start).take(range.end - range.start);
    Side {
        lines: BufReader::with_capacity(1 << 16, lines),
        ahead: VecDeque::new(),
        bytes: 0,
        eof: false,
        number,
        binary: false,
    }
}

/// What [`diff`] finds.
pub(super) enum Outcome {
    Ops(Vec<Op>),
    /// A side is not UTF-8 text.
    Binary,
    /// The sides do not fall back in step within the windows, or the changed lines pass the
    /// budget.
    TooLarge,
}

/// The diff of the middle of two files, its changed lines at most `budget` bytes.
pub(super) fn diff(old: &Blob, new: &Blob, m: &Middle, budget: u64) -> io::Result<Outcome> {
    let mut a = side(old, m.old.clone(), m.lines_before);
    let mut b = side(new, m.new.clone(), m.lines_before);
    let mut ops = Vec::new();
    let mut changed = 0u64;
    loop {
        skip_equal(&mut a, &mut b, &mut ops)?;
        if a.at_end()? && b.at_end()? {
            break;
        }
        let Some((x, y)) = resync(&mut a, &mut b)? else {
            return Ok(Outcome::TooLarge);
        };
        let old_lines: Vec<Line> = (0..x).filter_map(|_| a.pop()).collect();
        let new_lines: Vec<Line> = (0..y).filter_map(|_| b.pop()).collect();
        let (o, n) = (a.number - x, b.number - y);
        for op in capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines) {
            chunk_op(&op, (o, n), &old_lines, &new_lines, &mut ops, &mut changed);
        }
        if a.binary || b.binary {
            return Ok(Outcome::Binary);
        }
        if changed > budget {
            return Ok(Outcome::TooLarge);
        }
    }
    if a.binary || b.binary {
        return Ok(Outcome::Binary);
    }
    Ok(Outcome::Ops(ops))
}

/// Consumes the lines equal on both sides, into one `Equal` op.
fn skip_equal<R: BufRead>(a: &mut Side<R>, b: &mut Side<R>, ops: &mut Vec<Op>) -> io::Result<()> {
    let (old, new) = (a.number, b.number);
    let (mut len, mut head, mut tail) = (0, Vec::new(), VecDeque::new());
    loop {
        a.fill(1)?;
        b.fill(1)?;
        let same = matches!((a.ahead.front(), b.ahead.front()), (Some(x), Some(y)) if x == y);
        if !same {
            break;
        }
        let line = a.pop().expect("peeked");
        b.pop();
        keep(&mut head, &mut tail, len, line);
        len += 1;
    }
    if len > 0 {
        ops.push(Op::Equal {
            old,
            new,
            len,
            head,
            tail,
        });
    }
    Ok(())
}

/// Keeps the first three lines of an equal run and the last three after them.
fn keep(head: &mut Vec<Line>, tail: &mut VecDeque<Line>, len: usize, line: Line) {
    if len < 3 {
        head.push(line);
    } else {
        if tail.len() == 3 {
            tail.pop_front();
        }
        tail.push_back(line);
    }
}

/// The nearest (x, y), smallest x + y, such that line x ahead of the old side and line y
/// ahead of the new begin [`SYNC`] equal lines (or equal lines to both ends). Windows grow
/// until one is found or both sides are read to their end; `None` past [`WINDOW_BYTES`].
fn resync<R: BufRead>(a: &mut Side<R>, b: &mut Side<R>) -> io::Result<Option<(usize, usize)>> {
    let mut lines = 256;
    loop {
        a.fill(lines)?;
        b.fill(lines)?;
        if let Some(found) = nearest(a, b) {
            return Ok(Some(found));
        }
        if a.eof && b.eof {
            return Ok(Some((a.ahead.len(), b.ahead.len())));
        }
        if a.bytes > WINDOW_BYTES || b.bytes > WINDOW_BYTES {
            return Ok(None);
        }
        lines *= 4;
    }
}

fn nearest<R>(a: &Side<R>, b: &Side<R>) -> Option<(usize, usize)> {
    let mut at: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (x, line) in a.ahead.iter().enumerate() {
        at.entry(line.as_slice()).or_default().push(x);
    }
    at.retain(|_, xs| xs.len() <= COMMON);
    let agree = |x: usize, y: usize| -> bool {
        for k in 0..SYNC {
            match (a.ahead.get(x + k), b.ahead.get(y + k)) {
                (Some(p), Some(q)) if p == q => {}
                // Both sides end here: what agreed so far is the rest of both files.
                (None, None) => return a.eof && b.eof,
                _ => return false,
            }
        }
        true
    };
    let mut best: Option<(usize, usize)> = None;
    for (y, line) in b.ahead.iter().enumerate() {
        if best.is_some_and(|(bx, by)| y >= bx + by) {
            break;
        }
        for &x in at.get(line.as_slice()).into_iter().flatten() {
            if best.is_some_and(|(bx, by)| x + y >= bx + by) {
                break;
            }
            if agree(x, y) {
                best = Some((x, y));
            }
        }
    }
    best
}

/// One op of a chunk's exact diff, as ops of the whole file.
fn chunk_op(
    op: &DiffOp,
    (o, n): (usize, usize),
    old: &[Line],
    new: &[Line],
    ops: &mut Vec<Op>,
    changed: &mut u64,
) {
    let (or, nr) = (op.old_range(), op.new_range());
    if let DiffOp::Equal { len, .. } = *op {
        let (mut head, mut tail) = (Vec::new(), VecDeque::new());
        for (i, line) in old[or.clone()].iter().enumerate() {
            keep(&mut head, &mut tail, i, line.clone());
        }
        ops.push(Op::Equal {
            old: o + or.start,
            new: n + nr.start,
            len,
            head,
            tail,
        });
        return;
    }
    for i in or.clone() {
        *changed += old[i].len() as u64;
        ops.push(Op::Delete(o + i, n + nr.start, old[i].clone()));
    }
    for i in nr {
        *changed += new[i].len() as u64;
        ops.push(Op::Insert(o + or.end, n + i, new[i].clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::unified::unified;
    use similar::TextDiff;

    fn lines(text: &str) -> Vec<Line> {
        text.split_inclusive('\n')
            .map(|l| l.as_bytes().to_vec())
            .collect()
    }

    /// Applies a unified diff to `old`, as `patch` would, checking every context and removed
    /// line against the old text.
    fn apply(old: &str, diff: &str) -> String {
        let old = lines(old);
        let mut out: Vec<u8> = Vec::new();
        let mut at = 0;
        let mut body = diff.split_inclusive('\n').skip(2).peekable();
        while let Some(header) = body.next() {
            let start: usize = header[4..]
                .split([',', ' '])
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let len_one = !header[4..].split(' ').next().unwrap().contains(',');
            let start = if start == 0 || len_one {
                start.max(1) - 1
            } else {
                start - 1
            };
            let start = if header.starts_with(&format!("@@ -{},0 ", start + 1)) {
                start + 1
            } else {
                start
            };
            while at < start {
                out.extend(&old[at]);
                at += 1;
            }
            while let Some(line) = body.next_if(|l| !l.starts_with("@@")) {
                let (sign, text) = line.split_at(1);
                let mut text = text.as_bytes().to_vec();
                if body.next_if(|l| l.starts_with("\\ No newline")).is_some() {
                    text.pop();
                }
                match sign {
                    " " | "-" => {
                        assert_eq!(old[at], text, "line {at} of the old file");
                        at += 1;
                        if sign == " " {
                            out.extend(&text);
                        }
                    }
                    "+" => out.extend(&text),
                    other => panic!("not a diff line: {other}"),
                }
            }
        }
        old[at..].iter().for_each(|l| out.extend(l));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hunks_are_written_as_similar_writes_them() {
        let old: String = (0..40).map(|i| format!("{i}\n")).collect();
        let new = old
            .replace("3\n", "three\n")
            .replace("10\n", "")
            .replace("14\n", "14\nfourteen\n")
            .replace("39\n", "39");
        let (a, b) = (lines(&old), lines(&new));
        let mut ops = Vec::new();
        for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
            chunk_op(&op, (0, 0), &a, &b, &mut ops, &mut 0);
        }
        let ours = unified(&ops, 3, ("a/x", "b/x"));
        let theirs = TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(3)
            .header("a/x", "b/x")
            .to_string();
        assert_eq!(ours, theirs);
        assert_eq!(apply(&old, &ours), new);
    }

    fn text_of(words: &[u16], newline_at_end: bool) -> String {
        let mut out: String = words
            .iter()
            .map(|w| match w % 40 {
                0 => "},\n".to_owned(),
                1 => "{\n".to_owned(),
                _ => format!("line {w}\n"),
            })
            .collect();
        if !newline_at_end {
            out.pop();
        }
        out
    }

    proptest::proptest! {
        /// Edits spread through a long file: the windowed diff, applied to the old file, gives
        /// the new one.
        #[test]
        fn the_windowed_diff_applies(
            old in proptest::collection::vec(0u16..400, 200..900),
            edits in proptest::collection::vec((0usize..900, 0u8..3, 0u16..400, 1usize..12), 1..6),
            old_nl in proptest::bool::ANY,
            new_nl in proptest::bool::ANY,
        ) {
            let mut new = old.clone();
            for (at, kind, word, n) in edits {
                let at = at.min(new.len());
                for k in 0..n {
                    match kind {
                        0 => new.insert(at, word + k as u16),
                        1 if at < new.len() => { new.remove(at); }
                        _ if at + k < new.len() => new[at + k] = word,
                        _ => {}
                    }
                }
            }
            let (a, b) = (text_of(&old, old_nl), text_of(&new, new_nl));
            if a == b {
                return Ok(());
            }
            let (old, new) = (Blob::from(a.clone().into_bytes()), Blob::from(b.clone().into_bytes()));
            let m = super::super::trim::middle(&old, &new, 3).unwrap();
            let Outcome::Ops(ops) = diff(&old, &new, &m, u64::MAX).unwrap() else {
                panic!("text within the windows");
            };
            let text = unified(&ops, 3, ("a/x", "b/x"));
            proptest::prop_assert_eq!(apply(&a, &text), b);
        }
    }
}
