//! `ssm-compile access`: the access matrix.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::{Exit, Loaded, Options, load, read_limited, report, too_large};
use ssm_compile::compile::config::Format;
use ssm_compile::diagnostic::{Diagnostic, Source};
use ssm_compile::outdir;
use ssm_compile::query;
use ssm_compile::query::matrix_render::{self, Columns};
use ssm_compile::query::{Instance, Members, instances as read_instances, members as read_members};

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
    opts: &Options,
    format: MatrixFormat,
    members: Option<&Path>,
    instances: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let opts = Options {
        formats: Some(vec![Format::Json]),
        ..opts.clone()
    };
    let loaded = match load(&opts, err) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let members: Option<Members> = match members.map(|p| input(p, read_members, err)) {
        Some(Ok(m)) => Some(m),
        Some(Err(exit)) => return exit,
        None => None,
    };
    let instances: Option<Vec<Instance>> = match instances.map(|p| input(p, read_instances, err)) {
        Some(Ok(i)) => Some(i),
        Some(Err(exit)) => return exit,
        None => None,
    };
    let cols = Columns {
        members: members.is_some(),
        reached: instances.is_some(),
    };
    // The compiled plan (every policy) is dropped before the matrix is built, after what
    // `--instances` needs of it is decided (issue 16).
    let Loaded {
        source, compiled, ..
    } = loaded;
    let reach = match instances {
        Some(instances) => Some(query::reach(&source.text, compiled, &instances)),
        None => {
            drop(compiled);
            None
        }
    };
    let matrix = query::matrix(&source.text, members, reach);
    let mut out = BufWriter::new(out);
    let written = match format {
        MatrixFormat::Markdown => matrix_render::markdown(&matrix, cols, &mut out),
        MatrixFormat::Csv => matrix_render::csv(&matrix, cols, &mut out),
        MatrixFormat::Json => matrix_render::json(&matrix, &mut out),
        MatrixFormat::Html => matrix_render::html(&matrix, cols, &mut out),
    };
    // As before, a closed output is not an error of the command.
    let _ = written.and_then(|()| out.flush());
    Exit::Success
}

/// Reads and checks one input file; its problems are reported against its own text.
fn input<T>(
    path: &Path,
    read: fn(&str) -> Result<T, Diagnostic>,
    err: &mut dyn Write,
) -> Result<T, Exit> {
    let shown = outdir::display(path);
    let bytes = match read_limited(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            report(err, &[too_large(&shown)], &Source::new(shown, ""));
            return Err(Exit::Error);
        }
        Err(e) => {
            report(
                err,
                &[outdir::io_error("read", path, &e)],
                &Source::new(shown, ""),
            );
            return Err(Exit::Error);
        }
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    read(&text).map_err(|d| {
        report(err, &[d], &Source::new(shown, text.clone()));
        Exit::Error
    })
}
