use std::fmt::Write as _;
use std::io::Write;

use anstyle::{AnsiColor, Style};

use super::diff::{compare, emit, print_failed, shown};
use super::{Exit, Options};
use ssm_compile::diagnostic::Count;
use ssm_compile::review::{GrantChange, ManifestStatus, Report};

/// `ssm-compile check`: exit 1 with one line per stale file when `build` would write anything,
/// else exit 0. Compares bytes only; writes nothing.
pub fn check(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let (loaded, report) = match compare(opts, false, err) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let (mut text, stale) = match listing(&report) {
        Ok(listed) => listed,
        Err(e) => return print_failed(&e, &loaded, err),
    };
    let bold = Style::new().bold();
    if stale == 0 {
        let policies = loaded.compiled.plan.files.len();
        let _ = writeln!(
            text,
            "{} is up to date: {policies} {} match {}",
            report.output_dir,
            if policies == 1 { "policy" } else { "policies" },
            report.config
        );
    } else {
        let _ = writeln!(
            text,
            "{}: run `{}` to update it",
            paint(
                bold,
                &format!(
                    "{} is out of date ({})",
                    report.output_dir,
                    Count(stale, "stale file")
                )
            ),
            rebuild_command(opts)
        );
    }
    if let Err(exit) = emit(out, &text, &loaded, err) {
        return exit;
    }
    if stale == 0 {
        Exit::Success
    } else {
        Exit::Changes
    }
}

/// Always styled: the stream strips the styles when colour is off.
fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// One line per file `check` reports, and how many of them are stale (foreign files build
/// leaves alone and leftovers it removes are listed but not stale).
fn listing(report: &Report) -> std::io::Result<(String, usize)> {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let mut text = String::new();
    let mut stale = 0;
    for f in report.files.iter() {
        let f = f?;
        stale += 1;
        let why = match (f.change, f.blocked) {
            (_, true) => {
                " (a file not written by ssm-compile is in the way; build refuses to overwrite it)"
            }
            (GrantChange::Added, _) => " (grant has no policy file yet)",
            (GrantChange::Changed, _) => " (differs from what the configuration compiles to)",
            (GrantChange::Removed, _) => " (its grant is gone)",
        };
        let _ = writeln!(
            text,
            "{} {}{why}",
            paint(red, &format!("{:>9}", f.change.as_str())),
            f.path
        );
    }
    let manifest = match report.manifest.status {
        ManifestStatus::Current => None,
        ManifestStatus::Stale => Some("stale"),
        ManifestStatus::Missing => Some("missing"),
    };
    if let Some(word) = manifest {
        stale += 1;
        let _ = writeln!(
            text,
            "{} {} (the files ssm-compile wrote and each grant's principals)",
            paint(red, &format!("{word:>9}")),
            report.manifest.path
        );
    }
    // Stale whatever build does: build never touches them, and Terraform deploys them.
    for path in &report.terraform_loads {
        stale += 1;
        let _ = writeln!(
            text,
            "{} {path} (not written by ssm-compile, and Terraform loads it with the generated module: move it out)",
            paint(red, &format!("{:>9}", "foreign")),
        );
    }
    for path in &report.untouched {
        let _ = writeln!(
            text,
            "{:>9} {path} (not written by ssm-compile; not checked)",
            "foreign"
        );
    }
    for path in &report.leftovers {
        let _ = writeln!(
            text,
            "{:>9} {path} (left by an interrupted build; the next build removes it)",
            "leftover"
        );
    }
    Ok((text, stale))
}

/// The `build` command line that brings this directory up to date.
fn rebuild_command(opts: &Options) -> String {
    let mut cmd = String::from("ssm-compile build");
    if opts.config.as_os_str() != "access.toml" {
        let _ = write!(cmd, " -c {}", quote(&shown(&opts.config)));
    }
    if let Some(out) = &opts.out {
        let _ = write!(cmd, " -o {}", quote(&shown(out)));
    }
    cmd
}

/// Single-quotes a path for a POSIX shell when it needs it.
fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=,@:".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
