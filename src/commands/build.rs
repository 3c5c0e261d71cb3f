use std::io::Write;

use super::{Exit, Options, load, out_path, report};
use crate::outdir;

/// `ssm-compile build`: compile and write the plan, touching only files whose bytes change.
pub fn build(opts: &Options, err: &mut dyn Write) -> Exit {
    let loaded = match load(opts, err) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let dir = &loaded.out_dir;
    match outdir::build(dir, &loaded.compiled.plan) {
        Ok(done) => {
            for change in &done.written {
                let _ = writeln!(
                    err,
                    "{:>9} {}",
                    change.kind.as_str(),
                    out_path(dir, &change.name)
                );
            }
            for change in &done.removed {
                let _ = writeln!(err, "{:>9} {}", "removed", out_path(dir, &change.name));
            }
            for name in &done.untouched {
                let _ = writeln!(
                    err,
                    "{:>9} {} (not written by ssm-compile; left as it is)",
                    "skipped",
                    out_path(dir, name)
                );
            }
            let grants = loaded.compiled.grants.len();
            let files = loaded.compiled.plan.files.len();
            let _ = writeln!(
                err,
                "{grants} {} -> {files} {} in {}: {} written, {} removed, {} unchanged",
                plural(grants, "grant", "grants"),
                plural(files, "file", "files"),
                outdir::display(dir),
                done.written.len(),
                done.removed.len(),
                done.unchanged
            );
            Exit::Success
        }
        Err(diagnostics) => {
            report(err, &diagnostics, &loaded.source, opts.color);
            Exit::Error
        }
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
