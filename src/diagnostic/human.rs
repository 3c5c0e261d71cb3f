//! The human renderer: rustc-style text, `error[E0101]: MESSAGE`, ` --> FILE:LINE:COL`, the
//! lines the diagnostic touches with carets, then `help:`.
//!
//! Each diagnostic is rendered against the lines it touches only, found through a table of line
//! starts built once per call, so printing many diagnostics of a large file stays linear.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::location::LineStarts;
use super::{Diagnostic, Severity, Source, floor_char_boundary};

/// Renders diagnostics, each followed by a blank line, always styled: the binary writes through
/// a stream that strips styles when colour is off (`anstream::adapter::strip_str` does the same
/// for a string). A span is clamped to the source, so no
/// diagnostic can make the renderer panic.
pub fn render(diagnostics: &[Diagnostic], source: &Source) -> String {
    let mut out = Vec::new();
    let _ = render_to(&mut out, diagnostics, source);
    String::from_utf8(out).expect("rendered text is UTF-8")
}

/// [`render`] into `out`, one diagnostic at a time: 400,000 warnings are never held as one
/// text.
pub fn render_to(
    out: &mut dyn std::io::Write,
    diagnostics: &[Diagnostic],
    source: &Source,
) -> std::io::Result<()> {
    let renderer = Renderer::styled();
    let lines = LineStarts::new(&source.text);
    for d in diagnostics {
        let level = level(d.severity);
        let title = level.primary_title(&*d.message).id(d.code());
        let mut group = Group::with_title(title);
        if let Some(span) = &d.span {
            group = group.element(snippet(d, span, source, &lines));
        } else if let Some((_, text)) = d.related.first() {
            group = group.element(Level::NOTE.message(text.as_str()));
        }
        let mut report: Vec<Group<'_>> = vec![group];
        if let Some(help) = &d.help {
            report.push(Group::with_title(Level::HELP.secondary_title(&**help)));
        }
        out.write_all(renderer.render(&report).as_bytes())?;
        out.write_all(b"\n\n")?;
    }
    Ok(())
}

/// A closing line such as `error: 3 errors in access.toml; nothing was written`: styled like a
/// diagnostic, without a code or a place.
pub fn render_summary(severity: Severity, text: &str) -> String {
    let report = [Group::with_title(level(severity).primary_title(text))];
    let mut out = Renderer::styled().render(&report);
    out.push_str("\n\n");
    out
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

/// The source lines from the first to the last that `d` points into, annotated.
fn snippet<'a>(
    d: &'a Diagnostic,
    span: &Range<usize>,
    source: &'a Source,
    lines: &LineStarts,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let text = source.text.as_str();
    let primary = clamp(span, text);
    let related: Vec<Range<usize>> = d.related.iter().map(|(s, _)| clamp(s, text)).collect();
    let lo = related
        .iter()
        .map(|s| s.start)
        .fold(primary.start, usize::min);
    let hi = related.iter().map(|s| s.end).fold(primary.end, usize::max);
    let first = lines.line_of(lo);
    // Past a byte-order mark, which a terminal shows as nothing: the caret stays in place.
    let start = lines.start_of(first);
    let end = lines
        .starts
        .get(lines.line_of(hi) + 1)
        .copied()
        .unwrap_or(text.len());
    let local = |s: &Range<usize>| s.start.max(start) - start..s.end.max(start) - start;
    let mut primary = AnnotationKind::Primary.span(local(&primary));
    if let Some(label) = &d.label {
        primary = primary.label(&**label);
    }
    let mut snippet = Snippet::source(&text[start..end])
        .line_start(first + 1)
        .path(source.path.as_str())
        .fold(true)
        .annotation(primary);
    for (span, (_, label)) in related.iter().zip(&d.related) {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(local(span))
                .label(label.as_str()),
        );
    }
    snippet
}

fn clamp(span: &Range<usize>, text: &str) -> Range<usize> {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
    start..end
}
