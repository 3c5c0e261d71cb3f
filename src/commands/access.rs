//! `ssm-compile access`: the access matrix.

use std::io::Write;
use std::path::Path;

use super::{Exit, Options};

/// `--format` of `access`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    #[default]
    Markdown,
    Csv,
    Json,
    Html,
}

pub fn access(
    _opts: &Options,
    _format: MatrixFormat,
    _members: Option<&Path>,
    _instances: Option<&Path>,
    _out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Exit {
    Exit::Error
}
