//! Ops of a diff ([`Op`]) written as unified-diff hunks, byte for byte as `similar` writes
//! its own (tested in `stream`).

use super::stream::{Line, Op};

impl Op {
    /// Where it starts and ends in the old and the new file.
    fn ranges(&self) -> ((usize, usize), (usize, usize)) {
        match self {
            Op::Equal { old, new, len, .. } => ((*old, old + len), (*new, new + len)),
            Op::Delete(o, n, _) => ((*o, o + 1), (*n, *n)),
            Op::Insert(o, n, _) => ((*o, *o), (*n, n + 1)),
        }
    }
}

/// The ops as unified-diff hunks with `n` lines of context, as `similar` writes them.
pub(super) fn unified(ops: &[Op], n: usize, header: (&str, &str)) -> String {
    let mut out = format!("--- {}\n+++ {}\n", header.0, header.1);
    // Each hunk: (old start, new start, its lines as (sign, line)).
    let mut hunk: Option<Hunk> = None;
    let last = ops.len().saturating_sub(1);
    for (i, op) in ops.iter().enumerate() {
        let ((o, _), (w, _)) = op.ranges();
        match op {
            Op::Equal {
                len, head, tail, ..
            } => {
                let lines: Vec<&Line> = head.iter().chain(tail).collect();
                let first = i == 0;
                let last = i == last;
                if first {
                    // Only the context before the first change.
                    let k = (*len).min(n);
                    let from = lines.len() - k;
                    hunk = Some(Hunk::new(o + len - k, w + len - k));
                    let h = hunk.as_mut().expect("just made");
                    lines[from..].iter().for_each(|l| h.push(' ', l));
                } else if last || *len > 2 * n {
                    let h = hunk.as_mut().expect("a change came first");
                    lines[..(*len).min(n)].iter().for_each(|l| h.push(' ', l));
                    if !last {
                        h.write(&mut out);
                        let k = n;
                        let mut next = Hunk::new(o + len - k, w + len - k);
                        lines[lines.len() - k..]
                            .iter()
                            .for_each(|l| next.push(' ', l));
                        hunk = Some(next);
                    }
                } else {
                    let h = hunk.as_mut().expect("a change came first");
                    lines.iter().for_each(|l| h.push(' ', l));
                }
            }
            Op::Delete(.., line) | Op::Insert(.., line) => {
                let sign = if matches!(op, Op::Delete(..)) {
                    '-'
                } else {
                    '+'
                };
                hunk.get_or_insert_with(|| Hunk::new(o, w)).push(sign, line);
            }
        }
    }
    if let Some(h) = hunk {
        h.write(&mut out);
    }
    out
}

struct Hunk {
    old: usize,
    new: usize,
    old_len: usize,
    new_len: usize,
    text: String,
}

impl Hunk {
    fn new(old: usize, new: usize) -> Hunk {
        Hunk {
            old,
            new,
            old_len: 0,
            new_len: 0,
            text: String::new(),
        }
    }

    fn push(&mut self, sign: char, line: &[u8]) {
        self.old_len += usize::from(sign != '+');
        self.new_len += usize::from(sign != '-');
        self.text.push(sign);
        self.text.push_str(&String::from_utf8_lossy(line));
        if !line.ends_with(b"\n") {
            self.text.push_str("\n\\ No newline at end of file\n");
        }
    }

    fn write(&self, out: &mut String) {
        let range = |start: usize, len: usize| match len {
            0 => format!("{start},0"),
            1 => format!("{}", start + 1),
            _ => format!("{},{len}", start + 1),
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(self.old, self.old_len),
            range(self.new, self.new_len)
        ));
        out.push_str(&self.text);
    }
}
