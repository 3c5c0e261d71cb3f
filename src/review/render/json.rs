//! `diff --format json`: the report as its schema (`docs/diff-report.schema.json`) says.

use std::io::{self, Write};

use crate::review::model::Report;

/// Written as the spooled entries are read back.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
