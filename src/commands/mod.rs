//! The command shells around the pure core: each loads the configuration, compiles it and
//! then writes (`build`) or compares (`diff`, `check`). They print and return an exit code.
//! They live in the binary: the library does no printing.

use std::cell::RefCell;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU8, Ordering};

use ssm_compile::compile::config::Format;
use ssm_compile::compile::{Compiled, compile_with, parse};
use ssm_compile::diagnostic::message::{Problem, World};
use ssm_compile::diagnostic::{self, Diagnostic, Located, MessageFormat, Severity, Source};
use ssm_compile::outdir;

use crate::cli::{Invocation, Run};

mod access;
mod build;
mod can;
mod check;
mod diff;
mod explain;
mod files;
mod init;
mod manual;
mod watch;
mod watched;
mod who_can;

pub use access::{MatrixFormat, access};
pub use build::build;
pub use can::{Expect, can};
pub use check::check;
pub use diff::{DiffOptions, FailOn, ReportFormat, diff};
pub use explain::explain;
pub use watch::{WatchOptions, watch};
pub use who_can::{QueryFormat, Question, who_can};

/// Runs one resolved invocation; the exit code of SPEC.md section 5.
/// In a machine message format stdout carries the messages only: the report of `diff` and
/// `check` goes to stderr instead, and the diagnostics, collected during the run, are printed
/// once at its end (a SARIF log is one document, even with no result).
pub fn run(invocation: Invocation, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let opts = &invocation.options;
    let machine = opts.messages.format != MessageFormat::Human;
    // `build` prints its lines to stderr in any format. In a machine format `diff` and `check`
    // print their report there too, and the `err` they are given receives nothing: every
    // diagnostic is collected for `finish`.
    let sink = &mut io::sink();
    set_verbosity(opts.verbosity);
    let exit = match invocation.run {
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
            if machine {
                diff(opts, &how, err, sink)
            } else {
                diff(opts, &how, out, err)
            }
        }
        Run::Check if machine => check(opts, err, sink),
        Run::Check => check(opts, out, err),
        Run::Explain { ref code } => explain(code, out, err),
        Run::Init { force } => init::init(opts, force, err),
        Run::Completions { shell } => manual::completions(shell, out, err),
        Run::Man => manual::man(out, err),
        Run::WhoCan { question, format } => who_can(opts, &question, format, out, err),
        Run::Can {
            principal,
            question,
            format,
            expect,
        } => can(opts, &principal, &question, format, expect, out, err),
        Run::Access {
            format,
            members,
            instances,
        } => access(
            opts,
            format,
            members.as_deref(),
            instances.as_deref(),
            out,
            err,
        ),
    };
    if machine {
        opts.messages.finish(out);
    }
    exit
}

/// What every command needs to know.
#[derive(Clone, Debug)]
pub struct Options {
    pub config: PathBuf,
    pub out: Option<PathBuf>,
    /// `--emit`: the formats to generate instead of the file's `formats`.
    pub formats: Option<Vec<Format>>,
    /// `--message-format` and `--deny-warnings`, and the diagnostics collected for the end.
    pub messages: Messages,
    /// `-q` / `-v`.
    pub verbosity: Verbosity,
}

/// How the diagnostics of one run are printed.
#[derive(Clone, Debug, Default)]
pub struct Messages {
    pub format: MessageFormat,
    /// `--deny-warnings`: any warning is an error (exit 2, nothing written).
    pub deny_warnings: bool,
    /// Human text only: print the first this many diagnostics and count the rest (`--watch`,
    /// which must never spend seconds printing a broken save).
    pub limit: Option<usize>,
    collected: Rc<RefCell<Vec<Located>>>,
}

impl Messages {
    pub fn new(format: MessageFormat, deny_warnings: bool, limit: Option<usize>) -> Self {
        Messages {
            format,
            deny_warnings,
            limit,
            collected: Rc::default(),
        }
    }

    /// Human text goes to `err` now, with a closing count when there are errors; a machine
    /// format is collected for [`Messages::finish`].
    pub fn report(&self, err: &mut dyn Write, diagnostics: &[Diagnostic], source: &Source) {
        if self.format != MessageFormat::Human {
            let located = diagnostic::locate(diagnostics, source);
            self.collected.borrow_mut().extend(located);
            return;
        }
        let shown = self
            .limit
            .map_or(diagnostics.len(), |n| n.min(diagnostics.len()));
        if shown == diagnostics.len() {
            return report(err, diagnostics, source);
        }
        // Only the first ones are rendered; the count covers them all.
        render_buffered(err, &diagnostics[..shown], source);
        let more = format!(
            "{} more not shown; `ssm-compile check -c {}` lists them all",
            diagnostic::Count(diagnostics.len() - shown, "diagnostic"),
            source.path
        );
        let mut text = diagnostic::render_summary(Severity::Warning, &more);
        if let Some(summary) = diagnostic::summary(diagnostics, source) {
            text.push_str(&diagnostic::render_summary(Severity::Error, &summary));
        }
        let _ = err.write_all(text.as_bytes());
    }

