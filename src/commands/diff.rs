use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use super::{Exit, Loaded, Options, load};
use ssm_compile::outdir;
use ssm_compile::review::report::Report;

/// How `diff` prints its report (`--format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Unified diffs and a permission summary.
    #[default]
    Text,
    /// For a pull-request comment or $GITHUB_STEP_SUMMARY.
    Markdown,
    /// A stable schema (docs/diff-report.schema.json).
    Json,
}

/// `ssm-compile diff`: what `build` would change, and what that does to access. Writes nothing.
/// The report goes to `out` (styled; the stream strips styles when colour is off), diagnostics
/// to `err`.
pub fn diff(
    opts: &Options,
    format: ReportFormat,
    exit_code: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let (loaded, report) = match compare(opts, true, err) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let text = match format {
        ReportFormat::Text => report.render_text(true),
        ReportFormat::Markdown => report.render_markdown(),
        ReportFormat::Json => report.render_json(),
    };
    if let Err(exit) = emit(out, &text, &loaded, err) {
        return exit;
    }
    if exit_code && report.stale() {
        Exit::Changes
    } else {
        Exit::Success
    }
}

/// Loads the configuration and compares its plan with the output directory.
pub(super) fn compare(
    opts: &Options,
    with_diffs: bool,
    err: &mut dyn Write,
) -> Result<(Loaded, Report), Exit> {
    let loaded = load(opts, err)?;
    if super::verbosity() == super::Verbosity::Verbose {
        let _ = err.write_all(super::compiled_line(&loaded).as_bytes());
    }
    let dir = &loaded.out_dir;
    let mut tell = |dir: &Path| super::build::waiting(err, dir);
    let read = outdir::read_with(
        dir,
        &loaded.compiled.plan,
        &mut outdir::default_wait(&mut tell),
    );
    let state = match read {
        Ok(state) => state,
        Err(d) => {
            loaded.messages.report(err, &[d], &loaded.source);
            return Err(Exit::Error);
        }
    };
    let show = |name: &str| shown(&dir.join(name));
    let report = Report::new(
        &outdir::display(&opts.config),
        &shown(dir),
        &loaded.compiled.plan,
        &state,
        &show,
        with_diffs,
    );
    Ok((loaded, report))
}

/// Writes the report; a closed pipe (`| head`) is not an error, a full disk is.
pub(super) fn emit(
    out: &mut dyn Write,
    text: &str,
    loaded: &Loaded,
    err: &mut dyn Write,
) -> Result<(), Exit> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            let d = ssm_compile::Diagnostic::error(format!("could not write the report: {e}"));
            loaded.messages.report(err, &[d], &loaded.source);
            Err(Exit::Error)
        }
    }
}

/// A path as the user would type it: `./` dropped, and an absolute path inside the current
/// directory made relative to it.
pub fn shown(path: &Path) -> String {
    let cleaned: PathBuf = path
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let cleaned = match std::env::current_dir() {
        Ok(cwd) if cleaned.is_absolute() => match cleaned.strip_prefix(&cwd) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => cleaned,
        },
        _ => cleaned,
    };
    if cleaned.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        outdir::display(&cleaned)
    }
}
