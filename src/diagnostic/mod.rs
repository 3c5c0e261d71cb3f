//! One model for every problem ssm-compile reports: a [`Kind`] from the catalogue (`kind.rs`,
//! which gives the stable code and the severity), the message, and where it is. The human
//! renderer is `human.rs`; helpers for message text are `count`, `list` and `suggestion`.
//!
//! Spans are byte ranges into the configuration source, so the renderer can show
//! `FILE:LINE:COL`, the line and a caret.

pub mod count;
mod human;
mod kind;
pub mod list;
pub mod suggestion;

use std::ops::Range;

pub use human::{render, render_summary};
pub use kind::Kind;

use count::Count;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: Kind,
    pub severity: Severity,
    pub message: String,
    /// Where in the configuration the problem is; `None` for problems outside it (I/O).
    pub span: Option<Range<usize>>,
    /// Short text under the caret.
    pub label: Option<String>,
    /// Other places that explain the problem (the first of two duplicates, say).
    pub related: Vec<(Range<usize>, String)>,
    pub help: Option<String>,
}

/// A message quotes values from the file; one of 1 MiB must not be echoed whole. A quoted
/// part (between backticks or double quotes) over 100 characters keeps its first 48 and says
/// how long it was.
fn shorten(message: String) -> String {
    const LONG: usize = 100;
    if message.len() <= 4 * LONG {
        return message;
    }
    let mut out = String::with_capacity(4 * LONG);
    let mut quoted = false;
    for part in message.split_inclusive(['`', '"']) {
        let (body, quote) = match part.char_indices().last() {
            Some((i, c)) if c == '`' || c == '"' => (&part[..i], &part[i..]),
            _ => (part, ""),
        };
        let chars = body.chars().count();
        if quoted && chars > LONG {
            out.extend(body.chars().take(48));
            out.push_str(&format!("… ({chars} characters)"));
        } else {
            out.push_str(body);
        }
        out.push_str(quote);
        if !quote.is_empty() {
            quoted = !quoted;
        }
    }
    out
}

impl Diagnostic {
    /// A problem of `kind`, with the kind's severity.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            severity: kind.severity(),
            message: shorten(message.into()),
            span: None,
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    /// An error outside the configuration: reading or writing a file, watching a directory.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic::new(Kind::Io, message)
    }

    pub fn at(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten(help.into()));
        self
    }

    pub fn related(mut self, span: Range<usize>, text: impl Into<String>) -> Self {
        self.related.push((span, text.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The text that diagnostics point into, with the path as the user typed it.
#[derive(Clone, Debug)]
pub struct Source {
    pub path: String,
    pub text: String,
}

impl Source {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Sorts diagnostics the way they are printed: by position, errors before warnings at one place.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.span.as_ref().map(|s| s.start), d.severity);
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
}

/// One line that counts errors and warnings, like `error: 3 problems in access.toml`.
pub fn summary(diagnostics: &[Diagnostic], source: &Source) -> Option<String> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors == 0 {
        return None;
    }
    let errors = Count(errors, "error");
    // Errors in the configuration stop a run before any write; an I/O error (no place in the
    // file) may come after some files were replaced, so it makes no such promise.
    let in_config = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .all(|d| d.span.is_some());
    Some(if in_config {
        format!("{errors} in {}; nothing was written", source.path)
    } else {
        errors.to_string()
    })
}
