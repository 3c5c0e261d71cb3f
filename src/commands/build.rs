use std::io::Write;

use super::{Exit, Loaded, Options, Verbosity, load, out_path, verbosity};
use ssm_compile::outdir::{self, BuildReport};

/// `ssm-compile build`: compile and write the plan, touching only files whose bytes change.
pub fn build(opts: &Options, err: &mut dyn Write) -> Exit {
    let loaded = match load(opts, err) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    match write(&loaded, err) {
        Ok(done) => {
            print_report(err, &loaded, &done);
            Exit::Success
        }
        Err(exit) => exit,
    }
}

/// Writes the plan of a loaded configuration; errors (I/O, foreign files) are printed.
pub(super) fn write<'p>(loaded: &'p Loaded, err: &mut dyn Write) -> Result<BuildReport<'p>, Exit> {
    if let Some(d) = super::files::output_dir_error(&loaded.out_dir, loaded.out_dir_from_flag) {
        loaded.messages.report(err, &[d], &loaded.source);
        return Err(Exit::Error);
    }
    let mut tell = |dir: &std::path::Path| waiting(err, dir);
    let done = outdir::build_with(
        &loaded.out_dir,
        &loaded.compiled.plan,
        &mut outdir::default_wait(&mut tell),
    );
    done.map_err(|diagnostics| {
        loaded.messages.report(err, &diagnostics, &loaded.source);
        Exit::Error
    })
}

/// Says why nothing happens yet, the way cargo does for its build directory.
pub(super) fn waiting(err: &mut dyn Write, dir: &std::path::Path) {
    let _ = writeln!(
        err,
        "Blocking: waiting for another ssm-compile build of {}",
        outdir::display(dir)
    );
}

/// Prints what a build did: one line per file written, removed or skipped (none under `-q`),
/// then the totals; `-v` first says which file went where.
/// The lines are written at once: stderr is unbuffered, and a cold build of 100,000 grants
/// would otherwise make hundreds of thousands of small writes.
pub(super) fn print_report(err: &mut dyn Write, loaded: &Loaded, done: &BuildReport) {
    use std::fmt::Write as _;
    let dir = &loaded.out_dir;
    let mut text = String::new();
    let level = verbosity();
    if level == Verbosity::Verbose {
        text.push_str(&super::compiled_line(loaded));
    }
    if level > Verbosity::Quiet {
        list_files(&mut text, dir, done);
    }
    let grants = loaded.compiled.grants.len();
    let files = loaded.compiled.plan.files.len();
    let _ = writeln!(
        text,
        "{grants} {} -> {files} {} in {}: {} written, {} removed, {} unchanged",
        plural(grants, "grant", "grants"),
        plural(files, "file", "files"),
        outdir::display(dir),
        done.written.len(),
        done.removed.len(),
        done.unchanged
    );
    let _ = err.write_all(text.as_bytes());
}

/// One line per file the build wrote, removed or left alone.
fn list_files(text: &mut String, dir: &std::path::Path, done: &BuildReport) {
    use std::fmt::Write as _;
    for change in &done.written {
        let _ = writeln!(
            text,
            "{:>9} {}",
            change.kind.as_str(),
            out_path(dir, &change.name)
        );
    }
    for change in &done.removed {
        let _ = writeln!(text, "{:>9} {}", "removed", out_path(dir, &change.name));
    }
    for name in &done.leftovers {
        let _ = writeln!(
            text,
            "{:>9} {} (left by an interrupted build)",
            "removed",
            out_path(dir, name)
        );
    }
    for name in &done.untouched {
        let _ = writeln!(
            text,
            "{:>9} {} (not written by ssm-compile; left as it is)",
            "skipped",
            out_path(dir, name)
        );
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
