//! The ssm-compile binary: the command line (`cli`), the command shells (`commands`), and the
//! output streams, which strip colour where it is off (anstream). The core is the library.

#![warn(clippy::too_many_lines)]

mod cli;
mod commands;

use std::process::ExitCode;

fn main() -> ExitCode {
    raise_open_files_limit();
    let invocation = cli::parse();
    let (out, err) = (
        &mut anstream::stdout().lock(),
        &mut anstream::stderr().lock(),
    );
    let exit = commands::run(invocation, out, err);
    ExitCode::from(exit as u8)
}

/// Raises the soft limit of open files to the hard one, as Go's runtime does for every
/// program: `diff` keeps a changed template past 1 MiB as an unnamed temporary file, one per
/// account and format, and 1,024 (a common soft limit) is within reach of a directory of
/// hundreds of accounts. Nothing is lost where it cannot be raised: a rendering that finds no
/// descriptor stays in memory.
fn raise_open_files_limit() {
    #[cfg(unix)]
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        let mut limit = std::mem::zeroed::<libc::rlimit>();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
