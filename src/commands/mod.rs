//! The command shells around the pure core: each loads the configuration, compiles it and
//! then writes (`build`) or compares (`diff`, `check`). They print and return an exit code.
//! They live in the binary: the library does no printing.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

use ssm_compile::compile::config::Format;
use ssm_compile::compile::{Compiled, compile_with, parse};
use ssm_compile::diagnostic::{self, Diagnostic, Source};
use ssm_compile::outdir;

use crate::cli::{Invocation, Run};

mod build;
mod check;
mod diff;
mod init;
mod manual;
mod watch;

pub use build::build;
pub use check::check;
pub use diff::{DiffOptions, FailOn, ReportFormat, diff};
pub use watch::{WatchOptions, watch};

/// Runs one resolved invocation; the exit code of SPEC.md section 5.
pub fn run(invocation: Invocation, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let opts = &invocation.options;
    set_verbosity(opts.verbosity);
    match invocation.run {
        Run::Build => build(opts, err),
        Run::Watch { poll } => watch(opts, &WatchOptions { poll }, err),
        Run::Diff {
            format,
            exit_code,
            fail_on,
            max_bytes,
        } => {
            let how = DiffOptions {
                format,
                exit_code,
                fail_on,
                max_bytes,
            };
            diff(opts, &how, out, err)
        }
        Run::Check => check(opts, out, err),
        Run::Init { force } => init::init(opts, force, err),
        Run::Completions { shell } => manual::completions(shell, out, err),
        Run::Man => manual::man(out, err),
    }
}

/// What every command needs to know.
#[derive(Clone, Debug)]
pub struct Options {
    pub config: PathBuf,
    pub out: Option<PathBuf>,
    /// `--emit`: the formats to generate instead of the file's `formats`.
    pub formats: Option<Vec<Format>>,
    /// `-q` / `-v`.
    pub verbosity: Verbosity,
}

/// How much the commands print on stderr (`-q`, `-v`). Errors and closing summaries are always
/// printed; the reports on stdout (`diff`, `check`) are the commands' output and never cut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

/// The exit codes of SPEC.md section 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// `check` found stale files, or `diff --exit-code` found changes.
    Changes = 1,
    Error = 2,
}

/// A configuration that compiled, with where its output goes.
pub struct Loaded {
    pub source: Source,
    pub compiled: Compiled,
    pub out_dir: PathBuf,
}

/// Reads and compiles the configuration. Diagnostics (errors and warnings) go to `err`.
pub fn load(opts: &Options, err: &mut dyn Write) -> Result<Loaded, Exit> {
    let path = outdir::display(&opts.config);
    let bytes = match read_limited(&opts.config) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            report(err, &[too_large(&path)], &Source::new(path, ""));
            return Err(Exit::Error);
        }
        Err(e) => {
            let mut d = outdir::io_error("read", &opts.config, &e);
            if e.kind() == io::ErrorKind::NotFound {
                d = d.help("run ssm-compile in the directory of access.toml, or name the file with -c FILE");
            }
            report(err, &[d], &Source::new(path, ""));
            return Err(Exit::Error);
        }
    };
    // Taken over without a copy: the text can be tens of MB.
    load_bytes(opts, bytes, err).map_err(|(exit, _)| exit)
}

/// Compiles configuration bytes already read from `opts.config`, taking them over without a
/// copy (the text can be tens of MB). On error they are handed back with the exit code.
pub fn load_bytes(
    opts: &Options,
    bytes: Vec<u8>,
    err: &mut dyn Write,
) -> Result<Loaded, (Exit, Vec<u8>)> {
    let path = outdir::display(&opts.config);
    if let Err(d) = parse::decode(&bytes) {
        let source = Source::new(path, String::from_utf8_lossy(&bytes));
        report(err, &[d], &source);
        return Err((Exit::Error, bytes));
    }
    let source = Source::new(path, String::from_utf8(bytes).unwrap_or_default());
    match compile_with(&source.text, opts.formats.as_deref()) {
        Ok(compiled) => {
            report(err, &compiled.warnings, &source);
            let out_dir = outdir::resolve(
                &opts.config,
                opts.out.as_deref(),
                compiled.settings.output.as_deref(),
            );
            Ok(Loaded {
                source,
                compiled,
                out_dir,
            })
        }
        Err(diagnostics) => {
            report(err, &diagnostics, &source);
            Err((Exit::Error, source.text.into_bytes()))
        }
    }
}

/// A configuration larger than this is refused before it is read: a 100,000-grant file is about
/// 18 MiB (the benchmark's), and a runaway or hostile file must not cost gigabytes of memory
/// and minutes.
pub const MAX_CONFIG_BYTES: u64 = 32 << 20;

pub(super) fn too_large(path: &str) -> Diagnostic {
    Diagnostic::new(diagnostic::Kind::FileTooLarge, format!(
        "{path} is larger than {} MiB; ssm-compile does not read configuration files that large",
        MAX_CONFIG_BYTES >> 20
    ))
    .help("split the grants over several files, each with its own output directory (IAM allows a few thousand managed policies per account)")
}

/// Reads at most [`MAX_CONFIG_BYTES`]; `None` when the file is larger (also for endless
/// special files, whose reported size says nothing).
pub(super) fn read_limited(path: &Path) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_CONFIG_BYTES).then_some(bytes))
}

/// Prints diagnostics (without warnings under `-q`) and, when there are errors, a closing count.
/// Styles are always written; the stream (anstream, set up in `main`) strips them when colour is
/// off.
pub fn report(err: &mut dyn Write, diagnostics: &[Diagnostic], source: &Source) {
    let kept: Vec<Diagnostic>;
    let diagnostics = if verbosity() == Verbosity::Quiet {
        kept = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        &kept[..]
    } else {
        diagnostics
    };
    if diagnostics.is_empty() {
        return;
    }
    let mut text = diagnostic::render(diagnostics, source);
    if let Some(summary) = diagnostic::summary(diagnostics, source) {
        text.push_str(&diagnostic::render_summary(
            diagnostic::Severity::Error,
            &summary,
        ));
    }
    let _ = err.write_all(text.as_bytes());
}

/// The verbosity of this run, set once by `run`: read where diagnostics are printed, so the
/// many callers of `report` need not carry it.
static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

fn set_verbosity(v: Verbosity) {
    VERBOSITY.store(v as u8, Ordering::Relaxed);
}

pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        2 => Verbosity::Verbose,
        _ => Verbosity::Normal,
    }
}

/// `-v`'s line: which configuration went to which directory, in which formats.
pub fn compiled_line(loaded: &Loaded) -> String {
    let formats: Vec<&str> = loaded
        .compiled
        .settings
        .formats
        .iter()
        .map(|f| f.as_str())
        .collect();
    format!(
        "{:>9} {} -> {} ({})\n",
        "compiled",
        loaded.source.path,
        outdir::display(&loaded.out_dir),
        formats.join(", ")
    )
}

/// A path inside the output directory, as the user would type it.
pub fn out_path(dir: &Path, name: &str) -> String {
    outdir::display(&dir.join(name))
}