    /// Prints what a machine format collected (a SARIF log always).
    pub fn finish(&self, out: &mut dyn Write) {
        let collected = self.collected.borrow();
        if let Some(text) = diagnostic::render_machine(self.format, &collected) {
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
    }
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
    /// Whether `out_dir` is `-o`'s, which like `mkdir` creates only its last directory.
    pub out_dir_from_flag: bool,
    pub messages: Messages,
}

/// Reads and compiles the configuration. Diagnostics (errors and warnings) go to `err`.
pub fn load(opts: &Options, err: &mut dyn Write) -> Result<Loaded, Exit> {
    let path = outdir::display(&opts.config);
    let fail = |err: &mut dyn Write, d: Diagnostic| {
        opts.messages
            .report(err, &[d], &Source::new(path.clone(), ""));
        Err(Exit::Error)
    };
    if let Some(d) = files::config_is_directory(&opts.config) {
        return fail(err, d);
    }
    let bytes = match read_limited(&opts.config) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return fail(err, too_large(&path)),
        Err(e) => return fail(err, files::read_config_error(&opts.config, &e)),
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
    let messages = &opts.messages;
    if let Err(d) = parse::decode(&bytes) {
        let source = Source::new(path, String::from_utf8_lossy(&bytes));
        messages.report(err, &[d], &source);
        return Err((Exit::Error, bytes));
    }
    let source = Source::new(path, String::from_utf8(bytes).unwrap_or_default());
    match compile_with(&source.text, opts.formats.as_deref()) {
        Ok(mut compiled) if messages.deny_warnings && !compiled.warnings.is_empty() => {
            // `--deny-warnings`: each warning is reported as an error, under its own code.
            for d in &mut compiled.warnings {
                d.severity = Severity::Error;
            }
            messages.report(err, &compiled.warnings, &source);
            Err((Exit::Error, source.text.into_bytes()))
        }
        Ok(mut compiled) => {
            messages.report(err, &compiled.warnings, &source);
            // Printed, so no longer needed: a lint on each of 400,000 grants would otherwise
            // stay in memory through the writing (issue 16).
            compiled.warnings = Vec::new();
            let out_dir = outdir::resolve(
                &opts.config,
                opts.out.as_deref(),
                compiled.settings.output.as_deref(),
            );
            Ok(Loaded {
                source,
                compiled,
                out_dir,
                out_dir_from_flag: opts.out.is_some(),
                messages: messages.clone(),
            })
        }
        Err(diagnostics) => {
            messages.report(err, &diagnostics, &source);
            Err((Exit::Error, source.text.into_bytes()))
        }
    }
}

/// A configuration larger than this is refused before it is read: a 100,000-grant file is about
/// 18 MiB (the benchmark's), and a runaway or hostile file must not cost gigabytes of memory
/// and minutes.
pub const MAX_CONFIG_BYTES: u64 = 32 << 20;

pub(super) fn too_large(path: &str) -> Diagnostic {
    let max_mib = MAX_CONFIG_BYTES >> 20;
    World::FileTooLarge { path, max_mib }.diagnostic()
}

/// Reads at most [`MAX_CONFIG_BYTES`]; `None` when the file is larger (also for endless
/// special files, whose reported size says nothing).
pub(super) fn read_limited(path: &Path) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = fs::File::open(path)?;
    // Sized from the start: grown by doubling, 18 MB were held in 32 MB.
    let size = file
        .metadata()
        .map_or(0, |m| m.len())
        .min(MAX_CONFIG_BYTES + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_CONFIG_BYTES).then_some(bytes))
}

/// Prints diagnostics (without warnings under `-q`) and, when there are errors, a closing count.
/// Styles are always written; the stream (anstream, set up in `main`) strips them when colour is
/// off.
/// Renders into `err` a buffer at a time: the text of many diagnostics is never held whole.
fn render_buffered(err: &mut dyn Write, diagnostics: &[Diagnostic], source: &Source) {
    let mut buffered = std::io::BufWriter::with_capacity(64 << 10, err);
    let _ = diagnostic::render_to(&mut buffered, diagnostics, source);
    let _ = buffered.flush();
}

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
    render_buffered(err, diagnostics, source);
    if let Some(summary) = diagnostic::summary(diagnostics, source) {
        let text = diagnostic::render_summary(diagnostic::Severity::Error, &summary);
        let _ = err.write_all(text.as_bytes());
    }
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
