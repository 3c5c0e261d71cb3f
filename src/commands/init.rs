//! `ssm-compile init`: writes a commented starter configuration that compiles as it is, and
//! refuses to replace a file that exists unless `--force` is given.

use std::fs;
use std::io::{self, Write};

use super::{Exit, Options, read_limited, report};
use ssm_compile::diagnostic::Source;
use ssm_compile::diagnostic::message::{Problem, World};
use ssm_compile::outdir;

/// The starter file. tests/cmd/init.md builds it and scripts/schema-check.sh checks it with
/// taplo: it must stay valid.
pub const STARTER: &str = include_str!("starter.toml");

pub fn init(opts: &Options, force: bool, err: &mut dyn Write) -> Exit {
    let path = outdir::display(&opts.config);
    if !force && fs::symlink_metadata(&opts.config).is_ok() {
        // Located at the existing file's first line, so editors can jump to it.
        let text = read_limited(&opts.config)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let d = World::ConfigExists { path: &path }.at(0..0);
        report(err, &[d], &Source::new(path, text));
        return Exit::Error;
    }
    if let Err(e) = write_new(opts, force) {
        let d = outdir::io_error("write", &opts.config, &e);
        report(err, &[d], &Source::new(path, ""));
        return Exit::Error;
    }
    let _ = writeln!(
        err,
        "wrote {path}: edit the account, region and grants, then run `ssm-compile` to build the policies"
    );
    Exit::Success
}

/// Creates the file; without `force`, only if it does not exist (no race with another writer).
fn write_new(opts: &Options, force: bool) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options.open(&opts.config)?.write_all(STARTER.as_bytes())
}
