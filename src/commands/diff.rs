use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use super::{Exit, Loaded, Options, load};
use ssm_compile::diagnostic::message::{Problem, World};
use ssm_compile::outdir;
use ssm_compile::review::render;
use ssm_compile::review::{Inputs, Report};

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

/// When `diff` exits 1 (`--fail-on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Some principal gains a request it did not have, or that cannot be ruled out.
    Widening,
}

/// How `diff` reports and exits.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiffOptions {
    pub format: ReportFormat,
    pub exit_code: bool,
    pub fail_on: Option<FailOn>,
    pub max_bytes: Option<usize>,
}

/// `ssm-compile diff`: what `build` would change, and what that does to access. Writes nothing.
/// The report goes to `out` (styled; the stream strips styles when colour is off), diagnostics
/// to `err`.
pub fn diff(opts: &Options, how: &DiffOptions, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let (loaded, report) = match compare(opts, true, err) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let rendered = |w: &mut dyn Write| match how.format {
        ReportFormat::Text => render::text::render(&report, w),
        ReportFormat::Markdown => render::markdown::render(&report, how.max_bytes, w),
        ReportFormat::Json => render::json::render(&report, w),
    };
    if let Err(exit) = print(out, rendered, &loaded, err) {
        return exit;
    }
    let fail = match how.fail_on {
        Some(FailOn::Widening) => report.widens,
        None => how.exit_code && report.stale(),
    };
    if fail { Exit::Changes } else { Exit::Success }
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
    // `check` only says which files differ; `diff` shows and reviews them.
    let old = if with_diffs {
        outdir::OldBytes::Keep
    } else {
        outdir::OldBytes::Skip
    };
    let read = outdir::read_with(
        dir,
        &loaded.compiled.plan,
        &mut outdir::default_wait(&mut tell),
        old,
    );
    let state = match read {
        Ok(state) => state,
        Err(d) => {
            loaded.messages.report(err, &[d], &loaded.source);
            return Err(Exit::Error);
        }
    };
    let report = review_state(opts, &loaded, &state, with_diffs, with_diffs);
    Ok((loaded, report))
}

/// Compares a loaded configuration's plan with its output directory (`--watch` calls it before
/// each build, to print who gains what).
pub(super) fn review(
    opts: &Options,
    loaded: &Loaded,
    verdict: bool,
    with_diffs: bool,
) -> Result<Report, Box<ssm_compile::Diagnostic>> {
    let state = outdir::read(&loaded.out_dir, &loaded.compiled.plan).map_err(Box::new)?;
    Ok(review_state(opts, loaded, &state, verdict, with_diffs))
}

fn review_state(
    opts: &Options,
    loaded: &Loaded,
    state: &outdir::DiskState,
    verdict: bool,
    with_diffs: bool,
) -> Report {
    let dir = &loaded.out_dir;
    let show = |name: &str| shown(&dir.join(name));
    let inputs = Inputs {
        config: &outdir::display(&opts.config),
        config_bytes: loaded.source.text.len() as u64,
        output_dir: &shown(dir),
        plan: &loaded.compiled.plan,
        state,
    };
    Report::new(&inputs, &show, verdict, with_diffs)
}

/// Writes the report; a closed pipe (`| head`) is not an error, a full disk is.
pub(super) fn emit(
    out: &mut dyn Write,
    text: &str,
    loaded: &Loaded,
    err: &mut dyn Write,
) -> Result<(), Exit> {
    print(out, |w| w.write_all(text.as_bytes()), loaded, err)
}

/// Writes what `render` writes, buffered, as [`emit`] does: the report is written as it is
/// read back, never held whole.
pub(super) fn print(
    out: &mut dyn Write,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    loaded: &Loaded,
    err: &mut dyn Write,
) -> Result<(), Exit> {
    let mut buffered = io::BufWriter::with_capacity(64 << 10, out);
    let written = render(&mut buffered).and_then(|()| buffered.flush());
    drop(buffered);
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(print_failed(&e, loaded, err)),
    }
}

/// Reports that the report could not be written (or its spooled entries read back).
pub(super) fn print_failed(e: &io::Error, loaded: &Loaded, err: &mut dyn Write) -> Exit {
    let error = e.to_string();
    let d = World::PrintFailed {
        what: "the report",
        error,
    }
    .diagnostic();
    loaded.messages.report(err, &[d], &loaded.source);
    Exit::Error
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
