//! One model for every problem ssm-compile reports, and the one renderer that prints it.
//!
//! Stages push `Diagnostic`s; nothing else formats error text. Spans are byte ranges into the
//! configuration source, so the renderer can show `FILE:LINE:COL`, the line and a caret.

pub mod count;
pub mod list;
pub mod suggestion;

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
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

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
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
        self.help = Some(help.into());
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

/// Renders diagnostics rustc-style: `error: MESSAGE`, ` --> FILE:LINE:COL`, the line, a caret,
/// then `help:`. A span is clamped to the source, so no diagnostic can make the renderer panic.
pub fn render(diagnostics: &[Diagnostic], source: &Source, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(d.message.as_str()));
        if let Some(span) = &d.span {
            let mut snippet = Snippet::source(source.text.as_str())
                .path(source.path.as_str())
                .fold(true);
            let mut primary = AnnotationKind::Primary.span(clamp(span, &source.text));
            if let Some(label) = &d.label {
                primary = primary.label(label.as_str());
            }
            snippet = snippet.annotation(primary);
            for (span, text) in &d.related {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(clamp(span, &source.text))
                        .label(text.as_str()),
                );
            }
            group = group.element(snippet);
        } else if let Some((_, text)) = d.related.first() {
            group = group.element(Level::NOTE.message(text.as_str()));
        }
        let mut report: Vec<Group<'_>> = vec![group];
        if let Some(help) = &d.help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
}

fn clamp(span: &Range<usize>, text: &str) -> Range<usize> {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
    start..end
}

/// One line that counts errors and warnings, like `error: 3 problems in access.toml`.
pub fn summary(diagnostics: &[Diagnostic], source: &Source) -> Option<String> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors == 0 {
        return None;
    }
    let plural = if errors == 1 { "" } else { "s" };
    // Errors in the configuration stop a run before any write; an I/O error (no place in the
    // file) may come after some files were replaced, so it makes no such promise.
    let in_config = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .all(|d| d.span.is_some());
    Some(if in_config {
        format!(
            "{errors} error{plural} in {}; nothing was written",
            source.path
        )
    } else {
        format!("{errors} error{plural}")
    })
}
