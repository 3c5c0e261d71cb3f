//! One model for every problem ssm-compile reports: a [`Kind`] from the catalogue (`kind.rs`,
//! which gives the stable code and the severity), the message, and where it is. The human
//! renderer is `human.rs`; the words of each problem are in the catalogue `message/`, with
//! helpers for message text in `count`, `list` and `suggestion`.
//!
//! Spans are byte ranges into the configuration source, so the renderer can show
//! `FILE:LINE:COL`, the line and a caret.

pub(crate) mod count;
mod explanation;
mod github;
mod human;
pub(crate) mod io;
mod json;
mod kind;
pub(crate) mod list;
mod location;
pub mod message;
pub mod rules;
mod sarif;
pub(crate) mod suggestion;

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

pub use count::Count;
pub use human::{render, render_summary, render_to};
pub use kind::Kind;
pub use location::{Located, Region, locate};

/// How diagnostics are printed (`--message-format`): every format is a view of the same
/// [`Located`] diagnostics, one renderer file each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MessageFormat {
    /// rustc-style text with the source lines (`human.rs`).
    #[default]
    Human,
    /// One JSON object a line (`json.rs`).
    Json,
    /// GitHub Actions workflow commands (`github.rs`).
    Github,
    /// One SARIF 2.1.0 log (`sarif.rs`).
    Sarif,
}

/// Renders located diagnostics in a machine format; `None` for `Human`, which needs the
/// source text (`render`). SARIF is a whole log, so it is rendered once for all diagnostics
/// of a run, even none.
pub fn render_machine(format: MessageFormat, located: &[Located]) -> Option<String> {
    match format {
        MessageFormat::Human => None,
        MessageFormat::Json => Some(json::render(located)),
        MessageFormat::Github => Some(github::render(located)),
        MessageFormat::Sarif => Some(sarif::render(located)),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A diagnostic's text: shared, since a file can hold 400,000 warnings of one lint whose
/// label and help are the same words (issue 16: as owned strings they were most of the peak).
pub type Text = Arc<str>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: Kind,
    pub severity: Severity,
    pub message: Text,
    /// Where in the configuration the problem is; `None` for problems outside it (I/O).
    pub span: Option<Range<usize>>,
    /// Short text under the caret.
    pub label: Option<Text>,
    /// Other places that explain the problem (the first of two duplicates, say).
    pub related: Vec<(Range<usize>, String)>,
    pub help: Option<Text>,
}

/// The label and help texts seen so far, so that diagnostics with the same words hold one copy.
#[derive(Debug, Default)]
pub struct Shared(HashSet<Text>);

impl Shared {
    fn text(&mut self, text: &mut Option<Text>) {
        let Some(t) = text else { return };
        match self.0.get(t) {
            Some(seen) => *t = seen.clone(),
            None => {
                self.0.insert(t.clone());
            }
        }
    }

    /// `d` with its label and help shared with the diagnostics before it.
    pub fn share(&mut self, mut d: Diagnostic) -> Diagnostic {
        self.text(&mut d.label);
        self.text(&mut d.help);
        d
    }
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
            message: shorten(message.into()).into(),
            span: None,
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    pub fn at(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into().into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten(help.into()).into());
        self
    }

    pub fn related(mut self, span: Range<usize>, text: impl Into<String>) -> Self {
        self.related.push((span, text.into()));
        self
    }

    /// The stable code printed with the diagnostic: `E0410`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
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
    // Errors in the configuration, and I/O errors found before the first write, stop a run
    // before it writes. A failed write may come after some files were replaced (each whole),
    // and a generic I/O error may be anywhere: neither makes that promise.
    let errors_only = || diagnostics.iter().filter(|d| d.is_error());
    let in_config = errors_only().all(|d| d.span.is_some());
    Some(if errors_only().any(|d| d.kind == Kind::WriteFailed) {
        format!("{errors}; files that were written are complete: fix the problem and build again")
    } else if errors_only().any(|d| d.kind == Kind::Io) {
        errors.to_string()
    } else if in_config && !source.path.is_empty() {
        format!("{errors} in {}; nothing was written", source.path)
    } else {
        format!("{errors}; nothing was written")
    })
}
